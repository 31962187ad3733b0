#!/usr/bin/env bash
# Issue 11, goal (b): a byte-exact save of one layer of a 1.10+ (content-addressed) root — reassembled from its
# tar-split data and hashed, what `digest` and `layer-tar` do — costs at most 1.0x the reference
# `tar-split asm --input <tar-split.json.gz> --path <layer dir> | sha256sum` on the same layer, in the same run.
#
# Usage: benchmarks/scripts/cas-layer-save.sh [WORKDIR]
#   WORKDIR  where the root goes (default: a new temporary directory, removed at the end). A root already there is reused.
# Environment: RUNS (timed runs per command, default 7), SIZE_MB (layer size, default 300), SKIP_BUILD=1 to use the
#              Release builds already there.
# Needs: dotnet, tar-split, sha256sum, hyperfine, python3.
# Times are wall-clock, one warm-up run each, warm page cache; ours include the CLI's start-up. The ratio is
# median(ours) / median(reference): <= 1.0 meets the goal.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
runs=${RUNS:-7}
size_mb=${SIZE_MB:-300}
for tool in dotnet tar-split sha256sum hyperfine python3; do
  command -v "$tool" >/dev/null || { echo "cas-layer-save: $tool is needed (apt-get install tar-split hyperfine)" >&2; exit 1; }
done

if [[ $# -ge 1 ]]; then
  work=$1
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  echo "== building the benchmarks and the CLI (Release)"
  dotnet build -c Release "$repo/benchmarks/Docker.Aufs.Benchmarks" -nologo -v q >/dev/null
fi
bench="dotnet $repo/benchmarks/Docker.Aufs.Benchmarks/bin/Release/net10.0/Docker.Aufs.Benchmarks.dll"
cli="dotnet $repo/src/Docker.Aufs.Cli/bin/Release/net10.0/docker-aufs.dll"

root=$work/root
if [[ ! -f $work/generated ]]; then
  echo "== generating a 1.10+ root with one ${size_mb} MiB layer"
  rm -rf "$root"
  $bench generate-cas-layer "$root" "$size_mb"
  touch "$work/generated"
fi

# The layer: its record in layerdb (the only one) and its directory in aufs/diff.
record=$(find "$root/image/aufs/layerdb/sha256" -mindepth 1 -maxdepth 1 -type d | head -1)
tarsplit=$record/tar-split.json.gz
diff=$root/aufs/diff/$(cat "$record/cache-id")
recorded=$(cat "$record/diff")
echo "layer: $(du -sh --apparent-size "$diff" | cut -f1) in $(find "$diff" -type f | wc -l) files; tar-split data $(stat -c %s "$tarsplit") bytes"

# Everything must agree before anything is timed: the recorded DiffID, the reference's hash, ours by digest and layer-tar.
theirs=sha256:$(tar-split asm --input "$tarsplit" --path "$diff" 2>/dev/null | sha256sum | cut -c1-64)
ours=$($cli --root "$root" --json digest bench:latest --layer-source tar-split | python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][0]["diffId"])')
$cli --root "$root" layer-tar bench:latest --layer-source tar-split -o "$work/layer.tar" >/dev/null
written=sha256:$(sha256sum "$work/layer.tar" | cut -c1-64)
rm -f "$work/layer.tar"
echo "DiffID recorded $recorded, tar-split asm $theirs, digest $ours, layer-tar file $written"
[[ $theirs == "$recorded" && $ours == "$recorded" && $written == "$recorded" ]] || { echo "cas-layer-save: the DiffIDs differ" >&2; exit 1; }

echo "== timing ($runs runs each, 1 warm-up, in one hyperfine run)"
hyperfine --runs "$runs" --warmup 1 --style basic --export-json "$work/times.json" \
  -n reference "tar-split asm --input '$tarsplit' --path '$diff' 2>/dev/null | sha256sum" \
  -n digest "$cli --root '$root' digest bench:latest --layer-source tar-split" \
  -n layer-tar "$cli --root '$root' layer-tar bench:latest --layer-source tar-split -o '$work/layer.tar'"
rm -f "$work/layer.tar"

python3 - "$work/times.json" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
ref = results["reference"]["median"]
print()
print(f"{'command':<12} {'median':>9} {'mean':>9} {'stddev':>8} {'min':>8} {'max':>8} {'ours/ref':>9}")
for name in ("reference", "digest", "layer-tar"):
    r = results[name]
    print(f"{name:<12} {r['median']:8.3f}s {r['mean']:8.3f}s {r['stddev']:7.3f}s {r['min']:7.3f}s {r['max']:7.3f}s {r['median'] / ref:8.2f}x")
ratio = results["digest"]["median"] / ref
print(f"goal (b): digest / reference = {ratio:.2f} (target <= 1.0): {'met' if ratio <= 1.0 else 'MISSED'}")
PY
