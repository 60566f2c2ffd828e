#!/usr/bin/env bash
# Builds the shipped `shoal` executable: a native (ahead-of-time compiled) build of src/Shoal.Cli, written to
# artifacts/shoal/shoal (override with OUT=DIR). No JIT at run time: less CPU and memory than `dotnet run`.
# Installs clang and zlib1g-dev (the native linker step needs them) when they are missing.
# Usage: ./build.sh
set -euo pipefail
cd "$(dirname "$0")"
out=${OUT:-artifacts/shoal}
need=()
command -v clang >/dev/null || need+=(clang)
[ -e /usr/include/zlib.h ] || need+=(zlib1g-dev)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing build dependencies: ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
dotnet publish src/Shoal.Cli -c Release -r linux-x64 -o "$out" -nologo -v quiet
echo "built $out/shoal" >&2
