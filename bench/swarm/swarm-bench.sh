#!/usr/bin/env bash
# Loopback swarm benchmark: one seeder, opentracker, and one leecher at a time, everything on 127.0.0.1.
#
#   bench/swarm/swarm-bench.sh [LEECHER ...]      LEECHER: shoal libtorrent aria2c ctorrent transmission (default: all)
#   SIZE_MB=256 RUNS=1 bench/swarm/swarm-bench.sh libtorrent aria2c
#   SEEDER=shoal bench/swarm/swarm-bench.sh libtorrent aria2c     # Shoal as the seeder
#   MODE=multi FILES=1000 bench/swarm/swarm-bench.sh              # 1000 small files instead of one
#
# Env: SIZE_MB (1024)  PIECE_KB (1024)  RUNS (3)  MODE (single|multi)  FILES (1000)  SEEDER (libtorrent|shoal)
#      TIMEOUT_S (600 per leecher run)  SHOAL (path to the shoal executable; default: build src/Shoal.Cli in Release)
#      RESULTS_DIR (bench/results)  KEEP_TMP (0)  TAG (file name tag)
#      SHOAL_B (a second shoal build, run as leecher "shoal-b", for A/B comparisons in one run)
#      SHOAL_PEER (0; 1 = no tracker needed by Shoal: a shoal leecher is given the seeder with --peer, and a shoal
#                  seeder dials every leecher with --peer; for engines without tracker support yet)
# Every run gets a fresh opentracker and a fresh seeder (so no stale peers), then the leechers take turns, in an
# order that rotates run by run. Each run records wall time, CPU (user+sys of the leecher's process tree), peak RSS
# and MiB/s, and the payload is compared byte for byte. Output: RESULTS_DIR/<date>-swarm[-tag].{tsv,md,png}.
# DHT, LSD, PEX, UPnP/NAT-PMP and uTP are off in every client. Only processes this script started are stopped.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SCRIPTS=$ROOT/tests/Shoal.Interop.Tests/scripts
PY=/usr/bin/python3
SIZE_MB=${SIZE_MB:-1024}; PIECE_KB=${PIECE_KB:-1024}; RUNS=${RUNS:-3}; MODE=${MODE:-single}; FILES=${FILES:-1000}
SEEDER=${SEEDER:-libtorrent}; TIMEOUT_S=${TIMEOUT_S:-600}; KEEP_TMP=${KEEP_TMP:-0}; SHOAL_PEER=${SHOAL_PEER:-0}
RESULTS_DIR=${RESULTS_DIR:-$ROOT/bench/results}
if [ $# -gt 0 ]; then LEECHERS=("$@"); else LEECHERS=(shoal libtorrent aria2c ctorrent transmission); fi

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# ---------- dependencies ----------
need=()
[ -x /usr/bin/aria2c ] || need+=(aria2)
[ -x /usr/bin/transmission-cli ] || need+=(transmission-cli)
[ -x /usr/bin/opentracker ] || need+=(opentracker)
[ -x /usr/bin/ctorrent ] || need+=(ctorrent)
$PY -c 'import libtorrent' 2>/dev/null || need+=(python3-libtorrent)
$PY -c 'import matplotlib' 2>/dev/null || need+=(python3-matplotlib)
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  log "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi
uses_shoal=0
for l in "${LEECHERS[@]}" "$SEEDER"; do if [ "$l" = shoal ]; then uses_shoal=1; fi; done
if [ $uses_shoal = 1 ] && [ -z "${SHOAL:-}" ]; then
  log "building shoal (native, ./build.sh)"
  "$ROOT/build.sh" >&2
  SHOAL=$ROOT/artifacts/shoal/shoal
fi

# ---------- scratch space and cleanup ----------
T=$(mktemp -d /tmp/shoal-swarm-bench.XXXXXX); chmod 755 "$T"
TRACKER_PID=; SEEDER_PID=; MEASURE_PID=
stop() {  # stop one of our own processes: TERM, bounded wait, then KILL
  local pid=$1; [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?; set +e
  stop "$MEASURE_PID"; stop "$SEEDER_PID"; stop "$TRACKER_PID"
  if [ "$KEEP_TMP" = 1 ]; then log "kept $T"; else rm -rf "$T"; fi
  exit $rc
}
trap cleanup EXIT; trap 'exit 130' INT TERM
proc_cpu() {  # user+sys CPU seconds of one live process (all its threads), 0 when gone
  local f; f=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
  echo "${f##*) }" | awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($12 + $13) / hz}'
}
free_port() { $PY -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# ---------- payload and torrent (made by libtorrent, not by Shoal) ----------
mkdir -p "$T/seed" "$T/tracker" "$T/runs"
if [ "$MODE" = multi ]; then
  NAME=files; log "payload: $SIZE_MB MiB in $FILES files"
  $PY "$HERE/make_payload.py" multi "$T/seed/$NAME" "$SIZE_MB" "$FILES"
else
  NAME=payload.bin; log "payload: $SIZE_MB MiB in one file"
  $PY "$HERE/make_payload.py" single "$T/seed/$NAME" "$SIZE_MB"
fi
TPORT=$(free_port); SPORT=$(free_port)
TORRENT=$T/bench.torrent
INFO=$($PY "$SCRIPTS/make_torrent.py" "$T/seed/$NAME" "$TORRENT" --piece-size $((PIECE_KB * 1024)) \
       --tracker "http://127.0.0.1:$TPORT/announce")
INFOHASH=$($PY -c 'import json,sys;print(json.loads(sys.argv[1])["infoHash"])' "$INFO")
ESCAPED=$($PY -c 'import sys,urllib.parse;print(urllib.parse.quote(bytes.fromhex(sys.argv[1]),safe=""))' "$INFOHASH")
log "torrent: $INFOHASH, piece $PIECE_KB KiB"

# opentracker (Debian build) serves only whitelisted hashes; the whitelist path is inside its chroot (-d).
echo "$INFOHASH" > "$T/tracker/whitelist"; chmod 755 "$T/tracker"; chmod 644 "$T/tracker/whitelist"
echo "access.whitelist /whitelist" > "$T/tracker/opentracker.conf"
start_tracker() {
  opentracker -i 127.0.0.1 -p "$TPORT" -d "$T/tracker" -u nobody -f "$T/tracker/opentracker.conf" >> "$T/tracker/log" 2>&1 &
  TRACKER_PID=$!
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$TPORT/stats" && return 0; sleep 0.1; done
  log "opentracker did not come up"; cat "$T/tracker/log" >&2; return 1
}
seeded_on_tracker() { curl -s "http://127.0.0.1:$TPORT/scrape?info_hash=$ESCAPED" | grep -aq '8:completei[1-9]'; }

start_seeder() {  # $1: a leecher port the seeder must dial (clients that ignore loopback peers from trackers), or ''
  local dial=() slog=$R/seeder.log
  [ -n "$1" ] && dial=(--peer "127.0.0.1:$1")
  case "$SEEDER" in
    libtorrent) $PY "$SCRIPTS/lt_seed.py" "$TORRENT" "$T/seed" --port "$SPORT" --wait-announce "${dial[@]}" > "$slog" 2>&1 & ;;
    shoal) "$SHOAL" seed "$TORRENT" --data "$T/seed" --port "$SPORT" --no-dht "${dial[@]}" > "$slog" 2>&1 & ;;
    *) log "unknown seeder $SEEDER"; return 1 ;;
  esac
  SEEDER_PID=$!
  for _ in $(seq 6000); do   # data check of a large payload may take a while on a busy machine
    if grep -q 'listening on port' "$slog" 2>/dev/null; then
      [ "$SEEDER" = shoal ] && [ "$SHOAL_PEER" = 1 ] && return 0
      seeded_on_tracker && return 0
    fi
    kill -0 "$SEEDER_PID" 2>/dev/null || break; sleep 0.1
  done
  log "seeder not ready"; tail -20 "$slog" >&2; return 1
}

