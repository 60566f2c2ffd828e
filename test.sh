#!/usr/bin/env bash
# Runs every test: installs the real clients the interop tests use, builds, runs the unit and interop suites,
# then the corpus conformance check. Usage: ./test.sh
set -euo pipefail
cd "$(dirname "$0")"

need=()
for pair in python3-libtorrent:/usr/lib/python3/dist-packages/libtorrent* aria2:/usr/bin/aria2c \
            transmission-cli:/usr/bin/transmission-cli opentracker:/usr/bin/opentracker mktorrent:/usr/bin/mktorrent; do
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
dotnet test Shoal.slnx -c Release --no-build -nologo --logger "console;verbosity=normal" 2>&1 | tee /tmp/shoal-test.log | grep -vE '^\s+Passed ' 
status=${PIPESTATUS[0]}
[ "$status" -eq 0 ] || { echo "dotnet test failed"; exit "$status"; }
./conformance.sh
