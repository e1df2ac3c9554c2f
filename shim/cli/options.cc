#include "shim/cli/options.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/types/span.h"
#include "common/absolute_path.h"
#include "common/duration.h"
#include "common/flags.h"
#include "common/json.h"
#include "common/ops_builder.h"
#include "common/status.h"
#include "common/unique_fd.h"
#include "seccomp/seccomp.h"
#include "shim/cli/default_sandbox.h"
#include "shim/cli/program_lookup.h"

extern char** environ;

namespace kekkai::cli {
namespace {

// ---------------------------------------------------------------------------
// Exit statuses carried by parse errors.

constexpr absl::string_view kExitStatusUrl = "kekkai.cli/exit-status";

absl::Status WithExitStatus(absl::Status status, int exit_status) {
  status.SetPayload(kExitStatusUrl, absl::Cord(absl::StrCat(exit_status)));
  return status;
}

// ---------------------------------------------------------------------------
// The option table: drives parsing and --help.

enum class Opt : uint8_t {
  kBind, kBindTry, kRoBind, kRoBindTry, kDevBind, kDevBindTry, kBindEnsure,
  kProc, kDev, kMqueue, kTmpfs, kSize, kPerms, kDir, kSymlink, kRemountRo,
  kRoBindData, kOverlaySrc, kOverlay, kTmpOverlay, kRoOverlay, kAutoEtc,
  kAutoRoot,
  kChdir, kSetenv, kUnsetenv, kClearenv, kArgv0, kPassFd,
  kUid, kGid, kHostname, kShareNet, kHostAbstract, kRetainSession,
  kPrivileged,
  kSeccompPreset, kSeccompFlags, kSeccompRules, kNoSeccomp, kSeccompDenyExtra,
  kForwardCancel, kAdoptWait,
  kConfig, kVerbose, kFormat, kHelp,
};

enum class Group : uint8_t {
  kFilesystem, kProcess, kIdentity, kSeccomp, kInit, kOther,
};

struct OptionSpec {
  Opt id;
  Group group;
  absl::string_view name;      // "--bind"
  absl::string_view alias;     // "-v", or ""
  absl::string_view metavars;  // "SRC DEST" (one word per argument)
  int nargs;
  absl::string_view help;
};

constexpr OptionSpec kOptions[] = {
    // Filesystem, in the order given (bubblewrap's spelling).
    {Opt::kBind, Group::kFilesystem, "--bind", "", "SRC DEST", 2,
     "bind SRC on DEST, writable"},
    {Opt::kBindTry, Group::kFilesystem, "--bind-try", "", "SRC DEST", 2,
     "like --bind; skipped if SRC is missing"},
    {Opt::kRoBind, Group::kFilesystem, "--ro-bind", "", "SRC DEST", 2,
     "bind SRC on DEST read-only (submounts too)"},
    {Opt::kRoBindTry, Group::kFilesystem, "--ro-bind-try", "", "SRC DEST", 2,
     "like --ro-bind; skipped if SRC is missing"},
    {Opt::kDevBind, Group::kFilesystem, "--dev-bind", "", "SRC DEST", 2,
     "bind SRC on DEST writable, devices usable"},
    {Opt::kDevBindTry, Group::kFilesystem, "--dev-bind-try", "", "SRC DEST", 2,
     "like --dev-bind; skipped if SRC is missing"},
    {Opt::kBindEnsure, Group::kFilesystem, "--bind-ensure", "", "SRC DEST", 2,
     "like --bind; mkdir -p SRC on the host first"},
    {Opt::kProc, Group::kFilesystem, "--proc", "", "DEST", 1,
     "new proc of the container's pid namespace"},
    {Opt::kDev, Group::kFilesystem, "--dev", "", "DEST", 1,
     "minimal /dev: null zero full random urandom tty"},
    {Opt::kMqueue, Group::kFilesystem, "--mqueue", "", "DEST", 1,
     "new mqueue; only as <an earlier --dev>/mqueue"},
    {Opt::kTmpfs, Group::kFilesystem, "--tmpfs", "", "DEST", 1,
     "new tmpfs (--size, --perms; default mode 0755)"},
    {Opt::kSize, Group::kFilesystem, "--size", "", "BYTES", 1,
     "size of the next --tmpfs"},
    {Opt::kPerms, Group::kFilesystem, "--perms", "", "OCTAL", 1,
     "mode of the next --tmpfs or --dir"},
    {Opt::kDir, Group::kFilesystem, "--dir", "", "DEST", 1,
     "create directory (--perms; default mode 0755)"},
    {Opt::kSymlink, Group::kFilesystem, "--symlink", "", "TARGET LINKNAME", 2,
     "LINKNAME -> TARGET (as ln -s TARGET LINKNAME)"},
    {Opt::kRemountRo, Group::kFilesystem, "--remount-ro", "", "DEST", 1,
     "remount DEST read-only (not recursive)"},
    {Opt::kRoBindData, Group::kFilesystem, "--ro-bind-data", "", "FD DEST", 2,
     "read-only file DEST with FD's data (to EOF)"},
    {Opt::kOverlaySrc, Group::kFilesystem, "--overlay-src", "", "SRC", 1,
     "lower layer of the next overlay (first: bottom)"},
    {Opt::kOverlay, Group::kFilesystem, "--overlay", "", "UPPER WORK DEST", 3,
     "overlay of the layers; writes go to UPPER"},
    {Opt::kTmpOverlay, Group::kFilesystem, "--tmp-overlay", "", "DEST", 1,
     "overlay of the layers; writes go to a tmpfs"},
    {Opt::kRoOverlay, Group::kFilesystem, "--ro-overlay", "", "DEST", 1,
     "read-only overlay of at least two layers"},
    {Opt::kAutoEtc, Group::kFilesystem, "--auto-etc", "", "HOSTDIR", 1,
     "/etc as symlinks into HOSTDIR (hakurei's Etc)"},
    {Opt::kAutoRoot, Group::kFilesystem, "--auto-root", "", "HOSTDIR", 1,
     "bind HOSTDIR/* but proc dev tmp mnt etc"},
    // Process.
    {Opt::kChdir, Group::kProcess, "--chdir", "", "DIR", 1,
     "working directory (default /)"},
    {Opt::kSetenv, Group::kProcess, "--setenv", "", "VAR VALUE", 2,
     "set VAR=VALUE"},
    {Opt::kUnsetenv, Group::kProcess, "--unsetenv", "", "VAR", 1,
     "remove VAR"},
    {Opt::kClearenv, Group::kProcess, "--clearenv", "", "", 0,
     "empty environment (default: the caller's)"},
    {Opt::kArgv0, Group::kProcess, "--argv0", "", "NAME", 1,
     "argv[0] of PROGRAM"},
    {Opt::kPassFd, Group::kProcess, "--pass-fd", "", "FD", 1,
     "pass FD to PROGRAM as 3, 4, ... (repeatable)"},
    // Identity and namespaces.
    {Opt::kUid, Group::kIdentity, "--uid", "", "UID", 1,
     "uid inside (default and 0: the overflow uid)"},
    {Opt::kGid, Group::kIdentity, "--gid", "", "GID", 1,
     "gid inside (default and 0: the overflow gid)"},
    {Opt::kHostname, Group::kIdentity, "--hostname", "", "NAME", 1,
     "hostname inside"},
    {Opt::kShareNet, Group::kIdentity, "--share-net", "", "", 0,
     "use the host's network (default: loopback only)"},
    {Opt::kHostAbstract, Group::kIdentity, "--host-abstract", "", "", 0,
     "allow abstract unix sockets of the host"},
    {Opt::kRetainSession, Group::kIdentity, "--retain-session", "", "", 0,
     "keep the session (no setsid, no deny-tty)"},
    {Opt::kPrivileged, Group::kIdentity, "--privileged", "", "", 0,
     "keep CAP_SYS_ADMIN in the user namespace"},
    // Seccomp.
    {Opt::kSeccompPreset, Group::kSeccomp, "--seccomp-preset", "", "NAMES", 1,
     "ext,deny-ns,deny-tty,deny-devel,linux32,strict"},
    {Opt::kSeccompFlags, Group::kSeccomp, "--seccomp-flags", "", "NAMES", 1,
     "multiarch,can,bluetooth"},
    {Opt::kSeccompRules, Group::kSeccomp, "--seccomp-rules", "", "FILE.json",
     1,
     "JSON rules that replace the presets"},
    {Opt::kNoSeccomp, Group::kSeccomp, "--no-seccomp", "", "", 0,
     "no syscall filter at all"},
    {Opt::kSeccompDenyExtra, Group::kSeccomp, "--seccomp-deny-extra", "",
     "NAMES", 1, "also refuse io_uring,userfaultfd (ENOSYS)"},
    // Init.
    {Opt::kForwardCancel, Group::kInit, "--forward-cancel", "", "", 0,
     "on cancel, SIGINT PROGRAM instead of stopping"},
    {Opt::kAdoptWait, Group::kInit, "--adopt-wait", "", "DURATION", 1,
     "wait for leftover processes (default 5s)"},
    // Other.
    {Opt::kConfig, Group::kOther, "--config", "", "FILE.json", 1,
     "whole Params as JSON; later options add to it"},
    {Opt::kVerbose, Group::kOther, "--verbose", "-v", "", 0,
     "verbose messages from kekkai and kekkai-init"},
    {Opt::kFormat, Group::kOther, "--format", "", "json|gob", 1,
     "output format (default json)"},
    {Opt::kHelp, Group::kOther, "--help", "-h", "", 0,
     "print this help"},
};

bool AppliesTo(const OptionSpec& option, Command command) {
  return option.id != Opt::kFormat || command == Command::kParams;
}

const OptionSpec* FindOption(absl::string_view arg, Command command) {
  for (const OptionSpec& option : kOptions) {
    if ((arg == option.name || (!option.alias.empty() && arg == option.alias)) &&
        AppliesTo(option, command)) {
      return &option;
    }
  }
  return nullptr;
}

// Options that add an op (they consume a pending --size/--perms/--overlay-src
// or must not meet one): every filesystem option but those three.
bool AddsOp(const OptionSpec& option) {
  return option.group == Group::kFilesystem && option.id != Opt::kSize &&
         option.id != Opt::kPerms && option.id != Opt::kOverlaySrc;
}

// Options that may come before --config (they do not touch the Params).
bool LeavesParamsAlone(Opt id) {
  return id == Opt::kVerbose || id == Opt::kFormat || id == Opt::kHelp;
}

absl::Status Usage(absl::string_view option, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(option, ": ", problem));
}

// ---------------------------------------------------------------------------
// Argument conversions.

absl::StatusOr<int64_t> ParseInt(absl::string_view option,
                                 absl::string_view what,
                                 absl::string_view text, int64_t min,
                                 int64_t max) {
  // SimpleAtoi alone would accept surrounding whitespace.
  absl::string_view digits = text;
  if (!digits.empty() && (digits.front() == '-' || digits.front() == '+')) {
    digits.remove_prefix(1);
  }
  int64_t value = 0;
  if (digits.empty() ||
      digits.find_first_not_of("0123456789") != absl::string_view::npos ||
      !absl::SimpleAtoi(text, &value)) {
    return Usage(option, absl::StrFormat("%s \"%s\" is not a number", what,
                                         absl::CEscape(text)));
  }
  if (value < min || value > max) {
    return Usage(option, absl::StrFormat("%s %d is not in [%d, %d]", what,
                                         value, min, max));
  }
  return value;
}

absl::StatusOr<uint32_t> ParseOctal(absl::string_view option,
                                    absl::string_view text) {
  if (text.empty() || text.size() > 6 ||
      text.find_first_not_of("01234567") != absl::string_view::npos) {
    return Usage(option, absl::StrFormat("OCTAL \"%s\" is not an octal mode",
                                         absl::CEscape(text)));
  }
  uint32_t value = 0;
  for (char c : text) value = value * 8 + static_cast<uint32_t>(c - '0');
  if ((value & ~07777u) != 0) {
    return Usage(option,
                 absl::StrFormat("mode %#o has bits outside 07777", value));
  }
  return value;
}

absl::StatusOr<int> ParseFd(absl::string_view option, absl::string_view text) {
  KEKKAI_ASSIGN_OR_RETURN(int64_t fd, ParseInt(option, "FD", text, 0, INT_MAX));
  return static_cast<int>(fd);
}

// A path inside the container: must be absolute.
absl::StatusOr<std::string> ContainerPath(absl::string_view option,
                                          absl::string_view metavar,
                                          absl::string_view text) {
  if (text.empty()) return Usage(option, absl::StrCat(metavar, " is empty"));
  if (text.front() != '/') {
    return Usage(option, absl::StrFormat("%s \"%s\" is not absolute", metavar,
                                         absl::CEscape(text)));
  }
  return std::string(text);
}

// ---------------------------------------------------------------------------
// The parser.

class Parser {
 public:
  Parser(Command command, HostView& host) : command_(command), host_(host) {}

