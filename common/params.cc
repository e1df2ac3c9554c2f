#include "common/params.h"

#include <cerrno>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/status.h"

namespace kekkai {
namespace {

// The largest id a uid_map/gid_map line can hold (4294967295 is invalid).
constexpr int64_t kMaxId = 4294967294;

absl::Status FieldError(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

absl::Status NoNul(absl::string_view field, const std::string& value) {
  if (value.find('\0') != std::string::npos) {
    return FieldError(field, absl::StrFormat("\"%s\" contains a NUL byte",
                                             absl::CHexEscape(value)));
  }
  return absl::OkStatus();
}

absl::Status ValidateRule(size_t index, const NativeRule& rule) {
  const std::string field = absl::StrCat("seccomp rule ", index);
  if (rule.errno_value != EPERM && rule.errno_value != ENOSYS) {
    // hakurei's filter builder asserts this.
    return FieldError(field, absl::StrFormat("errno %d is not EPERM or ENOSYS",
                                             rule.errno_value));
  }
  if (rule.arg.has_value()) {
    if (rule.arg->arg > 5) {
      return FieldError(field, absl::StrFormat("argument index %u is not 0..5",
                                               rule.arg->arg));
    }
    if (rule.arg->op < 1 || rule.arg->op > 7) {
      return FieldError(field, absl::StrFormat("comparison %u is not 1..7",
                                               rule.arg->op));
    }
  }
  return absl::OkStatus();
}

}  // namespace

void ApplyLauncherDefaults(Params& params, int64_t overflow_uid,
                           int64_t overflow_gid) {
  if (params.uid < 1) params.uid = overflow_uid;
  if (params.gid < 1) params.gid = overflow_gid;
  if (!params.retain_session) params.seccomp_presets |= kPresetDenyTTY;
  if (params.adopt_wait_delay == 0) {
    params.adopt_wait_delay = kDefaultAdoptWaitDelay;
  } else if (params.adopt_wait_delay < 0) {
    params.adopt_wait_delay = 0;
  }
  if (!params.dir.has_value()) params.dir = AbsolutePath::Literal("/");
}

uint32_t EffectiveParentPerm(const Params& params) {
  return params.parent_perm == 0 ? kDefaultParentPerm : params.parent_perm;
}

absl::Status ValidateParams(const Params& params) {
  if (!params.path.has_value()) {
    return FieldError("path", "not set (the program to run)");
  }
  if (params.path->HasNul()) return FieldError("path", "contains a NUL byte");
  if (params.dir.has_value() && params.dir->HasNul()) {
    return FieldError("dir", "contains a NUL byte");
  }
  for (size_t i = 0; i < params.args.size(); ++i) {
    KEKKAI_RETURN_IF_ERROR(NoNul(absl::StrCat("args[", i, "]"), params.args[i]));
  }
  for (size_t i = 0; i < params.env.size(); ++i) {
    KEKKAI_RETURN_IF_ERROR(NoNul(absl::StrCat("env[", i, "]"), params.env[i]));
  }
  KEKKAI_RETURN_IF_ERROR(NoNul("hostname", params.hostname));
  if (params.hostname.size() > 64) {
    return FieldError("hostname", absl::StrFormat("%d bytes is longer than 64",
                                                  params.hostname.size()));
  }
  if (params.uid > kMaxId) {
    return FieldError("uid", absl::StrFormat("%d is out of range", params.uid));
  }
  if (params.gid > kMaxId) {
    return FieldError("gid", absl::StrFormat("%d is out of range", params.gid));
  }
  if (params.parent_perm & ~07777u) {
    return FieldError("parent_perm", absl::StrFormat("%#o has bits outside 07777",
                                                     params.parent_perm));
  }
  if (!params.ops.has_value() || params.ops->empty()) {
    return FieldError("ops", "no ops (a container needs at least one)");
  }
  for (size_t i = 0; i < params.ops->size(); ++i) {
    const std::optional<Op>& op = (*params.ops)[i];
    if (!op.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat("op ", i, ": nil op"));
    }
    KEKKAI_RETURN_IF_ERROR(Annotate(
        ValidateOp(*op), absl::StrCat("op ", i, " (", GetOpInfo(*op).json_name,
                                      ")")));
  }
  for (size_t i = 0; i < params.seccomp_rules.size(); ++i) {
    KEKKAI_RETURN_IF_ERROR(ValidateRule(i, params.seccomp_rules[i]));
  }
  return absl::OkStatus();
}

absl::Status ValidateInitParams(const InitParams& init_params) {
  KEKKAI_RETURN_IF_ERROR(ValidateParams(init_params.params));
  const Params& params = init_params.params;
  if (params.uid < 0) {
    return FieldError("uid", absl::StrFormat("%d is negative", params.uid));
  }
  if (params.gid < 0) {
    return FieldError("gid", absl::StrFormat("%d is negative", params.gid));
  }
  if (init_params.host_uid < 0 || init_params.host_uid > kMaxId) {
    return FieldError("host_uid", absl::StrFormat("%d is out of range",
                                                  init_params.host_uid));
  }
  if (init_params.host_gid < 0 || init_params.host_gid > kMaxId) {
    return FieldError("host_gid", absl::StrFormat("%d is out of range",
                                                  init_params.host_gid));
  }
  if (init_params.count < 0 || init_params.count > kMaxExtraFiles) {
    return FieldError("count", absl::StrFormat("%d is not within 0..%d",
                                               init_params.count,
                                               kMaxExtraFiles));
  }
  if (init_params.kekkai_report < 0) {
    return FieldError("kekkai_report", "negative");
  }
  return absl::OkStatus();
}

std::string DescribeParams(const Params& params) {
  std::vector<std::string> quoted;
  for (const std::string& arg : params.args) {
    quoted.push_back(absl::StrCat("\"", absl::CHexEscape(arg), "\""));
  }
  // %s, not %v: abseil 20220623's StrFormat has no %v and would return "".
  return absl::StrFormat("argv: [%s], filter: %s, rules: %d, flags: %#x, "
                         "presets: %#x",
                         absl::StrJoin(quoted, " "),
                         params.seccomp_disable ? "false" : "true",
                         params.seccomp_rules.size(), params.seccomp_flags,
                         static_cast<uint64_t>(params.seccomp_presets));
}

}  // namespace kekkai
