<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en">
<context>
    <name>ApprovalDialog</name>
    <message>
        <source>Allow</source>
        <translation>Zulassen</translation>
    </message>
    <message>
        <source>Block</source>
        <translation>Blockieren</translation>
    </message>
    <message>
        <source>ProcGuard: allow %1?</source>
        <translation>ProcGuard: %1 zulassen?</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; wants to start</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; möchte starten</translation>
    </message>
    <message>
        <source>Path:</source>
        <translation>Pfad:</translation>
    </message>
    <message>
        <source>Command line:</source>
        <translation>Befehlszeile:</translation>
    </message>
    <message>
        <source>(not known yet at decision time)</source>
        <translation>(zum Zeitpunkt der Entscheidung noch nicht bekannt)</translation>
    </message>
    <message>
        <source>pid %1 %2</source>
        <translation>PID %1 %2</translation>
    </message>
    <message>
        <source>; created by pid %1</source>
        <translation>; erzeugt von PID %1</translation>
    </message>
    <message>
        <source>Parent:</source>
        <translation>Elternprozess:</translation>
    </message>
    <message>
        <source>User:</source>
        <translation>Benutzer:</translation>
    </message>
    <message>
        <source>computing...</source>
        <translation>wird berechnet …</translation>
    </message>
    <message>
        <source>SHA-256:</source>
        <translation>SHA-256:</translation>
    </message>
    <message>
        <source>Only this time</source>
        <translation>Nur dieses Mal</translation>
    </message>
    <message>
        <source>Always, for this program</source>
        <translation>Immer, für dieses Programm</translation>
    </message>
    <message>
        <source>Always, for programs in this folder</source>
        <translation>Immer, für Programme in diesem Ordner</translation>
    </message>
    <message>
        <source>Rules match by path: this kernel component has no hash rules.</source>
        <translation>Regeln greifen nach Pfad: Diese Kernel-Komponente kennt keine Hash-Regeln.</translation>
    </message>
    <message>
        <source>&amp;Allow</source>
        <translation>&amp;Zulassen</translation>
    </message>
    <message>
        <source>&amp;Block</source>
        <translation>&amp;Blockieren</translation>
    </message>
    <message>
        <source>Rules are made by path; hash rules are not supported.</source>
        <translation>Regeln werden nach Pfad angelegt; Hash-Regeln werden nicht unterstützt.</translation>
    </message>
    <message>
        <source>%1 of %2 waiting</source>
        <translation>%1 von %2 wartend</translation>
    </message>
    <message>
        <source>No time limit: %1 applies if the panel disconnects.</source>
        <translation>Kein Zeitlimit: %1 gilt, wenn die Verbindung des Panels abbricht.</translation>
    </message>
    <message>
        <source>%1 automatically in %2 s.</source>
        <translation>%1 automatisch in %2 s.</translation>
    </message>
    <message>
        <source>unreadable (%1)</source>
        <translation>nicht lesbar (%1)</translation>
    </message>
</context>
<context>
    <name>EventLogModel</name>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>Ereignis</translation>
    </message>
    <message>
        <source>PID</source>
        <translation>PID</translation>
    </message>
    <message>
        <source>Program</source>
        <translation>Programm</translation>
    </message>
    <message>
        <source>Verdict</source>
        <translation>Entscheidung</translation>
    </message>
    <message>
        <source>Decided by</source>
        <translation>Entschieden durch</translation>
    </message>
    <message>
        <source>Command line</source>
        <translation>Befehlszeile</translation>
    </message>
