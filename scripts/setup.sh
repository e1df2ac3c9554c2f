#!/bin/sh
# kekkai's one set-up script for a fresh Debian 12 machine.
#
#   scripts/setup.sh run    install what is missing, build (Release), install
#                           nothing system-wide, and run a program in the
#                           default sandbox (the default command)
#   scripts/setup.sh test   install what is missing, build Release, the
#                           sanitizer build (ASan+UBSan) and the libFuzzer
#                           target, and run every test with ctest
#   scripts/setup.sh deps   only install the dependencies
#   scripts/setup.sh build  deps, then the Release build in build/
#
# Packages come from Debian with apt-get; nothing is downloaded from anywhere
# else. Run as root, or as a user with sudo.
set -eu

cd "$(dirname "$0")/.."
top=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)
KEKKAI_BUILD_TARGET=""

PACKAGES="cmake g++ make pkg-config libseccomp-dev libcereal-dev libabsl-dev
libgtest-dev libgmock-dev libbenchmark-dev golang-go clang-14
libclang-rt-14-dev bubblewrap util-linux iproute2 procps file python3"

log() { printf 'setup: %s\n' "$*" >&2; }

install_deps() {
  missing=""
  for pkg in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed"; then
      missing="$missing $pkg"
    fi
  done
  [ -z "$missing" ] && return 0
  log "installing:$missing"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  # shellcheck disable=SC2086
  if ! $sudo apt-get install -y --no-install-recommends $missing; then
    $sudo apt-get update
    # shellcheck disable=SC2086
    $sudo apt-get install -y --no-install-recommends $missing
  fi
}

configure_build() {  # dir, extra cmake args...
  dir=$1
  shift
  cmake -S "$top" -B "$dir" "$@" >/dev/null
  cmake --build "$dir" -j "$jobs" ${KEKKAI_BUILD_TARGET:+--target "$KEKKAI_BUILD_TARGET"}
}

build_release() {
  configure_build "$top/build" -DCMAKE_BUILD_TYPE=Release
}

run_demo() {
  build_release
  log "running a program in the default sandbox:"
  "$top/build/bin/kekkai" run -- /bin/sh -c \
    'echo "hello from $(hostname) as $(id -u):$(id -g), pid $$"; ls /'
}

# Prints how long the step since the previous call took.
phase_start=$(date +%s)
phase_done() {
  now=$(date +%s)
  log "$1: $((now - phase_start)) s"
  phase_start=$now
}

run_tests() {
  export KEKKAI_REQUIRE_USERNS=1
  status=0
  # The sanitizer build: every test again under ASan+UBSan.
  configure_build "$top/build-asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DKEKKAI_SANITIZE=ON -DKEKKAI_BUILD_BENCH=OFF
  phase_done "sanitizer build"
  (cd "$top/build-asan" && ctest --output-on-failure -j "$jobs") || status=1
  phase_done "sanitizer tests"
  # The libFuzzer targets (clang), each run for a bounded time.
  KEKKAI_BUILD_TARGET=kekkai_fuzzers
  configure_build "$top/build-fuzz" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
    -DKEKKAI_FUZZ=ON -DKEKKAI_BUILD_BENCH=OFF -DKEKKAI_STATIC_INIT=OFF
  KEKKAI_BUILD_TARGET=""
  phase_done "fuzzer build"
  (cd "$top/build-fuzz" && ctest --output-on-failure -L fuzz -j "$jobs") || status=1
  phase_done "fuzzers"
  # The Release build last, so its summary line is the final one printed.
  build_release
  phase_done "Release build"
  (cd "$top/build" && ctest --output-on-failure -j "$jobs") || status=1
  if [ "$status" != 0 ]; then
    log "some tests failed (see above)"
  fi
  return $status
}

case "${1:-run}" in
  deps) install_deps ;;
  build) install_deps; build_release ;;
  run) install_deps; run_demo ;;
  test) install_deps; phase_done "dependencies"; run_tests ;;
  *) echo "usage: $0 [run|test|deps|build]" >&2; exit 2 ;;
esac
