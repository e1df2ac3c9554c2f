// The default sandbox of `kekkai run`: what a container gets when the
// command line has no filesystem option and --config brings no ops. It is
// meant to run ordinary programs (`kekkai run -- sh`, `python3 -c ...`) with
// the host's system files read-only and nothing else of the host visible.
//
// The ops, in order (docs/cli.md lists them for users):
//   ro-bind /usr
//   /bin, /sbin, /lib, /lib32, /lib64, /libx32: for each that exists on the
//     host, a symlink with the same content if it is a symlink (merged /usr),
//     a ro-bind if it is a directory; nothing if it is absent or another type
//   ro-bind /etc
//   proc /proc
//   dev /dev (a read-only tmpfs with null, zero, full, random, urandom, tty,
//     a devpts and a writable /dev/shm)
//   tmpfs /tmp (mode 01777)
// The rest of the default sandbox is set by the CLI's defaults, not by ops:
// a private network namespace with only loopback (up), cwd /, the strict
// seccomp preset, and the caller's environment.
#ifndef KEKKAI_SHIM_CLI_DEFAULT_SANDBOX_H_
#define KEKKAI_SHIM_CLI_DEFAULT_SANDBOX_H_

#include "absl/status/statusor.h"
#include "common/ops.h"
#include "shim/cli/options.h"

namespace kekkai::cli {

// The system directories that are mirrored when present, in order.
inline constexpr const char* kDefaultSystemLinks[] = {
    "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"};

// The default sandbox's ops for this host. Fails only when lstat fails for
// a reason other than absence (named: `lstat("/lib64"): ...`).
absl::StatusOr<OpList> DefaultSandboxOps(HostView& host);

}  // namespace kekkai::cli

#endif  // KEKKAI_SHIM_CLI_DEFAULT_SANDBOX_H_
