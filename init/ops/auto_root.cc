// AutoRootOp (hakurei's autoroot.go): binds every top-level entry of a host
// directory on the container's root, except proc, dev, tmp, mnt and etc,
// with the op's bind flags. Each entry is an ordinary BindMount (resolved in
// the early step, applied in order). Runs once per container.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "init/failure.h"
#include "init/ops/op.h"

namespace kekkai::init {

bool IsAutoRootBindable(const std::string& name) {
  return !(name.empty() || name == "proc" || name == "dev" || name == "tmp" ||
           name == "mnt" || name == "etc");
}

absl::Status AutoRoot::Early(SetupState& state, sys::Sys& sys) {
  const std::string& host = op_.host->str();
  KEKKAI_INIT_ASSIGN(const std::vector<std::string> names, sys.ReadDir(host),
                     absl::StrCat("read directory ", host));
  binds_.clear();
  for (const std::string& name : names) {
    if (!IsAutoRootBindable(name)) continue;
    BindMountOp bind;
    bind.source = op_.host->Append(name);
    bind.target = AbsolutePath::Literal("/").Append(name);
    bind.flags = op_.flags;
    auto op = std::make_unique<BindMount>(std::move(bind));
    KEKKAI_RETURN_IF_ERROR(op->Early(state, sys));
    binds_.push_back(std::move(op));
  }
  return absl::OkStatus();
}

absl::Status AutoRoot::Apply(SetupState& state, sys::Sys& sys) {
  if (state.nonrepeatable & kOnceAutoRoot) {
    return WithStep(absl::InvalidArgumentError("auto-root is not repeatable"),
                    absl::StrCat("bind the entries of ", op_.host->str(),
                                 " on /"));
  }
  state.nonrepeatable |= kOnceAutoRoot;
  for (const std::unique_ptr<BindMount>& bind : binds_) {
    KEKKAI_RETURN_IF_ERROR(bind->Apply(state, sys));
  }
  return absl::OkStatus();
}

}  // namespace kekkai::init