</context>
<context>
    <name>EventLogView</name>
    <message>
        <source>All events</source>
        <translation>Alle Ereignisse</translation>
    </message>
    <message>
        <source>Decisions</source>
        <translation>Entscheidungen</translation>
    </message>
    <message>
        <source>Allowed</source>
        <translation>Zugelassen</translation>
    </message>
    <message>
        <source>Blocked</source>
        <translation>Blockiert</translation>
    </message>
    <message>
        <source>program path contains...</source>
        <translation>Programmpfad enthält …</translation>
    </message>
    <message>
        <source>Export &amp;CSV...</source>
        <translation>Als &amp;CSV exportieren …</translation>
    </message>
    <message>
        <source>Export the event log</source>
        <translation>Ereignisprotokoll exportieren</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <source>Exported to %1.</source>
        <translation>Nach %1 exportiert.</translation>
    </message>
    <message>
        <source>from</source>
        <translation>von</translation>
    </message>
    <message>
        <source>to</source>
        <translation>bis</translation>
    </message>
    <message>
        <source>The journal is not open.</source>
        <translation>Das Journal ist nicht geöffnet.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>ProcGuard</source>
        <translation>ProcGuard</translation>
    </message>
    <message>
        <source>&amp;Processes</source>
        <translation>&amp;Prozesse</translation>
    </message>
    <message>
        <source>Pending &amp;approvals</source>
        <translation>Offene &amp;Freigaben</translation>
    </message>
    <message>
        <source>&amp;Rules</source>
        <translation>&amp;Regeln</translation>
    </message>
    <message>
        <source>Event &amp;log</source>
        <translation>Ereignis&amp;protokoll</translation>
    </message>
    <message>
        <source>Connected to %1 (pid %2) as %3.</source>
        <translation>Verbunden mit %1 (PID %2) als %3.</translation>
    </message>
    <message>
        <source>Monitoring stopped.</source>
        <translation>Überwachung beendet.</translation>
    </message>
    <message>
        <source>Policy applied.</source>
        <translation>Richtlinie angewendet.</translation>
    </message>
    <message>
        <source>Pending &amp;approvals (%1)</source>
        <translation>Offene &amp;Freigaben (%1)</translation>
    </message>
    <message>
        <source>Kernel component</source>
        <translation>Kernel-Komponente</translation>
    </message>
    <message>
        <source>state unknown</source>
        <translation>Zustand unbekannt</translation>
    </message>
    <message>
        <source>Install</source>
        <translation>Installieren</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Starten</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stoppen</translation>
    </message>
    <message>
        <source>Uninstall</source>
        <translation>Deinstallieren</translation>
    </message>
    <message>
        <source>working...</source>
        <translation>in Arbeit …</translation>
    </message>
    <message>
        <source>Monitoring</source>
        <translation>Überwachung</translation>
    </message>
    <message>
        <source>Start &amp;monitoring</source>
        <translation>Über&amp;wachung starten</translation>
    </message>
    <message>
        <source>Stop m&amp;onitoring</source>
        <translation>Überwachung be&amp;enden</translation>
    </message>
    <message>
        <source>Monitor (log only)</source>
        <translation>Überwachen (nur protokollieren)</translation>
    </message>
    <message>
        <source>Prompt (ask me)</source>
        <translation>Nachfragen (mich fragen)</translation>
    </message>
    <message>
        <source>Lockdown (block unknown)</source>
        <translation>Sperre (Unbekanntes blockieren)</translation>
    </message>
    <message>
        <source>Block</source>
        <translation>Blockieren</translation>
    </message>
    <message>
        <source>Allow</source>
        <translation>Zulassen</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>no limit</source>
        <translation>kein Limit</translation>
    </message>
    <message>
        <source>A&amp;pply</source>
        <translation>An&amp;wenden</translation>
    </message>
    <message>
        <source>Mode:</source>
        <translation>Modus:</translation>
    </message>
    <message>
        <source>Default verdict:</source>
        <translation>Standardentscheidung:</translation>
    </message>
    <message>
        <source>Timeout:</source>
        <translation>Zeitlimit:</translation>
    </message>
    <message>
        <source>Search name, path, command line or PID (Ctrl+F)</source>
        <translation>Name, Pfad, Befehlszeile oder PID suchen (Strg+F)</translation>
    </message>
    <message>
        <source>Keep exited processes</source>
        <translation>Beendete Prozesse behalten</translation>
    </message>
    <message>
        <source>Allow selected</source>
        <translation>Auswahl zulassen</translation>
    </message>
    <message>
        <source>Block selected</source>
        <translation>Auswahl blockieren</translation>
    </message>
    <message>
        <source>Show ProcGuard</source>
        <translation>ProcGuard anzeigen</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Find process</source>
        <translation>Prozess &amp;suchen</translation>
    </message>
    <message>
        <source>&amp;Expand all</source>
        <translation>Alle &amp;aufklappen</translation>
    </message>
    <message>
        <source>&amp;Refresh component state</source>
        <translation>Zustand der Komponente a&amp;ktualisieren</translation>
    </message>
    <message>
        <source>&amp;Monitoring</source>
        <translation>Über&amp;wachung</translation>
    </message>
    <message>
        <source>&amp;Start monitoring</source>
        <translation>Überwachung &amp;starten</translation>
    </message>
    <message>
        <source>S&amp;top monitoring</source>
        <translation>Überwachung be&amp;enden</translation>
    </message>
    <message>
        <source>&amp;Apply policy</source>
        <translation>Richtlinie an&amp;wenden</translation>
    </message>
    <message>
        <source>Start monitoring first: the policy goes to a running kernel component.</source>
        <translation>Starten Sie zuerst die Überwachung: Die Richtlinie geht an eine laufende Kernel-Komponente.</translation>
    </message>
    <message>
        <source>ProcGuard blocked a program</source>
        <translation>ProcGuard hat ein Programm blockiert</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>not managed by this panel</source>
        <translation>nicht von diesem Panel verwaltet</translation>
    </message>
    <message>
        <source>ProcGuard: %1</source>
        <translation>ProcGuard: %1</translation>
    </message>
    <message>
        <source>The rule was not added: %1</source>
        <translation>Die Regel wurde nicht hinzugefügt: %1</translation>
    </message>
    <message>
        <source>Always allow this program</source>
        <translation>Dieses Programm immer zulassen</translation>
    </message>
    <message>
        <source>Always block this program</source>
        <translation>Dieses Programm immer blockieren</translation>
    </message>
    <message>
        <source>Copy command line</source>
        <translation>Befehlszeile kopieren</translation>
    </message>
    <message>
        <source>Open containing folder</source>
        <translation>Übergeordneten Ordner öffnen</translation>
    </message>
    <message>
        <source>Properties</source>
        <translation>Eigenschaften</translation>
    </message>
    <message>
        <source>Process %1</source>
        <translation>Prozess %1</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt;</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Path: %1
