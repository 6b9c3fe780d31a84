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
        <source>&amp;Allow</source>
        <translation>&amp;Zulassen</translation>
    </message>
    <message>
        <source>&amp;Block</source>
        <translation>&amp;Blockieren</translation>
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
    <message>
        <source>Always, for this file&apos;s content (SHA-256)</source>
        <translation>Immer, für diesen Dateiinhalt (SHA-256)</translation>
    </message>
    <message>
        <source>A program or folder rule follows the path; a SHA-256 rule follows the file&apos;s content wherever it is copied, and no longer matches once the file changes.</source>
        <translation>Eine Programm- oder Ordnerregel folgt dem Pfad; eine SHA-256-Regel folgt dem Dateiinhalt, wohin er auch kopiert wird, und greift nicht mehr, sobald sich die Datei ändert.</translation>
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
    <name>LearnProposalsDialog</name>
    <message>
        <source>Proposals from learning</source>
        <translation>Gelernte Regelvorschläge</translation>
    </message>
    <message>
        <source>Programs that ran in monitor mode and that lockdown would have blocked, as allow rules. Tick the ones to keep, add them, then apply the rules.</source>
        <translation>Programme, die im Modus „Überwachen“ liefen und die der Modus „Sperre“ blockiert hätte, als Zulassen-Regeln. Setzen Sie bei den gewünschten ein Häkchen, fügen Sie sie hinzu und wenden Sie dann die Regeln an.</translation>
    </message>
    <message>
        <source>Allow</source>
        <translation>Zulassen</translation>
    </message>
    <message>
        <source>Programs</source>
        <translation>Programme</translation>
    </message>
    <message>
        <source>Starts</source>
        <translation>Starts</translation>
    </message>
    <message>
        <source>Group programs by the package that installed them</source>
        <translation>Programme nach dem Paket gruppieren, das sie installiert hat</translation>
    </message>
    <message>
        <source>&amp;Add ticked rules</source>
        <translation>Angehakte Regeln &amp;hinzufügen</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Aktualisieren</translation>
    </message>
    <message>
        <source>There is no event log to learn from (the panel was started without one).</source>
        <translation>Es gibt kein Ereignisprotokoll, aus dem gelernt werden kann (das Panel wurde ohne eines gestartet).</translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <source>Nothing in the event log that lockdown would block and the rules do not allow yet. Run in monitor mode for a while and use the programs that should be allowed.</source>
        <translation>Das Ereignisprotokoll enthält nichts, was der Modus „Sperre“ blockieren würde und die Regeln noch nicht zulassen. Lassen Sie ProcGuard eine Weile im Modus „Überwachen“ laufen und verwenden Sie die Programme, die zugelassen werden sollen.</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Not added: %1</source>
        <translation>Nicht hinzugefügt: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n proposed rules for %1.</source>
        <extracomment>%1 is a number of programs (&quot;5 programs&quot;), translated on its own</extracomment>
        <translation>
            <numerusform>%n vorgeschlagene Regel für %1.</numerusform>
            <numerusform>%n vorgeschlagene Regeln für %1.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n programs</source>
        <translation>
            <numerusform>%n Programm</numerusform>
            <numerusform>%n Programme</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Added %n rules; press &quot;Apply to the kernel component&quot; to use them.</source>
        <translation>
            <numerusform>%n Regel hinzugefügt; klicken Sie auf „Auf die Kernel-Komponente anwenden“, um sie zu verwenden.</numerusform>
            <numerusform>%n Regeln hinzugefügt; klicken Sie auf „Auf die Kernel-Komponente anwenden“, um sie zu verwenden.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>LockSettingsDialog</name>
    <message>
        <source>Panel lock</source>
        <translation>Panel-Sperre</translation>
    </message>
    <message>
        <source>&amp;Remove PIN</source>
        <translation>PIN &amp;entfernen</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Current PIN:</source>
        <translation>Aktuelle PIN:</translation>
    </message>
    <message>
        <source>New PIN or password:</source>
        <translation>Neue PIN oder neues Passwort:</translation>
    </message>
    <message>
        <source>Repeat it:</source>
        <translation>Wiederholen:</translation>
    </message>
    <message>
        <source>&amp;Change PIN</source>
        <translation>PIN &amp;ändern</translation>
    </message>
    <message>
        <source>&amp;Set PIN</source>
        <translation>PIN &amp;festlegen</translation>
    </message>
    <message>
        <source>PIN saved. The panel locks when you choose Lock or restart it.</source>
        <translation>PIN gespeichert. Das Panel wird gesperrt, wenn Sie „Panel sperren“ wählen oder es neu starten.</translation>
    </message>
    <message>
        <source>PIN removed: the panel is no longer locked.</source>
        <translation>PIN entfernt: Das Panel ist nicht mehr gesperrt.</translation>
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
    <message>
        <source>&amp;Settings</source>
        <translation>&amp;Einstellungen</translation>
    </message>
    <message>
        <source>Panel &amp;lock (PIN)...</source>
        <translation>Panel-Sperre (&amp;PIN) …</translation>
    </message>
    <message>
        <source>Set a PIN first (Settings, Panel lock).</source>
        <translation>Legen Sie zuerst eine PIN fest (Einstellungen, Panel-Sperre).</translation>
    </message>
    <message>
        <source>Locked: enter the PIN (Settings, Unlock). </source>
        <translation>Gesperrt: Geben Sie die PIN ein (Einstellungen, Panel entsperren). </translation>
    </message>
    <message>
        <source>&amp;Unlock panel...</source>
        <translation>Panel &amp;entsperren …</translation>
    </message>
    <message>
        <source>&amp;Lock panel</source>
        <translation>Panel &amp;sperren</translation>
    </message>
    <message>
        <source>The panel is locked: rules and settings need the PIN.</source>
        <translation>Das Panel ist gesperrt: Regeln und Einstellungen erfordern die PIN.</translation>
    </message>
    <message>
        <source>The panel is locked: the answer applied this time only and no rule was added. Unlock it with the PIN to add rules.</source>
        <translation>Das Panel ist gesperrt: Die Antwort galt nur dieses Mal, und es wurde keine Regel hinzugefügt. Entsperren Sie es mit der PIN, um Regeln hinzuzufügen.</translation>
    </message>
    <message>
        <source>Santa sync: %1</source>
        <translation>Santa-Abgleich: %1</translation>
    </message>
    <message>
        <source>never</source>
        <translation>nie</translation>
    </message>
    <message>
        <source>Santa sync: %1 — last sync %2</source>
        <translation>Santa-Abgleich: %1 — letzter Abgleich %2</translation>
    </message>
    <message numerus="yes">
        <source>, %n rules</source>
        <translation>
            <numerusform>, %n Regel</numerusform>
            <numerusform>, %n Regeln</numerusform>
        </translation>
    </message>
    <message>
        <source>; last error (%1): %2</source>
        <translation>; letzter Fehler (%1): %2</translation>
    </message>
