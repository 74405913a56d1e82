#!/usr/bin/env bash
# The benchmark command: installs Azurite from the npm lockfile if missing, then runs every suite
# (intake, saga, reconciliation, recovery) in Release. Extra arguments are the bench's settings,
# keys of its Bench configuration section (--help lists them with their defaults), e.g.
#   ./bench/run.sh --smoke                                            tiny sizes, under a minute
#   ./bench/run.sh --Bench:Suites intake                              one suite
#   ./bench/run.sh --Bench:Suites intake,saga --Bench:SagaOrders 10   two suites, fewer saga orders
# Prints the table; writes bench/results/results-<timestamp>.json and .svg.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/azurite ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
exec dotnet run -c Release --project bench/Payments.Bench -- "$@"
