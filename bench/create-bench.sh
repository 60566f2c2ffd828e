#!/usr/bin/env bash
# Times `shoal create` against `sha1sum` on one large random file (warm page cache) and prints both throughputs.
# Usage: bench/create-bench.sh [SIZE_MB]   (default 1024). Env: SHOAL=path/to/shoal to skip the native build (./build.sh),
# PIECE_SIZE=... to pass --piece-size, RUNS=n (default 3; best run counts).
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-${SIZE_MB:-1024}}
runs=${RUNS:-3}

if [ -z "${SHOAL:-}" ]; then
  ./build.sh >/dev/null
  SHOAL=$PWD/artifacts/shoal/shoal
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/shoal-create-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
file=$work/data.bin
echo "making a ${size_mb} MiB random file in $work"
head -c "$((size_mb * 1024 * 1024))" /dev/urandom > "$file"
cat "$file" > /dev/null   # warm the page cache

now() { date +%s.%N; }
# best (smallest wall) of $runs runs of "$@"; prints "wall cpu" (cpu = user+sys seconds, when /usr/bin/time exists).
# CPU seconds matter on a shared machine: wall time then depends on the load, CPU per byte does not.
best() {
  local b="" bc="" t0 t1 t c
  for _ in $(seq "$runs"); do
    if [ -x /usr/bin/time ]; then
      /usr/bin/time -f '%e %U %S' -o "$work/time" "$@" > /dev/null
      read -r t u s < "$work/time"; c=$(echo "$u + $s" | bc -l)
    else
      t0=$(now); "$@" > /dev/null; t1=$(now); t=$(echo "$t1 - $t0" | bc -l); c=0
    fi
    if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; bc=$c; fi
  done
  echo "$b $bc"
}

piece_args=()
[ -n "${PIECE_SIZE:-}" ] && piece_args=(--piece-size "$PIECE_SIZE")
read -r sha_t sha_c < <(best sha1sum "$file")
read -r shoal_t shoal_c < <(best "$SHOAL" create "$file" -o "$work/out.torrent" --force --no-date "${piece_args[@]}")

sha_rate=$(echo "$size_mb / $sha_t" | bc -l)
shoal_rate=$(echo "$size_mb / $shoal_t" | bc -l)
printf 'cores:        %s\n' "$(nproc)"
printf 'sha1sum:      %6.3f s  %8.1f MiB/s  cpu %.2f s\n' "$sha_t" "$sha_rate" "$sha_c"
pieces=$("$SHOAL" create "$file" -o "$work/out.torrent" --force --no-date --json "${piece_args[@]}" \
  | grep -E '"(pieceLength|pieceCount)"' | tr -d ' ,' | paste -sd' ')
printf 'load average: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'shoal create: %6.3f s  %8.1f MiB/s  cpu %.2f s  (%s)\n' "$shoal_t" "$shoal_rate" "$shoal_c" "$pieces"
printf 'ratio:        %.2fx sha1sum\n' "$(echo "$shoal_rate / $sha_rate" | bc -l)"
