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
# The log is kept so that a failure's name and message are repeated at the end, where a CI tail shows them.
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
dotnet test Payments.sln --configuration Release --no-build --logger "console;verbosity=normal" 2>&1 | tee "$log" || status=$?
if [[ $status -ne 0 ]]; then
  echo "=== failed tests (repeated from above) ==="
  grep -E -A 12 '^[[:space:]]+Failed [A-Za-z]' "$log" | cut -c1-400 | head -n 160 || true
fi
exit "$status"
