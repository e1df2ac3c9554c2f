#include "init/init.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/prctl.h>

#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/gob/gob.h"
#include "common/log.h"
#include "common/ops.h"
#include "common/params.h"
#include "common/setup_report.h"
#include "common/status.h"
#include "common/unique_fd.h"
#include "init/failure.h"
#include "init/ops/op.h"
#include "init/privileges.h"
#include "init/supervise.h"
#include "seccomp/seccomp.h"

namespace kekkai::init {
namespace {

/* The intermediate root is a tmpfs mounted on /proc/self/fd, as hakurei
   does: that path always exists and is a directory (nothing works without
   a proper /proc), it belongs to init and only init (and root) may look at
   it, since init is not dumpable; and after the first pivot_root the tmpfs
   is reachable only as our root, and after the second not at all. */
constexpr char kIntermediateRoot[] = "/proc/self/fd";

// prctl(PR_SET_DUMPABLE) values (linux/sched/coredump.h, not in glibc).
constexpr int kSuidDumpDisable = 0;
constexpr int kSuidDumpUser = 1;

// Where a launcher's failure line goes, and the report channel.
class Output {
 public:
  explicit Output(sys::Sys& sys) : sys_(sys) {}

  void EnableReports(int fd) { report_fd_ = fd; }
  bool reporting() const { return report_fd_ >= 0; }

  void Report(const SetupReport& report) {
    if (report_fd_ < 0) return;
    if (absl::Status s = sys_.WriteAll(report_fd_, EncodeSetupReport(report));
        !s.ok()) {
      KEKKAI_LOG(kDebug, "cannot write setup report: %s", s.message());
    }
  }

  // Prints the failure line (and its detail at debug level), reports it,
  // and returns init's exit status for it.
  int Fail(const absl::Status& status, SetupReportKind kind,
           const std::optional<OpList>* ops = nullptr) {
    Failure failure = DescribeFailure(status);
    if (failure.op_index >= 0 && ops != nullptr && ops->has_value() &&
        static_cast<size_t>(failure.op_index) < (*ops)->size() &&
        (**ops)[failure.op_index].has_value()) {
      failure.op_type = std::string(
          GetOpInfo(*(**ops)[failure.op_index]).json_name);
    }
    const std::string line = failure.Line();
    KEKKAI_LOG(kError, "%s", line);
    if (failure.detail != failure.reason) {
      KEKKAI_LOG(kDebug, "%s", failure.detail);
    }
    SetupReport report;
    report.kind = kind;
    report.op_index = failure.op_index;
    report.err = failure.err;
    report.step = failure.step;
    report.message = line;
    Report(report);
    return 1;
  }

