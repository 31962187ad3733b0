#!/usr/bin/env bash
# One self-contained native docker-aufs executable (Native AOT, no .NET needed on the target) for an offline host.
#
# Usage: eng/publish.sh [RID] [OUT]
#   RID   linux-x64 (default: this machine's), linux-arm64, osx-arm64, win-x64, ... Native AOT compiles for the
#         machine's own OS only; linux-arm64 on linux-x64 needs a cross toolchain (clang, lld and an arm64 sysroot).
#   OUT   the folder for the executable (default: artifacts/publish/RID)
# The result is the one file OUT/docker-aufs (docker-aufs.exe on Windows): copy it to the host and run it.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
rid=${1:-$(dotnet --info | awk '/^ *RID:/ { print $2; exit }')}
out=${2:-$repo/artifacts/publish/$rid}
dotnet publish "$repo/src/Docker.Aufs.Cli" -c Release -r "$rid" -o "$out" -nologo -v q
exe=$out/docker-aufs
[[ -f $exe ]] || exe=$out/docker-aufs.exe
echo "$exe ($(du -h "$exe" | cut -f1))"
