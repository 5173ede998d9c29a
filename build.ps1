# Hermes.NET build entry point for Windows. Same verbs as build.sh: demo, test, build, pack [dir], bench [filter], experiment NAME [--quick].
param([Parameter(Position = 0)][string]$Verb = "test", [Parameter(Position = 1, ValueFromRemainingArguments = $true)][string[]]$Rest)
$ErrorActionPreference = "Stop"
Set-Location $PSScriptRoot
$env:DOTNET_CLI_TELEMETRY_OPTOUT = "1"; $env:DOTNET_NOLOGO = "1"
# Windows needs no system prerequisite: TorchSharp's runtime package ships the MSVC runtime it needs.
switch ($Verb) {
  "build" { dotnet build Hermes.Core.sln -c Release -warnaserror @Rest }
  "test"  { dotnet build Hermes.Core.sln -c Release -warnaserror; if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
            dotnet test Hermes.Core.sln -c Release --no-build @Rest }
  "demo"  { dotnet run --project src/Hermes.Cli -c Release -- demo @Rest }
  "pack"  { $out = if ($Rest) { $Rest[0] } else { "artifacts/packages" }; dotnet pack Hermes.Core.sln -c Release -warnaserror -o $out }
  "bench" { $f = if ($Rest) { $Rest[0] } else { "*" }; dotnet run --project benchmarks/Hermes.Benchmarks -c Release -- --filter $f }
  "experiment" { dotnet run --project samples/Hermes.Experiments -c Release -- @Rest }
  default { Write-Error "usage: ./build.ps1 demo|test|build|pack [dir]|bench [filter]|experiment NAME [--quick]"; exit 2 }
}
exit $LASTEXITCODE