</context>
<context>
    <name>PanelLock</name>
    <message>
        <source>The PIN guards this panel only, so that someone at an unlocked session cannot change rules here. Who may change the policy at all is enforced by the kernel component&apos;s access check (root or the group procguard).</source>
        <translation>Die PIN schützt nur dieses Panel, damit niemand an einer nicht gesperrten Sitzung hier Regeln ändern kann. Wer die Richtlinie überhaupt ändern darf, setzt die Zugriffsprüfung der Kernel-Komponente durch (root oder die Gruppe procguard).</translation>
    </message>
    <message>
        <source>Wrong PIN. Try again in %1 s.</source>
        <translation>Falsche PIN. Versuchen Sie es in %1 s erneut.</translation>
    </message>
    <message>
        <source>Wrong PIN.</source>
        <translation>Falsche PIN.</translation>
    </message>
    <message>
        <source>Too many wrong attempts: try again in %1 s.</source>
        <translation>Zu viele Fehlversuche: Versuchen Sie es in %1 s erneut.</translation>
    </message>
    <message>
        <source>The two new PINs differ; type the same PIN twice.</source>
        <translation>Die beiden neuen PINs unterscheiden sich; geben Sie zweimal dieselbe PIN ein.</translation>
    </message>
    <message>
        <source>No PIN is set.</source>
        <translation>Es ist keine PIN festgelegt.</translation>
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
    <name>PinDialog</name>
    <message>
        <source>Unlock ProcGuard</source>
        <translation>ProcGuard entsperren</translation>
    </message>
    <message>
        <source>Enter the PIN or password to change rules and settings.</source>
        <translation>Geben Sie die PIN oder das Passwort ein, um Regeln und Einstellungen zu ändern.</translation>
    </message>
    <message>
        <source>&amp;Unlock</source>
        <translation>&amp;Entsperren</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
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
    <message>
        <source>checking its digest</source>
        <translation>Prüfsumme wird berechnet</translation>
    </message>
