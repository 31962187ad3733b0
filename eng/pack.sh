#!/usr/bin/env bash
# Packs everything that ships into one folder: Docker.Aufs and Docker.Aufs.Testing (with symbols packages), and the
# docker-aufs tool as .NET 10 RID-specific tool packages: the pointer package Docker.Aufs.Cli, the framework-dependent
# fallback Docker.Aufs.Cli.any, and one Native AOT package per RID asked for.
#
# Usage: eng/pack.sh OUT [RID...]
#   OUT   the folder for the packages (created)
#   RID   runtime identifiers to build native tool packages for (default: this machine's, e.g. linux-x64; "none" for
#         none). Native AOT compiles for the machine's own OS only: pack osx-arm64 on a Mac and win-x64 on Windows;
#         linux-arm64 on linux-x64 needs a cross toolchain (clang, lld and an arm64 sysroot).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
[[ $# -ge 1 ]] || { echo "usage: eng/pack.sh OUT [RID...]" >&2; exit 2; }
out=$1; shift
mkdir -p "$out"
if [[ $# -eq 0 ]]; then
  set -- "$(dotnet --info | awk '/^ *RID:/ { print $2; exit }')"
fi

pack() { dotnet pack "$@" -c Release -o "$out" -nologo -v q; }
pack "$repo/src/Docker.Aufs"
pack "$repo/src/Docker.Aufs.Testing"
pack "$repo/src/Docker.Aufs.Cli"              # the pointer package: names the RID packages
pack "$repo/src/Docker.Aufs.Cli" -r any       # framework-dependent, for every other platform
for rid in "$@"; do
  [[ $rid == none ]] && continue
  pack "$repo/src/Docker.Aufs.Cli" -r "$rid"  # Native AOT
done
# Reproducible bytes: every entry dated with the commit's time instead of the time of packing.
dotnet run --file "$repo/eng/normalize-packages.cs" -- "$out" "$(git -C "$repo" log -1 --format=%ct)" >/dev/null
ls -1 "$out"
