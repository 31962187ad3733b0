#!/usr/bin/env bash
# Declares every public symbol the PublicApiAnalyzers report as undeclared (RS0016) in each shipped project's
# PublicAPI.Unshipped.txt, and removes declarations of symbols that no longer exist (RS0017).
# Review the resulting diff: it is the change to the packages' public API.
set -euo pipefail
cd "$(dirname "$0")/.."
for project in src/Docker.Aufs src/Docker.Aufs.Testing; do
  api=$project/PublicAPI.Unshipped.txt
  log=$(mktemp)
  dotnet build "$project" --no-incremental -p:TreatWarningsAsErrors=false -nologo -v q >"$log" 2>&1 || true
  added=$(grep "$project/" "$log" | grep -o "RS0016: Symbol '.*' is not part of the declared public API" | sed -E "s/^RS0016: Symbol '(.*)' is not part of the declared public API$/\1/" | sort -u || true)
  removed=$(grep "$project/" "$log" | grep -o "RS0017: Symbol '.*' is part of the declared API, but is either not public or could not be found" | sed -E "s/^RS0017: Symbol '(.*)' is part of the declared API.*$/\1/" | sort -u || true)
  rm -f "$log"
  {
    echo '#nullable enable'
    { grep -v '^#nullable enable$' "$api" || true; if [ -n "$added" ]; then printf '%s\n' "$added"; fi; } |
      { grep -vxF -f <(printf '%s\n' "$removed") || true; } | LC_ALL=C sort -u
  } >"$api.new"
  mv "$api.new" "$api"
  echo "declared $(printf '%s' "$added" | grep -c . || true), removed $(printf '%s' "$removed" | grep -c . || true): $api"
done
