#!/usr/bin/env bash
# Runs every test: installs the real clients the interop tests use, builds, runs the unit and interop suites,
# then the corpus conformance check (both against the native build). Usage: ./test.sh
set -euo pipefail
cd "$(dirname "$0")"

need=()
for pair in python3-libtorrent:/usr/lib/python3/dist-packages/libtorrent* aria2:/usr/bin/aria2c \
            transmission-cli:/usr/bin/transmission-cli opentracker:/usr/bin/opentracker mktorrent:/usr/bin/mktorrent \
            chromium:/usr/bin/chromium; do
  pkg=${pair%%:*}; path=${pair#*:}
  compgen -G "$path" >/dev/null || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing test dependencies: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

dotnet build Shoal.slnx -c Release -nologo -v quiet
# The native executable users run (./build.sh, installs clang if missing): the interop tests and the corpus check
# drive it, so what ships is what is tested.
./build.sh
export SHOAL_EXE=$PWD/artifacts/shoal/shoal
log=$(mktemp "${TMPDIR:-/tmp}/shoal-test.XXXXXX")
set +e
dotnet test Shoal.slnx -c Release --no-build -nologo --logger "console;verbosity=normal" 2>&1 | tee "$log" | grep -vE '^\s+Passed '
status=${PIPESTATUS[0]}
set -e
passed=$(awk '/^ +Passed: [0-9]+/ {n += $2} END {print n + 0}' "$log")
failed=$(awk '/^ +Failed: [0-9]+/ {n += $2} END {print n + 0}' "$log")
rm -f "$log"
echo "dotnet test: $passed passed, $failed failed"
[ "$status" -eq 0 ] || { echo "dotnet test failed (exit $status)"; exit "$status"; }
./conformance.sh
