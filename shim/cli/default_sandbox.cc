#include "shim/cli/default_sandbox.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/ops_builder.h"
#include "common/status.h"

namespace kekkai::cli {

absl::StatusOr<OpList> DefaultSandboxOps(HostView& host) {
  OpsBuilder builder;
  builder.Bind("/usr", "/usr");
  for (const char* path : kDefaultSystemLinks) {
    KEKKAI_ASSIGN_OR_RETURN(HostView::Entry entry, host.Lstat(path));
    switch (entry.type) {
      case HostView::EntryType::kSymlink:
        // Merged /usr: /bin -> usr/bin. The same link inside keeps every
        // path a program may have compiled in working.
        builder.Link(path, entry.link_target);
        break;
      case HostView::EntryType::kDirectory:
        builder.Bind(path, path);
        break;
      case HostView::EntryType::kMissing:
      case HostView::EntryType::kOther:
        break;
    }
  }
  builder.Bind("/etc", "/etc")
      .Proc("/proc")
      .Dev("/dev")
      .Tmpfs("/tmp", /*size=*/0, /*perm=*/01777);
  if (!builder.status().ok()) {
    return Annotate(builder.status(), "default sandbox");
  }
  return builder.Build();
}

}  // namespace kekkai::cli