Command line: %2
PID %3, parent %4, creator %5
User: %6
Verdict: %7</source>
        <translation>Pfad: %1
Befehlszeile: %2
PID %3, Elternprozess %4, Erzeuger %5
Benutzer: %6
Entscheidung: %7</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>Verbunden</translation>
    </message>
    <message>
        <source>Connecting...</source>
        <translation>Verbinde …</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>Nicht verbunden</translation>
    </message>
    <message>
        <source>&amp;List</source>
        <translation>&amp;Liste</translation>
    </message>
    <message>
        <source>Show every process in one flat list instead of the tree (Ctrl+L)</source>
        <translation>Alle Prozesse in einer flachen Liste statt als Baum zeigen (Strg+L)</translation>
    </message>
    <message>
        <source>Process &amp;list</source>
        <translation>Prozess&amp;liste</translation>
    </message>
    <message>
        <source>ProcGuard blocked %1 programs</source>
        <translation>ProcGuard hat %1 Programme blockiert</translation>
    </message>
    <message>
        <source>%1 and %2 more</source>
        <translation>%1 und %2 weitere</translation>
    </message>
    <message>
        <source>&amp;Terminate process</source>
        <translation>Prozess &amp;beenden</translation>
    </message>
    <message>
        <source>Terminate process</source>
        <translation>Prozess beenden</translation>
    </message>
    <message>
        <source>End process %1 (%2)? It is asked to exit (SIGTERM) and may save its work.</source>
        <translation>Prozess %1 (%2) beenden? Er wird gebeten, sich zu beenden (SIGTERM), und kann seine Arbeit speichern.</translation>
    </message>
    <message>
        <source>That process is no longer in the list.</source>
        <translation>Dieser Prozess ist nicht mehr in der Liste.</translation>
    </message>
    <message>
        <source>Process %1 is not running.</source>
        <translation>Prozess %1 läuft nicht.</translation>
    </message>
    <message>
        <source>Asked process %1 (%2) to end.</source>
        <translation>Prozess %1 (%2) wurde gebeten, sich zu beenden.</translation>
    </message>
</context>
<context>
    <name>PendingModel</name>
    <message>
        <source>allow</source>
        <translation>zulassen</translation>
    </message>
    <message>
        <source>block</source>
        <translation>blockieren</translation>
    </message>
    <message>
        <source>no limit</source>
        <translation>kein Limit</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>Program</source>
        <translation>Programm</translation>
    </message>
    <message>
        <source>PID</source>
        <translation>PID</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>Pfad</translation>
    </message>
    <message>
        <source>Default</source>
        <translation>Standard</translation>
    </message>
    <message>
        <source>Time left</source>
        <translation>Verbleibende Zeit</translation>
    </message>
