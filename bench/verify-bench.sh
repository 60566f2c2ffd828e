#!/usr/bin/env bash
# Issue 5, target 5: `shoal verify` of a 1 GiB single-file torrent against `openssl speed sha1` on one core.
# Figure of merit: bytes verified per CPU second (user+sys of the shoal process, from /usr/bin/time) divided by
# openssl's single-core SHA-1 throughput (1 MiB blocks; openssl speed divides by its own CPU time). The target
# is a ratio >= 0.90. Warm page cache; each shoal run follows its own openssl run so both see the same load;
# medians are reported. When root can drop the page cache (machine-wide: COLD=0 on a shared box to skip), one
# cold-cache run per exe follows (wall time = disk speed).
#
#   bench/verify-bench.sh                   # ~1 min on 2 cores
# Env: SIZE_MB (1024)  PIECE_KB (1024; try 256, 4096)  RUNS (5)  COLD (1: one cold run if caches can be dropped)
#      SHOAL (exe; default artifacts/shoal/shoal, built by ./build.sh if missing)  RESULTS_DIR (bench/results)
#      TAG (appended to the results file name)  BASELINE (a second shoal exe, e.g. an older build: timed in the
#      same loop right after SHOAL, so an A/B comparison sees the same load)
# Output: RESULTS_DIR/<date>-verify<TAG>.md (appends a section per invocation, so several PIECE_KB runs share it).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SIZE_MB=${SIZE_MB:-1024}; PIECE_KB=${PIECE_KB:-1024}; RUNS=${RUNS:-5}; COLD=${COLD:-1}
RESULTS_DIR=${RESULTS_DIR:-$ROOT/bench/results}; TAG=${TAG:-}
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
shoal_given=${SHOAL:-}
if [ -z "${SHOAL:-}" ]; then
  SHOAL=$ROOT/artifacts/shoal/shoal
  [ -x "$SHOAL" ] || "$ROOT/build.sh" >&2