  absl::StatusOr<RunSpec> Parse(const std::vector<std::string>& args);

 private:
  absl::Status Handle(const OptionSpec& option,
                      absl::Span<const std::string> values);
  absl::Status HandleFilesystem(const OptionSpec& option,
                                absl::Span<const std::string> values);
  absl::Status CheckPending(const OptionSpec& option) const;
  absl::Status CheckNothingPending() const;
  absl::Status LoadConfig(absl::string_view option, const std::string& path);
  absl::Status Finish(absl::Span<const std::string> program_and_args);

  // A host path (a source): relative ones are made absolute against the
  // caller's cwd.
  absl::StatusOr<std::string> HostPath(absl::string_view option,
                                       absl::string_view metavar,
                                       absl::string_view text);
  // HostPath, and it must exist now (the early check of a source).
  absl::StatusOr<std::string> ExistingHostPath(absl::string_view option,
                                               absl::string_view metavar,
                                               absl::string_view text);
  // Appends the ops of `builder`, or fails naming `option`.
  absl::Status Append(absl::string_view option, OpsBuilder& builder);

  void SetEnv(absl::string_view name, absl::string_view value);
  void UnsetEnv(absl::string_view name);
  std::optional<std::string> GetEnv(absl::string_view name) const;

  absl::StatusOr<AbsolutePath> ResolveProgram(const std::string& program);

