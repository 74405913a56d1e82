#!/usr/bin/env bash
# The test command: installs Azurite from the npm lockfile, builds warning-free, runs every test
# (the tests start and stop their own Azurite on free ports).
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --loglevel=error
./tools/verify-infra.sh
dotnet build Payments.sln --configuration Release
dotnet test Payments.sln --configuration Release --no-build --logger "console;verbosity=normal"
