#!/usr/bin/env bash
# Issue 14, goal 1: start-up of the native `docker-aufs --sample images` is at most 2x `skopeo --version`, measured in
# the same run. The framework-dependent build (`dotnet docker-aufs.dll`, what `dotnet tool install` gave before the native
# tool packages) is timed beside them for reference.
#
# Usage: benchmarks/scripts/startup.sh [RUNS]   (default 30 timed runs per command, 5 warm-ups)
# Environment: SKIP_BUILD=1 to use the builds already there (artifacts/publish/<rid>, src/Docker.Aufs.Cli/bin/Release).
# Needs: dotnet, skopeo, hyperfine. Prints each command's median and the ratio; exits 1 when the goal is missed.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-30}
for tool in dotnet skopeo hyperfine; do
  command -v "$tool" >/dev/null || { echo "startup: $tool is needed (apt-get install skopeo hyperfine)" >&2; exit 1; }
done
rid=$(dotnet --info | awk '/^ *RID:/ { print $2; exit }')
native=$repo/artifacts/publish/$rid/docker-aufs
managed=$repo/src/Docker.Aufs.Cli/bin/Release/net10.0/docker-aufs.dll
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  echo "== building the native executable (eng/publish.sh) and the framework-dependent build"
  "$repo/eng/publish.sh" "$rid" "$(dirname "$native")" >/dev/null
  dotnet build -c Release "$repo/src/Docker.Aufs.Cli" -nologo -v q >/dev/null
fi

csv=$(mktemp)
trap 'rm -f "$csv"' EXIT
hyperfine -N --style basic --warmup 5 --runs "$runs" --export-csv "$csv" \
  -n native "$native --sample images" \
  -n skopeo "skopeo --version" \
  -n framework-dependent "dotnet $managed --sample images" >/dev/null
median() { awk -F, -v name="$1" '$1 == name { printf "%.1f", $4 * 1000 }' "$csv"; }
ours=$(median native); theirs=$(median skopeo); managed_ms=$(median framework-dependent)
ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.2f", a / b }')
echo "median start-up, $runs runs: docker-aufs --sample images (native) ${ours} ms, skopeo --version ${theirs} ms, framework-dependent ${managed_ms} ms"
echo "ratio native / skopeo: ${ratio}x (goal <= 2.0x)"
awk -v r="$ratio" 'BEGIN { exit !(r <= 2.0) }'