</context>
<context>
    <name>ProcessTreeModel</name>
    <message>
        <source>waiting for you</source>
        <translation>wartet auf Sie</translation>
    </message>
    <message>
        <source>allowed</source>
        <translation>zugelassen</translation>
    </message>
    <message>
        <source>blocked</source>
        <translation>blockiert</translation>
    </message>
    <message>
        <source>by rule %1</source>
        <translation>durch Regel %1</translation>
    </message>
    <message>
        <source>by a person</source>
        <translation>durch eine Person</translation>
    </message>
    <message>
        <source>(%1)</source>
        <translation>(%1)</translation>
    </message>
    <message>
        <source>(pid %1)</source>
        <translation>(PID %1)</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>PID</source>
        <translation>PID</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>Path</source>
        <translation>Pfad</translation>
    </message>
    <message>
        <source>Command line</source>
        <translation>Befehlszeile</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Gestartet</translation>
    </message>
    <message>
        <source>Verdict</source>
        <translation>Entscheidung</translation>
    </message>
    <message>
        <source>pid %1, parent %2 (%3)</source>
        <translation>PID %1, Elternprozess %2 (%3)</translation>
    </message>
    <message>
        <source>
created by %1, which is not its parent</source>
        <translation>
erzeugt von %1, der nicht sein Elternprozess ist</translation>
    </message>
    <message>
        <source>Parent</source>
        <translation>Elternprozess</translation>
    </message>
    <message>
        <source>Creator</source>
        <translation>Erzeuger</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
</context>
<context>
    <name>RuleValidator</name>
    <message>
        <source>Choose whether the rule allows or blocks.</source>
        <translation>Wählen Sie, ob die Regel zulässt oder blockiert.</translation>
    </message>
    <message>
        <source>Enter the path of a program or a folder.</source>
        <translation>Geben Sie den Pfad eines Programms oder Ordners ein.</translation>
    </message>
    <message>
        <source>Remove the spaces at the start or end of the path.</source>
        <translation>Entfernen Sie die Leerzeichen am Anfang oder Ende des Pfads.</translation>
    </message>
    <message>
        <source>The path is too long (at most 4095 bytes).</source>
        <translation>Der Pfad ist zu lang (höchstens 4095 Bytes).</translation>
    </message>
    <message>
        <source>The path cannot contain line breaks.</source>
        <translation>Der Pfad darf keine Zeilenumbrüche enthalten.</translation>
    </message>
    <message>
        <source>Use a full path, starting with / (or a drive letter on Windows).</source>
        <translation>Verwenden Sie einen vollständigen Pfad, der mit / beginnt (unter Windows mit einem Laufwerksbuchstaben).</translation>
    </message>
    <message>
        <source>An exact path cannot contain * or ?; choose the kind &quot;pattern&quot;.</source>
        <translation>Ein exakter Pfad darf kein * oder ? enthalten; wählen Sie die Art „Muster“.</translation>
    </message>
    <message>
        <source>An exact path names a program, not a folder; choose the kind &quot;folder&quot;.</source>
        <translation>Ein exakter Pfad bezeichnet ein Programm, keinen Ordner; wählen Sie die Art „Ordner“.</translation>
    </message>
    <message>
        <source>A pattern needs * or ?; for one program choose the kind &quot;exact&quot;.</source>
        <translation>Ein Muster braucht * oder ?; für ein einzelnes Programm wählen Sie die Art „exakt“.</translation>
    </message>
    <message>
        <source>A folder rule must end with / so that it does not match /usr/binary for /usr/bin.</source>
        <translation>Eine Ordnerregel muss mit / enden, damit /usr/bin nicht auch /usr/binary trifft.</translation>
    </message>
    <message>
        <source>A folder rule cannot contain * or ?; choose the kind &quot;pattern&quot;.</source>
        <translation>Eine Ordnerregel darf kein * oder ? enthalten; wählen Sie die Art „Muster“.</translation>
    </message>
    <message>
        <source>The parent condition must be a full path or a pattern.</source>
        <translation>Die Bedingung für den Elternprozess muss ein vollständiger Pfad oder ein Muster sein.</translation>
    </message>
    <message>
        <source>This rule already exists (row %1).</source>
        <translation>Diese Regel gibt es schon (Zeile %1).</translation>
    </message>
    <message>
        <source>This contradicts row %1, which %2 the same path; edit or remove that rule.</source>
        <translation>Das widerspricht Zeile %1, die denselben Pfad %2; ändern oder entfernen Sie diese Regel.</translation>
    </message>
    <message>
        <source>allows</source>
        <translation>zulässt</translation>
    </message>
    <message>
        <source>blocks</source>
        <translation>blockiert</translation>
    </message>
