// What the launcher learns from the host before a launch (internal to
// libkekkai): where kekkai-init is, and the kernel's overflow ids that
// replace uid/gid 0 (HAKUREI.md §1.14). Used by Container::Start().
#ifndef KEKKAI_SHIM_HOST_H_
#define KEKKAI_SHIM_HOST_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace kekkai::shim::internal {

// The places kekkai-init may be, in the order they are tried.
struct InitSearch {
  std::string explicit_path;  // LaunchOptions::init_path ("" = unset)
  std::string env_path;       // $KEKKAI_INIT ("" = unset)
  std::string self_dir;       // the directory of /proc/self/exe ("" = unknown)
  std::string install_path;   // kekkai::kInitInstallPath
};

// The search for this process: `explicit_path`, $KEKKAI_INIT, the running
// program's directory and the install location.
InitSearch DefaultInitSearch(const std::string& explicit_path);

// The first usable kekkai-init: an explicit path or $KEKKAI_INIT must be an
// executable file (no fallback when it is not: that would run a different
// init than asked for); otherwise `kekkai-init` next to the running program,
// then the install path. kNotFound names every place tried.
absl::StatusOr<std::string> ResolveInitPath(const InitSearch& search);

struct OverflowIds {
  int64_t uid = 0;
  int64_t gid = 0;
};

// /proc/sys/kernel/overflowuid and overflowgid, read once per process.
absl::StatusOr<OverflowIds> ReadOverflowIds();

}  // namespace kekkai::shim::internal

#endif  // KEKKAI_SHIM_HOST_H_
