#!/usr/bin/env bash
# Issue 16, class 6: import of a layer of hard links takes time linear in the number of links. Builds two save archives,
# one file with N and with 4N hard links to it (N = 16,000 by default: 4N + 1 names stay under ext4's 65,000 links per inode), imports each with
# `docker-aufs import` (graph era, on the real disk) and prints the times and their ratio: linear work gives about 4x,
# quadratic about 16x. With OLD=<path to another docker-aufs.dll> the same archives are imported by that build too,
# as the baseline in the same run.
#
# Usage: benchmarks/scripts/import-hardlinks.sh [N]
# Environment: SKIP_BUILD=1 to use the Release build already there; OLD=<dll> for a baseline.
# Needs: dotnet, python3. Exits 1 when the ratio is above 8 (not linear).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-16000}
cli=$repo/src/Docker.Aufs.Cli/bin/Release/net10.0/docker-aufs.dll
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  dotnet build -c Release "$repo/src/Docker.Aufs.Cli" -nologo -v q >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work" "$n" <<'PY'
import io, json, sys, tarfile
work, n = sys.argv[1], int(sys.argv[2])
layer_id = "a" * 64
for count in (n, 4 * n):
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w", format=tarfile.GNU_FORMAT) as tar:
        info = tarfile.TarInfo("f"); info.size = 1; tar.addfile(info, io.BytesIO(b"x"))
        for i in range(count):
            link = tarfile.TarInfo(f"l{i}"); link.type = tarfile.LNKTYPE; link.linkname = "f"; tar.addfile(link)
    with tarfile.open(f"{work}/links-{count}.tar", mode="w", format=tarfile.GNU_FORMAT) as archive:
        for name, data in ((f"{layer_id}/json", json.dumps({"id": layer_id}).encode()), (f"{layer_id}/layer.tar", layer.getvalue())):
            info = tarfile.TarInfo(name); info.size = len(data); archive.addfile(info, io.BytesIO(data))
PY

run() { # dll, links -> seconds
  local start end
  start=$(date +%s.%N)
  dotnet "$1" import "$work/links-$2.tar" --into "$work/root-$2-$(basename "$(dirname "$1")")-$RANDOM" >/dev/null
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }'
}

report() { # label, dll
  local one four
  one=$(run "$2" "$n"); four=$(run "$2" $((4 * n)))
  echo "$1: $n links ${one} s, $((4 * n)) links ${four} s, ratio $(awk -v a="$one" -v b="$four" 'BEGIN { printf "%.1f", b / a }')x"
  RATIO=$(awk -v a="$one" -v b="$four" 'BEGIN { printf "%.2f", b / a }')
}

if [[ -n ${OLD:-} ]]; then
  report baseline "$OLD"
fi
report docker-aufs "$cli"
awk -v r="$RATIO" 'BEGIN { exit !(r <= 8.0) }'
