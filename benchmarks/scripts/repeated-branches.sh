#!/usr/bin/env bash
# Issue 16, class 7: an aufs/layers/<id> naming one layer N times once made N + 1 branches (40 s per view at N = 40,000).
# Such a record is now refused as AUFS refuses the mount (docs/hostile-input.md, "Repeated branches"); this script shows
# the refusal costs what reading the record costs: it times `docker-aufs ls busybox /` (refused, exit 1) and `fsck`
# (reports duplicate-branch) on the sample root whose busybox record names its parent N times, for N = 40,000 and
# N = 400,000, beside the same commands on the intact sample, in one hyperfine run. Linear: the 400,000 case costs about
# ten times the extra of the 40,000 case over the intact root, never the square.
#
# Usage: benchmarks/scripts/repeated-branches.sh [WORKDIR]
# Environment: RUNS (timed runs per command, default 10), SKIP_BUILD=1 to use the Release build already there.
# Needs: dotnet, hyperfine, python3.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
runs=${RUNS:-10}
for tool in dotnet hyperfine python3; do
  command -v "$tool" >/dev/null || { echo "repeated-branches: $tool is needed (apt-get install hyperfine)" >&2; exit 1; }
done
if [[ $# -ge 1 ]]; then
  work=$1
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  echo "== building the CLI (Release)"
  dotnet build -c Release "$repo/src/Docker.Aufs.Cli" -nologo -v q >/dev/null
fi
cli="dotnet $repo/src/Docker.Aufs.Cli/bin/Release/net10.0/docker-aufs.dll"

for n in 0 40000 400000; do
  root=$work/root-$n
  if [[ ! -d $root ]]; then
    $cli sample "$root" >/dev/null
    if [[ $n -gt 0 ]]; then
      top=$($cli --root "$root" images -q --no-trunc --filter reference=busybox)
      record=$root/aufs/layers/$top
      parent=$(head -n 1 "$record")
      python3 - "$record" "$parent" "$n" <<'PY'
import sys
path, parent, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(path, "w") as f:
    f.write((parent + "\n") * n)
PY
    fi
  fi
  echo "root-$n: aufs/layers record of busybox: $(wc -l < "$root/aufs/layers/$($cli --root "$root" images -q --no-trunc --filter reference=busybox)") lines"
done

hyperfine --warmup 2 --runs "$runs" -i --export-json "$work/hyperfine.json" \
  -n "ls, intact" "$cli --root $work/root-0 ls busybox / >/dev/null 2>&1" \
  -n "ls, 40,000 repeats (refused)" "$cli --root $work/root-40000 ls busybox / >/dev/null 2>&1" \
  -n "ls, 400,000 repeats (refused)" "$cli --root $work/root-400000 ls busybox / >/dev/null 2>&1" \
  -n "fsck, intact" "$cli --root $work/root-0 fsck >/dev/null 2>&1" \
  -n "fsck, 40,000 repeats" "$cli --root $work/root-40000 fsck >/dev/null 2>&1" \
  -n "fsck, 400,000 repeats" "$cli --root $work/root-400000 fsck >/dev/null 2>&1"

python3 - "$work/hyperfine.json" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
for what in ("ls", "fsck"):
    base = r[f"{what}, intact"]
    small = r[f"{what}, 40,000 repeats" + (" (refused)" if what == "ls" else "")]
    large = r[f"{what}, 400,000 repeats" + (" (refused)" if what == "ls" else "")]
    extra_small, extra_large = small - base, large - base
    growth = extra_large / extra_small if extra_small > 0 else float("nan")
    print(f"{what}: intact {base * 1000:.0f} ms, 40,000 {small * 1000:.0f} ms (+{extra_small * 1000:.0f}), "
          f"400,000 {large * 1000:.0f} ms (+{extra_large * 1000:.0f}); extra grows {growth:.1f}x for 10x the repeats")
PY
