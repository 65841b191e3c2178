; Inno Setup script: a per-user Windows installer for the PyInstaller build in dist\Sparklio (packaging/build.sh).
; Build: iscc /DAppVersion=0.1.0 packaging\windows\sparklio.iss  ->  dist\Sparklio-0.1.0-setup.exe
; No admin rights; Start-menu entry; uninstalling keeps the data folder (%LOCALAPPDATA%\Sparklio\Sparklio: chats,
; ledger, settings, GPU support) unless the user ticks the box to remove it. API keys stay in Credential Manager.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{7F3C2A9E-5B1D-4C8E-9A61-2D0F5E7B3C41}
AppName=Sparklio
AppVersion={#AppVersion}
AppPublisher=Sparklio
DefaultDirName={localappdata}\Programs\Sparklio
DefaultGroupName=Sparklio
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=Sparklio-{#AppVersion}-setup
SetupIconFile=..\..\build\icons\sparklio.ico
UninstallDisplayIcon={app}\Sparklio.exe
Compression=lzma2
SolidCompression=yes
WizardStyle=modern

[Files]
Source: "..\..\dist\Sparklio\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Sparklio"; Filename: "{app}\Sparklio.exe"
Name: "{autodesktop}\Sparklio"; Filename: "{app}\Sparklio.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked

[Run]
Filename: "{app}\Sparklio.exe"; Description: "Start Sparklio"; Flags: nowait postinstall skipifsilent

[Code]
// The data folder is the user's: keep it unless they explicitly ask to remove it.
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  DataDir: String;
begin
  if CurUninstallStep = usPostUninstall then
  begin
    DataDir := ExpandConstant('{localappdata}\Sparklio\Sparklio');
    if DirExists(DataDir) and not UninstallSilent() then
      if MsgBox('Also delete your Sparklio data (chats, spend ledger, settings, GPU support) in' + #13#10 + DataDir +
                '?' + #13#10#13#10 + 'Choose No to keep it for a later install.',
                mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES then
        DelTree(DataDir, True, True, True);
  end;
end;
