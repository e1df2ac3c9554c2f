#!/bin/sh
# usage: run-unprivileged.sh BIN_DIR TEST_BINARY [ARGS...]
#
# Runs one integration/security test binary as an unprivileged user, because
# kekkai is for unprivileged users and root hides bugs. Started as root (as CI
# does), it stages the build's programs (kekkai, kekkai-init, helpers) and the
# test in a fresh world-readable directory under /tmp (CI's clone may sit
# where that user cannot enter) and runs the test there as uid/gid 65534.
# Started as anyone else it runs the test as is.
set -eu
bindir=$1
test=$2
shift 2

if [ "$(id -u)" != 0 ]; then
  exec "$bindir/$test" "$@"
fi

stage=$(mktemp -d /tmp/kekkai-stage.XXXXXX)
cleanup() { rm -rf "$stage"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

for f in "$bindir"/*; do
  case "$(basename "$f")" in
    *_test) ;;
    *) cp -a "$f" "$stage/" ;;
  esac
done
cp -a "$bindir/$test" "$stage/"
chmod -R a+rX "$stage"
chmod 0755 "$stage"
cd "$stage"

status=0
setpriv --reuid=65534 --regid=65534 --clear-groups \
  env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/tmp TMPDIR=/tmp \
      KEKKAI_BIN_DIR="$stage" KEKKAI_UNPRIVILEGED_RUN=1 \
      KEKKAI_REQUIRE_USERNS="${KEKKAI_REQUIRE_USERNS:-}" CI="${CI:-}" \
      "$stage/$test" "$@" || status=$?
exit $status
