#!/bin/sh
# The install test (ctest, label unit): install the build tree into a
# temporary prefix, check the products are there, then build and run an
# outside project against it twice: with CMake's find_package(kekkai) and
# the kekkai::kekkai target, and with `pkg-config --cflags --libs kekkai`.
#
#   install_test.sh BUILD_DIR CONSUMER_SOURCE_DIR CMAKE CXX [FLAGS]
#
# FLAGS are added to the consumer's compile and link (the sanitizer build
# passes -fsanitize=..., since its libkekkai needs the sanitizer runtime).
set -eu

build=$1
consumer=$2
cmake=$3
cxx=$4
flags=${5:-}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kekkai-install-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
prefix=$tmp/prefix

fail() {
  echo "install test: $*" >&2
  exit 1
}

# Runs a command with its output in a log that is shown only on failure.
quiet() {
  log=$tmp/step.log
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    fail "failed: $*"
  fi
}

quiet "$cmake" --install "$build" --prefix "$prefix"

for f in bin/kekkai libexec/kekkai/kekkai-init; do
  [ -x "$prefix/$f" ] || fail "$f was not installed (or is not executable)"
done
for f in kekkai.h common/params.h common/ops.h common/ops_builder.h \
         common/absolute_path.h common/status.h common/json.h \
         common/duration.h; do
  [ -f "$prefix/include/kekkai/$f" ] || fail "include/kekkai/$f was not installed"
done
config=$(find "$prefix" -name kekkaiConfig.cmake)
[ -n "$config" ] || fail "kekkaiConfig.cmake was not installed"
pc=$(find "$prefix" -name kekkai.pc)
[ -n "$pc" ] || fail "kekkai.pc was not installed"
lib=$(find "$prefix" -name 'libkekkai.so*' -type f | head -n 1)
[ -n "$lib" ] || fail "libkekkai.so was not installed"

expect_output() {  # name, output
  case $2 in
    *'"path": "/bin/true"'*'"type": "bind"'*'"type": "tmpfs"'*) ;;
    *) fail "$1 printed an unexpected document: $2" ;;
  esac
}

# 1. CMake: find_package(kekkai REQUIRED) + kekkai::kekkai.
quiet "$cmake" -S "$consumer" -B "$tmp/cmake-build" \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags"
quiet "$cmake" --build "$tmp/cmake-build"
out=$("$tmp/cmake-build/app") || fail "the find_package build of app failed to run"
expect_output "find_package app" "$out"

# 2. pkg-config, from a relocated prefix: kekkai.pc must not point at the
# configured CMAKE_INSTALL_PREFIX.
pkg=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --cflags --libs kekkai) ||
  fail "pkg-config --cflags --libs kekkai failed"
case $pkg in
  *"$prefix"*) ;;
  *) fail "pkg-config flags do not point into the install prefix: $pkg" ;;
esac
# shellcheck disable=SC2086
quiet "$cxx" $flags "$consumer/app.cc" -o "$tmp/app-pkg-config" $pkg
out=$(LD_LIBRARY_PATH=$(dirname "$lib") "$tmp/app-pkg-config") ||
  fail "the pkg-config build of app failed to run"
expect_output "pkg-config app" "$out"

echo "install test: installed into a temporary prefix; find_package and pkg-config consumers built and ran"
