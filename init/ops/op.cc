// The op factory and the path helpers shared by the ops.
#include "init/ops/op.h"

#include <memory>
#include <string>
#include <variant>

#include "absl/strings/str_cat.h"
#include "common/absolute_path.h"

namespace kekkai::init {
namespace {

std::string UnderPrefix(const char* prefix, const std::string& path) {
  const size_t start = path.find_first_not_of('/');
  if (start == std::string::npos) return prefix;
  return CleanPath(absl::StrCat(prefix, "/", path.substr(start)));
}

std::unique_ptr<InitOp> Make(const BindMountOp& op) {
  return std::make_unique<BindMount>(op);
}
std::unique_ptr<InitOp> Make(const MountProcOp& op) {
  return std::make_unique<MountProc>(op);
}
std::unique_ptr<InitOp> Make(const MountDevOp& op) {
  return std::make_unique<MountDev>(op);
}
std::unique_ptr<InitOp> Make(const MountTmpfsOp& op) {
  return std::make_unique<MountTmpfs>(op);
}
std::unique_ptr<InitOp> Make(const MountOverlayOp& op) {
  return std::make_unique<MountOverlay>(op);
}
std::unique_ptr<InitOp> Make(const MkdirOp& op) {
  return std::make_unique<Mkdir>(op);
}
std::unique_ptr<InitOp> Make(const TmpfileOp& op) {
  return std::make_unique<Tmpfile>(op);
}
std::unique_ptr<InitOp> Make(const RemountOp& op) {
  return std::make_unique<Remount>(op);
}
std::unique_ptr<InitOp> Make(const SymlinkOp& op) {
  return std::make_unique<Symlink>(op);
}
std::unique_ptr<InitOp> Make(const AutoEtcOp& op) {
  return std::make_unique<AutoEtc>(op);
}
std::unique_ptr<InitOp> Make(const AutoRootOp& op) {
  return std::make_unique<AutoRoot>(op);
}

}  // namespace

std::string ToSysroot(const std::string& path) {
  return UnderPrefix("/sysroot", path);
}

std::string ToHost(const std::string& path) { return UnderPrefix("/host", path); }

std::unique_ptr<InitOp> MakeInitOp(const Op& op) {
  return std::visit([](const auto& typed) { return Make(typed); }, op);
}

}  // namespace kekkai::init