  Command command_;
  HostView& host_;
  RunSpec spec_;

  bool config_loaded_ = false;
  bool params_touched_ = false;  // an option that changes Params was seen
  bool filesystem_option_ = false;
  std::vector<std::string> env_;
  OpList ops_;

  std::optional<int64_t> pending_size_;
  std::optional<uint32_t> pending_perms_;
  std::vector<std::string> overlay_sources_;  // bwrap order: first = bottom

  std::optional<std::string> argv0_;
  bool presets_given_ = false;
  int64_t presets_ = 0;
  bool flags_given_ = false;
  uint32_t flags_ = 0;
  uint32_t deny_extra_ = 0;  // seccomp::kDenyIoUring, ...
};

absl::StatusOr<RunSpec> Parser::Parse(const std::vector<std::string>& args) {
  env_ = host_.Environment();
  size_t i = 0;
  while (i < args.size()) {
    const std::string& arg = args[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') break;  // PROGRAM
    const OptionSpec* option = FindOption(arg, command_);
    if (option == nullptr) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "unknown option \"%s\"", absl::CEscape(arg)));
    }
    if (args.size() - i - 1 < static_cast<size_t>(option->nargs)) {
      return Usage(option->name,
                   option->nargs == 1
                       ? absl::StrCat("needs an argument (", option->metavars,
                                      ")")
                       : absl::StrCat("needs ", option->nargs,
                                      " arguments (", option->metavars, ")"));
    }
    absl::Span<const std::string> values(args.data() + i + 1,
                                         static_cast<size_t>(option->nargs));
    KEKKAI_RETURN_IF_ERROR(Handle(*option, values));
    if (spec_.settings.help) return std::move(spec_);
    i += 1 + static_cast<size_t>(option->nargs);
  }
  KEKKAI_RETURN_IF_ERROR(Finish(
      absl::Span<const std::string>(args.data() + i, args.size() - i)));
  return std::move(spec_);
}

absl::Status Parser::CheckPending(const OptionSpec& option) const {
  if (!AddsOp(option)) return absl::OkStatus();
  if (pending_size_.has_value() && option.id != Opt::kTmpfs) {
    return Usage("--size", absl::StrCat("must be followed by --tmpfs, not ",
                                        option.name));
  }
  if (pending_perms_.has_value() && option.id != Opt::kTmpfs &&
      option.id != Opt::kDir) {
    return Usage("--perms", absl::StrCat(
                                "must be followed by --tmpfs or --dir, not ",
                                option.name));
  }
  if (!overlay_sources_.empty() && option.id != Opt::kOverlay &&
      option.id != Opt::kTmpOverlay && option.id != Opt::kRoOverlay) {
    return Usage("--overlay-src",
                 absl::StrCat("must be followed by --overlay, --tmp-overlay or "
                              "--ro-overlay, not ",
                              option.name));
  }
  return absl::OkStatus();
}

