#!/usr/bin/env bash
# The test command: installs Azurite from the npm lockfile and, for the console's browser tests,
# Chromium from the OS packages when missing (Playwright's own browser download is unreachable);
# builds warning-free, runs every test (the tests start and stop their own Azurite on free ports).
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --loglevel=error
if [[ -z "${PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH:-}" ]] && ! command -v chromium >/dev/null 2>&1; then
  sudo=""
  if [[ "$(id -u)" -ne 0 ]]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
./tools/verify-infra.sh
dotnet build Payments.sln --configuration Release
dotnet test Payments.sln --configuration Release --no-build --logger "console;verbosity=normal"