</context>
<context>
    <name>RuleValidator</name>
    <message>
        <source>allows</source>
        <translation>zulässt</translation>
    </message>
    <message>
        <source>blocks</source>
        <translation>blockiert</translation>
    </message>
    <message>
        <source>asks about</source>
        <translation>zur Entscheidung vorlegt</translation>
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
        <source>Enter the SHA-256 of the program (64 hex digits), or compute it from a file.</source>
        <translation>Geben Sie den SHA-256 des Programms ein (64 Hex-Ziffern), oder berechnen Sie ihn aus einer Datei.</translation>
    </message>
    <message>
        <source>Enter a command-line pattern, e.g. */firefox --private-window*.</source>
        <translation>Geben Sie ein Befehlszeilenmuster ein, z. B. */firefox --private-window*.</translation>
    </message>
    <message>
        <source>Enter a package name or pattern (* for every package).</source>
        <translation>Geben Sie einen Paketnamen oder ein Muster ein (* für jedes Paket).</translation>
    </message>
    <message>
        <source>Enter a publisher&apos;s name or pattern (* for every publisher Windows trusts).</source>
        <translation>Geben Sie den Namen eines Herausgebers oder ein Muster ein (* für jeden Herausgeber, dem Windows vertraut).</translation>
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
        <source>Remove the spaces at the start or end of the pattern.</source>
        <translation>Entfernen Sie die Leerzeichen am Anfang oder Ende des Musters.</translation>
    </message>
    <message>
        <source>The pattern is too long (at most 4095 bytes).</source>
        <translation>Das Muster ist zu lang (höchstens 4095 Bytes).</translation>
    </message>
    <message>
        <source>The pattern cannot contain line breaks or tabs.</source>
        <translation>Das Muster darf keine Zeilenumbrüche oder Tabulatoren enthalten.</translation>
    </message>
    <message>
        <source>A SHA-256 has exactly 64 hex digits (0-9, a-f); this has %1 characters.</source>
        <translation>Ein SHA-256 hat genau 64 Hex-Ziffern (0-9, a-f); dieser hat %1 Zeichen.</translation>
    </message>
    <message>
        <source>Ignoring letter case means nothing for a SHA-256; untick it.</source>
        <translation>Groß-/Kleinschreibung zu ignorieren hat bei einem SHA-256 keine Wirkung; entfernen Sie das Häkchen.</translation>
    </message>
    <message>
        <source>A package name has letters, digits and . + - : (and * or ?); no spaces or slashes.</source>
        <translation>Ein Paketname besteht aus Buchstaben, Ziffern und . + - : (sowie * oder ?); ohne Leerzeichen oder Schrägstriche.</translation>
    </message>
    <message>
        <source>A publisher&apos;s name has no control characters.</source>
        <translation>Der Name eines Herausgebers enthält keine Steuerzeichen.</translation>
    </message>
    <message>
        <source>This rule already exists (row %1).</source>
        <translation>Diese Regel gibt es schon (Zeile %1).</translation>
    </message>
    <message>
        <source>Choose whether the rule allows, blocks or asks.</source>
        <translation>Wählen Sie, ob die Regel zulässt, blockiert oder nachfragt.</translation>
    </message>
    <message>
        <source>Choose the kind of rule.</source>
        <translation>Wählen Sie die Art der Regel.</translation>
    </message>
    <message>
        <source>Remove the spaces or line breaks around the parent program.</source>
        <translation>Entfernen Sie die Leerzeichen oder Zeilenumbrüche um das Elternprogramm.</translation>
    </message>
    <message>
        <source>The parent program is too long (at most 4095 bytes).</source>
        <translation>Das Elternprogramm ist zu lang (höchstens 4095 Bytes).</translation>
    </message>
    <message>
        <source>The parent condition must be a full path or a pattern, e.g. /usr/bin/steam or **/installer*.</source>
        <translation>Die Bedingung für den Elternprozess muss ein vollständiger Pfad oder ein Muster sein, z. B. /usr/bin/steam oder **/installer*.</translation>
    </message>
    <message>
        <source>A rule applies to one user or to one group, not both; choose one.</source>
        <translation>Eine Regel gilt für einen Benutzer oder für eine Gruppe, nicht für beide; wählen Sie eines davon.</translation>
    </message>
    <message>
        <source>The message is too long (at most %1 bytes).</source>
        <translation>Die Meldung ist zu lang (höchstens %1 Bytes).</translation>
    </message>
    <message>
        <source>The message cannot contain a NUL character.</source>
        <translation>Die Meldung darf kein NUL-Zeichen enthalten.</translation>
    </message>
    <message>
        <source>A message is shown when a rule blocks; an allow rule shows nothing. Remove it or block.</source>
        <translation>Eine Meldung wird angezeigt, wenn eine Regel blockiert; eine Zulassen-Regel zeigt nichts an. Entfernen Sie die Meldung oder blockieren Sie.</translation>
    </message>
    <message>
        <source>The link is too long (at most %1 bytes).</source>
        <translation>Der Link ist zu lang (höchstens %1 Bytes).</translation>
    </message>
    <message>
        <source>The link must be a web address starting with https:// or http://.</source>
        <translation>Der Link muss eine Webadresse sein, die mit https:// oder http:// beginnt.</translation>
    </message>
    <message>
        <source>Add a message to go with the link; it is shown with the message.</source>
        <translation>Fügen Sie zum Link eine Meldung hinzu; er wird zusammen mit der Meldung angezeigt.</translation>
    </message>
    <message>
        <source>This contradicts row %1, which %2 the same target; edit or remove that rule.</source>
        <translation>Das widerspricht Zeile %1, die dasselbe Ziel %2; ändern oder entfernen Sie diese Regel.</translation>
    </message>
    <message>
        <source>The days of the week are not valid.</source>
        <translation>Die Wochentage sind ungültig.</translation>
    </message>
    <message>
        <source>A rule can have at most %1 time windows; this one has %2.</source>
        <translation>Eine Regel kann höchstens %1 Zeitfenster haben; diese hat %2.</translation>
    </message>
    <message>
        <source>Time window %1 must start and end within the day (00:00 to 23:59).</source>
        <translation>Zeitfenster %1 muss innerhalb des Tages beginnen und enden (00:00 bis 23:59).</translation>
    </message>
    <message>
        <source>Time window %1 starts and ends at %2; choose another end (a window may run past midnight, e.g. 22:00 to 02:00).</source>
        <translation>Zeitfenster %1 beginnt und endet um %2; wählen Sie ein anderes Ende (ein Fenster darf über Mitternacht hinausreichen, z. B. 22:00 bis 02:00).</translation>
    </message>
    <message>
        <source>A daily limit can be at most 24 hours.</source>
        <translation>Ein Tageslimit darf höchstens 24 Stunden betragen.</translation>
    </message>
    <message>
        <source>A shared limit or a grace period needs a daily limit; set one.</source>
        <translation>Ein geteiltes Limit oder eine Schonfrist erfordert ein Tageslimit; legen Sie eines fest.</translation>
    </message>
    <message>
        <source>The grace period can be at most %1 minutes.</source>
        <translation>Die Schonfrist darf höchstens %1 Minuten betragen.</translation>
    </message>
    <message>
        <source>A daily limit counts the running time of programs a rule lets start; a block rule lets none start. Remove the limit, or allow.</source>
        <translation>Ein Tageslimit zählt die Laufzeit der Programme, die eine Regel starten lässt; eine Blockieren-Regel lässt keines starten. Entfernen Sie das Limit oder wählen Sie „Zulassen“.</translation>
    </message>
    <message>
        <source>Only a rule that lasts for some minutes has an expiry time.</source>
        <translation>Nur eine Regel, die einige Minuten lang gilt, hat einen Ablaufzeitpunkt.</translation>
    </message>
    <message>
        <source>Choose for how many minutes the rule lasts.</source>
        <translation>Wählen Sie, wie viele Minuten die Regel gilt.</translation>
    </message>
    <message>
        <source>This rule has already expired; choose how long it lasts again.</source>
        <translation>Diese Regel ist bereits abgelaufen; wählen Sie erneut, wie lange sie gilt.</translation>
    </message>
    <message>
        <source>Choose how long the rule lasts.</source>
        <translation>Wählen Sie, wie lange die Regel gilt.</translation>
    </message>
    <message>
        <source>Only a rule that lasts until a restart belongs to one start of the computer.</source>
        <translation>Nur eine Regel, die bis zum Neustart gilt, gehört zu einem einzelnen Start des Computers.</translation>
    </message>