absl::Status Parser::CheckNothingPending() const {
  if (pending_size_.has_value()) {
    return Usage("--size", "not followed by --tmpfs");
  }
  if (pending_perms_.has_value()) {
    return Usage("--perms", "not followed by --tmpfs or --dir");
  }
  if (!overlay_sources_.empty()) {
    return Usage("--overlay-src",
                 "not followed by --overlay, --tmp-overlay or --ro-overlay");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Parser::HostPath(absl::string_view option,
                                             absl::string_view metavar,
                                             absl::string_view text) {
  if (text.empty()) return Usage(option, absl::StrCat(metavar, " is empty"));
  if (text.front() == '/') return std::string(text);
  absl::StatusOr<std::string> cwd = host_.WorkingDirectory();
  if (!cwd.ok()) {
    return Annotate(cwd.status(),
                    absl::StrFormat("%s: cannot make %s \"%s\" absolute",
                                    option, metavar, absl::CEscape(text)));
  }
  return CleanPath(absl::StrCat(*cwd, "/", text));
}

absl::StatusOr<std::string> Parser::ExistingHostPath(absl::string_view option,
                                                     absl::string_view metavar,
                                                     absl::string_view text) {
  KEKKAI_ASSIGN_OR_RETURN(std::string path, HostPath(option, metavar, text));
  absl::Status exists = host_.Exists(path);
  if (!exists.ok()) {
    const std::optional<int> err = GetErrno(exists);
    return absl::Status(
        exists.code(),
        absl::StrFormat("%s: cannot use %s \"%s\": %s", option, metavar,
                        absl::CEscape(path),
                        err.has_value() ? ErrnoDescription(*err)
                                        : std::string(exists.message())));
  }
  return path;
}

absl::Status Parser::Append(absl::string_view option, OpsBuilder& builder) {
  absl::StatusOr<OpList> ops = builder.Build();
  if (!ops.ok()) return Annotate(ops.status(), option);
  for (std::optional<Op>& op : *ops) ops_.push_back(std::move(op));
  return absl::OkStatus();
}

void Parser::SetEnv(absl::string_view name, absl::string_view value) {
  const std::string prefix = absl::StrCat(name, "=");
  std::string entry = absl::StrCat(prefix, value);
  bool replaced = false;
  std::vector<std::string> out;
  out.reserve(env_.size() + 1);
  for (std::string& e : env_) {
    if (absl::StartsWith(e, prefix)) {
      if (!replaced) out.push_back(entry);
      replaced = true;
      continue;
    }
    out.push_back(std::move(e));
  }
  if (!replaced) out.push_back(std::move(entry));
  env_ = std::move(out);
}

void Parser::UnsetEnv(absl::string_view name) {
  const std::string prefix = absl::StrCat(name, "=");
  std::erase_if(env_, [&](const std::string& e) {
    return absl::StartsWith(e, prefix);
  });
}

std::optional<std::string> Parser::GetEnv(absl::string_view name) const {
  const std::string prefix = absl::StrCat(name, "=");
  for (const std::string& e : env_) {
    if (absl::StartsWith(e, prefix)) return e.substr(prefix.size());
  }
  return std::nullopt;
}

absl::Status Parser::LoadConfig(absl::string_view option,
                                const std::string& path) {
  const std::string context =
      absl::StrFormat("%s \"%s\"", option, absl::CEscape(path));
  if (config_loaded_) return Usage(option, "given twice");
  if (params_touched_) {
    return Usage(option,
                 "must come before the options that add to it (only -v and "
                 "--format may precede it)");
  }
  absl::StatusOr<std::string> text = host_.ReadFile(path, kMaxConfigBytes);
  if (!text.ok()) return Annotate(text.status(), context);
  absl::StatusOr<Params> params = ParamsFromJson(*text);
  if (!params.ok()) return Annotate(params.status(), context);
  config_loaded_ = true;
  spec_.params = *std::move(params);
  // The config is the whole Params: its environment (possibly empty) replaces
  // the caller's, and its ops come first.
  env_ = spec_.params.env;
  if (spec_.params.ops.has_value()) {
    for (std::optional<Op>& op : *spec_.params.ops) {
      ops_.push_back(std::move(op));
    }
  }
  spec_.params.ops.reset();
  presets_ = spec_.params.seccomp_presets;
  flags_ = spec_.params.seccomp_flags;
  return absl::OkStatus();
}

absl::Status Parser::Handle(const OptionSpec& option,
                            absl::Span<const std::string> values) {
  if (!LeavesParamsAlone(option.id) && option.id != Opt::kConfig) {
    params_touched_ = true;
  }
  KEKKAI_RETURN_IF_ERROR(CheckPending(option));
  Params& params = spec_.params;
  const absl::string_view name = option.name;
  if (option.group == Group::kFilesystem) {
    filesystem_option_ = true;
    return HandleFilesystem(option, values);
  }
  switch (option.id) {
    case Opt::kChdir: {
      KEKKAI_ASSIGN_OR_RETURN(std::string dir,
                              ContainerPath(name, "DIR", values[0]));
      KEKKAI_ASSIGN_OR_RETURN(params.dir, AbsolutePath::Parse(dir));
      return absl::OkStatus();
    }
    case Opt::kSetenv:
    case Opt::kUnsetenv: {
      const std::string& var = values[0];
      if (var.empty()) return Usage(name, "VAR is empty");
      if (var.find('=') != std::string::npos) {
        return Usage(name, absl::StrFormat("VAR \"%s\" contains '='",
                                           absl::CEscape(var)));
      }
      if (option.id == Opt::kSetenv) {
        SetEnv(var, values[1]);
      } else {
        UnsetEnv(var);
      }
      return absl::OkStatus();
    }
    case Opt::kClearenv:
      env_.clear();
      return absl::OkStatus();
    case Opt::kArgv0:
      argv0_ = values[0];
      return absl::OkStatus();
    case Opt::kPassFd: {
      KEKKAI_ASSIGN_OR_RETURN(int fd, ParseFd(name, values[0]));
      absl::Status open = host_.CheckFd(fd);
      if (!open.ok()) {
        return Usage(name, absl::StrFormat("fd %d is not open", fd));
      }
      if (spec_.launch.extra_files.size() >=
          static_cast<size_t>(kMaxExtraFiles)) {
        return Usage(name, absl::StrFormat("more than %d fds", kMaxExtraFiles));
      }
      spec_.launch.extra_files.push_back(fd);
      return absl::OkStatus();
    }
    case Opt::kUid:
    case Opt::kGid: {
      // 4294967295 is (uid_t)-1, which no uid_map line can hold.
      KEKKAI_ASSIGN_OR_RETURN(
          int64_t id,
          ParseInt(name, option.id == Opt::kUid ? "UID" : "GID", values[0], 0,
                   4294967294));
      (option.id == Opt::kUid ? params.uid : params.gid) = id;
      return absl::OkStatus();
    }
    case Opt::kHostname:
      if (values[0].size() > 64) {
        return Usage(name, absl::StrFormat("NAME is %d bytes, longer than 64",
                                           values[0].size()));
      }
      params.hostname = values[0];
      return absl::OkStatus();
    case Opt::kShareNet:
      params.host_net = true;
      return absl::OkStatus();
    case Opt::kHostAbstract:
      params.host_abstract = true;
      return absl::OkStatus();
    case Opt::kRetainSession:
      params.retain_session = true;
      return absl::OkStatus();
    case Opt::kPrivileged:
      params.privileged = true;
      return absl::OkStatus();
    case Opt::kSeccompPreset: {
      absl::StatusOr<uint64_t> presets =
          FlagsFromList(PresetNames(), values[0], "preset");
      if (!presets.ok()) return Annotate(presets.status(), name);
      // The first --seccomp-preset replaces the default (or --config's);
      // more add to it.
      if (!presets_given_) presets_ = 0;
      presets_given_ = true;
      presets_ |= static_cast<int64_t>(*presets);
      return absl::OkStatus();
    }
    case Opt::kSeccompFlags: {
      absl::StatusOr<uint64_t> flags =
          FlagsFromList(ExportFlagNames(), values[0], "flag");
      if (!flags.ok()) return Annotate(flags.status(), name);
      if (*flags > UINT32_MAX) {
        return Usage(name, absl::StrFormat("flags %#x do not fit 32 bits",
                                           *flags));
      }
      if (!flags_given_) flags_ = 0;
      flags_given_ = true;
      flags_ |= static_cast<uint32_t>(*flags);
      return absl::OkStatus();
    }
    case Opt::kSeccompRules: {
      const std::string context =
          absl::StrFormat("%s \"%s\"", name, absl::CEscape(values[0]));
      absl::StatusOr<std::string> text =
          host_.ReadFile(values[0], kMaxConfigBytes);
      if (!text.ok()) return Annotate(text.status(), context);
      absl::StatusOr<std::vector<NativeRule>> rules = RulesFromJson(*text);
      if (!rules.ok()) return Annotate(rules.status(), context);
      for (NativeRule& rule : *rules) {
        params.seccomp_rules.push_back(std::move(rule));
      }
      return absl::OkStatus();
    }
    case Opt::kNoSeccomp:
      params.seccomp_disable = true;
      return absl::OkStatus();
    case Opt::kSeccompDenyExtra: {
      absl::StatusOr<uint32_t> extra = seccomp::ParseExtraDenials(values[0]);
      if (!extra.ok()) return Annotate(extra.status(), name);
      deny_extra_ |= *extra;
      return absl::OkStatus();
    }
    case Opt::kForwardCancel:
      params.forward_cancel = true;
      return absl::OkStatus();
    case Opt::kAdoptWait: {
      absl::StatusOr<int64_t> delay = ParseDuration(values[0]);
      if (!delay.ok()) return Annotate(delay.status(), name);
      params.adopt_wait_delay = *delay;
      return absl::OkStatus();
    }
    case Opt::kConfig:
      return LoadConfig(name, values[0]);
    case Opt::kVerbose:
      spec_.settings.verbose = true;
      spec_.launch.verbose = true;
      return absl::OkStatus();
    case Opt::kFormat:
      if (values[0] == "json") {
        spec_.settings.format = OutputFormat::kJson;
      } else if (values[0] == "gob") {
        spec_.settings.format = OutputFormat::kGob;
      } else {
        return Usage(name, absl::StrFormat("unknown format \"%s\" (json, gob)",
                                           absl::CEscape(values[0])));
      }
      return absl::OkStatus();
    case Opt::kHelp:
      spec_.settings.help = true;
      return absl::OkStatus();
    case Opt::kBind: case Opt::kBindTry: case Opt::kRoBind:
    case Opt::kRoBindTry: case Opt::kDevBind: case Opt::kDevBindTry:
    case Opt::kBindEnsure: case Opt::kProc: case Opt::kDev: case Opt::kMqueue:
    case Opt::kTmpfs: case Opt::kSize: case Opt::kPerms: case Opt::kDir:
    case Opt::kSymlink: case Opt::kRemountRo: case Opt::kRoBindData:
    case Opt::kOverlaySrc: case Opt::kOverlay: case Opt::kTmpOverlay:
    case Opt::kRoOverlay: case Opt::kAutoEtc: case Opt::kAutoRoot:
      break;  // HandleFilesystem
  }
  return absl::InternalError(
      absl::StrCat(name, ": not handled (a bug in kekkai)"));
}

absl::Status Parser::HandleFilesystem(const OptionSpec& option,
                                      absl::Span<const std::string> values) {
  const absl::string_view name = option.name;
  OpsBuilder builder;
  switch (option.id) {
    case Opt::kBind:
    case Opt::kBindTry:
    case Opt::kRoBind:
    case Opt::kRoBindTry:
    case Opt::kDevBind:
    case Opt::kDevBindTry:
    case Opt::kBindEnsure: {
      // bwrap's meanings: --bind writable, --ro-bind read-only, --dev-bind
      // writable with devices; -try makes a missing source a no-op.
      const Opt id = option.id;
      const bool optional = id == Opt::kBindTry || id == Opt::kRoBindTry ||
                            id == Opt::kDevBindTry;
      int64_t flags = kBindWritable;
      if (id == Opt::kRoBind || id == Opt::kRoBindTry) flags = 0;
      if (id == Opt::kDevBind || id == Opt::kDevBindTry) flags |= kBindDevice;
      if (id == Opt::kBindEnsure) flags |= kBindEnsure;
      if (optional) flags |= kBindOptional;
      std::string source;
      if (optional || option.id == Opt::kBindEnsure) {
        KEKKAI_ASSIGN_OR_RETURN(source, HostPath(name, "SRC", values[0]));
      } else {
        KEKKAI_ASSIGN_OR_RETURN(source,
                                ExistingHostPath(name, "SRC", values[0]));
      }
      KEKKAI_ASSIGN_OR_RETURN(std::string dest,
                              ContainerPath(name, "DEST", values[1]));
      builder.Bind(source, dest, flags);
      break;
    }
    case Opt::kProc: {
      KEKKAI_ASSIGN_OR_RETURN(std::string dest,
                              ContainerPath(name, "DEST", values[0]));
      builder.Proc(dest);
      break;
    }
    case Opt::kDev: {
      KEKKAI_ASSIGN_OR_RETURN(std::string dest,
                              ContainerPath(name, "DEST", values[0]));
      builder.Dev(dest);
      break;
    }
    case Opt::kMqueue: {
      KEKKAI_ASSIGN_OR_RETURN(std::string dest,
                              ContainerPath(name, "DEST", values[0]));
      // hakurei has no standalone mqueue op: a new mqueue is part of the dev
      // op, at <dev>/mqueue.
      const std::string wanted = CleanPath(dest);
      for (auto it = ops_.rbegin(); it != ops_.rend(); ++it) {
        if (!it->has_value()) continue;
        MountDevOp* dev = std::get_if<MountDevOp>(&**it);
        if (dev == nullptr || !dev->target.has_value()) continue;
        if (dev->target->Append("mqueue").str() == wanted) {
          dev->mqueue = true;
          return absl::OkStatus();
        }
      }
      return Usage(name, absl::StrFormat(
                             "DEST \"%s\" is not <dev>/mqueue of an earlier "
                             "--dev (kekkai mounts mqueue only inside a "
                             "--dev, e.g. --dev /dev --mqueue /dev/mqueue)",
                             absl::CEscape(dest)));
    }
    case Opt::kTmpfs: {
      KEKKAI_ASSIGN_OR_RETURN(std::string dest,
                              ContainerPath(name, "DEST", values[0]));
      builder.Tmpfs(dest, pending_size_.value_or(0),
                    pending_perms_.value_or(0755));
      pending_size_.reset();
      pending_perms_.reset();
      break;
    }
    case Opt::kSize: {
      // tmpfs sizes above MaxInt64>>1 are refused by init (hakurei's
      // TmpfsSizeError); refuse them here already.
      KEKKAI_ASSIGN_OR_RETURN(
          int64_t size,
          ParseInt(name, "BYTES", values[0], 0, INT64_MAX >> 1));
      pending_size_ = size;
      return absl::OkStatus();
    }
    case Opt::kPerms: {
      KEKKAI_ASSIGN_OR_RETURN(uint32_t perms, ParseOctal(name, values[0]));
      pending_perms_ = perms;
      return absl::OkStatus();
    }
    case Opt::kDir: {
      KEKKAI_ASSIGN_OR_RETURN(std::string dest,
                              ContainerPath(name, "DEST", values[0]));
      builder.Mkdir(dest, pending_perms_.value_or(0755));
      pending_perms_.reset();
      break;
    }
    case Opt::kSymlink: {
      // bwrap and ln -s order: --symlink TARGET LINKNAME creates LINKNAME
      // whose content is TARGET. hakurei's SymlinkOp names them the other
      // way round: Target is the link created, LinkName its content.
      const std::string& content = values[0];
      if (content.empty()) return Usage(name, "TARGET is empty");
      KEKKAI_ASSIGN_OR_RETURN(std::string link,
                              ContainerPath(name, "LINKNAME", values[1]));
      builder.Link(link, content);
      break;
    }
    case Opt::kRemountRo: {
      KEKKAI_ASSIGN_OR_RETURN(std::string dest,
                              ContainerPath(name, "DEST", values[0]));
      builder.Remount(dest, MS_RDONLY);
      break;
    }
    case Opt::kRoBindData: {
      KEKKAI_ASSIGN_OR_RETURN(int fd, ParseFd(name, values[0]));
      KEKKAI_ASSIGN_OR_RETURN(std::string dest,
                              ContainerPath(name, "DEST", values[1]));
      absl::StatusOr<std::string> data = host_.ReadFd(fd, kMaxDataBytes);
      if (!data.ok()) {
        return Annotate(data.status(),
                        absl::StrFormat("%s: cannot read fd %d", name, fd));
      }
      builder.Place(dest, *std::move(data));
      break;
    }
    case Opt::kOverlaySrc: {
      KEKKAI_ASSIGN_OR_RETURN(std::string source,
                              ExistingHostPath(name, "SRC", values[0]));
      overlay_sources_.push_back(std::move(source));
      return absl::OkStatus();
    }
    case Opt::kOverlay:
    case Opt::kTmpOverlay:
    case Opt::kRoOverlay: {
      // bwrap's first --overlay-src is the bottom layer; hakurei's Lower[0]
      // is the top (the kernel's lowerdir order).
      std::vector<std::string> lowers(overlay_sources_.rbegin(),
                                      overlay_sources_.rend());
      overlay_sources_.clear();
      const std::string& dest_text = values.back();
      KEKKAI_ASSIGN_OR_RETURN(std::string dest,
                              ContainerPath(name, "DEST", dest_text));
      if (option.id == Opt::kOverlay) {
        if (lowers.empty()) {
          return Usage(name, "needs at least one --overlay-src before it");
        }
        KEKKAI_ASSIGN_OR_RETURN(std::string upper,
                                ExistingHostPath(name, "UPPER", values[0]));
        KEKKAI_ASSIGN_OR_RETURN(std::string work,
                                ExistingHostPath(name, "WORK", values[1]));
        builder.Overlay(dest, upper, work, lowers);
      } else if (option.id == Opt::kTmpOverlay) {
        if (lowers.empty()) {
          return Usage(name, "needs at least one --overlay-src before it");
        }
        builder.OverlayEphemeral(dest, lowers);
      } else {
        if (lowers.size() < 2) {
          return Usage(name, "needs at least two --overlay-src before it");
        }
        builder.OverlayReadonly(dest, lowers);
      }
      break;
    }
    case Opt::kAutoEtc: {
      KEKKAI_ASSIGN_OR_RETURN(std::string host,
                              ExistingHostPath(name, "HOSTDIR", values[0]));
      builder.Etc(host, "host");
      break;
    }
    case Opt::kAutoRoot: {
      KEKKAI_ASSIGN_OR_RETURN(std::string host,
                              ExistingHostPath(name, "HOSTDIR", values[0]));
      builder.Root(host, 0);
      break;
    }
    case Opt::kChdir: case Opt::kSetenv: case Opt::kUnsetenv:
    case Opt::kClearenv: case Opt::kArgv0: case Opt::kPassFd: case Opt::kUid:
    case Opt::kGid: case Opt::kHostname: case Opt::kShareNet:
    case Opt::kHostAbstract: case Opt::kRetainSession: case Opt::kPrivileged:
    case Opt::kSeccompPreset: case Opt::kSeccompFlags:
    case Opt::kSeccompRules: case Opt::kNoSeccomp: case Opt::kForwardCancel:
    case Opt::kSeccompDenyExtra:
    case Opt::kAdoptWait: case Opt::kConfig: case Opt::kVerbose:
    case Opt::kFormat: case Opt::kHelp:
      return absl::InternalError(
          absl::StrCat(name, ": not a filesystem option (a bug in kekkai)"));
  }
  return Append(name, builder);
}

absl::StatusOr<AbsolutePath> Parser::ResolveProgram(
    const std::string& program) {
  if (program.empty()) return absl::InvalidArgumentError("PROGRAM is empty");
  if (program.front() == '/') return AbsolutePath::Parse(program);
  if (program.find('/') != std::string::npos) {
    // Relative to the payload's working directory, as execve would take it.
    const AbsolutePath dir = spec_.params.dir.has_value()
                                 ? *spec_.params.dir
                                 : AbsolutePath::Literal("/");
    return dir.Append(program);
  }
  // execvp's search, on the host but through the container's ops, so a PATH
  // entry the container does not show is skipped.
  const std::string path = GetEnv("PATH").value_or(kDefaultPath);
  absl::StatusOr<AbsolutePath> found =
      FindInPath(*spec_.params.ops, path, program, host_);
  if (found.ok()) return found;
  return WithExitStatus(found.status(),
                        absl::IsPermissionDenied(found.status()) ? 126 : 127);
}

absl::Status Parser::Finish(absl::Span<const std::string> program_and_args) {
  KEKKAI_RETURN_IF_ERROR(CheckNothingPending());
  Params& params = spec_.params;
  params.env = env_;

  if (!filesystem_option_ && ops_.empty()) {
    KEKKAI_ASSIGN_OR_RETURN(ops_, DefaultSandboxOps(host_));
  }
  params.ops = std::move(ops_);

  if (!program_and_args.empty()) {
    KEKKAI_ASSIGN_OR_RETURN(params.path, ResolveProgram(program_and_args[0]));
    params.args.assign(program_and_args.begin(), program_and_args.end());
    if (argv0_.has_value()) params.args[0] = *argv0_;
  } else if (config_loaded_ && params.path.has_value()) {
    // The config's program. An empty argv would reach the program as
    // argc == 0, which many programs do not expect: argv[0] defaults to Path.
    if (params.args.empty()) params.args.push_back(params.path->str());
    if (argv0_.has_value()) params.args[0] = *argv0_;
  } else {
    return absl::InvalidArgumentError(
        "missing PROGRAM (kekkai run [OPTIONS] [--] PROGRAM [ARGS...])");
  }

  if (!presets_given_ && !config_loaded_) presets_ = kPresetStrict;
  params.seccomp_presets = presets_;
  params.seccomp_flags = flags_;
  // After the presets are final: they become explicit rules plus the extra
  // denials (no new wire field, so hakurei's init enforces them too).
  seccomp::DenyExtra(params, deny_extra_);

  return Annotate(ValidateParams(params), "invalid parameters");
}

// ---------------------------------------------------------------------------
// The real host.

class SystemHost final : public HostView {
 public:
  std::vector<std::string> Environment() override {
    std::vector<std::string> env;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
      env.emplace_back(*e);
    }
    return env;
  }

  absl::StatusOr<std::string> WorkingDirectory() override {
    char buf[PATH_MAX];
    if (getcwd(buf, sizeof(buf)) == nullptr) {
      return ErrnoStatus(errno, "getcwd()");
    }
    return std::string(buf);
  }

  absl::StatusOr<std::string> ReadFile(const std::string& path,
                                       size_t limit) override {
    UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (!fd.valid()) {
      return ErrnoStatus(errno, absl::StrFormat("open(\"%s\", O_RDONLY)",
                                                absl::CEscape(path)));
    }
    return ReadAll(fd.get(), limit, absl::StrFormat("\"%s\"", path));
  }

  absl::StatusOr<std::string> ReadFd(int fd, size_t limit) override {
    return ReadAll(fd, limit, absl::StrFormat("fd %d", fd));
  }

  absl::Status CheckFd(int fd) override {
    if (fcntl(fd, F_GETFD) < 0) {
      return ErrnoStatus(errno, absl::StrFormat("fcntl(%d, F_GETFD)", fd));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<Entry> Lstat(const std::string& path) override {
    struct stat st;
    if (lstat(path.c_str(), &st) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) return Entry{};
      return ErrnoStatus(errno, absl::StrFormat("lstat(\"%s\")", path));
    }
    Entry entry;
    if (S_ISDIR(st.st_mode)) {
      entry.type = EntryType::kDirectory;
    } else if (S_ISLNK(st.st_mode)) {
      entry.type = EntryType::kSymlink;
      char buf[PATH_MAX];
      const ssize_t n = readlink(path.c_str(), buf, sizeof(buf));
      if (n < 0) {
        return ErrnoStatus(errno, absl::StrFormat("readlink(\"%s\")", path));
      }
      if (static_cast<size_t>(n) >= sizeof(buf)) {
        return ErrnoStatus(ENAMETOOLONG,
                           absl::StrFormat("readlink(\"%s\")", path));
      }
      entry.link_target.assign(buf, static_cast<size_t>(n));
    } else {
      entry.type = EntryType::kOther;
    }
    return entry;
  }

  absl::Status Exists(const std::string& path) override {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) {
      return ErrnoStatus(errno, absl::StrFormat("stat(\"%s\")", path));
    }
    return absl::OkStatus();
  }

  absl::Status CheckExecutable(const std::string& path) override {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) {
      return ErrnoStatus(errno, absl::StrFormat("stat(\"%s\")", path));
    }
    if (!S_ISREG(st.st_mode)) {
      return ErrnoStatus(EACCES, absl::StrFormat("\"%s\" is not a file", path));
    }
    if (access(path.c_str(), X_OK) != 0) {
      return ErrnoStatus(errno, absl::StrFormat("access(\"%s\", X_OK)", path));
    }
    return absl::OkStatus();
  }

 private:
  static absl::StatusOr<std::string> ReadAll(int fd, size_t limit,
                                             const std::string& what) {
    std::string data;
    char buf[65536];
    for (;;) {
      const ssize_t n = read(fd, buf, sizeof(buf));
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus(errno, absl::StrFormat("read(%s)", what));
      }
      if (n == 0) break;
      if (data.size() + static_cast<size_t>(n) > limit) {
        return absl::ResourceExhaustedError(absl::StrFormat(
            "%s: more than %d bytes", what, limit));
      }
      data.append(buf, static_cast<size_t>(n));
    }
    return data;
  }
};

}  // namespace

