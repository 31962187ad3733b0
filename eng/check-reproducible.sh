#!/usr/bin/env bash
# Reproducibility: the commit checked out is cloned into two folders of different names and depths, each packs
# everything (eng/pack.sh), and every package and every file in it must be byte-identical between the two.
#
# Usage: eng/check-reproducible.sh [RID...]   (RIDs for native tool packages, as eng/pack.sh; default "none": the native
#                                             compile is the slow part and is checked with a RID given explicitly)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
[[ $# -ge 1 ]] || set -- none
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
commit=$(git -C "$repo" rev-parse HEAD)
one=$work/a
two=$work/second/clone-in-a-longer-folder
for dir in "$one" "$two"; do
  git clone -q "$repo" "$dir"
  git -C "$dir" checkout -q "$commit"
  "$dir/eng/pack.sh" "$dir/out" "$@" >/dev/null
done

status=0
count=0
for package in "$one"/out/*; do
  name=$(basename "$package")
  other=$two/out/$name
  count=$((count + 1))
  if [[ ! -f $other ]]; then
    echo "only in the first build: $name"; status=1; continue
  fi
  if cmp -s "$package" "$other"; then
    echo "identical: $name"
  else
    echo "DIFFERENT: $name"; status=1
    mkdir -p "$work/x1/$name" "$work/x2/$name"
    (cd "$work/x1/$name" && unzip -q "$package") && (cd "$work/x2/$name" && unzip -q "$other")
    diff -rq "$work/x1/$name" "$work/x2/$name" | sed 's/^/  /' || true
  fi
done
[[ $count -gt 0 ]] || { echo "no packages were built"; status=1; }
[[ $status -eq 0 ]] && echo "reproducible: $count packages of $commit are byte-identical when built in two folders"
exit $status
