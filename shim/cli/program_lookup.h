// Finding PROGRAM for `kekkai run`: execvp's PATH search, done on the host
// but through the container's filesystem as its ops describe it. A PATH
// entry the container does not show (~/.local/bin, a pyenv shim directory)
// is skipped instead of yielding a path that does not exist inside.
//
// Where it sits: options.cc calls FindInPath() once the ops are known; the
// absolute container path it returns is what kekkai-init executes.
//
// The mapping follows the ops that put host files in the container (binds,
// overlays, auto-root) and the symlinks the ops create; tmpfs, proc, dev and
// placed files hide what is below them, and what no op covers is the empty
// root. Symlinks inside bound host directories are resolved by the host's
// stat(2), which is right whenever the link stays within what the container
// shows the same way (the default sandbox's /usr and /etc).
#ifndef KEKKAI_SHIM_CLI_PROGRAM_LOOKUP_H_
#define KEKKAI_SHIM_CLI_PROGRAM_LOOKUP_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/ops.h"
#include "shim/cli/options.h"

namespace kekkai::cli {

// The host path whose file shows at `path` in the container built by `ops`,
// or nullopt when no host file shows there.
std::optional<std::string> HostPathOf(const OpList& ops,
                                      absl::string_view path, HostView& host);

// execvp's search of `name` (no '/') in `path_var` (":"-separated; empty and
// relative entries are skipped) within the container built by `ops`.
// Returns the container path of the first executable match. Failures:
// kNotFound (nothing found) or kPermissionDenied (only non-executable
// matches), naming PROGRAM and the PATH.
absl::StatusOr<AbsolutePath> FindInPath(const OpList& ops,
                                        absl::string_view path_var,
                                        absl::string_view name,
                                        HostView& host);

}  // namespace kekkai::cli

#endif  // KEKKAI_SHIM_CLI_PROGRAM_LOOKUP_H_