HostView& SystemHostView() {
  static SystemHost* host = new SystemHost();
  return *host;
}

absl::StatusOr<RunSpec> ParseRunArgs(Command command,
                                     const std::vector<std::string>& args,
                                     HostView& host) {
  Parser parser(command, host);
  return parser.Parse(args);
}

int ExitStatusOf(const absl::Status& status) {
  const absl::optional<absl::Cord> payload = status.GetPayload(kExitStatusUrl);
  int exit_status = 0;
  if (payload.has_value() &&
      absl::SimpleAtoi(std::string(*payload), &exit_status)) {
    return exit_status;
  }
  return 125;
}

InitParams MakeInitParams(const RunSpec& spec, int64_t overflow_uid,
                          int64_t overflow_gid, int64_t host_uid,
                          int64_t host_gid) {
  InitParams init;
  init.params = spec.params;
  ApplyLauncherDefaults(init.params, overflow_uid, overflow_gid);
  init.host_uid = host_uid;
  init.host_gid = host_gid;
  init.count = static_cast<int64_t>(spec.launch.extra_files.size());
  init.verbose = spec.launch.verbose;
  init.kekkai_report = kSetupReportVersion;
  return init;
}

absl::StatusOr<std::pair<int64_t, int64_t>> ReadOverflowIds() {
  int64_t ids[2] = {0, 0};
  const char* files[2] = {"/proc/sys/kernel/overflowuid",
                          "/proc/sys/kernel/overflowgid"};
  for (int i = 0; i < 2; ++i) {
    KEKKAI_ASSIGN_OR_RETURN(std::string text,
                            SystemHostView().ReadFile(files[i], 64));
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &ids[i])) {
      return absl::DataLossError(
          absl::StrFormat("%s: \"%s\" is not a number", files[i],
                          absl::CEscape(text)));
    }
  }
  return std::make_pair(ids[0], ids[1]);
}

