# Thin wrapper over the same dotnet commands as build.sh, for machines with PowerShell.
# build.sh is the reference: it also installs the Debian packages and runs `up`/`down`,
# which only make sense on the Linux host itself.
param(
    [Parameter(Position = 0)][ValidateSet('publish', 'test', 'bench')][string]$Command = 'publish',
    [string[]]$Rids = @('linux-x64', 'linux-arm64')
)
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot
$executables = @('server/Edge.Server/Edge.Server.csproj', 'agent/Edge.Agent/Edge.Agent.csproj')

# The same compiler calls as build.sh's `native` step (gcc, or the aarch64 cross gcc).
function Native {
    foreach ($rid in $Rids) {
        $gcc = if ($rid -eq 'linux-arm64' -and (uname -m) -ne 'aarch64') { 'aarch64-linux-gnu-gcc' }
               elseif ($rid -eq 'linux-x64' -and (uname -m) -ne 'x86_64') { 'x86_64-linux-gnu-gcc' }
               else { 'gcc' }
        New-Item -ItemType Directory -Force "artifacts/native/$rid" | Out-Null
        & $gcc -static -Os -s -Wall -Wextra -Werror -o "artifacts/native/$rid/pause" native/pause/pause.c
        if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
    }
}

function Publish {
    Native
    foreach ($rid in $Rids) {
        foreach ($project in $executables) {
            dotnet publish $project -c Release -r $rid -p:PublishAot=true -o "artifacts/publish/$rid" -nologo -v:q -clp:NoSummary
            if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
        }
    }
}

switch ($Command) {
    'publish' { Publish }
    'test' {
        Publish
        dotnet test Edge.sln -c Release -nologo --logger trx --logger 'console;verbosity=normal' --results-directory artifacts/test-results --blame-hang-timeout 5m
        exit $LASTEXITCODE
    }
    'bench' {
        Publish
        dotnet run --project bench/Edge.Bench -c Release -- artifacts/publish
        exit $LASTEXITCODE
    }
}
