#!/usr/bin/env bash
# Fuzzes the library's parsers with afl-fuzz and SharpFuzz (docs/fuzzing.md).
#
#   eng/fuzz.sh TARGET [SECONDS]   fuzz one target (default 60 s)
#   eng/fuzz.sh all [SECONDS]      fuzz every target in turn, SECONDS each
#   eng/fuzz.sh list               print the targets
#
# Builds tests/Docker.Aufs.Fuzz in Release into artifacts/fuzz/bin, instruments that copy of Docker.Aufs.dll with the
# SharpFuzz.CommandLine tool (installed into artifacts/fuzz/tools), installs afl++ with apt-get when afl-fuzz is missing,
# replays each target's seed corpus, then runs afl-fuzz. Findings go to artifacts/fuzz/findings/<target>/default/.
# Exits 1 when a seed or a fuzzed input crashed or hung the harness, printing those inputs' paths; 2 on a usage or setup error.
set -euo pipefail
cd "$(dirname "$0")/.."

sharpfuzz_version=2.3.0 # the SharpFuzz package of Directory.Packages.props
project=tests/Docker.Aufs.Fuzz
work=${FUZZ_WORK:-artifacts/fuzz}
bin=$work/bin
harness=$bin/Docker.Aufs.Fuzz.dll

usage() {
  echo "usage: eng/fuzz.sh TARGET|all|list [SECONDS]" >&2
  exit 2
}

[ $# -ge 1 ] && [ $# -le 2 ] || usage
what=$1
seconds=${2:-60}
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || usage

log() { printf '\n== %s\n' "$*"; }

log "Build: $project (Release) into $bin"
rm -rf "$bin"
mkdir -p "$work"
dotnet build "$project" -c Release -o "$bin" -nologo -v q >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 2; }

mapfile -t all_targets < <(dotnet "$harness" list)
if [ "$what" = list ]; then
  printf '%s\n' "${all_targets[@]}"
  exit 0
elif [ "$what" = all ]; then
  targets=("${all_targets[@]}")
elif printf '%s\n' "${all_targets[@]}" | grep -qx -- "$what"; then
  targets=("$what")
else
  echo "unknown target '$what'; targets: ${all_targets[*]}" >&2
  exit 2
fi

if ! command -v afl-fuzz >/dev/null 2>&1; then
  log "Installing afl++ (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends afl++ >/dev/null; } || { echo "apt-get install afl++ failed" >&2; exit 2; }
fi

tools=$work/tools
if [ ! -x "$tools/sharpfuzz" ]; then
  log "Installing SharpFuzz.CommandLine $sharpfuzz_version into $tools"
  dotnet tool install SharpFuzz.CommandLine --version "$sharpfuzz_version" --tool-path "$tools" >/dev/null || exit 2
fi

log "Instrumenting $bin/Docker.Aufs.dll"
"$tools/sharpfuzz" "$bin/Docker.Aufs.dll" || exit 2

# The harness is a .NET program started by dotnet, which afl-fuzz cannot see instrumented; SharpFuzz's fork server does the
# rest. The machine is shared: no CPU binding, no frequency check, no core-dump check (afl-fuzz only needs the exit status).
export AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_NO_UI=1 AFL_FAST_CAL=1 AFL_FORKSRV_INIT_TMOUT=60000
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

found=()
for target in "${targets[@]}"; do
  corpus=$project/corpus/$target
  findings=$work/findings/$target
  log "$target: replaying the seeds of $corpus"
  if ! dotnet "$harness" "$target" "$corpus" >"$work/replay-$target.log" 2>&1; then
    cat "$work/replay-$target.log"
    found+=("$corpus (a seed crashes: see above)")
    continue
  fi
  tail -n 1 "$work/replay-$target.log"

  log "$target: afl-fuzz for ${seconds}s, findings in $findings"
  rm -rf "$findings"
  mkdir -p "$findings"
  # -t: a run slower than 5 s is a hang (a normal run takes milliseconds; the generous bound is for a loaded machine).
  if ! afl-fuzz -i "$corpus" -o "$findings" -V "$seconds" -t 5000 -m none -- dotnet "$harness" "$target" >"$findings/afl.log" 2>&1; then
    tail -n 30 "$findings/afl.log"
    echo "afl-fuzz failed for $target (log: $findings/afl.log)" >&2
    exit 2
  fi

  stats=$findings/default/fuzzer_stats
  if [ -f "$stats" ]; then
    awk -F' *: *' '$1 ~ /^(execs_done|execs_per_sec|corpus_count|bitmap_cvg|saved_crashes|saved_hangs)$/ { printf "%s=%s  ", $1, $2 } END { print "" }' "$stats"
  fi
  for kind in crashes hangs; do
    for input in "$findings/default/$kind"/id:*; do
      [ -e "$input" ] && found+=("$input")
    done
  done
done

echo
if [ "${#found[@]}" -gt 0 ]; then
  echo "Crashing or hanging inputs (reproduce: dotnet $harness TARGET FILE):"
  printf '  %s\n' "${found[@]}"
  exit 1
fi
echo "No crash or hang in ${targets[*]}"
