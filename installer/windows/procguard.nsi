; procguard.nsi - the ProcGuard installer for Windows (NSIS 3, makensis).
;
; Installs procguard.sys into System32\drivers, the console tool and, when
; this build has one, the Qt panel (with its Qt and runtime DLLs, and an
; autostart task) into the install folder; registers the driver service;
; adds Start menu entries and an uninstaller. Running it over an installed ProcGuard
; upgrades in place: the service is stopped, the files replaced and the
; service started again. The service (and so its registry key) is never
; deleted on upgrade, so the policy the driver keeps under
;   HKLM\SYSTEM\CurrentControlSet\Services\procguard\Parameters\Policy
; survives. The uninstaller stops and deletes the service and removes
; every file and registry key the installer created.
;
; One installer per architecture (see README.md, "Decisions"): ARCH x64
; is a 64-bit installer for 64-bit Windows, ARCH x86 a 32-bit one for 32-bit
; Windows. Each refuses the other kind of Windows, so neither runs under
; WOW64 and none of its paths or registry keys are redirected.
;
; Defines (makensis /DNAME=VALUE); installer/windows/CMakeLists.txt sets them:
;   ARCH           x64 or x86 (required)
;   RESOURCES_NSH  version.nsh configured from resources/windows (required):
;                  product name, company, VERSION and the version resource
;   VERSION        product version a.b.c (default: from RESOURCES_NSH)
;   OUTFILE        installer to write (required)
;   DRIVER         procguard.sys for ARCH (required)
;   CTL_SRC        the console tool for ARCH (required)
;   CTL_EXE        its file name once installed (default procguardctl.exe):
;                  the one place the console tool's name is spelled
;   PANEL_DIR      folder holding procguard-panel.exe for ARCH and its Qt
;                  DLLs (optional: without it the Panel component is absent)

!ifndef RESOURCES_NSH
  !error "define RESOURCES_NSH (version.nsh from resources/windows)"
!endif
!ifndef OUTFILE
  !error "define OUTFILE"
!endif
!ifndef CTL_SRC
  !error "define CTL_SRC (the console tool to install)"
!endif
!ifndef CTL_EXE
  !define CTL_EXE "procguardctl.exe"
!endif
!ifndef DRIVER
  !error "define DRIVER (procguard.sys for ARCH)"
!endif
!ifndef ARCH
  !error "define ARCH (x64 or x86)"
!endif
!if "${ARCH}" == "x64"
  !define TARGET "amd64-unicode"
  !define PROGRAM_FILES "$PROGRAMFILES64"
  !define BITS "64"
  !define OTHER_ARCH "x86"
!else if "${ARCH}" == "x86"
  !define TARGET "x86-unicode"
  !define PROGRAM_FILES "$PROGRAMFILES"
  !define BITS "32"
  !define OTHER_ARCH "x64"
!else
  !error "ARCH must be x64 or x86, not ${ARCH}"
!endif

!define SERVICE "procguard"
!define SERVICE_KEY "SYSTEM\CurrentControlSet\Services\${SERVICE}"
!define PRODUCT_KEY "Software\ProcGuard"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\ProcGuard"
; The ProcGuard log of the Windows Event Log (a classic log of its own) and
; its one source, whose messages are in the console tool (WindowsEventLog.h):
; procguardctl monitor --format ecs --event-log writes ECS JSON there.
!define EVENTLOG_KEY "SYSTEM\CurrentControlSet\Services\EventLog\ProcGuard"
; The image path the SCM and the kernel loader resolve without drive
; letters: a system-start driver is loaded before the drive links exist.
!define DRIVER_IMAGE "\SystemRoot\System32\drivers\procguard.sys"

Target ${TARGET}
; LogicLib leaves an unused label behind each ${Break} (the build uses -WX).
!pragma warning disable 6012
Unicode true

; PRODUCT, COMPANY, VERSION and the version resource (VIProductVersion,
; VIAddVersionKey): the values every ProcGuard program's VERSIONINFO has.
!include "${RESOURCES_NSH}"
VIAddVersionKey "FileDescription" "${PRODUCT} installer (${ARCH})"

; The manifest NSIS writes asks for administrator rights: the installer
; writes System32\drivers, HKLM and the service database.
RequestExecutionLevel admin
ManifestSupportedOS all
SetCompressor /SOLID lzma
Name "${PRODUCT} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "${PROGRAM_FILES}\${PRODUCT}"
InstallDirRegKey HKLM "${PRODUCT_KEY}" "InstallDir"
ShowInstDetails show
ShowUninstDetails show

