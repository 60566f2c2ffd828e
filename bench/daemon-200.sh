#!/usr/bin/env bash
# Bar 3 of issue 9: 200 small torrents in one `shoal daemon`. Adds them over the RPC with transmission-remote,
# pauses 50, waits until the other 150 seed, lets it idle, and prints the daemon's RSS; then kill -9, restart and
# check that all 200 come back (150 seeding, 50 stopped) and print the RSS again.
# Usage: bench/daemon-200.sh [COUNT] (default 200). Env: SHOAL=path/to/shoal to skip the native build (./build.sh),
# IDLE=seconds to idle before measuring (default 20), SIZE=bytes per torrent (default 65536).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-200}
paused=$((count / 4))
idle=${IDLE:-20}
size=${SIZE:-65536}

if [ -z "${SHOAL:-}" ]; then
  ./build.sh >/dev/null
  SHOAL=$PWD/artifacts/shoal/shoal
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/shoal-daemon-200.XXXXXX")
pid=""
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$work/data" "$work/torrents" "$work/state"

# Torrents made here (one piece of $size bytes each) so the bench does not depend on another creator's speed.
/usr/bin/python3 - "$work" "$count" "$size" <<'PY'
import hashlib, os, sys
work, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def ben(v):
    if isinstance(v, int): return b'i%de' % v
    if isinstance(v, str): v = v.encode()
    if isinstance(v, bytes): return b'%d:%s' % (len(v), v)
    return b'd' + b''.join(ben(k) + ben(v[k]) for k in sorted(v)) + b'e'
for i in range(count):
    name = 'tiny-%03d.bin' % i
    data = os.urandom(size)
    open(os.path.join(work, 'data', name), 'wb').write(data)
    info = {'length': size, 'name': name, 'piece length': size, 'pieces': hashlib.sha1(data).digest()}
    open(os.path.join(work, 'torrents', name + '.torrent'), 'wb').write(ben({'info': info}))
PY

start_daemon() {
  "$SHOAL" daemon --data-dir "$work/state" --download-dir "$work/data" --rpc-bind 127.0.0.1:0 --port 0 --json --no-dht \
    > "$work/out.txt" 2> "$work/err.txt" &
  pid=$!
  for _ in $(seq 300); do
    rpc=$(grep -o '"rpcPort":[0-9]*' "$work/out.txt" | cut -d: -f2 || true)
    [ -n "$rpc" ] && return 0
    sleep 0.1
  done
  echo "daemon did not start"; cat "$work/err.txt"; exit 1
}
remote() { transmission-remote "127.0.0.1:$rpc" "$@"; }
rss_mb() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status"; }
wait_for() { # wait_for SEEDING STOPPED
  for _ in $(seq 240); do
    local s t
    s=$(remote -l | grep -cE '100%.*(Idle|Seeding) ' || true)
    t=$(remote -l | grep -c ' Stopped ' || true)
    [ "$s" -eq "$1" ] && [ "$t" -eq "$2" ] && return 0
    sleep 0.5
  done
  echo "timed out: wanted $1 seeding, $2 stopped; have $s and $t"; exit 1
}

start_daemon
t0=$(date +%s.%N)
# Complete torrents pass through the download queue while their data is checked; let them all check at once.
/usr/bin/python3 - "$rpc" "$count" <<'PY'
import json, sys, urllib.error, urllib.request
url = 'http://127.0.0.1:%s/transmission/rpc' % sys.argv[1]
body = json.dumps({'method': 'session-set', 'arguments': {'download-queue-size': int(sys.argv[2])}}).encode()
try:
    urllib.request.urlopen(urllib.request.Request(url, body))
except urllib.error.HTTPError as e:  # 409 carries the session id
    sid = e.headers['X-Transmission-Session-Id']
    urllib.request.urlopen(urllib.request.Request(url, body, {'X-Transmission-Session-Id': sid}))
PY
for f in "$work"/torrents/*.torrent; do remote -a "$f" >/dev/null; done
t1=$(date +%s.%N)
wait_for "$count" 0
remote -t "$(seq -s, 1 "$paused")" -S >/dev/null
wait_for "$((count - paused))" "$paused"
t2=$(date +%s.%N)
sleep "$idle"
echo "added $count torrents via transmission-remote in $(echo "$t1 - $t0" | bc -l | cut -c1-5) s; all checked/paused by $(echo "$t2 - $t0" | bc -l | cut -c1-5) s"
echo "idle RSS with $count torrents ($((count - paused)) seeding, $paused paused): $(rss_mb) MB"

kill -9 "$pid"; wait "$pid" 2>/dev/null || true
t3=$(date +%s.%N)
start_daemon
wait_for "$((count - paused))" "$paused"
t4=$(date +%s.%N)
echo "after kill -9: restart restored $count torrents ($((count - paused)) seeding, $paused stopped) in $(echo "$t4 - $t3" | bc -l | cut -c1-5) s"
sleep "$idle"
echo "idle RSS after restart: $(rss_mb) MB"
