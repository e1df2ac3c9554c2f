#include "shim/cli/program_lookup.h"

#include <cerrno>
#include <variant>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/absolute_path.h"
#include "common/status.h"

namespace kekkai::cli {
namespace {

// Symlinks followed before giving up (the kernel's limit is 40).
constexpr int kMaxLinks = 40;

// If `path` is `prefix` or below it, sets *rest to the part after it ("" or
// "/x/y") and returns true.
bool Under(const std::string& path, const std::string& prefix,
           std::string* rest) {
  if (prefix == "/") {
    *rest = path == "/" ? "" : path;
    return true;
  }
  if (path == prefix) {
    rest->clear();
    return true;
  }
  if (absl::StartsWith(path, prefix) && path[prefix.size()] == '/') {
    *rest = path.substr(prefix.size());
    return true;
  }
  return false;
}

std::string Join(const std::string& base, const std::string& rest) {
  return CleanPath(absl::StrCat(base, rest));
}

bool IsAutoRootBindable(absl::string_view name) {
  return !name.empty() && name != "proc" && name != "dev" && name != "tmp" &&
         name != "mnt" && name != "etc";
}

// What one op makes of `path`.
struct Verdict {
  enum Kind { kNotCovered, kHost, kNothing, kRedirect } kind = kNotCovered;
  std::string path;  // kHost: the host path; kRedirect: the new container path
};

Verdict Examine(const Op& op, const std::string& path, HostView& host) {
  std::string rest;
  return std::visit(
      [&](const auto& o) -> Verdict {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, BindMountOp>) {
          if (!o.source.has_value() || !o.target.has_value() ||
              !Under(path, o.target->str(), &rest)) {
            return {};
          }
          // A missing optional source makes the op a no-op.
          if ((o.flags & kBindOptional) && !host.Exists(o.source->str()).ok()) {
            return {};
          }
          return {Verdict::kHost, Join(o.source->str(), rest)};
        } else if constexpr (std::is_same_v<T, SymlinkOp>) {
          if (!o.target.has_value() || !Under(path, o.target->str(), &rest)) {
            return {};
          }
          const std::string base =
              absl::StartsWith(o.link_name, "/")
                  ? o.link_name
                  : absl::StrCat(o.target->Dir().str(), "/", o.link_name);
          return {Verdict::kRedirect, Join(base, rest)};
        } else if constexpr (std::is_same_v<T, MountOverlayOp>) {
          if (!o.target.has_value() || !Under(path, o.target->str(), &rest)) {
            return {};
          }
          if (o.upper.has_value() && !IsEphemeralOverlay(o)) {
            const std::string candidate = Join(o.upper->str(), rest);
            if (host.Exists(candidate).ok()) return {Verdict::kHost, candidate};
          }
          for (const AbsolutePath& lower : o.lower) {  // [0] is the top
            const std::string candidate = Join(lower.str(), rest);
            if (host.Exists(candidate).ok()) return {Verdict::kHost, candidate};
          }
          return {Verdict::kNothing, ""};
        } else if constexpr (std::is_same_v<T, AutoRootOp>) {
          if (!o.host.has_value() || path == "/") return {};
          const std::string first =
              path.substr(1, path.find('/', 1) == std::string::npos
                                 ? std::string::npos
                                 : path.find('/', 1) - 1);
          const std::string source = Join(o.host->str(), "/" + first);
          if (!IsAutoRootBindable(first) || !host.Exists(source).ok()) {
            return {};
          }
          return {Verdict::kHost, Join(o.host->str(), path)};
        } else if constexpr (std::is_same_v<T, MountTmpfsOp>) {
          if (o.path.has_value() && Under(path, o.path->str(), &rest)) {
            return {Verdict::kNothing, ""};
          }
          return {};
        } else if constexpr (std::is_same_v<T, MountProcOp> ||
                             std::is_same_v<T, MountDevOp>) {
          if (o.target.has_value() && Under(path, o.target->str(), &rest)) {
            return {Verdict::kNothing, ""};
          }
          return {};
        } else if constexpr (std::is_same_v<T, TmpfileOp>) {
          if (o.path.has_value() && Under(path, o.path->str(), &rest)) {
            return {Verdict::kNothing, ""};  // a 0444 file: never executable
          }
          return {};
        } else {
          // MkdirOp, RemountOp and AutoEtcOp change nothing a PATH search
          // could find.
          return {};
        }
      },
      op);
}

}  // namespace

std::optional<std::string> HostPathOf(const OpList& ops,
                                      absl::string_view path, HostView& host) {
  std::string current = CleanPath(path);
  for (int links = 0; links <= kMaxLinks; ++links) {
    bool redirected = false;
    // Later ops are mounted over earlier ones: the last op covering the path
    // decides.
    for (auto it = ops.rbegin(); it != ops.rend() && !redirected; ++it) {
      if (!it->has_value()) continue;
      Verdict verdict = Examine(**it, current, host);
      switch (verdict.kind) {
        case Verdict::kNotCovered:
          break;
        case Verdict::kHost:
          return verdict.path;
        case Verdict::kNothing:
          return std::nullopt;
        case Verdict::kRedirect:
          current = verdict.path;
          redirected = true;
          break;
      }
    }
    if (!redirected) return std::nullopt;  // the container's empty root
  }
  return std::nullopt;  // a symlink loop
}

absl::StatusOr<AbsolutePath> FindInPath(const OpList& ops,
                                        absl::string_view path_var,
                                        absl::string_view name,
                                        HostView& host) {
  std::optional<std::string> denied;
  for (absl::string_view dir : absl::StrSplit(path_var, ':')) {
    if (dir.empty() || dir.front() != '/') continue;
    const std::string candidate = CleanPath(absl::StrCat(dir, "/", name));
    const std::optional<std::string> on_host =
        HostPathOf(ops, candidate, host);
    if (!on_host.has_value()) continue;
    absl::Status executable = host.CheckExecutable(*on_host);
    if (executable.ok()) return AbsolutePath::Parse(candidate);
    if (GetErrno(executable) == EACCES && !denied.has_value()) {
      denied = candidate;
    }
  }
  if (denied.has_value()) {
    return absl::PermissionDeniedError(
        absl::StrFormat("cannot run PROGRAM \"%s\": %s is not executable",
                        absl::CEscape(name), *denied));
  }
  return absl::NotFoundError(absl::StrFormat(
      "cannot run PROGRAM \"%s\": not found in PATH \"%s\" (as the container "
      "shows it)",
      absl::CEscape(name), absl::CEscape(path_var)));
}

}  // namespace kekkai::cli
