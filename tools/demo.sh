#!/usr/bin/env bash
# The main job on the embedded default: Azurite (started unless one already listens on 10000-10002),
# the local host and the gateway simulator, N orders with realistic faults, and a final report.
# Arguments pass through to the demo, e.g. ./tools/demo.sh --Demo:Orders 50
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x node_modules/.bin/azurite ] || npm ci --no-audit --no-fund --loglevel=error
dotnet run --project tools/Payments.Demo --configuration Release -- "$@"
