#!/usr/bin/env bash
# Runs the Bicep CLI pinned in Directory.Packages.props (Azure.Bicep.CommandLine.linux-x64), restoring
# it through tools/bicep/Bicep.proj into the NuGet global packages folder the first time.
# Usage: tools/bicep.sh build infra/main.bicep --stdout
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
package_id="Azure.Bicep.CommandLine.linux-x64"

if [[ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]]; then
  echo "tools/bicep.sh: only linux-x64 is wired up (package $package_id)." >&2
  exit 2
fi

version="$(sed -n 's/.*PackageVersion Include="'"$package_id"'" Version="\([^"]*\)".*/\1/p' \
  "$repo_root/Directory.Packages.props")"
if [[ -z "$version" ]]; then
  echo "tools/bicep.sh: no PackageVersion for $package_id in Directory.Packages.props." >&2
  exit 2
fi

packages="$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: *//p')"
packages="${packages%/}"
bicep="$packages/$(echo "$package_id" | tr '[:upper:]' '[:lower:]')/$version/tools/bicep"

if [[ ! -f "$bicep" ]]; then
  dotnet restore "$repo_root/tools/bicep/Bicep.proj" --verbosity quiet >&2
fi
if [[ ! -f "$bicep" ]]; then
  echo "tools/bicep.sh: restore finished but $bicep is missing." >&2
  exit 2
fi
# NuGet extracts package files without the execute bit.
[[ -x "$bicep" ]] || chmod +x "$bicep"

exec "$bicep" "$@"