 private:
  sys::Sys& sys_;
  int report_fd_ = -1;
};

// What Receive() hands on: the decoded parameters and the fds init owns.
struct Received {
  InitParams params;
  int setup_fd = -1;
  UniqueFd setup;                  // the setup fd (3 for every launcher)
  std::vector<UniqueFd> extra;     // the caller's files, setup+1 ...
};

// HAKUREI_SETUP, the setup fd read to EOF, decoded. No validation yet.
absl::StatusOr<Received> Receive(sys::Sys& sys, const char* setup_env) {
  if (setup_env == nullptr) return Fatal("HAKUREI_SETUP not set");
  int fd = -1;
  // The setup fd comes after stdio; anything else is not a launcher's.
  if (!absl::SimpleAtoi(setup_env, &fd) || fd < 3) {
    return Fatal(absl::StrCat("invalid setup descriptor \"", setup_env,
                              "\" in HAKUREI_SETUP"));
  }
  Received received;
  received.setup_fd = fd;
  received.setup = UniqueFd(fd);
  KEKKAI_ASSIGN_OR_RETURN(received.params, ReadSetup(sys, fd));
  return received;
}

// Makes every inherited fd above stdio close-on-exec (the payload gets its
// extra files as fresh dup2 copies) and takes ownership of the extra files.
absl::Status AdoptFds(sys::Sys& sys, Received& received) {
  KEKKAI_INIT_TRY(sys.CloexecFrom(3),
                  "make inherited files close-on-exec");
  const int first = received.setup_fd + 1;
  for (int64_t i = 0; i < received.params.count; ++i) {
    const int fd = first + static_cast<int>(i);
    KEKKAI_INIT_TRY(sys.SetCloexec(fd),
                    absl::StrCat("use extra file ", i, " at fd ", fd));
    received.extra.emplace_back(fd);
  }
  return absl::OkStatus();
}

absl::Status WriteIdMaps(sys::Sys& sys, const InitParams& params) {
  // The maps are written by init itself, so the launcher never has to make
  // init dumpable from outside. /proc/self/*_map of a non-dumpable process
  // are owned by root; dumpable only while writing, then off for good.
  KEKKAI_INIT_TRY(sys.SetDumpable(kSuidDumpUser), "set SUID_DUMP_USER");
  KEKKAI_INIT_TRY(
      sys.WriteFile("/proc/self/uid_map",
                    absl::StrCat(params.params.uid, " ", params.host_uid,
                                 " 1\n")),
      "write /proc/self/uid_map");
  // setgroups must be denied before an unprivileged gid_map can be written.
  // ENOENT: kernels before 3.19 have no such file (and need nothing).
  if (absl::Status s = sys.WriteFile("/proc/self/setgroups", "deny\n");
      !s.ok() && GetErrno(s) != ENOENT) {
    return WithStep(s, "write /proc/self/setgroups");
  }
  KEKKAI_INIT_TRY(
      sys.WriteFile("/proc/self/gid_map",
                    absl::StrCat(params.params.gid, " ", params.host_gid,
                                 " 1\n")),
      "write /proc/self/gid_map");
  KEKKAI_INIT_TRY(sys.SetDumpable(kSuidDumpDisable),
                  "set SUID_DUMP_DISABLE");
  return absl::OkStatus();
}

// Runs each op's early step in the host root; failures carry the op index.
absl::Status RunEarly(sys::Sys& sys, SetupState& state,
                      std::vector<std::unique_ptr<InitOp>>& ops) {
  for (size_t i = 0; i < ops.size(); ++i) {
    if (absl::Status s = ops[i]->Early(state, sys); !s.ok()) {
      return WithOpIndex(std::move(s), static_cast<int>(i));
    }
  }
  return absl::OkStatus();
}

// The container path an op creates or mounts on.
std::string ContainerPathOf(const Op& op) {
  return std::visit(
      [](const auto& o) -> std::string {
        if constexpr (requires { o.target; }) {
          return o.target.has_value() ? o.target->str() : "/";
        } else if constexpr (requires { o.path; }) {
          return o.path.has_value() ? o.path->str() : "/";
        } else if constexpr (std::is_same_v<std::decay_t<decltype(o)>,
                                            AutoEtcOp>) {
          return "/etc";
        } else {
          return "/";
        }
      },
      op);
}

/* Ops resolve their targets in the intermediate root, where /host is the
   host's root: a symlink planted in a writable bind source (by an earlier
   container) would otherwise lead a later op's mkdir, file or mount out of
   the container, onto the host. The deepest existing ancestor of the
   target (the target itself for everything but a symlink op, which creates
   its last component without following it) must resolve beneath /sysroot.
   This closes symlinks planted before the container starts; one swapped
   concurrently by another process on the host is not (docs/security.md). */
absl::Status CheckBeneathSysroot(sys::Sys& sys, const Op& op) {
  const std::string container_path = ContainerPathOf(op);
  std::string path = ToSysroot(container_path);
  if (std::holds_alternative<SymlinkOp>(op)) path = sys::DirName(path);
  const std::string root = ToSysroot("/");
  while (path != root && path.size() > root.size()) {
    // Missing, or not reachable (ENOTDIR, EACCES): the op reports that
    // itself; what matters is where the part that exists leads.
    if (sys.Lstat(path).ok()) break;
    path = sys::DirName(path);
  }
  if (path == root || path.size() <= root.size()) return absl::OkStatus();
  // A dangling symlink (auto-etc's links into /etc/.host before their
  // target is bound) leads nowhere yet: mkdir, O_EXCL, symlink() and mount
  // do not create through it, so the op fails or does what it always did.
  absl::StatusOr<std::string> resolved = sys.RealPath(path);
  if (!resolved.ok()) return absl::OkStatus();
  const std::string& real = *resolved;
  if (real == root || absl::StartsWith(real, root + "/")) {
    return absl::OkStatus();
  }
  return WithStep(
      ErrnoStatus(EXDEV, absl::StrCat("realpath(\"", path, "\") = \"", real,
                                      "\"")),
      absl::StrCat("use ", container_path),
      absl::StrCat("a symlink leads out of the container (to ", real, ")"));
}

absl::Status RunApply(sys::Sys& sys, SetupState& state, const OpList& list,
                      std::vector<std::unique_ptr<InitOp>>& ops) {
  for (size_t i = 0; i < ops.size(); ++i) {
    KEKKAI_LOG(kDebug, "%s", Describe(*list[i]));
    if (absl::Status s = CheckBeneathSysroot(sys, *list[i]); !s.ok()) {
      return WithOpIndex(std::move(s), static_cast<int>(i));
    }
    if (absl::Status s = ops[i]->Apply(state, sys); !s.ok()) {
      return WithOpIndex(std::move(s), static_cast<int>(i));
    }
  }
  return absl::OkStatus();
}

// From the host's root to the container's: I7-I12 of HAKUREI.md §1.7.
absl::Status BuildFilesystem(sys::Sys& sys, const InitParams& params) {
  const OpList& list = *params.params.ops;
  SetupState state;
  state.params = &params.params;
  state.parent_perm = EffectiveParentPerm(params.params);
  std::vector<std::unique_ptr<InitOp>> ops;
  ops.reserve(list.size());
  for (const std::optional<Op>& op : list) ops.push_back(MakeInitOp(*op));

  // Mount events in the host must not reach the container, and nothing we
  // do here may propagate back: rslave first.
  KEKKAI_INIT_TRY(sys.Mount("", "/", "", MS_SILENT | MS_SLAVE | MS_REC, ""),
                  "make / rslave");

  /* Early: in the host root, right before pivot_root into the intermediate
     root; ops gather what is hard to reach afterwards (resolved paths,
     symlink targets, directory listings) and change nothing. */
  KEKKAI_RETURN_IF_ERROR(RunEarly(sys, state, ops));

  KEKKAI_INIT_TRY(sys.Mount("rootfs", kIntermediateRoot, "tmpfs",
                            MS_NODEV | MS_NOSUID, ""),
                  "mount intermediate root");
  KEKKAI_INIT_TRY(sys.Chdir(kIntermediateRoot), "enter intermediate root");
  KEKKAI_INIT_TRY(sys.Mkdir("sysroot", 0755), "create /sysroot");
  // pivot_root needs the new root to be a mount point.
  KEKKAI_INIT_TRY(sys.Mount("sysroot", "sysroot", "", MS_SILENT | MS_BIND |
                                                          MS_REC, ""),
                  "bind /sysroot");
  KEKKAI_INIT_TRY(sys.Mkdir("host", 0755), "create /host");
  // The host's root goes to /host, where Apply finds it (ToHost).
  KEKKAI_INIT_TRY(sys.PivotRoot(kIntermediateRoot, "host"),
                  "pivot into intermediate root");
  KEKKAI_INIT_TRY(sys.Chdir("/"), "enter intermediate root");

  /* Apply: in the intermediate root; ops build the container under
     /sysroot from what /host offers, and leave both mount points alone. */
  KEKKAI_RETURN_IF_ERROR(RunApply(sys, state, list, ops));

  // Nothing needs the host any more: private (so the detach cannot
  // propagate to the host's mounts) and detached.
  KEKKAI_INIT_TRY(sys.Mount("host", "host", "", MS_SILENT | MS_REC |
                                                    MS_PRIVATE, ""),
                  "make host root rprivate");
  KEKKAI_INIT_TRY(sys.Umount2("host", MNT_DETACH), "unmount host root");

  // pivot_root(".", ".") stacks the old root on top of the new one at the
  // same place (runc's and LXC's trick); detaching "." after fchdir to the
  // old root removes the intermediate root, leaving /sysroot as /.
  {
    KEKKAI_INIT_ASSIGN(UniqueFd old_root,
                       sys.Open("/", O_DIRECTORY | O_RDONLY, 0),
                       "open intermediate root");
    KEKKAI_INIT_TRY(sys.Chdir("/sysroot"), "enter sysroot");
    KEKKAI_INIT_TRY(sys.PivotRoot(".", "."), "pivot into sysroot");
    KEKKAI_INIT_TRY(sys.Fchdir(old_root.get()),
                    "re-enter intermediate root");
    KEKKAI_INIT_TRY(sys.Umount2(".", MNT_DETACH), "unmount intermediate root");
    KEKKAI_INIT_TRY(sys.Chdir("/"), "enter root");
  }
  return absl::OkStatus();
}

// Everything from the id maps to the seccomp filter. Returns the umask to
// restore for the payload.
absl::StatusOr<mode_t> Build(sys::Sys& sys, const InitParams& params) {
  KEKKAI_RETURN_IF_ERROR(WriteIdMaps(sys, params));
  // Setup creates files with exactly the modes the ops ask for.
  const mode_t old_umask = sys.Umask(0);
  if (!params.params.hostname.empty()) {
    KEKKAI_INIT_TRY(sys.Sethostname(params.params.hostname), "set hostname");
  }
  // The sysctl cannot be read once the host's /proc is gone.
  KEKKAI_INIT_ASSIGN(const std::string last_cap_text,
                     sys.ReadFile("/proc/sys/kernel/cap_last_cap"),
                     "read /proc/sys/kernel/cap_last_cap");
  absl::StatusOr<int> last_cap = ParseLastCap(last_cap_text);
  if (!last_cap.ok()) {
    return WithStep(last_cap.status(), "read /proc/sys/kernel/cap_last_cap");
  }

  KEKKAI_RETURN_IF_ERROR(BuildFilesystem(sys, params));

  // kekkai (as bubblewrap): a private network namespace gets its loopback
  // interface up. That needs CAP_NET_ADMIN over the namespace, which
  // kekkai's launcher grants ambient with a new network namespace;
  // hakurei's grants SYS_ADMIN, SETPCAP and DAC_OVERRIDE only, so under a
  // hakurei launcher lo stays down, as hakurei leaves it.
  if (!params.params.host_net) {
    if (absl::Status s = sys.BringUpLoopback(); !s.ok()) {
      if (GetErrno(s) != EPERM) {
        return WithStep(s, "bring up the loopback interface");
      }
      KEKKAI_LOG(kDebug, "loopback left down: %s", s.message());
    }
  }

  KEKKAI_RETURN_IF_ERROR(
      DropPrivileges(sys, *last_cap, params.params.privileged));

  // Last: the filter binds init too, and no_new_privs is re-asserted by
  // libseccomp.
  if (!params.params.seccomp_disable) {
    const std::vector<NativeRule> rules = seccomp::RulesFor(params.params);
    KEKKAI_INIT_TRY(sys.LoadSeccomp(rules, params.params.seccomp_flags),
                    "load syscall filter");
    KEKKAI_LOG(kDebug, "%d filter rules loaded", rules.size());
  } else {
    KEKKAI_LOG(kDebug, "syscall filter not configured");
  }
  return old_umask;
}

// "/bin/x: no such file or directory", or the working directory's name
// when entering it failed.
std::string ExecFailureReason(const absl::Status& status,
                              const sys::ExecSpec& spec) {
  const std::optional<int> err = GetErrno(status);
  const std::string description =
      err.has_value() ? ErrnoDescription(*err) : std::string(status.message());
  switch (sys::ExecFailureStep(status).value_or(sys::ExecStep::kExecve)) {
    case sys::ExecStep::kExecve:
      return absl::StrCat(spec.path, ": ", description);
    case sys::ExecStep::kChdir:
      return absl::StrCat("working directory ", spec.dir, ": ", description);
    case sys::ExecStep::kSigmask:
    case sys::ExecStep::kDup2:
      break;
  }
  return description;
}

}  // namespace

absl::StatusOr<InitParams> ReadSetup(sys::Sys& sys, int fd) {
  const gob::Limits limits;
  KEKKAI_INIT_ASSIGN(const std::string stream,
                     sys.ReadAll(fd, limits.max_stream_bytes),
                     absl::StrCat("read setup parameters from fd ", fd));
  absl::StatusOr<InitParams> params = gob::Decode(stream, limits);
  if (!params.ok()) {
    return WithStep(params.status(), "decode setup parameters",
                    params.status().message());
  }
  return params;
}

int Main(sys::Sys& sys, const char* setup_env) {
  Output out(sys);
  if (sys.Getpid() != 1) {
    return out.Fail(Fatal("this process must run as pid 1"),
                    SetupReportKind::kSetupFailed);
  }
  if (absl::Status s = sys.SetPtracer(0); !s.ok()) {
    // Not fatal: init has no extra privileges once the payload runs.
    KEKKAI_LOG(kDebug, "cannot enable ptrace protection via Yama LSM: %s",
               s.message());
  }
  // Blocked from here on: a signal during setup waits for supervision.
  absl::StatusOr<UniqueFd> signals = sys.SignalFd(SupervisedSignals());
  if (!signals.ok()) {
    return out.Fail(WithStep(signals.status(), "set up signal handling"),
                    SetupReportKind::kSetupFailed);
  }

  absl::StatusOr<Received> received = Receive(sys, setup_env);
  if (!received.ok()) {
    return out.Fail(received.status(), SetupReportKind::kSetupFailed);
  }
  const InitParams& params = received->params;
  if (params.verbose) log::SetLevel(log::Level::kDebug);
  KEKKAI_LOG(kDebug, "received setup parameters");
  if (params.kekkai_report >= 1) {
    // The setup fd is a socket a kekkai launcher reads reports from; it
    // stays open (close-on-exec) for init's whole life.
    out.EnableReports(received->setup.get());
  }
  if (absl::Status s = ValidateInitParams(params); !s.ok()) {
    return out.Fail(Fatal(absl::StrCat("invalid setup parameters: ",
                                       s.message()),
                          "validate setup parameters", s.code()),
                    SetupReportKind::kSetupFailed);
  }
  if (absl::Status s = AdoptFds(sys, *received); !s.ok()) {
    return out.Fail(s, SetupReportKind::kSetupFailed);
  }

  absl::StatusOr<mode_t> old_umask = Build(sys, params);
  if (!old_umask.ok()) {
    return out.Fail(old_umask.status(), SetupReportKind::kSetupFailed,
                    &params.params.ops);
  }
  sys.Umask(*old_umask);

  // hakurei's launcher expects the setup pipe closed before the payload
  // starts; a kekkai launcher keeps reading reports from it.
  if (!out.reporting()) received->setup.reset();

  sys::ExecSpec spec;
  spec.path = params.params.path->str();
  spec.argv = params.params.args;
  // An empty Env is an empty environment (hakurei's Go init would pass its
  // own HAKUREI_SETUP instead).
  spec.envp = params.params.env;
  spec.dir = params.params.dir.has_value() ? params.params.dir->str() : "/";
  spec.extra_first = received->setup_fd + 1;
  spec.extra_count = static_cast<int>(params.count);
  KEKKAI_LOG(kDebug, "starting initial program %s", spec.path);
  absl::StatusOr<pid_t> payload = sys.StartProcess(spec);
  if (!payload.ok()) {
    return out.Fail(WithStep(payload.status(), "start program",
                             ExecFailureReason(payload.status(), spec)),
                    SetupReportKind::kExecFailed);
  }
  // init has no use for the caller's files: the payload has its copies.
  received->extra.clear();
  {
    SetupReport started;
    started.kind = SetupReportKind::kStarted;
    started.pid = *payload;
    out.Report(started);
  }

  Supervision supervision;
  supervision.payload = *payload;
  supervision.forward_cancel = params.params.forward_cancel;
  supervision.adopt_wait_delay_ns = params.params.adopt_wait_delay;
  supervision.on_payload_exit = [&out](int wait_status) {
    SetupReport exited;
    exited.kind = SetupReportKind::kPayloadExited;
    exited.wait_status = wait_status;
    out.Report(exited);
  };
  return Supervise(sys, signals->get(), supervision);
}

}  // namespace kekkai::init
