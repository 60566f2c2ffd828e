#!/usr/bin/env bash
# The whole swarm benchmark of issue 5 in one command:
#
#   bench/swarm/run-all.sh                      # 1 GiB / 1 MiB pieces, 3 runs each; ~15-25 min on 2 cores
#   SIZE_MB=256 RUNS=1 bench/swarm/run-all.sh   # quick look
#
# Scenarios (each a swarm-bench.sh run with a fresh tracker and seeder per leecher run):
#   1. libtorrent seeds one file      -> shoal, libtorrent, aria2c, ctorrent, transmission leech (targets 1, 2)
#   2. libtorrent seeds FILES files   -> shoal, libtorrent, aria2c leech                  (many small files)
#   3. shoal seeds one file           -> libtorrent, aria2c, shoal leech                  (targets 3, 4)
# Then one report over all of them: RESULTS_DIR/<date>-swarm-all.{md,png} (plus each scenario's own tsv/md/png).
# Env: SIZE_MB (1024) PIECE_KB (1024) RUNS (3) FILES (1000) MULTI_MB (SIZE_MB) RESULTS_DIR (bench/results)
#      TRANSMISSION (1; 0 leaves it out: it takes ~50 s per GiB) SCENARIOS ("1 2 3")
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export SIZE_MB=${SIZE_MB:-1024} PIECE_KB=${PIECE_KB:-1024} RUNS=${RUNS:-3} FILES=${FILES:-1000}
export RESULTS_DIR=${RESULTS_DIR:-$ROOT/bench/results}
MULTI_MB=${MULTI_MB:-$SIZE_MB}; SCENARIOS=${SCENARIOS:-1 2 3}
if [ -z "${SHOAL:-}" ]; then
  echo "building shoal (native, ./build.sh)" >&2
  "$ROOT/build.sh" >&2
  export SHOAL=$ROOT/artifacts/shoal/shoal
fi
stamp=$(date +%F)
tsvs=()
for s in $SCENARIOS; do
  case $s in
  1) l=(shoal libtorrent aria2c ctorrent); [ "${TRANSMISSION:-1}" = 1 ] && l+=(transmission)
     TAG=lt-single SEEDER=libtorrent MODE=single "$HERE/swarm-bench.sh" "${l[@]}" ;;
  2) TAG=lt-multi SEEDER=libtorrent MODE=multi SIZE_MB=$MULTI_MB "$HERE/swarm-bench.sh" shoal libtorrent aria2c ;;
  3) TAG=shoal-single SEEDER=shoal MODE=single "$HERE/swarm-bench.sh" libtorrent aria2c shoal ;;
  *) echo "unknown scenario $s" >&2; exit 2 ;;
  esac
  tsvs+=("$RESULTS_DIR/$stamp-swarm-$(case $s in 1) echo lt-single;; 2) echo lt-multi;; 3) echo shoal-single;; esac).tsv")
done
/usr/bin/python3 "$HERE/report.py" "$RESULTS_DIR/$stamp-swarm-all.md" --png "$RESULTS_DIR/$stamp-swarm-all.png" "${tsvs[@]}"
echo "wrote $RESULTS_DIR/$stamp-swarm-all.md" >&2