</context>
<context>
    <name>RulesEditor</name>
    <message>
        <source>Allow</source>
        <translation>Zulassen</translation>
    </message>
    <message>
        <source>Block</source>
        <translation>Blockieren</translation>
    </message>
    <message>
        <source>Exact program path</source>
        <translation>Exakter Programmpfad</translation>
    </message>
    <message>
        <source>Pattern (* ? **)</source>
        <translation>Muster (* ? **)</translation>
    </message>
    <message>
        <source>Folder (ends with /)</source>
        <translation>Ordner (endet mit /)</translation>
    </message>
    <message>
        <source>/usr/bin/program, /opt/tools/, /home/*/bin/*</source>
        <translation>/usr/bin/programm, /opt/tools/, /home/*/bin/*</translation>
    </message>
    <message>
        <source>any parent</source>
        <translation>beliebiger Elternprozess</translation>
    </message>
    <message>
        <source>any user</source>
        <translation>beliebiger Benutzer</translation>
    </message>
    <message>
        <source>Action:</source>
        <translation>Aktion:</translation>
    </message>
    <message>
        <source>Kind:</source>
        <translation>Art:</translation>
    </message>
    <message>
        <source>Path:</source>
        <translation>Pfad:</translation>
    </message>
    <message>
        <source>Parent program:</source>
        <translation>Elternprogramm:</translation>
    </message>
    <message>
        <source>User id:</source>
        <translation>Benutzer-ID:</translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation>&amp;Hinzufügen</translation>
    </message>
    <message>
        <source>&amp;Change</source>
        <translation>Ä&amp;ndern</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>&amp;Entfernen</translation>
    </message>
    <message>
        <source>Move &amp;up</source>
        <translation>Nach &amp;oben</translation>
    </message>
    <message>
        <source>Move &amp;down</source>
        <translation>Nach &amp;unten</translation>
    </message>
    <message>
        <source>&amp;Import...</source>
        <translation>&amp;Importieren …</translation>
    </message>
    <message>
        <source>&amp;Export...</source>
        <translation>E&amp;xportieren …</translation>
    </message>
    <message>
        <source>Apply to the &amp;kernel component</source>
        <translation>Auf die &amp;Kernel-Komponente anwenden</translation>
    </message>
    <message>
        <source>Import rules</source>
        <translation>Regeln importieren</translation>
    </message>
    <message>
        <source>Rules (*.json)</source>
        <translation>Regeln (*.json)</translation>
    </message>
    <message>
        <source>Export rules</source>
        <translation>Regeln exportieren</translation>
    </message>
</context>
<context>
    <name>RulesModel</name>
    <message>
        <source>Select the rule to change first.</source>
        <translation>Wählen Sie zuerst die zu ändernde Regel aus.</translation>
    </message>
    <message>
        <source>Cannot write %1: %2.</source>
        <translation>%1 kann nicht geschrieben werden: %2.</translation>
    </message>
    <message>
        <source>Cannot read %1: %2.</source>
        <translation>%1 kann nicht gelesen werden: %2.</translation>
    </message>
    <message>
        <source>%1 is not a rules file: %2.</source>
        <translation>%1 ist keine Regeldatei: %2.</translation>
    </message>
    <message>
        <source>Rule %1 in %2 has an unknown action or kind; nothing was imported.</source>
        <translation>Regel %1 in %2 hat eine unbekannte Aktion oder Art; es wurde nichts importiert.</translation>
    </message>
    <message>
        <source>Rule %1 in %2: %3 Nothing was imported.</source>
        <translation>Regel %1 in %2: %3 Es wurde nichts importiert.</translation>
    </message>
    <message>
        <source>allow</source>
        <translation>zulassen</translation>
    </message>
    <message>
        <source>block</source>
        <translation>blockieren</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Path or pattern</source>
        <translation>Pfad oder Muster</translation>
    </message>
    <message>
        <source>Parent</source>
        <translation>Elternprozess</translation>
    </message>
    <message>
        <source>User id</source>
        <translation>Benutzer-ID</translation>
    </message>
</context>
</TS>
