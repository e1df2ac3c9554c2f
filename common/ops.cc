#include "common/ops.h"

#include <sys/mount.h>

#include <string>
#include <type_traits>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/flags.h"
#include "common/status.h"

namespace kekkai {
namespace {

constexpr OpInfo kOpInfo[kOpKindCount] = {
    {OpKind::kBind, "bind", "BindMountOp", "*container.BindMountOp"},
    {OpKind::kProc, "proc", "MountProcOp", "*container.MountProcOp"},
    {OpKind::kDev, "dev", "MountDevOp", "*container.MountDevOp"},
    {OpKind::kTmpfs, "tmpfs", "MountTmpfsOp", "*container.MountTmpfsOp"},
    {OpKind::kOverlay, "overlay", "MountOverlayOp",
     "*container.MountOverlayOp"},
    {OpKind::kMkdir, "mkdir", "MkdirOp", "*container.MkdirOp"},
    {OpKind::kTmpfile, "tmpfile", "TmpfileOp", "*container.TmpfileOp"},
    {OpKind::kRemount, "remount", "RemountOp", "*container.RemountOp"},
    {OpKind::kSymlink, "symlink", "SymlinkOp", "*container.SymlinkOp"},
    {OpKind::kAutoEtc, "auto-etc", "AutoEtcOp", "*container.AutoEtcOp"},
    {OpKind::kAutoRoot, "auto-root", "AutoRootOp", "*container.AutoRootOp"},
};

absl::Status FieldError(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

// A path field that must be set and usable with the kernel.
absl::Status RequirePath(absl::string_view field, const OptionalPath& path) {
  if (!path.has_value()) return FieldError(field, "not set");
  if (path->HasNul()) return FieldError(field, "contains a NUL byte");
  return absl::OkStatus();
}

absl::Status OptionalPathOk(absl::string_view field, const OptionalPath& path) {
  if (path.has_value() && path->HasNul()) {
    return FieldError(field, "contains a NUL byte");
  }
  return absl::OkStatus();
}

absl::Status PermOk(absl::string_view field, uint32_t perm) {
  if ((perm & ~07777u) != 0) {
    return FieldError(field, absl::StrFormat("%#o has bits outside 07777", perm));
  }
  return absl::OkStatus();
}

absl::Status BindFlagsOk(absl::string_view field, int64_t flags) {
  if ((flags & ~kBindAllFlags) != 0) {
    return FieldError(field, absl::StrFormat("unknown bits %#x",
                                             static_cast<uint64_t>(flags)));
  }
  if ((flags & kBindOptional) && (flags & kBindEnsure)) {
    return FieldError(field, "optional and ensure cannot be combined");
  }
  return absl::OkStatus();
}

absl::Status Validate(const BindMountOp& op) {
  KEKKAI_RETURN_IF_ERROR(RequirePath("source", op.source));
  KEKKAI_RETURN_IF_ERROR(RequirePath("target", op.target));
  return BindFlagsOk("flags", op.flags);
}

absl::Status Validate(const MountProcOp& op) {
  return RequirePath("target", op.target);
}

absl::Status Validate(const MountDevOp& op) {
  return RequirePath("target", op.target);
}

absl::Status Validate(const MountTmpfsOp& op) {
  KEKKAI_RETURN_IF_ERROR(RequirePath("path", op.path));
  if (op.fsname.empty()) return FieldError("fsname", "empty");
  if (op.fsname.find_first_of(std::string_view("\0,", 2)) !=
      std::string::npos) {
    return FieldError("fsname", "contains a NUL byte or a comma");
  }
  // hakurei's TmpfsSizeError: Size < 0 or > MaxUint>>1 (= MaxInt64).
  if (op.size < 0) {
    return FieldError("size", absl::StrFormat("%d is negative", op.size));
  }
  return PermOk("perm", op.perm);
}

absl::Status Validate(const MountOverlayOp& op) {
  KEKKAI_RETURN_IF_ERROR(RequirePath("target", op.target));
  for (size_t i = 0; i < op.lower.size(); ++i) {
    if (op.lower[i].HasNul()) {
      return FieldError(absl::StrCat("lower[", i, "]"), "contains a NUL byte");
    }
  }
  KEKKAI_RETURN_IF_ERROR(OptionalPathOk("upper", op.upper));
  KEKKAI_RETURN_IF_ERROR(OptionalPathOk("work", op.work));
  if (op.work.has_value() && !op.upper.has_value()) {
    return FieldError("work", "set without upper");
  }
  if (op.upper.has_value() && !op.work.has_value() && op.upper->str() != "/") {
    // hakurei's OverlayArgumentError(EphemeralUnexpectedUpper).
    return FieldError("upper",
                      "without work, upper must be \"/\" (ephemeral overlay)");
  }
  if (!op.upper.has_value()) {
    if (op.lower.size() < 2) {
      // hakurei's OverlayReadonlyLower.
      return FieldError("lower",
                        "a read-only overlay needs at least two lower layers");
    }
  } else if (op.lower.empty()) {
    // hakurei's OverlayEmptyLower.
    return FieldError("lower", "at least one lower layer is required");
  }
  return absl::OkStatus();
}

absl::Status Validate(const MkdirOp& op) {
  KEKKAI_RETURN_IF_ERROR(RequirePath("path", op.path));
  return PermOk("perm", op.perm);
}

absl::Status Validate(const TmpfileOp& op) {
  return RequirePath("path", op.path);
}

absl::Status Validate(const RemountOp& op) {
  return RequirePath("target", op.target);
}

absl::Status Validate(const SymlinkOp& op) {
  KEKKAI_RETURN_IF_ERROR(RequirePath("target", op.target));
  if (op.link_name.empty()) return FieldError("linkname", "empty");
  if (op.link_name.find('\0') != std::string::npos) {
    return FieldError("linkname", "contains a NUL byte");
  }
  if (op.dereference && op.link_name.front() != '/') {
    // hakurei's early step fails with AbsoluteError.
    return FieldError("linkname",
                      absl::StrFormat("path \"%s\" is not absolute "
                                      "(dereference needs an absolute path)",
                                      absl::CHexEscape(op.link_name)));
  }
  return absl::OkStatus();
}

absl::Status Validate(const AutoEtcOp& op) {
  // kekkai: the prefix names one directory under /etc/.host.
  if (op.prefix.find_first_of(std::string_view("/\0", 2)) !=
          std::string::npos ||
      op.prefix == "." || op.prefix == "..") {
    return FieldError("prefix",
                      absl::StrFormat("\"%s\" is not a single path element",
                                      absl::CHexEscape(op.prefix)));
  }
  return absl::OkStatus();
}

absl::Status Validate(const AutoRootOp& op) {
  KEKKAI_RETURN_IF_ERROR(RequirePath("host", op.host));
  return BindFlagsOk("flags", op.flags);
}

std::string Quote(const OptionalPath& path) {
  if (!path.has_value()) return "<nil>";
  return absl::StrCat("\"", absl::CHexEscape(path->str()), "\"");
}

std::string Quote(absl::string_view text) {
  return absl::StrCat("\"", absl::CHexEscape(text), "\"");
}

std::string BindMode(int64_t flags) {
  std::vector<std::string> parts;
  parts.push_back((flags & kBindWritable) ? "rw" : "ro");
  if (!(flags & kBindDevice)) parts.push_back("nodev");
  if (flags & kBindOptional) parts.push_back("optional");
  if (flags & kBindEnsure) parts.push_back("ensure");
  const int64_t unknown = flags & ~kBindAllFlags;
  if (unknown != 0) {
    parts.push_back(absl::StrFormat("%#x", static_cast<uint64_t>(unknown)));
  }
  return absl::StrJoin(parts, ",");
}

std::string DescribeOne(const BindMountOp& op) {
  return absl::StrCat("bind ", Quote(op.source), " on ", Quote(op.target), " ",
                      BindMode(op.flags));
}
std::string DescribeOne(const MountProcOp& op) {
  return absl::StrCat("proc on ", Quote(op.target));
}
std::string DescribeOne(const MountDevOp& op) {
  return absl::StrCat("dev on ", Quote(op.target), op.write ? " rw" : " ro",
                      op.mqueue ? " with mqueue" : "");
}
std::string DescribeOne(const MountTmpfsOp& op) {
  std::string text = absl::StrCat("tmpfs ", Quote(op.fsname), " on ",
                                  Quote(op.path),
                                  absl::StrFormat(" mode %#o", op.perm));
  if (op.size > 0) absl::StrAppend(&text, " size ", op.size);
  if (op.flags != 0) {
    absl::StrAppend(&text, " ", FlagsToString(MountFlagNames(), op.flags));
  }
  return text;
}
std::string DescribeOne(const MountOverlayOp& op) {
  std::vector<std::string> lowers;
  for (const AbsolutePath& lower : op.lower) lowers.push_back(Quote(lower));
  std::string text = absl::StrCat("overlay on ", Quote(op.target), " lower [",
                                  absl::StrJoin(lowers, ", "), "]");
  if (IsEphemeralOverlay(op)) {
    absl::StrAppend(&text, " ephemeral");
  } else if (op.upper.has_value()) {
    absl::StrAppend(&text, " upper ", Quote(op.upper), " work ",
                    Quote(op.work));
  } else {
    absl::StrAppend(&text, " read-only");
  }
  return text;
}
std::string DescribeOne(const MkdirOp& op) {
  return absl::StrCat("mkdir ", Quote(op.path),
                      absl::StrFormat(" mode %#o", op.perm));
}
std::string DescribeOne(const TmpfileOp& op) {
  return absl::StrCat("tmpfile ", Quote(op.path), " (", op.data.size(),
                      " bytes)");
}
std::string DescribeOne(const RemountOp& op) {
  return absl::StrCat("remount ", Quote(op.target), " ",
                      op.flags ? FlagsToString(MountFlagNames(), op.flags)
                               : std::string("nosuid"));
}
std::string DescribeOne(const SymlinkOp& op) {
  return absl::StrCat("symlink ", Quote(op.target), " -> ",
                      Quote(op.link_name),
                      op.dereference ? " (dereferenced)" : "");
}
std::string DescribeOne(const AutoEtcOp& op) {
  return absl::StrCat("auto-etc from /etc/.host/", op.prefix);
}
std::string DescribeOne(const AutoRootOp& op) {
  return absl::StrCat("auto-root from ", Quote(op.host), " ",
                      BindMode(op.flags));
}

}  // namespace

const OpInfo& GetOpInfo(OpKind kind) {
  return kOpInfo[static_cast<size_t>(kind) % kOpKindCount];
}

const OpInfo* FindOpByJsonName(absl::string_view name) {
  for (const OpInfo& info : kOpInfo) {
    if (info.json_name == name) return &info;
  }
  return nullptr;
}

const OpInfo* FindOpByWireName(absl::string_view name) {
  for (const OpInfo& info : kOpInfo) {
    if (info.wire_name == name) return &info;
  }
  return nullptr;
}

absl::Status ValidateOp(const Op& op) {
  return std::visit([](const auto& typed) { return Validate(typed); }, op);
}

std::string Describe(const Op& op) {
  return std::visit([](const auto& typed) { return DescribeOne(typed); }, op);
}

bool IsEphemeralOverlay(const MountOverlayOp& op) {
  return op.upper.has_value() && !op.work.has_value() &&
         op.upper->str() == "/";
}

}  // namespace kekkai
