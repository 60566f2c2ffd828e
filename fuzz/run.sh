#!/usr/bin/env bash
# Fuzzes each Shoal parser for a bounded time with AFL++ and SharpFuzz, then prints per target: run time, execs,
# paths (corpus entries), crashes, hangs. Usage: fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
# FUZZ_MODE=random uses the built-in coverage-less mutation fuzzer instead of AFL++ (no installs needed).
# Work files go to ${FUZZ_WORK:-fuzz/work} (ignored by git); crashes are replayed in process and listed at the end.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
seconds="${1:-90}"
shift || true
all_targets=(bencode metainfo magnet peerwire tracker-http tracker-udp)
if [[ -d "$repo/src/Shoal.Protocol/Dht" ]]; then all_targets+=(krpc); fi
targets=("${@:-${all_targets[@]}}")
work="${FUZZ_WORK:-$here/work}"
mode="${FUZZ_MODE:-afl}"
plain="$work/plain"   # uninstrumented: replays seeds and crashes in process
bin="$work/afl"       # SharpFuzz-instrumented copy: only runs under afl-fuzz (it needs AFL's shared memory)
export PATH="$PATH:$HOME/.dotnet/tools"

if [[ "$mode" == afl ]]; then
  if ! command -v afl-fuzz >/dev/null; then
    echo "installing afl++ (apt)" >&2
    apt-get update -qq && apt-get install -y -qq afl++ >/dev/null
  fi
  if ! command -v sharpfuzz >/dev/null; then
    echo "installing the sharpfuzz dotnet tool" >&2
    dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0 >/dev/null
  fi
fi

echo "building Shoal.Fuzz (Release) into $plain" >&2
rm -rf "$plain" "$bin"
dotnet build "$here/Shoal.Fuzz/Shoal.Fuzz.csproj" -c Release -o "$plain" -nologo -v quiet >/dev/null
if [[ "$mode" == afl ]]; then
  cp -r "$plain" "$bin"
  # Instrument only the code under test; the harness and the runtime stay as they are.
  for dll in Shoal.Bencoding Shoal.Protocol; do sharpfuzz "$bin/$dll.dll" >/dev/null; done
fi

export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1
summary=()
for t in "${targets[@]}"; do
  corpus="$here/corpus/$t"
  out="$work/out/$t"
  rm -rf "$out"
  mkdir -p "$out"
  # A seed that already fails is a finding by itself, and afl-fuzz refuses to start on one.
  if ! dotnet "$plain/Shoal.Fuzz.dll" "$t" --repro "$corpus" >"$out/seeds.log" 2>&1; then
    summary+=("$(printf '%-13s seeds fail: %s' "$t" "$(grep -m1 FAIL "$out/seeds.log" | cut -c1-160)")")
    continue
  fi
  if [[ "$mode" == afl ]]; then
    timeout $((seconds + 120)) afl-fuzz -i "$corpus" -o "$out" -V "$seconds" -t 5000 -m none \
      -- dotnet "$bin/Shoal.Fuzz.dll" "$t" >"$out/afl.log" 2>&1 || true
    stats="$out/default/fuzzer_stats"
    if [[ ! -f "$stats" ]]; then
      summary+=("$(printf '%-13s afl-fuzz did not start, see %s' "$t" "$out/afl.log")")
      continue
    fi
    get() { awk -F: -v k="$1" '$1 ~ "^"k" *$" {gsub(/ /, "", $2); print $2}' "$stats"; }
    crashes=$(get saved_crashes); hangs=$(get saved_hangs)
    summary+=("$(printf '%-13s time=%ss execs=%s execs/s=%s paths=%s crashes=%s hangs=%s' "$t" \
      "$(get run_time)" "$(get execs_done)" "$(get execs_per_sec)" "$(get corpus_count)" "$crashes" "$hangs")")
    if [[ "$crashes" != 0 ]]; then
      dotnet "$plain/Shoal.Fuzz.dll" "$t" --repro "$out/default/crashes" 2>&1 | grep -A3 FAIL | head -20 || true
    fi
  else
    line=$(dotnet "$plain/Shoal.Fuzz.dll" "$t" --random "$seconds" "$corpus" "$out/crashes" | tee "$out/random.log" | tail -1) || true
    summary+=("$(printf '%-13s %s' "$t" "${line#*: }")")
    grep crash "$out/random.log" | head -5 || true
  fi
done
echo
echo "== fuzz summary (mode=$mode, ${seconds}s per target) =="
printf '%s\n' "${summary[@]}"
