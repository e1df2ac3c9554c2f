#!/bin/sh
# Runs every benchmark with one command: builds the Release tree if needed,
# then launch_bench (kekkai run, bwrap, libkekkai cold/warm, the floor;
# throughput; peak RSS) and gob_bench. See bench/README.md.
#
#   bench/run.sh                     # build ./build (Release) and run all
#   bench/run.sh --no-build          # use the existing build as it is
#   KEKKAI_BENCH_BUILD=/tmp/b bench/run.sh --rounds 60
#
# Options other than --no-build and --no-gob are passed to launch_bench
# (--rounds N, --throughput-count N, --throughput-reps N, --no-throughput,
# --no-rss, --only KIND, --bwrap PATH).
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd)
build=${KEKKAI_BENCH_BUILD:-$repo/build}
do_build=1
do_gob=1
for arg in "$@"; do
  case $arg in
    --no-build) do_build=0 ;;
    --no-gob) do_gob=0 ;;
  esac
done

if ! command -v bwrap >/dev/null 2>&1; then
  echo "bench/run.sh: bwrap not found; install it: apt-get install bubblewrap" >&2
  exit 1
fi

if [ "$do_build" = 1 ]; then
  if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release
  fi
  if ! grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' "$build/CMakeCache.txt"; then
    echo "bench/run.sh: $build is not a Release build" >&2
    exit 1
  fi
  cmake --build "$build" -j"$(nproc)" --target launch_bench gob_bench
fi

echo "== machine"
echo "$(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "kernel $(uname -r); $(bwrap --version); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo

# launch_bench's options: everything but ours.
for arg in "$@"; do
  shift
  case $arg in
    --no-build | --no-gob) ;;
    *) set -- "$@" "$arg" ;;
  esac
done
echo "== launch_bench"
"$build/bin/launch_bench" "$@"

if [ "$do_gob" = 1 ]; then
  echo
  echo "== gob_bench"
  "$build/bin/gob_bench" --benchmark_repetitions=5 \
    --benchmark_report_aggregates_only=true
fi