std::string RunUsage(Command command) {
  std::string out;
  if (command == Command::kRun) {
    out =
        "usage: kekkai run [OPTIONS] [--] PROGRAM [ARGS...]\n"
        "\n"
        "Run PROGRAM in a new unprivileged container. Without filesystem "
        "options it gets\n"
        "the default sandbox: read-only /usr, /bin, /sbin, /lib*, /etc; new "
        "/proc, /dev,\n"
        "/tmp; only loopback; the strict seccomp preset (docs/cli.md).\n"
        "Exit status: PROGRAM's, or 128+N if it died of signal N; 125 if "
        "kekkai or the\n"
        "set-up failed; 126 if PROGRAM cannot be run; 127 if it does not "
        "exist.\n";
  } else {
    out =
        "usage: kekkai params [OPTIONS] [--format json|gob] [--] PROGRAM "
        "[ARGS...]\n"
        "\n"
        "Print the setup parameters (initParams) that `kekkai run` with the "
        "same options\nwould send to kekkai-init: JSON, or the exact gob "
        "bytes.\n";
  }
  constexpr struct {
    Group group;
    absl::string_view title;
  } kGroups[] = {
      {Group::kFilesystem, "filesystem (applied in the order given)"},
      {Group::kProcess, "process"},
      {Group::kIdentity, "identity and namespaces"},
      {Group::kSeccomp, "seccomp"},
      {Group::kInit, "init"},
      {Group::kOther, "other"},
  };
  for (const auto& group : kGroups) {
    absl::StrAppend(&out, "\n", group.title, ":\n");
    for (const OptionSpec& option : kOptions) {
      if (option.group != group.group || !AppliesTo(option, command)) continue;
      std::string left =
          option.alias.empty()
              ? absl::StrCat("  ", option.name)
              : absl::StrCat("  ", option.alias, ", ", option.name);
      if (!option.metavars.empty()) absl::StrAppend(&left, " ", option.metavars);
      absl::StrAppend(&out, absl::StrFormat("%-28s %s\n", left, option.help));
    }
  }
  return out;
}

}  // namespace kekkai::cli
