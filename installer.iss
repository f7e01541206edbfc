; Inno Setup 6 script for CareQual Desktop: installs the PyInstaller folder packaging\dist\CareQual.
;
;   python packaging/build.py --installer        (builds, then runs ISCC with the version)
;   ISCC /DAppVersion=x.y.z installer.iss        (by hand; the version is carequal_desktop.__version__)
;
; The version is never typed here: the build passes it (ISCC /DAppVersion=...), read from
; carequal_desktop/__init__.py, the one place that holds it.
;
; Per-user by default, without administrator rights (PrivilegesRequired=lowest): installs to
; %LOCALAPPDATA%\Programs\CareQual and writes only HKCU. Run as administrator with /ALLUSERS
; (or choose "all users" in the dialog) it installs to Program Files and writes HKLM; "HKA"
; below is whichever of the two applies. docs/it-deployment.md explains this for IT staff.
;
; The uninstaller removes what this script installed and nothing else: never workshop files
; (.carequal, wherever the user saved them) and never the user data folder
; (%LOCALAPPDATA%\CareQual: settings, logs, backups, demo copy). There is deliberately no
; [UninstallDelete] section.

#ifndef AppVersion
  #error AppVersion is not defined. Compile with ISCC /DAppVersion=x.y.z (python packaging/build.py --installer does)
#endif
; Windows' file version needs four numbers; the build passes it (1.2.3rc1 -> 1.2.3.0).
#ifndef AppVersionNumeric
  #define AppVersionNumeric AppVersion
#endif

#define AppName "CareQual Desktop"
#define AppPublisher "CareQual"
#define AppExeName "CareQual.exe"
#define BuildDir "packaging\dist\CareQual"
#define ProgId "CareQual.Workshop"

[Setup]
; Fixed for ever: Windows knows an installed copy by it, and an upgrade finds the old one by it.
AppId={{CAB7709A-D997-4C4E-ACB4-4DEB809153EB}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppPublisher}
VersionInfoVersion={#AppVersionNumeric}
VersionInfoProductName={#AppName}
VersionInfoDescription={#AppName} setup
DefaultDirName={autopf}\CareQual
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per-user install by default; all users when IT runs it as administrator or passes /ALLUSERS.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog commandline
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Qt 6.10 needs Windows 10 or later.
MinVersion=10.0
WizardStyle=modern
SetupIconFile=resources\icons\carequal.ico
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppName}
OutputDir=packaging\dist
OutputBaseFilename=CareQual-Setup-{#AppVersion}
Compression=lzma2/max
SolidCompression=yes
; Registers .carequal and tells Explorer to refresh its icons after install and uninstall.
ChangesAssociations=yes
; Upgrading or uninstalling while the app is open: close it (Restart Manager), do not reopen.
CloseApplications=yes
RestartApplications=no

[Languages]
; Inno Setup ships no British English messages file; Default.isl is US English.
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the bundled Python and Qt as a whole, so no file of an older build stays
; beside the new one. This is the install folder only, never user data.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BuildDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
; Explorer's icon for .carequal files (the registry below points at it).
Source: "resources\icons\carequal-file.ico"; DestDir: "{app}"; Flags: ignoreversion

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExeName}"; Comment: "Run a multi-agency self-evaluation workshop"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; Tasks: desktopicon

[Registry]
; .carequal opens with CareQual. HKA is HKCU for a per-user install, HKLM for all users.
; The extension key may be shared with other programs, so uninstall removes only our values
; (uninsdeletevalue); the ProgId and the Applications entry are ours alone (uninsdeletekey).
; Nothing here points at, or removes, user data.
Root: HKA; Subkey: "Software\Classes\.carequal"; ValueType: string; ValueName: ""; ValueData: "{#ProgId}"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.carequal\OpenWithProgids"; ValueType: string; ValueName: "{#ProgId}"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\{#ProgId}"; ValueType: string; ValueName: ""; ValueData: "CareQual workshop"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\{#ProgId}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\carequal-file.ico"
Root: HKA; Subkey: "Software\Classes\{#ProgId}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExeName}"" ""%1"""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExeName}\SupportedTypes"; ValueType: string; ValueName: ".carequal"; ValueData: ""; Flags: uninsdeletekey

[Run]
; Offered on the last page of an interactive install; a silent install (IT) never starts it.
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
