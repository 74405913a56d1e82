#!/usr/bin/env bash
# Compiles and lints every .bicep and .bicepparam file in the repository with the pinned Bicep CLI and
# fails on any error or warning. Compiled ARM JSON goes to obj/infra (git-ignored), or to
# $VERIFY_INFRA_OUT when set.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bicep="$repo_root/tools/bicep.sh"
out="${VERIFY_INFRA_OUT:-$repo_root/obj/infra}"
cd "$repo_root"

# Restore the CLI once up front, so its restore output is not mistaken for a diagnostic below.
"$bicep" --version

mapfile -t files < <(find . \( -name .git -o -name bin -o -name obj -o -name node_modules \) -prune -o \
  -type f \( -name '*.bicep' -o -name '*.bicepparam' \) -print | sed 's|^\./||' | sort)
if [[ ${#files[@]} -eq 0 ]]; then
  echo "verify-infra: no .bicep or .bicepparam files found." >&2
  exit 1
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
failed=0

run() {
  # Bicep exits 0 on warnings; its diagnostics read "file(line,col) : Warning|Error code: message".
  if ! "$@" >"$log" 2>&1; then
    failed=1
  fi
  if grep -Eq ' : (Warning|Error) ' "$log"; then
    failed=1
  fi
  cat "$log"
}

for file in "${files[@]}"; do
  dir="$out/$(dirname "$file")"
  mkdir -p "$dir"
  echo "== $file"
  case "$file" in
    *.bicepparam)
      run "$bicep" build-params "$file" --outfile "$dir/$(basename "$file" .bicepparam).parameters.json"
      ;;
    *.bicep)
      run "$bicep" build "$file" --outfile "$dir/$(basename "$file" .bicep).json"
      ;;
  esac
  run "$bicep" lint "$file"
done

if [[ $failed -ne 0 ]]; then
  echo "verify-infra: FAILED (see warnings/errors above)." >&2
  exit 1
fi
echo "verify-infra: ${#files[@]} files built and linted with no warnings; output in ${out#"$repo_root"/}"
