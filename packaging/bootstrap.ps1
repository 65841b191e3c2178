# Sets Sparklio up in .\.venv (once, and again whenever pyproject.toml changes), then - the twin of bootstrap.sh:
#   powershell -ExecutionPolicy Bypass -File packaging\bootstrap.ps1 app [sparklio args...]   launch the app
#   powershell -ExecutionPolicy Bypass -File packaging\bootstrap.ps1 test [pytest args...]    run the test suite
# A new venv gets the newest Python >= 3.12 found (py -3.13, py -3.12, python), else 3.11. On a machine with an
# NVIDIA driver, torch comes from PyTorch's CUDA 12.8 index (PyPI's Windows wheel is CPU-only).
param([string]$Mode = "app", [Parameter(ValueFromRemainingArguments = $true)][string[]]$Rest = @())
$ErrorActionPreference = "Continue"  # native tools report through $LASTEXITCODE, checked after each step
Set-Location (Split-Path -Parent $PSScriptRoot)
$Venv = if ($env:SPARKLIO_VENV) { $env:SPARKLIO_VENV } else { ".venv" }
$Vpy = Join-Path $Venv "Scripts\python.exe"

function Test-Python([string[]]$Cmd, [int]$Minor) {
    # True when the command runs and is Python 3.$Minor or newer.
    try {
        $exe, $pre = $Cmd[0], @($Cmd | Select-Object -Skip 1)
        & $exe @pre -c "import sys; sys.exit(0 if sys.version_info >= (3, $Minor) else 1)" 2>$null | Out-Null
        return $LASTEXITCODE -eq 0
    } catch { return $false }
}

function Find-Python {
    # $env:PYTHON wins; else the newest >= 3.12; else 3.11 (ui/app.py guards PySide6's refcounts there).
    if ($env:PYTHON) {
        if (Test-Python @($env:PYTHON) 11) { return , @($env:PYTHON) }
        throw "Sparklio needs Python 3.11 or newer; PYTHON=$env:PYTHON is not."
    }
    foreach ($c in @(@("py", "-3.13"), @("py", "-3.12"), @("python"), @("python3"))) {
        if (Test-Python $c 12) { return , $c }
    }
    foreach ($c in @(@("py", "-3.11"), @("python"), @("python3"))) {
        if (Test-Python $c 11) { return , $c }
    }
    throw "Sparklio needs Python 3.12 or 3.13 (3.11 works): install one from python.org, or set PYTHON."
}

if (-not (Test-Path $Vpy)) {
    $py = Find-Python
    $exe, $pre = $py[0], @($py | Select-Object -Skip 1)
    Write-Host "==> creating $Venv with $(& $exe @pre --version)"
    & $exe @pre -m venv $Venv
    if ($LASTEXITCODE -ne 0) { throw "could not create $Venv" }
}

# Same stamp as bootstrap.sh: the hash of pyproject.toml and this script; re-install only when it changes.
$stamp = Join-Path $Venv ".sparklio-installed"
$bytes = [IO.File]::ReadAllBytes("pyproject.toml") + [IO.File]::ReadAllBytes($PSCommandPath)
$want = -join ([Security.Cryptography.SHA256]::Create().ComputeHash($bytes) | ForEach-Object { $_.ToString("x2") })
$have = if (Test-Path $stamp) { (Get-Content $stamp -Raw).Trim() } else { "" }
if ($have -ne $want) {
    Write-Host "==> installing dependencies (first run takes a few minutes)"
    & $Vpy -m pip install -q --disable-pip-version-check --upgrade pip
    & $Vpy -c "import torch, torchvision" 2>$null | Out-Null
    if ($LASTEXITCODE -ne 0) {
        $torch = "torch==$(if ($env:SPARKLIO_TORCH_VERSION) { $env:SPARKLIO_TORCH_VERSION } else { '2.14.1' })"
        $vision = "torchvision==$(if ($env:SPARKLIO_TORCHVISION_VERSION) { $env:SPARKLIO_TORCHVISION_VERSION } else { '0.29.1' })"
        $nvidia = $null -ne (Get-Command nvidia-smi -ErrorAction SilentlyContinue)
        if ($nvidia) {
            Write-Host "==> NVIDIA driver found: installing the CUDA 12.8 build of torch"
            & $Vpy -m pip install -q --disable-pip-version-check $torch $vision --index-url https://download.pytorch.org/whl/cu128
        } else {
            & $Vpy -m pip install -q --disable-pip-version-check $torch $vision
        }
        if ($LASTEXITCODE -ne 0) { throw "installing torch failed" }
    }
    & $Vpy -m pip install -q --disable-pip-version-check -e ".[test]"
    if ($LASTEXITCODE -ne 0) { throw "installing Sparklio's dependencies failed" }
    Set-Content -Path $stamp -Value $want -NoNewline
}

switch ($Mode) {
    "app" { & (Join-Path $Venv "Scripts\sparklio.exe") @Rest; exit $LASTEXITCODE }
    "test" {
        if (-not $env:QT_QPA_PLATFORM) { $env:QT_QPA_PLATFORM = "offscreen" }
        if ($Rest.Count -eq 0) {  # the whole suite starts with lint, format and types
            & $Vpy -m ruff check --quiet .; if ($LASTEXITCODE -ne 0) { exit 1 }
            & $Vpy -m ruff format --check --quiet .; if ($LASTEXITCODE -ne 0) { exit 1 }
            & $Vpy -m pyright --pythonpath $Vpy; if ($LASTEXITCODE -ne 0) { exit 1 }
        }
        & $Vpy -m pytest -q -p no:cacheprovider @Rest; exit $LASTEXITCODE
    }
    default { Write-Error "usage: bootstrap.ps1 app|test [args...]"; exit 2 }
}
