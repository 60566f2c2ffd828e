#!/usr/bin/env bash
# Issue 5, target 6, on loopback:
#   A. 200 peers on one torrent: `shoal seed --max-peers 250` and a scripted swarm of PEERS leechers
#      (peer_swarm.py: handshake, interested, random block requests whenever unchoked) for DURATION s; Shoal's CPU
#      (cores used over the window) and peak RSS are sampled from /proc.
#   B. a torrent of FILES files (default 100,000) downloaded by Shoal from a libtorrent seeder, against the same
#      bytes in one file in the same run: per-MiB CPU should not grow with the file count (no O(files) work per
#      block; only per-file setup). The floor for that setup is measured right after, on the same file system in
#      the same state (the download's tree just deleted): `touch` of FILES empty files, and `cp -r` of the payload.
#
#   bench/scale/scale-bench.sh            # ~5 min on 2 cores
# Env: PEERS (200) DURATION (30 s) SIZE_MB (256, part A)  FILES (100000) FILES_MB (200, part B)  PARTS ("A B")
#      SHOAL (path; default: build src/Shoal.Cli Release)  RESULTS_DIR (bench/results)
# Output: RESULTS_DIR/<date>-scale.md. Only processes this script started are stopped.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SCRIPTS=$ROOT/tests/Shoal.Interop.Tests/scripts
PY=/usr/bin/python3
PEERS=${PEERS:-200}; SECONDS_=${DURATION:-30}; SIZE_MB=${SIZE_MB:-256}; FILES=${FILES:-100000}; FILES_MB=${FILES_MB:-200}
PARTS=${PARTS:-A B}; RESULTS_DIR=${RESULTS_DIR:-$ROOT/bench/results}
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
if [ -z "${SHOAL:-}" ]; then
  dotnet build "$ROOT/src/Shoal.Cli" -c Release -nologo -v quiet >&2
  SHOAL=$ROOT/src/Shoal.Cli/bin/Release/net10.0/shoal