</context>
<context>
    <name>RulesEditor</name>
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
        <source>Action:</source>
        <translation>Aktion:</translation>
    </message>
    <message>
        <source>Kind:</source>
        <translation>Art:</translation>
    </message>
    <message>
        <source>Parent program:</source>
        <translation>Elternprogramm:</translation>
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
    <message>
        <source>Ask a person, in prompt and in lockdown mode</source>
        <translation>Eine Person fragen, in den Modi „Nachfragen“ und „Sperre“</translation>
    </message>
    <message>
        <source>SHA-256 of the file</source>
        <translation>SHA-256 der Datei</translation>
    </message>
    <message>
        <source>Command line pattern</source>
        <translation>Befehlszeilenmuster</translation>
    </message>
    <message>
        <source>Installed by a trusted package, unmodified</source>
        <translation>Aus einem vertrauenswürdigen Paket installiert, unverändert</translation>
    </message>
    <message>
        <source>Signed by a trusted publisher (Windows)</source>
        <translation>Von einem vertrauenswürdigen Herausgeber signiert (Windows)</translation>
    </message>
    <message>
        <source>From &amp;file...</source>
        <translation>Aus &amp;Datei …</translation>
    </message>
    <message>
        <source>Compute the SHA-256 of a program file</source>
        <translation>SHA-256 einer Programmdatei berechnen</translation>
    </message>
    <message>
        <source>Program to hash</source>
        <translation>Programm für den SHA-256</translation>
    </message>
    <message>
        <source>any parent (or a path or pattern: /usr/bin/steam)</source>
        <translation>beliebiger Elternprozess (oder ein Pfad oder Muster: /usr/bin/steam)</translation>
    </message>
    <message>
        <source>Anyone</source>
        <translation>Jeder</translation>
    </message>
    <message>
        <source>Only user id</source>
        <translation>Nur Benutzer-ID</translation>
    </message>
    <message>
        <source>Only members of group id</source>
        <translation>Nur Mitglieder der Gruppen-ID</translation>
    </message>
    <message>
        <source>Ignore letter case</source>
        <translation>Groß-/Kleinschreibung ignorieren</translation>
    </message>
    <message>
        <source>shown when this rule blocks, e.g. Games are for after homework</source>
        <translation>wird angezeigt, wenn diese Regel blockiert, z. B. Spiele erst nach den Hausaufgaben</translation>
    </message>
    <message>
        <source>https://... (optional, shown with the message)</source>
        <translation>https://... (optional, wird mit der Meldung angezeigt)</translation>
    </message>
    <message>
        <source>Match:</source>
        <translation>Kriterium:</translation>
    </message>
    <message>
        <source>Applies to:</source>
        <translation>Gilt für:</translation>
    </message>
    <message>
        <source>Message:</source>
        <translation>Meldung:</translation>
    </message>
    <message>
        <source>Link:</source>
        <translation>Link:</translation>
    </message>
    <message>
        <source>Test this path</source>
        <translation>Diesen Pfad testen</translation>
    </message>
    <message>
        <source>/usr/games/program</source>
        <translation>/usr/games/programm</translation>
    </message>
    <message>
        <source>parent program (optional)</source>
        <translation>Elternprogramm (optional)</translation>
    </message>
    <message>
        <source>command line (optional)</source>
        <translation>Befehlszeile (optional)</translation>
    </message>
    <message>
        <source>user id</source>
        <translation>Benutzer-ID</translation>
    </message>
    <message>
        <source>&amp;Test</source>
        <translation>&amp;Testen</translation>
    </message>
    <message>
        <source>64 hex digits, or compute them from a file</source>
        <translation>64 Hex-Ziffern, oder aus einer Datei berechnen</translation>
    </message>
    <message>
        <source>*/firefox *--private-window* (arguments joined by spaces; * also crosses /)</source>
        <translation>*/firefox *--private-window* (Argumente durch Leerzeichen getrennt; * passt auch über / hinweg)</translation>
    </message>
    <message>
        <source>package name or pattern; * = every package the system installed</source>
        <translation>Paketname oder Muster; * = jedes vom System installierte Paket</translation>
    </message>
    <message>
        <source>publisher name or pattern, e.g. Microsoft Corporation; * = any publisher Windows trusts</source>
        <translation>Name des Herausgebers oder Muster, z. B. Microsoft Corporation; * = jeder Herausgeber, dem Windows vertraut</translation>
    </message>
    <message>
        <source>Enter the user or group id, or choose &quot;Anyone&quot;.</source>
        <translation>Geben Sie die Benutzer- oder Gruppen-ID ein, oder wählen Sie „Jeder“.</translation>
    </message>
    <message>
        <source>Enter the full path of a program to test.</source>
        <translation>Geben Sie den vollständigen Pfad eines Programms zum Testen ein.</translation>
    </message>
    <message>
        <source>The panel is locked: enter the PIN to change rules. (Who may change the policy at all is decided by the kernel component&apos;s access check: root or the group procguard.)</source>
        <translation>Das Panel ist gesperrt: Geben Sie die PIN ein, um Regeln zu ändern. (Wer die Richtlinie überhaupt ändern darf, entscheidet die Zugriffsprüfung der Kernel-Komponente: root oder die Gruppe procguard.)</translation>
    </message>
    <message>
        <source>From &amp;learning...</source>
        <translation>&amp;Gelernte Vorschläge …</translation>
    </message>
    <message>
        <source>Allow rules proposed from what ran in monitor mode</source>
        <translation>Zulassen-Regeln, vorgeschlagen anhand dessen, was im Modus „Überwachen“ lief</translation>
    </message>
    <message>
        <source>now</source>
        <translation>jetzt</translation>
    </message>
    <message>
        <source>Local date and time to test at: rules outside their schedule or expired by then do not take part.</source>
        <translation>Datum und Uhrzeit (Ortszeit) für den Test: Regeln, die dann außerhalb ihrer Zeiten liegen oder abgelaufen sind, zählen nicht.</translation>
    </message>
    <message>
        <source>at</source>
        <translation>Zeitpunkt</translation>
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
        <source>Parent</source>
        <translation>Elternprozess</translation>
    </message>
    <message>
        <source>Rule %1 in %2 has an invalid %3; nothing was imported.</source>
        <translation>Regel %1 in %2 hat einen ungültigen Wert für %3; es wurde nichts importiert.</translation>
    </message>
    <message>
        <source>exact path</source>
        <translation>exakter Pfad</translation>
    </message>
    <message>
        <source>pattern</source>
        <translation>Muster</translation>
    </message>
    <message>
        <source>folder</source>
        <translation>Ordner</translation>
    </message>
    <message>
        <source>SHA-256</source>
        <translation>SHA-256</translation>
    </message>
    <message>
        <source>command line</source>
        <translation>Befehlszeile</translation>
    </message>
    <message>
        <source>trusted package</source>
        <translation>vertrauenswürdiges Paket</translation>
    </message>
    <message>
        <source>trusted signer</source>
        <translation>vertrauenswürdiger Herausgeber</translation>
    </message>
    <message>
        <source>ask</source>
        <translation>nachfragen</translation>
    </message>
    <message>
        <source>%1, any case</source>
        <translation>%1, Groß-/Kleinschreibung ignoriert</translation>
    </message>
    <message>
        <source>user %1</source>
        <translation>Benutzer %1</translation>
    </message>
    <message>
        <source>group %1</source>
        <translation>Gruppe %1</translation>
    </message>
    <message>
        <source>Path, pattern, hash or package</source>
        <translation>Pfad, Muster, Hash oder Paket</translation>
    </message>
    <message>
        <source>User or group</source>
        <translation>Benutzer oder Gruppe</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Meldung</translation>
    </message>
    <message>
        <source>Rule %1 in %2 has invalid time conditions (%3); nothing was imported.</source>
        <translation>Regel %1 in %2 hat ungültige Zeitbedingungen (%3); es wurde nichts importiert.</translation>
    </message>
    <message>
        <source>When</source>
        <translation>Wann</translation>
    </message>
    <message>
        <source>unknown day %1</source>
        <translation>unbekannter Tag %1</translation>
    </message>
    <message>
        <source>a time window needs &quot;from&quot; and &quot;to&quot; as HH:MM</source>
        <translation>ein Zeitfenster braucht „from“ und „to“ im Format HH:MM</translation>
    </message>
    <message>
        <source>invalid %1</source>
        <translation>%1 ist ungültig</translation>
    </message>
    <message>
        <source>invalid expiresAt</source>
        <translation>expiresAt ist ungültig</translation>
    </message>
    <message>
        <source>unknown expiry %1</source>
        <translation>unbekannte Ablaufart %1</translation>
    </message>
    <message>
        <source>%1 h</source>
        <translation>%1 h</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>Mon</source>
        <translation>Mo</translation>
    </message>
    <message>
        <source>Tue</source>
        <translation>Di</translation>
    </message>
    <message>
        <source>Wed</source>
        <translation>Mi</translation>
    </message>
    <message>
        <source>Thu</source>
        <translation>Do</translation>
    </message>
    <message>
        <source>Fri</source>
        <translation>Fr</translation>
    </message>
    <message>
        <source>Sat</source>
        <translation>Sa</translation>
    </message>
    <message>
        <source>Sun</source>
        <translation>So</translation>
    </message>
    <message>
        <source>every day</source>
        <translation>täglich</translation>
    </message>
    <message>
        <source>%1-%2</source>
        <translation>%1–%2</translation>
    </message>
    <message>
        <source>%1/day</source>
        <translation>%1/Tag</translation>
    </message>
    <message>
        <source>%1 shared with group %2</source>
        <translation>%1, geteilt mit Gruppe %2</translation>
    </message>
    <message>
        <source>%1 (then %2 to finish)</source>
        <translation>%1 (danach %2 zum Beenden)</translation>
    </message>
    <message>
        <source>once</source>
        <translation>einmalig</translation>
    </message>
    <message>
        <source>expired</source>
        <translation>abgelaufen</translation>
    </message>
    <message>
        <source>expires in %1</source>
        <translation>läuft in %1 ab</translation>
    </message>
    <message>
        <source>until %1</source>
        <translation>bis %1</translation>
    </message>
    <message>
        <source>until restart</source>
        <translation>bis zum Neustart</translation>
    </message>
    <message>
        <source>This rule is managed (set by a policy file or Group Policy); change it there.</source>
        <translation>Diese Regel wird zentral verwaltet (durch eine Richtliniendatei oder Gruppenrichtlinie); ändern Sie sie dort.</translation>
    </message>
    <message>
        <source>This rule is managed (set by a policy file or Group Policy); it cannot be removed here.</source>
        <translation>Diese Regel wird zentral verwaltet (durch eine Richtliniendatei oder Gruppenrichtlinie); sie kann hier nicht entfernt werden.</translation>
    </message>
    <message>
        <source>Managed: set by a policy file or Group Policy. It decides before every other rule and cannot be changed here.</source>
        <translation>Zentral verwaltet: durch eine Richtliniendatei oder Gruppenrichtlinie festgelegt. Sie entscheidet vor jeder anderen Regel und kann hier nicht geändert werden.</translation>
    </message>
    <message>
        <source>%1 (managed)</source>
        <translation>%1 (verwaltet)</translation>
    </message>