# ---------- leechers: set CMD and MARKER ----------
setup_leecher() {  # $1 name; uses R OUT LPORT
  MARKER=; DIAL=
  case "$1" in
  shoal|shoal-b)  # shoal-b: a second build ($SHOAL_B) for A/B comparisons in the same run
         local exe=$SHOAL; [ "$1" = shoal-b ] && exe=$SHOAL_B
         CMD=(env SHOAL_STATS=1 "$exe" download "$TORRENT" -o "$OUT" --port "$LPORT" --quiet)
         # Loopback only: no DHT (builds older than the DHT option have none to turn off).
         if "$exe" download --help 2>/dev/null | grep -q -- --no-dht; then CMD+=(--no-dht); fi
         if [ "$SHOAL_PEER" = 1 ]; then CMD+=(--peer "127.0.0.1:$SPORT"); fi ;;
  libtorrent) CMD=($PY "$SCRIPTS/lt_leech.py" "$TORRENT" "$OUT" --port "$LPORT") ;;
  aria2c) CMD=(aria2c "--dir=$OUT" --seed-time=0 --enable-dht=false --enable-dht6=false --bt-enable-lpd=false
               --enable-peer-exchange=false --disable-ipv6=true --interface=127.0.0.1 "--listen-port=$LPORT"
               --file-allocation=falloc --summary-interval=0 --console-log-level=warn --no-conf=true
               --bt-save-metadata=false --auto-save-interval=0 "$TORRENT") ;;
  transmission)
    local cfg=$R/transmission; mkdir -p "$cfg"; MARKER=$R/done.marker; DIAL=$LPORT
    printf '#!/bin/sh\ntouch %s\n' "$MARKER" > "$cfg/done.sh"; chmod +x "$cfg/done.sh"
    cat > "$cfg/settings.json" <<JSON
{ "dht-enabled": false, "lpd-enabled": false, "pex-enabled": false, "utp-enabled": false,
  "port-forwarding-enabled": false, "bind-address-ipv4": "127.0.0.1", "bind-address-ipv6": "::1",
  "rpc-enabled": false, "blocklist-enabled": false, "speed-limit-down-enabled": false,
  "speed-limit-up-enabled": false, "alt-speed-enabled": false, "peer-port": $LPORT,
  "download-dir": "$OUT", "incomplete-dir-enabled": false, "message-level": 1 }