!include "LogicLib.nsh"
!include "x64.nsh"
!include "MUI2.nsh"

!define MUI_ABORTWARNING
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

; ---------------------------------------------------------------------------
; Service helpers (sc.exe: present on every Windows, and in Wine).

; Stops the service if it runs and waits, at most 15 s, until it is stopped.
; Stopping makes the driver release every held start with the default
; verdict before it unloads.
!macro PgStopService UN
Function ${UN}PgStopService
  Push $0
  Push $1
  Push $2
  nsExec::ExecToStack '"$SYSDIR\sc.exe" query ${SERVICE}'
  Pop $0
  Pop $1
  ${If} $0 == 0
    nsExec::ExecToLog '"$SYSDIR\sc.exe" stop ${SERVICE}'
    Pop $0
    StrCpy $2 0
    ${Do}
      nsExec::ExecToStack '"$SYSDIR\sc.exe" query ${SERVICE}'
      Pop $0
      Pop $1
      ${If} $0 != 0
        ${Break} ; gone
      ${EndIf}
      Push $1
      Push "STOPPED"
      Call ${UN}PgContains
      Pop $0
      ${If} $0 == 1
        ${Break}
      ${EndIf}
      IntOp $2 $2 + 1
      ${If} $2 >= 75
        DetailPrint "The ${SERVICE} service did not stop within 15 s."
        ${Break}
      ${EndIf}
      Sleep 200
    ${Loop}
  ${EndIf}
  Pop $2
  Pop $1
  Pop $0
FunctionEnd

; Push haystack, push needle, call: pops 1 when the needle occurs, else 0.
Function ${UN}PgContains
  Exch $R1 ; needle
  Exch
  Exch $R0 ; haystack
  Push $R2
  Push $R3
  Push $R4
  StrLen $R3 $R1
  StrCpy $R4 0
  ${Do}
    StrCpy $R2 $R0 $R3 $R4
    ${If} $R2 == ""
      StrCpy $R0 0
      ${Break}
    ${EndIf}
    ${If} $R2 == $R1
      StrCpy $R0 1
      ${Break}
    ${EndIf}
    IntOp $R4 $R4 + 1
  ${Loop}
  Pop $R4
  Pop $R3
  Pop $R2
  Pop $R1
  Exch $R0
FunctionEnd
!macroend
!insertmacro PgStopService ""
!insertmacro PgStopService "un."

; ---------------------------------------------------------------------------

Function .onInit
  ; A driver runs only on Windows of its own architecture (a 32-bit
  ; driver does not load on 64-bit Windows, WOW64 is for programs only).
!if "${ARCH}" == "x64"
  ${IfNot} ${RunningX64}
!else
  ${If} ${RunningX64}
!endif
    MessageBox MB_ICONSTOP "This is the ${PRODUCT} installer for ${BITS}-bit Windows. Use ${PRODUCT}-${VERSION}-${OTHER_ARCH}.exe on this machine." /SD IDOK
    SetErrorLevel 2
    Abort
  ${EndIf}
  ; Upgrade: keep the folder of the installed version.
  ReadRegStr $0 HKLM "${PRODUCT_KEY}" "InstallDir"
  ${If} $0 != ""
    StrCpy $INSTDIR $0
  ${EndIf}
FunctionEnd