fi
T=$(mktemp -d /tmp/shoal-scale-bench.XXXXXX)
PIDS=()
cleanup() {
  set +e
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$T"
}
trap cleanup EXIT
free_port() { $PY -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
cpu_s() { local f; f=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
  echo "${f##*) }" | awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($12 + $13) / hz}'; }
rss_mb() { awk '/^VmRSS/{printf "%.1f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo 0; }
wait_listening() { for _ in $(seq 600); do grep -q 'listening on port' "$1" 2>/dev/null && return 0; sleep 0.1; done; return 1; }
stamp=$(date +%F); MD=$RESULTS_DIR/$stamp-scale.md; mkdir -p "$RESULTS_DIR"
{
  echo "# Scale benchmark (issue 5, target 6), $(date -Is)"
  echo
  echo "Machine: $(nproc) CPUs ($(lscpu | sed -n 's/^Model name: *//p' | head -1)), $(free -m | awk '/^Mem:/{print $2}') MiB RAM;" \
       "load average at start: $(cut -d' ' -f1-3 /proc/loadavg). Command: \`bench/scale/scale-bench.sh\`."
} > "$MD"

if [[ " $PARTS " == *" A "* ]]; then
  log "A: $PEERS peers against shoal seed ($SIZE_MB MiB)"
  mkdir -p "$T/a"; $PY "$ROOT/bench/swarm/make_payload.py" single "$T/a/payload.bin" "$SIZE_MB"
  INFO=$($PY "$SCRIPTS/make_torrent.py" "$T/a/payload.bin" "$T/a/t.torrent" --piece-size 1048576)
  read -r IH PIECES PLEN TOTAL < <($PY -c 'import json,sys;d=json.loads(sys.argv[1]);print(d["infoHash"],d["pieceCount"],d["pieceLength"],d["totalLength"])' "$INFO")
  SP=$(free_port)
  "$SHOAL" seed "$T/a/t.torrent" -d "$T/a" --port "$SP" --max-peers $((PEERS + 50)) --no-dht --json > "$T/a/seed.log" 2>&1 &
  SEED=$!; PIDS+=("$SEED")
  wait_listening "$T/a/seed.log" || { log "seeder did not start"; tail "$T/a/seed.log" >&2; exit 1; }
  sleep 1
  $PY "$HERE/peer_swarm.py" "127.0.0.1:$SP" "$IH" "$PIECES" "$PLEN" "$TOTAL" --peers "$PEERS" --seconds "$SECONDS_" > "$T/a/swarm.json" &
  SW=$!; PIDS+=("$SW")
  sleep 5   # let the ramp finish before the measured window
  c0=$(cpu_s "$SEED"); t0=$(date +%s.%N); peak=0; maxpeers=0
  while kill -0 "$SW" 2>/dev/null; do
    r=$(rss_mb "$SEED"); peak=$(awk -v a="$peak" -v b="$r" 'BEGIN{print (b>a)?b:a}')
    p=$(grep -o '"peers":[0-9]*' "$T/a/seed.log" | tail -1 | cut -d: -f2); p=${p:-0}
    [ "$p" -gt "$maxpeers" ] && maxpeers=$p
    c1=$(cpu_s "$SEED"); t1=$(date +%s.%N)
    sleep 0.5
  done
  wait "$SW" || true
  cores=$(awk -v a="$c0" -v b="$c1" -v s="$t0" -v e="$t1" 'BEGIN{printf "%.2f", (b-a)/(e-s)}')
  window=$(awk -v s="$t0" -v e="$t1" 'BEGIN{printf "%.1f", e-s}')
  sw=$(cat "$T/a/swarm.json")
  log "A: peers(max seen by shoal)=$maxpeers cores=$cores peakRSS=${peak}MB swarm=$sw"
  {
    echo
    echo "## A. $PEERS scripted peers on one Shoal seeder ($SIZE_MB MiB, 1 MiB pieces, ${SECONDS_} s)"
    echo
    echo "| peers connected (max in status) | Shoal CPU, cores (over ${window} s) | Shoal peak RSS MiB | swarm result |"
    echo "|---|---|---|---|"
    echo "| $maxpeers | $cores | $peak | \`$sw\` |"
    echo
    echo "Targets: CPU < 1 core, RSS < 200 MB with 200 peers."
  } >> "$MD"
  kill "$SEED" 2>/dev/null || true; wait "$SEED" 2>/dev/null || true
fi

if [[ " $PARTS " == *" B "* ]]; then
  log "B: $FILES files ($FILES_MB MiB) vs one file, libtorrent seeds, shoal leeches"
  {
    echo
    echo "## B. $FILES files vs one file, $FILES_MB MiB, libtorrent seeder -> Shoal"
    echo
    echo "| layout | wall s | Shoal CPU s | CPU s per GiB | peak RSS MiB | ok |"
    echo "|---|---|---|---|---|---|"
  } >> "$MD"
  for layout in single multi; do
    D=$T/b-$layout; mkdir -p "$D/seed" "$D/out"
    if [ $layout = multi ]; then
      NAME=files; $PY "$ROOT/bench/swarm/make_payload.py" multi "$D/seed/$NAME" "$FILES_MB" "$FILES"
    else
      NAME=payload.bin; $PY "$ROOT/bench/swarm/make_payload.py" single "$D/seed/$NAME" "$FILES_MB"
    fi
    $PY "$SCRIPTS/make_torrent.py" "$D/seed/$NAME" "$D/t.torrent" --piece-size 262144 > /dev/null
    LP=$(free_port)
    $PY "$SCRIPTS/lt_seed.py" "$D/t.torrent" "$D/seed" --port "$LP" > "$D/seed.log" 2>&1 &
    LS=$!; PIDS+=("$LS")
    wait_listening "$D/seed.log" || { log "libtorrent seeder did not start"; tail "$D/seed.log" >&2; exit 1; }
    sync
    $PY "$ROOT/bench/swarm/run_measured.py" --timeout 900 --result "$D/result" --log "$D/client.log" -- \
      env SHOAL_STATS=1 "$SHOAL" download "$D/t.torrent" -o "$D/out" --peer "127.0.0.1:$LP" --no-dht --quiet || true
    read -r status wall user sys rss_kb rc _ < "$D/result"
    if [ "$status" = ok ] && ! diff -rq "$D/seed/$NAME" "$D/out/$NAME" > /dev/null; then status=verify_failed; fi
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN{printf "%.2f", u+s}')
    per=$(awk -v c="$cpu" -v m="$FILES_MB" 'BEGIN{printf "%.2f", c*1024/m}')
    log "B $layout: $status wall=$wall cpu=$cpu per_gib=$per rss=$((rss_kb / 1024))"
    echo "| $([ $layout = multi ] && echo "$FILES files" || echo "1 file") | $wall | $cpu | $per | $((rss_kb / 1024)) | $status |" >> "$MD"
    if [ $layout = multi ]; then
      rm -rf "$D/out"
      (cd "$D/seed/$NAME" && find . -type d) > "$D/dirs"; (cd "$D/seed/$NAME" && find . -type f) > "$D/files"
      mkdir -p "$D/floor"; sync
      $PY "$ROOT/bench/swarm/run_measured.py" --timeout 900 --result "$D/result" -- \
        bash -c "cd '$D/floor' && xargs -a ../dirs mkdir -p && xargs -a ../files touch" || true
      read -r status wall user sys rss_kb rc _ < "$D/result"
      cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN{printf "%.2f", u+s}')
      log "B floor touch: $status wall=$wall cpu=$cpu"
      echo "| floor: \`touch\` $FILES empty files | $wall | $cpu | | | $status |" >> "$MD"
      rm -rf "$D/floor"; sync
      $PY "$ROOT/bench/swarm/run_measured.py" --timeout 900 --result "$D/result" -- cp -r "$D/seed/$NAME" "$D/floor" || true
      read -r status wall user sys rss_kb rc _ < "$D/result"
      cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN{printf "%.2f", u+s}')
      log "B floor cp: $status wall=$wall cpu=$cpu"
      echo "| floor: \`cp -r\` of the payload | $wall | $cpu | | | $status |" >> "$MD"
    fi
    kill "$LS" 2>/dev/null || true; wait "$LS" 2>/dev/null || true
    rm -rf "$D"
  done
fi
log "wrote $MD"
cat "$MD"
