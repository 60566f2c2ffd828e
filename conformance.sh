#!/usr/bin/env bash
# Checks `shoal info --json` against every row of the shared corpus manifest.
# Usage: ./conformance.sh [CORPUS_DIR]   (default: ../shared/corpus relative to the repo root)
#   valid v1/hybrid -> exit 0 and JSON "infoHash" equal to expected_info_hash_v1_hex
#   valid v2-only   -> exit 2 with "BitTorrent v2 is not supported yet" on stderr
#   invalid         -> exit 2 with exactly one line on stderr
#   the four duplicate-path rows (clients disagree) -> refused like invalid rows: our documented policy
# Prints "conformance: N passed, M failed" and exits non-zero on any failure.
set -euo pipefail
repo="$(cd "$(dirname "$0")" && pwd)"

corpus="${1:-}"
if [ -z "$corpus" ]; then
  corpus="$repo/../shared/corpus"
  # A git worktree sits deeper than the main checkout; look for shared/corpus above each ancestor.
  dir="$repo"
  while [ ! -f "$corpus/MANIFEST.tsv" ] && [ "$dir" != "/" ]; do
    dir="$(dirname "$dir")"
    corpus="$dir/shared/corpus"
  done
fi
if [ ! -f "$corpus/MANIFEST.tsv" ]; then
  echo "conformance: corpus not found (no MANIFEST.tsv in ${1:-../shared/corpus})" >&2
  exit 1
fi

shoal="${SHOAL_EXE:-$repo/src/Shoal.Cli/bin/Release/net10.0/shoal}"   # SHOAL_EXE: test another build
if [ ! -x "$shoal" ]; then
  echo "conformance: building the CLI (Release)" >&2
  dotnet build "$repo/src/Shoal.Cli" -c Release -nologo -v quiet >&2
fi

exec /usr/bin/env python3 - "$corpus" "$shoal" <<'PY'
import csv, json, os, subprocess, sys

corpus, shoal = sys.argv[1], sys.argv[2]
V2 = "BitTorrent v2 is not supported yet"
DUPLICATE_ROWS = {"libtorrent-duplicate_files.torrent", "libtorrent-duplicate_files2.torrent",
                  "transmission-dup-files.torrent", "libtorrent-empty_path_multi.torrent"}

with open(os.path.join(corpus, "MANIFEST.tsv"), newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))

passed, failures = 0, []
for row in rows:
    path = os.path.join(corpus, row["file"])
    name = os.path.basename(row["file"])
    try:
        p = subprocess.run([shoal, "info", "--json", path], capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        failures.append(f"{name}: timed out")
        continue
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    err_lines = [l for l in err.splitlines() if l.strip()]

    def refused(extra=None):
        if p.returncode != 2:
            return f"expected exit 2, got {p.returncode}"
        if len(err_lines) != 1:
            return f"expected one line on stderr, got {len(err_lines)}"
        if extra and extra not in err_lines[0]:
            return f"expected '{extra}' on stderr, got: {err_lines[0]}"
        return None

    if name in DUPLICATE_ROWS:
        problem = refused("two files share the path")
    elif row["expected"] == "invalid":
        problem = refused()
    elif row["torrent_kind"] == "v2":
        problem = refused(V2)
    elif p.returncode != 0:
        problem = f"expected exit 0, got {p.returncode}: {err.strip()[:200]}"
    else:
        try:
            got = json.loads(out).get("infoHash")
        except ValueError:
            got = None
            problem = "stdout is not JSON"
        else:
            want = row["expected_info_hash_v1_hex"]
            problem = None if got == want else f"infoHash {got} != {want}"
    if problem:
        failures.append(f"{name}: {problem}")
    else:
        passed += 1

for line in failures:
    print("FAIL " + line)
print(f"conformance: {passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
PY