Section "!${PRODUCT} driver and console tool (required)" SecCore
  SectionIn RO
  SetShellVarContext all

  ; Upgrade in place: stop the running driver so that its image can be
  ; replaced. The service itself stays, and with it the policy.
  Call PgStopService

  SetOutPath "$INSTDIR"
  SetOverwrite on
  File "/oname=${CTL_EXE}" "${CTL_SRC}"

  ; The installer runs natively (.onInit), so $SYSDIR is the real System32.
  SetOutPath "$SYSDIR\drivers"
  File "/oname=procguard.sys" "${DRIVER}"
  SetOutPath "$INSTDIR"

  ; Register the driver service once; an upgrade finds it there.
  ;
  ; Start type SERVICE_SYSTEM_START (sc "start= system"): the I/O manager
  ; loads the driver during kernel initialisation, before smss.exe starts
  ; the first user-mode process, and the driver applies the stored policy
  ; in DriverEntry - so lockdown holds from boot with no panel running.
  ; SERVICE_BOOT_START would load it even earlier, from the boot loader,
  ; before the file systems, which a process-start filter does not need,
  ; and a boot-start driver that fails can leave the machine unbootable.
  ; Error control "normal": a driver that fails to load is logged and
  ; Windows still boots (no fallback to Last Known Good).
  nsExec::ExecToStack '"$SYSDIR\sc.exe" query ${SERVICE}'
  Pop $0
  Pop $1
  ${If} $0 != 0
    nsExec::ExecToLog '"$SYSDIR\sc.exe" create ${SERVICE} type= kernel start= system error= normal binpath= "${DRIVER_IMAGE}" displayname= "ProcGuard launch control"'
    Pop $0
    ${If} $0 != 0
      DetailPrint "sc create ${SERVICE} failed ($0)."
      SetErrors
    ${EndIf}
  ${EndIf}
  nsExec::ExecToLog '"$SYSDIR\sc.exe" start ${SERVICE}'
  Pop $0
  ${If} $0 != 0
    ; An unsigned driver on a machine without test signing ends here
    ; (error 577); see docs/operators.md.
    DetailPrint "The ${SERVICE} driver did not start now ($0); it starts at the next boot."
  ${EndIf}

  WriteRegStr HKLM "${PRODUCT_KEY}" "InstallDir" "$INSTDIR"
  WriteRegStr HKLM "${PRODUCT_KEY}" "Version" "${VERSION}"
  WriteRegStr HKLM "${PRODUCT_KEY}" "ConsoleTool" "${CTL_EXE}"
  WriteRegStr HKLM "${PRODUCT_KEY}" "Architecture" "${ARCH}"

  ; The event log: 20 MiB, oldest records overwritten as needed.
  WriteRegDWORD HKLM "${EVENTLOG_KEY}" "MaxSize" 20971520
  WriteRegDWORD HKLM "${EVENTLOG_KEY}" "Retention" 0
  WriteRegExpandStr HKLM "${EVENTLOG_KEY}" "File" "%SystemRoot%\System32\winevt\Logs\ProcGuard.evtx"
  WriteRegExpandStr HKLM "${EVENTLOG_KEY}\ProcGuard" "EventMessageFile" "$INSTDIR\${CTL_EXE}"
  WriteRegDWORD HKLM "${EVENTLOG_KEY}\ProcGuard" "TypesSupported" 7

  WriteUninstaller "$INSTDIR\uninstall.exe"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "${COMPANY}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1

  CreateDirectory "$SMPROGRAMS\${PRODUCT}"
  ; The console tool's status in a window that stays open.
  CreateShortcut "$SMPROGRAMS\${PRODUCT}\${PRODUCT} status.lnk" "$SYSDIR\cmd.exe" '/k ""$INSTDIR\${CTL_EXE}" status"' "$INSTDIR\${CTL_EXE}"
  CreateShortcut "$SMPROGRAMS\${PRODUCT}\Uninstall ${PRODUCT}.lnk" "$INSTDIR\uninstall.exe"
SectionEnd