</context>
<context>
    <name>ScheduleEditor</name>
    <message>
        <source>When</source>
        <translation>Wann</translation>
    </message>
    <message>
        <source>Mon</source>
        <translation>Mo</translation>
    </message>
    <message>
        <source>Tue</source>
        <translation>Di</translation>
    </message>
    <message>
        <source>Wed</source>
        <translation>Mi</translation>
    </message>
    <message>
        <source>Thu</source>
        <translation>Do</translation>
    </message>
    <message>
        <source>Fri</source>
        <translation>Fr</translation>
    </message>
    <message>
        <source>Sat</source>
        <translation>Sa</translation>
    </message>
    <message>
        <source>Sun</source>
        <translation>So</translation>
    </message>
    <message>
        <source>Weekdays</source>
        <translation>Werktage</translation>
    </message>
    <message>
        <source>Weekend</source>
        <translation>Wochenende</translation>
    </message>
    <message>
        <source>Every day</source>
        <translation>Jeden Tag</translation>
    </message>
    <message>
        <source>All day</source>
        <translation>Ganztägig</translation>
    </message>
    <message>
        <source>Add time &amp;window</source>
        <translation>&amp;Zeitfenster hinzufügen</translation>
    </message>
    <message>
        <source> h</source>
        <translation> h</translation>
    </message>
    <message>
        <source> min</source>
        <translation> min</translation>
    </message>
    <message>
        <source>per day of running time (0 h 0 min: no limit)</source>
        <translation>Laufzeit pro Tag (0 h 0 min: kein Limit)</translation>
    </message>
    <message>
        <source>Always</source>
        <translation>Immer</translation>
    </message>
    <message>
        <source>Once (the first start it decides)</source>
        <translation>Einmal (für den ersten Start, über den sie entscheidet)</translation>
    </message>
    <message>
        <source>For some minutes</source>
        <translation>Einige Minuten lang</translation>
    </message>
    <message>
        <source>Until the computer restarts</source>
        <translation>Bis zum Neustart des Computers</translation>
    </message>
    <message>
        <source>Days:</source>
        <translation>Tage:</translation>
    </message>
    <message>
        <source>Times:</source>
        <translation>Uhrzeiten:</translation>
    </message>
    <message>
        <source>Daily limit:</source>
        <translation>Tageslimit:</translation>
    </message>
    <message>
        <source>Lasts:</source>
        <translation>Gültigkeit:</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
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
        <source>(the next day)</source>
        <translation>(am nächsten Tag)</translation>
    </message>
    <message>
        <source>Limit the rule to a time of day; a window may run past midnight, e.g. 22:00 to 02:00</source>
        <translation>Die Regel auf eine Tageszeit beschränken; ein Fenster darf über Mitternacht hinausreichen, z. B. 22:00 bis 02:00</translation>
    </message>
    <message>
        <source>A rule has at most %1 time windows.</source>
        <translation>Eine Regel hat höchstens %1 Zeitfenster.</translation>
    </message>
    <message>
        <source>until %1</source>
        <translation>bis %1</translation>
    </message>
    <message>
        <source>Tick at least one day (or every day, for a rule that applies on all days).</source>
        <translation>Wählen Sie mindestens einen Tag aus (oder „Jeden Tag“ für eine Regel, die an allen Tagen gilt).</translation>
    </message>
</context>
</TS>