JSON
    CMD=(transmission-cli -g "$cfg" -w "$OUT" -p "$LPORT" -D -U -M -f "$cfg/done.sh" "$TORRENT") ;;
  ctorrent)  # CTorrent 3.3.2 (Debian's ctorrent 1.3.4.dnh3.3.2): the fastest leecher the issue measured
    # It drops any peer with its own IP (-I, default -i) as "self", so it claims 127.0.0.2, and the seeder dials it.
    # It lingers after finishing, so completion comes from its -X hook.
    MARKER=$R/done.marker; DIAL=$LPORT
    CMD=(ctorrent -e 0 -s "$OUT/$NAME" -b "$R/bitfield" -i 127.0.0.1 -I 127.0.0.2 -p "$LPORT" -X "touch $MARKER" "$TORRENT") ;;
  *) log "unknown leecher $1"; return 1 ;;
  esac
}

# ---------- runs ----------
stamp=$(date +%F)
tag=; [ "$SEEDER" != libtorrent ] && tag+="-$SEEDER-seeder"; [ "$MODE" = multi ] && tag+="-multi"
[ -n "${TAG:-}" ] && tag=-$TAG
mkdir -p "$RESULTS_DIR"
TSV=$RESULTS_DIR/$stamp-swarm$tag.tsv
printf 'date\tmode\tseeder\tleecher\trun\tsize_mb\tpiece_kb\tstatus\twall_s\tuser_s\tsys_s\trss_mb\tmib_s\tread_mb\twrite_mb\tseeder_cpu_s\talloc_mb\tgc0\tgc1\tgc2\n' > "$TSV"
n=${#LEECHERS[@]}
printf '%-14s %4s %8s %8s %8s %8s  %s\n' leecher run wall_s cpu_s rss_mb MiB/s status >&2
for run in $(seq "$RUNS"); do
  for k in $(seq 0 $((n - 1))); do
    name=${LEECHERS[$(( (k + run - 1) % n ))]}
    R=$T/runs/$name-$run; OUT=$R/out; LPORT=$(free_port); mkdir -p "$OUT"
    setup_leecher "$name"
    [ "$SEEDER" = shoal ] && [ "$SHOAL_PEER" = 1 ] && DIAL=$LPORT
    sync; sleep 1                                       # let writeback from the previous run settle
    start_tracker; start_seeder "$DIAL"
    markarg=(); [ -n "$MARKER" ] && markarg=(--marker "$MARKER")
    seed_cpu0=$(proc_cpu "$SEEDER_PID")
    $PY "$HERE/run_measured.py" --timeout "$TIMEOUT_S" --result "$R/result" --log "$R/client.log" "${markarg[@]}" -- "${CMD[@]}" &
    MEASURE_PID=$!; wait "$MEASURE_PID" || true; MEASURE_PID=
    seed_cpu=$(awk -v a="$seed_cpu0" -v b="$(proc_cpu "$SEEDER_PID")" 'BEGIN{printf "%.2f", b-a}')
    stop "$SEEDER_PID"; SEEDER_PID=; stop "$TRACKER_PID"; TRACKER_PID=
    read -r status wall user sys rss_kb rc rbytes wbytes < "$R/result"
    # shoal prints "shoal-stats allocated_bytes=N gc0=N gc1=N gc2=N ..." at exit (SHOAL_STATS=1)
    stats=$(grep -ao 'shoal-stats.*' "$R/client.log" 2>/dev/null | tail -1 || true)
    kv() { echo "$stats" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
    alloc=-; gc0=-; gc1=-; gc2=-
    if [ -n "$stats" ]; then
      alloc=$(awk -v b="$(kv allocated_bytes)" 'BEGIN{printf "%.1f", b/1048576}'); gc0=$(kv gc0); gc1=$(kv gc1); gc2=$(kv gc2)
    fi
    if [ "$status" = ok ] && ! diff -rq "$T/seed/$NAME" "$OUT/$NAME" > "$R/diff" 2>&1; then
      status=verify_failed; head -5 "$R/diff" >&2
    fi
    rss=$(awk -v k="$rss_kb" 'BEGIN{printf "%.1f", k/1024}')
    rate=$(awk -v s="$SIZE_MB" -v w="$wall" 'BEGIN{printf "%.1f", s/w}')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -Is)" "$MODE" "$SEEDER" "$name" "$run" \
      "$SIZE_MB" "$PIECE_KB" "$status" "$wall" "$user" "$sys" "$rss" "$rate" \
      "$(awk -v b="${rbytes:-0}" 'BEGIN{printf "%.1f", b/1048576}')" "$(awk -v b="${wbytes:-0}" 'BEGIN{printf "%.1f", b/1048576}')" \
      "$seed_cpu" "$alloc" "$gc0" "$gc1" "$gc2" >> "$TSV"
    printf '%-14s %4s %8s %8s %8s %8s  %s\n' "$name" "$run" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN{printf "%.2f", u+s}')" \
      "$rss" "$rate" "$status" >&2
    if [ "$status" != ok ]; then tail -5 "$R/client.log" >&2 || true; tail -5 "$R/seeder.log" >&2 || true; fi
    [ "$KEEP_TMP" = 1 ] || rm -rf "$OUT"
  done
done
$PY "$HERE/report.py" "$RESULTS_DIR/$stamp-swarm$tag.md" --png "$RESULTS_DIR/$stamp-swarm$tag.png" "$TSV"
log "wrote $RESULTS_DIR/$stamp-swarm$tag.md"