fi
T=$(mktemp -d /tmp/shoal-verify-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/data" "$RESULTS_DIR"
payload=$T/data/payload.bin
bytes=$((SIZE_MB * 1024 * 1024))

log "making a $SIZE_MB MiB payload, $PIECE_KB KiB pieces"
/usr/bin/python3 "$ROOT/bench/swarm/make_payload.py" single "$payload" "$SIZE_MB"
"$SHOAL" create "$payload" -o "$T/p.torrent" --piece-size "${PIECE_KB}K" --no-date --force > /dev/null
cat "$payload" > /dev/null

# openssl speed: bytes per CPU second of one core ("1000s of bytes per second" in its last line).
ossl() { openssl speed -evp sha1 -bytes "$1" -seconds 3 2>/dev/null | awk '/^sha1/{sub(/k$/,"",$2); printf "%.0f", $2 * 1000}'; }
# one timed verify: prints "wall user sys maxrss_kb"; the exit code must be 0 (every piece good).
verify() {
  /usr/bin/time -f '%e %U %S %M' -o "$T/time" "$SHOAL" verify "$T/p.torrent" --data "$T/data" > "$T/out" \
    || { cat "$T/out" >&2; echo "shoal verify failed" >&2; exit 1; }
  cat "$T/time"
}
median() { sort -g | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.4f\n", m}'; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
ossl16k=$(ossl 16384)
rows=(); base_rows=()
# one timed run of exe $1 against openssl figure $3, appended to the array named $2
measure() {
  local exe=$1 out=$2 o=$3 i=$4 wall user sys rss cpu rate ratio
  read -r wall user sys rss < <(SHOAL=$exe verify)
  cpu=$(echo "$user + $sys" | bc -l)
  rate=$(echo "$bytes / $cpu" | bc -l)
  ratio=$(echo "$rate / $o" | bc -l)
  eval "$out+=(\"$(printf '%d %.0f %s %s %s %.2f %.0f %.3f %d' "$i" "$o" "$wall" "$user" "$sys" "$cpu" "$rate" "$ratio" "$rss")\")"
  log "run $i ${exe#"$ROOT"/}: openssl $((o / 1000000)) MB/s; wall $wall s, cpu $cpu s, $(printf '%.0f' "$(echo "$rate / 1000000" | bc -l)") MB/cpu-s, ratio $(printf '%.3f' "$ratio")"
}
for i in $(seq "$RUNS"); do
  o=$(ossl 1048576)
  measure "$SHOAL" rows "$o" "$i"
  if [ -n "${BASELINE:-}" ]; then measure "$BASELINE" base_rows "$o" "$i"; fi
done

cold=()
if [ "$COLD" = 1 ] && [ -w /proc/sys/vm/drop_caches ]; then
  for exe in "$SHOAL" ${BASELINE:+"$BASELINE"}; do
    sync; echo 1 > /proc/sys/vm/drop_caches
    read -r wall user sys rss < <(SHOAL=$exe verify)
    cold+=("$exe $wall $user $sys $rss")
    log "cold ${exe#"$ROOT"/}: wall $wall s, user $user s, sys $sys s"
  done
fi

# Markdown table of the runs in the array named $2 (exe $1), with medians.
table() {
  local -n rs=$2
  col() { printf '%s\n' "${rs[@]}" | awk -v c="$1" '{print $c}' | median; }
  printf '`%s`:\n\n' "${1#"$ROOT"/}"
  printf '| run | openssl MB/s | wall s | user s | sys s | CPU s | shoal MB per CPU-s | ratio | max RSS MB |\n'
  printf '|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
  for r in "${rs[@]}"; do
    read -r i o wall user sys cpu rate ratio rss <<< "$r"
    printf '| %s | %.0f | %s | %s | %s | %s | %.0f | %s | %.0f |\n' "$i" "$(echo "$o / 1000000" | bc -l)" "$wall" "$user" \
      "$sys" "$cpu" "$(echo "$rate / 1000000" | bc -l)" "$ratio" "$(echo "$rss / 1024" | bc -l)"
  done
  printf '| **median** | %.0f | %s | %s | %s | %s | %.0f | **%s** | %.0f |\n\n' "$(echo "$(col 2) / 1000000" | bc -l)" \
    "$(col 3)" "$(col 4)" "$(col 5)" "$(col 6)" "$(echo "$(col 7) / 1000000" | bc -l)" "$(col 8)" "$(echo "$(col 9) / 1024" | bc -l)"
}
m_ossl=$(printf '%s\n' "${rows[@]}" | awk '{print $2}' | median)
m_rate=$(printf '%s\n' "${rows[@]}" | awk '{print $7}' | median)
m_ratio=$(printf '%s\n' "${rows[@]}" | awk '{print $8}' | median)

MD=$RESULTS_DIR/$(date +%F)-verify$TAG.md
{
  [ -s "$MD" ] || printf '# `shoal verify` against `openssl speed sha1` (issue 5, target 5)\n\n'
  printf '## %s MiB, %s KiB pieces (%s)\n\n' "$SIZE_MB" "$PIECE_KB" "$(date -Iseconds)"
  printf 'Command: `SIZE_MB=%s PIECE_KB=%s RUNS=%s%s%s bench/verify-bench.sh` (repository at %s)  \n' "$SIZE_MB" "$PIECE_KB" \
    "$RUNS" "${shoal_given:+ SHOAL=$shoal_given}" "${BASELINE:+ BASELINE=$BASELINE}" \
    "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
  printf 'Machine: %s, %s cores, kernel %s; load average before: %s, after: %s  \n' \
    "$(lscpu | sed -n 's/^Model name: *//p')" "$(nproc)" "$(uname -r)" "$load_before" "$(cut -d' ' -f1-3 /proc/loadavg)"
  printf 'openssl speed -evp sha1 (per CPU second): 16 KiB blocks %.0f MB/s, 1 MiB blocks median %.0f MB/s\n\n' \
    "$(echo "$ossl16k / 1000000" | bc -l)" "$(echo "$m_ossl / 1000000" | bc -l)"
  table "$SHOAL" rows
  if [ -n "${BASELINE:-}" ]; then table "$BASELINE" base_rows; fi
  for c in "${cold[@]}"; do
    read -r exe wall user sys rss <<< "$c"
    printf 'Cold cache, `%s` (after `echo 1 > /proc/sys/vm/drop_caches`, one run): wall %s s (%.0f MB/s), user %s s, sys %s s, max RSS %.0f MB  \n' \
      "${exe#"$ROOT"/}" "$wall" "$(echo "$bytes / $wall / 1000000" | bc -l)" "$user" "$sys" "$(echo "$rss / 1024" | bc -l)"
  done
  printf '\n'
} >> "$MD"
log "median ratio $m_ratio (shoal $(printf '%.0f' "$(echo "$m_rate / 1000000" | bc -l)") MB per CPU-s, openssl $(printf '%.0f' "$(echo "$m_ossl / 1000000" | bc -l)") MB/s); wrote $MD"
