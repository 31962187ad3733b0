#!/usr/bin/env bash
# Issue 12, item 9: the merged listing of a 30-layer overlay2 image — recursive, with lstat data (`ls -R`: mode, owner,
# size, time of every entry) — costs at most 1.5x `find` over its diff directories printing the same lstat fields
# (`find DIFF1 … DIFF30 -printf '%m %s %T@\n'`), in the same run.
#
# Usage: benchmarks/scripts/overlay2-listing.sh [WORKDIR]
#   WORKDIR  where the root goes (default: a new temporary directory, removed at the end). A root already there is reused.
# Environment: RUNS (timed runs per command, default 10), SKIP_BUILD=1 to use the Release builds already there,
#   FORM=aot (default: the Native AOT executable the tool package ships, published into WORKDIR/aot) or FORM=jit (the
#   framework-dependent build run by `dotnet`, which adds the runtime's start-up and JIT compilation to every run).
# Needs: dotnet, hyperfine, python3; root for overlay2's whiteouts (0/0 character devices) and opaque marks (trusted.*)
#        to be real (without root the builder records them beside the files, and the CLI, reading the real disk, does
#        not see them: the listing is then of the same files, without the union's deletions).
# Times are wall-clock, two warm-up runs each, warm page cache; ours include the CLI's start-up. The ratio is mean(ours) / mean(find): <= 1.5 meets the goal.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
runs=${RUNS:-10}
for tool in dotnet hyperfine python3 find; do
  command -v "$tool" >/dev/null || { echo "overlay2-listing: $tool is needed (apt-get install hyperfine)" >&2; exit 1; }
done

if [[ $# -ge 1 ]]; then
  work=$1
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi

form=${FORM:-aot}
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  echo "== building the benchmarks and the CLI (Release)"
  dotnet build -c Release "$repo/benchmarks/Docker.Aufs.Benchmarks" -nologo -v q >/dev/null
  if [[ $form == aot ]]; then
    echo "== publishing the CLI as Native AOT (linux-x64)"
    dotnet publish "$repo/src/Docker.Aufs.Cli" -c Release -r linux-x64 -o "$work/aot" -nologo -v q >/dev/null
  fi
fi
bench="dotnet $repo/benchmarks/Docker.Aufs.Benchmarks/bin/Release/net10.0/Docker.Aufs.Benchmarks.dll"
case $form in
  aot) cli="$work/aot/docker-aufs" ;;
  jit) cli="dotnet $repo/src/Docker.Aufs.Cli/bin/Release/net10.0/docker-aufs.dll" ;;
  *) echo "overlay2-listing: FORM is aot or jit" >&2; exit 1 ;;
esac
echo "CLI: $form"
image=bench/union:30-layers

root=$work/root
if [[ ! -f $work/generated ]]; then
  echo "== generating the 30-layer image on overlay2"
  rm -rf "$root"
  $bench generate-union-overlay2 "$root"
  touch "$work/generated"
fi

# The image's diff directories: every layer of the root (it holds this one image), as the listing merges them.
mapfile -t diffs < <(find "$root/overlay2" -mindepth 2 -maxdepth 2 -name diff -type d | sort)
[[ ${#diffs[@]} -eq 30 ]] || { echo "overlay2-listing: expected 30 diff directories, found ${#diffs[@]}" >&2; exit 1; }
echo "diff directories: ${#diffs[@]}, $(find "${diffs[@]}" | wc -l) entries ($(find "${diffs[@]}" -type c | wc -l) whiteouts)"
echo "merged listing: $($cli --root "$root" ls -R "$image" / | wc -l) lines"

printf -v find_cmd '%q ' find "${diffs[@]}"
hyperfine --warmup 2 --runs "$runs" --export-json "$work/hyperfine.json" \
  -n "find over the diff directories" "${find_cmd}-printf '%m %s %T@\n' >/dev/null" \
  -n "docker-aufs ls -R" "$cli --root $root ls -R $image / >/dev/null"

python3 - "$work/hyperfine.json" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
find = results["find over the diff directories"]
ours = results["docker-aufs ls -R"]
ratio = ours["mean"] / find["mean"]
print(f"find: {find['mean'] * 1000:.1f} ms ± {find['stddev'] * 1000:.1f}; docker-aufs ls -R: {ours['mean'] * 1000:.1f} ms ± {ours['stddev'] * 1000:.1f}")
print(f"ratio {ratio:.2f} (goal <= 1.5): {'met' if ratio <= 1.5 else 'missed'}")
PY
