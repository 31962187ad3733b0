#!/usr/bin/env bash
# Measures layer tars against tools we did not write, on the same data in the same run, and prints the ratios
# (the targets are in docs/archive.md, "Measurements"):
#   1. regenerate + hash a 1 GB layer of 20,000 files   vs  tar -C DIFF -cf - . | sha256sum       (target >= 0.8x)
#   2. reassemble (tar-split) + hash the same layer     vs  tar-split asm ... | sha256sum         (target >= 1.0x)
#   3. peak RSS of docker-aufs save of a 2 GB layer      (target < 100 MB)
# Throughput ratio = baseline time / our time (> 1: we are faster). Our times include the CLI's start-up.
#
# Usage: eng/bench-archive.sh [WORKDIR]
#   WORKDIR  where data and the Release build go (default: a new temporary directory, removed at the end).
#            Needs about 5 GB free. Data already there is reused, so a second run skips generation.
# Environment: RUNS (timed runs per command, default 3), SIZE_MB/FILES (layer 1, default 1024/20000),
#              BIG_MB (layer 3, default 2048), KEEP=1 to keep a temporary WORKDIR.
# Needs: dotnet, python3, GNU tar, sha256sum, tar-split, hyperfine, /usr/bin/time.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-3}
size_mb=${SIZE_MB:-1024}
files=${FILES:-20000}
big_mb=${BIG_MB:-2048}
if [[ $# -ge 1 ]]; then
  work=$1
  mkdir -p "$work"
else
  work=$(mktemp -d)
  [[ ${KEEP:-0} == 1 ]] || trap 'rm -rf "$work"' EXIT
fi

for tool in dotnet python3 tar sha256sum tar-split hyperfine /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench-archive: $tool is needed" >&2; exit 1; }
done

echo "== building docker-aufs (Release) into $work/bin"
dotnet build "$repo/src/Docker.Aufs.Cli/Docker.Aufs.Cli.csproj" -c Release -o "$work/bin" -nologo -v q >/dev/null
cli="dotnet $work/bin/docker-aufs.dll"

# make_root ROOT SIZE_MB FILES: a legacy root with one AUFS layer of SIZE_MB in FILES files (random content, 10 to a
# directory), its tar-split data made by the tar-split tool from GNU tar's tar of the directory.
make_root() {
  local root=$1 mb=$2 count=$3
  local id
  id=$(printf 'bench-%s-%s' "$mb" "$count" | sha256sum | cut -c1-64)
  if [[ -f $root/graph/$id/tar-data.json.gz ]]; then
    echo "$id"
    return
  fi
  rm -rf "$root"
  mkdir -p "$root/graph/_tmp" "$root/aufs/layers" "$root/aufs/mnt/$id" "$root/aufs/diff/$id" "$root/graph/$id"
  : >"$root/aufs/layers/$id"
  python3 - "$root/aufs/diff/$id" "$mb" "$count" <<'PY'
import os, sys
diff, mb, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
size = mb * 1024 * 1024 // count
chunk = os.urandom(size + 4096)
for i in range(count):
    d = os.path.join(diff, "d%03d" % (i % 200), "s%02d" % (i % 10))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%06d.bin" % i), "wb") as f:
        f.write(chunk[i % 4096:i % 4096 + size])
PY
  printf '{"id":"%s","created":"2015-11-03T12:00:00Z","container_config":{"Cmd":["/bin/sh","-c","#(nop) ADD bench"]},"docker_version":"1.9.1","architecture":"amd64","os":"linux"}' "$id" >"$root/graph/$id/json"
  du -sb "$root/aufs/diff/$id" | cut -f1 | tr -d '\n' >"$root/graph/$id/layersize"
  printf '{"Repositories":{"bench":{"latest":"%s"}}}' "$id" >"$root/repositories-aufs"
  tar -C "$root/aufs/diff/$id" -cf - . | tar-split disasm --no-stdout --output "$root/graph/$id/tar-data.json.gz" - 2>/dev/null
  echo "$id"
}

echo "== generating a ${size_mb} MB layer of ${files} files (reused if present)"
root=$work/root
id=$(make_root "$root" "$size_mb" "$files")
diff=$root/aufs/diff/$id
tardata=$root/graph/$id/tar-data.json.gz

# The DiffIDs must agree before anything is timed: ours (both ways) against GNU tar's and tar-split's bytes.
ours=$($cli --root "$root" digest bench --layer-source tar-split --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][0]["diffId"][7:])')
theirs=$(tar-split asm --input "$tardata" --path "$diff" 2>/dev/null | sha256sum | cut -c1-64)
[[ $ours == "$theirs" ]] || { echo "bench-archive: reassembly differs from tar-split asm ($ours vs $theirs)" >&2; exit 1; }

echo "== timing ($runs runs each, 1 warm-up)"
hyperfine --runs "$runs" --warmup 1 --style basic --export-json "$work/regenerate.json" \
  -n gnu-tar "tar -C '$diff' -cf - . | sha256sum" \
  -n regenerate "$cli --root '$root' digest bench --layer-source regenerate"
hyperfine --runs "$runs" --warmup 1 --style basic --export-json "$work/reassemble.json" \
  -n tar-split "tar-split asm --input '$tardata' --path '$diff' 2>/dev/null | sha256sum" \
  -n reassemble "$cli --root '$root' digest bench --layer-source tar-split"

echo "== generating a ${big_mb} MB layer (reused if present) and saving it under /usr/bin/time -v"
big=$work/big-root
big_id=$(make_root "$big" "$big_mb" 2048)
rm -f "$work/big.tar"
/usr/bin/time -v $cli --root "$big" save bench -o "$work/big.tar" 2>"$work/save-time.txt" >/dev/null
rss_kb=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$work/save-time.txt")
tar_bytes=$(stat -c %s "$work/big.tar")
rm -f "$work/big.tar"

python3 - "$work" "$size_mb" "$files" "$rss_kb" "$tar_bytes" "$big_mb" <<'PY'
import json, sys
work, size_mb, files, rss_kb, tar_bytes, big_mb = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
def means(name):
    return {r["command"]: r["mean"] for r in json.load(open(f"{work}/{name}.json"))["results"]}
regen, reasm = means("regenerate"), means("reassemble")
r1 = regen["gnu-tar"] / regen["regenerate"]
r2 = reasm["tar-split"] / reasm["reassemble"]
mb = rss_kb / 1024
print()
print(f"layer: {size_mb} MB in {files} files")
print(f"regenerate + sha256:  {regen['regenerate']:.2f} s   tar | sha256sum:           {regen['gnu-tar']:.2f} s   ratio {r1:.2f}x (target >= 0.8x)  {'ok' if r1 >= 0.8 else 'MISSED'}")
print(f"reassemble + sha256:  {reasm['reassemble']:.2f} s   tar-split asm | sha256sum: {reasm['tar-split']:.2f} s   ratio {r2:.2f}x (target >= 1.0x)  {'ok' if r2 >= 1.0 else 'MISSED'}")
print(f"save of a {big_mb} MB layer ({tar_bytes / 2**20:.0f} MB tar): peak RSS {mb:.1f} MB (target < 100 MB)  {'ok' if mb < 100 else 'MISSED'}")
PY