!ifdef PANEL_DIR
; The panel runs elevated (procguard-panel.manifest: requireAdministrator),
; and Windows does not start elevated programs from the Run keys at logon.
; So the autostart entry is a scheduled task: at any logon of a member of
; Administrators (S-1-5-32-544), with the highest privileges, the panel
; starts in the notification area (--tray).
!define PANEL_TASK "ProcGuard panel"
Section "Control panel" SecPanel
  SetShellVarContext all
  ; A running panel (an upgrade) holds its files open: end it first. Its
  ; holds are released with the default verdict, as when it quits.
  nsExec::Exec '"$SYSDIR\taskkill.exe" /F /IM procguard-panel.exe'
  Pop $0
  SetOutPath "$INSTDIR\panel"
  File /r "${PANEL_DIR}\*.*"
  CreateShortcut "$SMPROGRAMS\${PRODUCT}\${PRODUCT}.lnk" "$INSTDIR\panel\procguard-panel.exe"

  ; The task's definition stays beside the panel (schtasks /Create /XML
  ; reads it; an administrator can read what was registered).
  FileOpen $1 "$INSTDIR\panel\autostart-task.xml" w
  FileWriteWord $1 0xFEFF
  FileWriteUTF16LE $1 '<?xml version="1.0" encoding="UTF-16"?>$\r$\n'
  FileWriteUTF16LE $1 '<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">$\r$\n'
  FileWriteUTF16LE $1 '<RegistrationInfo><Description>${PRODUCT} control panel in the notification area</Description></RegistrationInfo>$\r$\n'
  FileWriteUTF16LE $1 '<Triggers><LogonTrigger><Enabled>true</Enabled></LogonTrigger></Triggers>$\r$\n'
  FileWriteUTF16LE $1 '<Principals><Principal id="Admins"><GroupId>S-1-5-32-544</GroupId><RunLevel>HighestAvailable</RunLevel></Principal></Principals>$\r$\n'
  FileWriteUTF16LE $1 '<Settings><MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy><DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries><StopIfGoingOnBatteries>false</StopIfGoingOnBatteries><ExecutionTimeLimit>PT0S</ExecutionTimeLimit><Enabled>true</Enabled></Settings>$\r$\n'
  FileWriteUTF16LE $1 '<Actions Context="Admins"><Exec><Command>$INSTDIR\panel\procguard-panel.exe</Command><Arguments>--tray</Arguments></Exec></Actions>$\r$\n'
  FileWriteUTF16LE $1 '</Task>$\r$\n'
  FileClose $1
  nsExec::ExecToLog '"$SYSDIR\schtasks.exe" /Create /F /TN "${PANEL_TASK}" /XML "$INSTDIR\panel\autostart-task.xml"'
  Pop $0
  ${If} $0 != 0
    DetailPrint "The panel's autostart task was not created ($0); start the panel from the Start menu."
  ${EndIf}
  WriteRegStr HKLM "${PRODUCT_KEY}" "PanelTask" "${PANEL_TASK}"
SectionEnd
!endif

Section "Uninstall"
  SetShellVarContext all
  Call un.PgStopService
  nsExec::ExecToLog '"$SYSDIR\sc.exe" delete ${SERVICE}'
  Pop $0
  ; The SCM removes the service key; remove the driver's own Parameters
  ; (the policy) explicitly, so nothing is left even while the SCM still
  ; holds the service marked for deletion.
  DeleteRegKey HKLM "${SERVICE_KEY}\Parameters"

  Delete "$SYSDIR\drivers\procguard.sys"

  ReadRegStr $0 HKLM "${PRODUCT_KEY}" "ConsoleTool"
  ${If} $0 != ""
    Delete "$INSTDIR\$0"
  ${EndIf}
  Delete "$INSTDIR\${CTL_EXE}"
  ; The panel (when installed): its autostart task, the running panel, its
  ; folder. Read from the registry, so an uninstaller of a build without the
  ; panel still removes one a previous installer put there.
  ReadRegStr $0 HKLM "${PRODUCT_KEY}" "PanelTask"
  ${If} $0 != ""
    nsExec::ExecToLog '"$SYSDIR\schtasks.exe" /Delete /F /TN "$0"'
    Pop $1
  ${EndIf}
  ${If} ${FileExists} "$INSTDIR\panel\procguard-panel.exe"
    nsExec::Exec '"$SYSDIR\taskkill.exe" /F /IM procguard-panel.exe'
    Pop $1
  ${EndIf}
  RMDir /r "$INSTDIR\panel"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"

  RMDir /r "$SMPROGRAMS\${PRODUCT}"
  DeleteRegKey HKLM "${UNINSTALL_KEY}"
  DeleteRegKey HKLM "${PRODUCT_KEY}"
  ; The log's records stay in its file for the administrator; the source goes.
  DeleteRegKey HKLM "${EVENTLOG_KEY}"
SectionEnd

LangString DESC_Core ${LANG_ENGLISH} "procguard.sys, its service (started at boot) and the console tool ${CTL_EXE}."
!ifdef PANEL_DIR
LangString DESC_Panel ${LANG_ENGLISH} "The ProcGuard control panel (Qt): Start menu entry, and in the notification area at every administrator's logon."
!endif
!insertmacro MUI_FUNCTION_DESCRIPTION_BEGIN
  !insertmacro MUI_DESCRIPTION_TEXT ${SecCore} $(DESC_Core)
!ifdef PANEL_DIR
  !insertmacro MUI_DESCRIPTION_TEXT ${SecPanel} $(DESC_Panel)
!endif
!insertmacro MUI_FUNCTION_DESCRIPTION_END
