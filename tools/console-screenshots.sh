#!/usr/bin/env bash
# Re-takes the operator console's screenshots in docs/console/ (the README shows them): runs the
# console's browser tests, which save a screenshot of each main view where PAYMENTS_CONSOLE_SCREENSHOTS points.
set -euo pipefail
cd "$(dirname "$0")/.."
PAYMENTS_CONSOLE_SCREENSHOTS="$PWD/docs/console" dotnet test tests/Payments.Tests --configuration Release \
  --filter "FullyQualifiedName~Payments.Tests.Console.ConsoleBrowserTests"
