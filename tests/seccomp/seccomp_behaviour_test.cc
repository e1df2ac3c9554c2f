// Behaviour of the loaded filters, not just their bytes: for each preset and
// flag, a forked child loads the filter and tries every probe with a raw
// syscall; the parent compares with what the same probes do in an unfiltered
// child. Denied calls must return their group's errno (EPERM, ENOSYS,
// EAFNOSUPPORT); every other call must behave exactly as without a filter.
//
// Probe arguments are chosen so the kernel's own answer differs from the
// filter's (bad pointers give EFAULT, bad flags EINVAL, fd -1 EBADF), so a
// missing rule shows up as a mismatch. A few calls check privilege before
// their arguments (pivot_root, acct, ...): unprivileged, the kernel says
// EPERM as the filter would, and those probes only discriminate as root.
//
// Nothing in a child uses gtest: children report through a pipe and their
// exit status (bubblewrap's try-syscall idea).
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/params.h"
#include "common/status.h"
#include "common/unique_fd.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "seccomp/seccomp.h"
#include "tests/testing/status_matchers.h"

namespace kekkai::seccomp {
namespace {

// argv[1] that makes this binary act as the post-execve probe (see main).
constexpr char kExecProbeFlag[] = "--kekkai-seccomp-exec-probe";

// An address no test process maps: syscalls copying from it fail EFAULT.
void* const kBadPointer = reinterpret_cast<void*>(8);

// --- probes -----------------------------------------------------------------

struct ProbeContext {
  int pipe_read = -1;  // a pipe: ioctls on it are ENOTTY, FIONREAD works
};

// Which filter group denies a probe.
enum class Group {
  kNone,           // ordinary calls: never filtered
  kCommon,         // always
  kNamespace,      // deny-ns
  kNamespaceExt,   // ext + deny-ns
  kTty,            // deny-tty
  kDevel,          // deny-devel
  kPersonality0,   // deny-devel + linux32 (PER_LINUX is then refused)
  kPersonality32,  // deny-devel without linux32
  kEmu,            // unless multiarch
  kCommonExt,      // ext
  kSocket,         // the socket-family filter (family below)
};

struct Probe {
  const char* name;
  Group group;
  int filter_errno;  // what the filter answers when the group is active
  long (*call)(const ProbeContext&);
  // The kernel checks privilege before the arguments, so an unprivileged
  // caller gets EPERM from the kernel too.
  bool privilege_first = false;
  int family = -1;  // kSocket only
};

long Sys(long nr, long a = 0, long b = 0, long c = 0, long d = 0, long e = 0,
         long f = 0) {
  return syscall(nr, a, b, c, d, e, f);
}
long Ptr(void* p) { return reinterpret_cast<long>(p); }

long ForkAndReap(const ProbeContext&) {
  // A plain fork through the clone syscall: allowed under deny-ns.
  const long pid = Sys(SYS_clone, SIGCHLD, 0, 0, 0, 0);
  if (pid == 0) _exit(0);
  if (pid > 0) {
    int status = 0;
    while (waitpid(static_cast<pid_t>(pid), &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      errno = ECHILD;
      return -1;
    }
  }
  return pid;
}

void* ThreadBody(void*) { return nullptr; }

long StartThread(const ProbeContext&) {
  // glibc tries clone3 first and falls back to clone on ENOSYS, which is
  // why deny-ns answers clone3 with ENOSYS.
  pthread_t thread;
  const int err = pthread_create(&thread, nullptr, ThreadBody, nullptr);
  if (err != 0) {
    errno = err;
    return -1;
  }
  pthread_join(thread, nullptr);
  return 0;
}

long OpenSocket(int family, int type, int protocol) {
  const long fd = Sys(SYS_socket, family, type | SOCK_CLOEXEC, protocol);
  if (fd >= 0) close(static_cast<int>(fd));
  return fd;
}

// socket(family, 15, 0): type 15 is past SOCK_MAX, so the kernel answers
// EINVAL for any family below AF_MAX without creating anything or loading
// a module; the filter, which only looks at arg0, answers EAFNOSUPPORT.
template <int kFamily>
long SocketBadType(const ProbeContext&) {
  return Sys(SYS_socket, kFamily, 15, 0);
}

#define PROBE(name, group, err, body)                              \
  Probe {                                                          \
    name, Group::group, err, [](const ProbeContext& ctx) -> long { \
      (void)ctx;                                                   \
      return body;                                                 \
    }                                                              \
  }
#define PROBE_PRIV(name, group, err, body)    \
  Probe {                                     \
    name, Group::group, err,                  \
        [](const ProbeContext& ctx) -> long { \
          (void)ctx;                          \
          return body;                        \
        },                                    \
        true                                  \
  }

template <int kFamily>
Probe SocketProbe() {
  Probe probe{"socket", Group::kSocket, EAFNOSUPPORT, SocketBadType<kFamily>};
  probe.family = kFamily;
  return probe;
}

template <int... kFamilies>
void AppendSocketProbes(std::vector<Probe>& probes,
                        std::integer_sequence<int, kFamilies...>) {
  (probes.push_back(SocketProbe<kFamilies>()), ...);
}

std::vector<Probe> AllProbes() {
  std::vector<Probe> probes = {
      // Ordinary calls: these must work under every filter.
      PROBE("getpid", kNone, 0, Sys(SYS_getpid)),
      PROBE("fork (clone SIGCHLD)", kNone, 0, ForkAndReap(ctx)),
      PROBE("pthread_create", kNone, 0, StartThread(ctx)),
      PROBE("ioctl FIONREAD", kNone, 0,
            [](int fd) {
              int n = 0;
              return Sys(SYS_ioctl, fd, FIONREAD, Ptr(&n));
            }(ctx.pipe_read)),
      PROBE("ioctl TCGETS", kNone, 0,
            Sys(SYS_ioctl, ctx.pipe_read, TCGETS, Ptr(kBadPointer))),
      PROBE("socket AF_UNIX", kNone, 0, OpenSocket(AF_UNIX, SOCK_STREAM, 0)),
      PROBE("socket AF_INET", kNone, 0, OpenSocket(AF_INET, SOCK_DGRAM, 0)),
      PROBE("socket AF_INET6", kNone, 0, OpenSocket(AF_INET6, SOCK_DGRAM, 0)),
      PROBE("socket AF_NETLINK", kNone, 0,
            OpenSocket(AF_NETLINK, SOCK_RAW, 0 /* NETLINK_ROUTE */)),
      PROBE("openat /dev/null", kNone, 0,
            [] {
              const long fd =
                  Sys(SYS_openat, AT_FDCWD, Ptr(const_cast<char*>("/dev/null")),
                      O_RDONLY | O_CLOEXEC);
              if (fd >= 0) close(static_cast<int>(fd));
              return fd;
            }()),

      // common
      PROBE_PRIV("syslog", kCommon, EPERM, Sys(SYS_syslog, -1, 0, 0)),
      PROBE("uselib", kCommon, EPERM, Sys(SYS_uselib, Ptr(kBadPointer))),
      PROBE_PRIV("acct", kCommon, EPERM, Sys(SYS_acct, Ptr(kBadPointer))),
      PROBE("quotactl", kCommon, EPERM, Sys(SYS_quotactl, 0xff, 0, 0, 0)),
      PROBE("add_key", kCommon, EPERM, Sys(SYS_add_key, 0, 0, 0, 0, 0)),
      PROBE("keyctl", kCommon, EPERM, Sys(SYS_keyctl, -1, 0, 0, 0, 0)),
      PROBE("request_key", kCommon, EPERM, Sys(SYS_request_key, 0, 0, 0, 0)),
      PROBE("move_pages", kCommon, EPERM,
            Sys(SYS_move_pages, 0, 0, 0, 0, 0, -1)),
      PROBE("mbind", kCommon, EPERM, Sys(SYS_mbind, 0, 0, -1, 0, 0, 0)),
      PROBE("get_mempolicy", kCommon, EPERM,
            Sys(SYS_get_mempolicy, 0, 0, 0, 0, -1)),
      PROBE("set_mempolicy", kCommon, EPERM, Sys(SYS_set_mempolicy, -1, 0, 0)),
      PROBE("migrate_pages", kCommon, EPERM,
            Sys(SYS_migrate_pages, 0, 64, Ptr(kBadPointer), Ptr(kBadPointer))),

      // namespace: EPERM
      PROBE("unshare", kNamespace, EPERM, Sys(SYS_unshare, 0)),
      PROBE("setns", kNamespace, EPERM, Sys(SYS_setns, -1, 0)),
      PROBE("mount", kNamespace, EPERM, Sys(SYS_mount, 0, 0, 0, 0, 0)),
      PROBE("umount2", kNamespace, EPERM, Sys(SYS_umount2, 0, -1)),
      PROBE_PRIV("pivot_root", kNamespace, EPERM, Sys(SYS_pivot_root, 0, 0)),
      PROBE("chroot", kNamespace, EPERM, Sys(SYS_chroot, 0)),
      // CLONE_NEWUSER with CLONE_FS is invalid: the kernel creates nothing.
      PROBE("clone CLONE_NEWUSER", kNamespace, EPERM,
            Sys(SYS_clone, CLONE_NEWUSER | CLONE_FS | SIGCHLD, 0, 0, 0, 0)),
      // namespace: ENOSYS (libc falls back)
      PROBE("clone3", kNamespace, ENOSYS, Sys(SYS_clone3, 0, 0)),
      PROBE("open_tree", kNamespace, ENOSYS, Sys(SYS_open_tree, -1, 0, 0)),
      PROBE("move_mount", kNamespace, ENOSYS,
            Sys(SYS_move_mount, -1, 0, -1, 0, 0)),
      PROBE("fsopen", kNamespace, ENOSYS, Sys(SYS_fsopen, 0, 0)),
      PROBE("fsconfig", kNamespace, ENOSYS, Sys(SYS_fsconfig, -1, 0, 0, 0, 0)),
      PROBE("fsmount", kNamespace, ENOSYS, Sys(SYS_fsmount, -1, 0, 0)),
      PROBE("fspick", kNamespace, ENOSYS, Sys(SYS_fspick, -1, 0, 0)),
      PROBE("mount_setattr", kNamespace, ENOSYS,
            Sys(SYS_mount_setattr, -1, 0, 0, 0, 0)),

      // namespaceExt
      PROBE("chown", kNamespaceExt, EPERM, Sys(SYS_chown, 0, -1, -1)),
      PROBE("fchown", kNamespaceExt, EPERM, Sys(SYS_fchown, -1, -1, -1)),
      PROBE("fchownat", kNamespaceExt, EPERM,
            Sys(SYS_fchownat, -1, 0, -1, -1, 0)),
      PROBE("lchown", kNamespaceExt, EPERM, Sys(SYS_lchown, 0, -1, -1)),
      PROBE("setuid", kNamespaceExt, EPERM, Sys(SYS_setuid, -1)),
      PROBE("setgid", kNamespaceExt, EPERM, Sys(SYS_setgid, -1)),
      PROBE_PRIV("setgroups", kNamespaceExt, EPERM, Sys(SYS_setgroups, -1, 0)),
      // -1 means "unchanged": allowed for anyone, a no-op.
      PROBE("setreuid", kNamespaceExt, EPERM, Sys(SYS_setreuid, -1, -1)),
      PROBE("setregid", kNamespaceExt, EPERM, Sys(SYS_setregid, -1, -1)),
      PROBE("setresuid", kNamespaceExt, EPERM, Sys(SYS_setresuid, -1, -1, -1)),
      PROBE("setresgid", kNamespaceExt, EPERM, Sys(SYS_setresgid, -1, -1, -1)),

      // tty: the request is matched in its low 32 bits only
      PROBE("ioctl TIOCSTI", kTty, EPERM,
            Sys(SYS_ioctl, ctx.pipe_read, TIOCSTI, Ptr(kBadPointer))),
      PROBE("ioctl TIOCSTI | 1<<32", kTty, EPERM,
            Sys(SYS_ioctl, ctx.pipe_read, TIOCSTI | (1L << 32),
                Ptr(kBadPointer))),
      PROBE("ioctl TIOCLINUX", kTty, EPERM,
            Sys(SYS_ioctl, ctx.pipe_read, TIOCLINUX, Ptr(kBadPointer))),

      // devel
      PROBE("perf_event_open", kDevel, EPERM,
            Sys(SYS_perf_event_open, 0, 0, -1, -1, 0)),
      PROBE("ptrace", kDevel, EPERM, Sys(SYS_ptrace, PTRACE_PEEKDATA, 0, 0, 0)),
      // 0xffffffff only queries the persona: harmless when allowed.
      PROBE("personality query", kDevel, EPERM,
            Sys(SYS_personality, 0xffffffffL)),
      // Set PER_LINUX32 then PER_LINUX, so the child ends where it started.
      PROBE("personality PER_LINUX32", kPersonality32, EPERM,
            Sys(SYS_personality, PER_LINUX32)),
      PROBE("personality PER_LINUX", kPersonality0, EPERM,
            Sys(SYS_personality, PER_LINUX)),

      // emu
      PROBE("modify_ldt", kEmu, EPERM, Sys(SYS_modify_ldt, 0, 0, 0)),

      // commonExt
      PROBE("adjtimex", kCommonExt, EPERM, Sys(SYS_adjtimex, Ptr(kBadPointer))),
      PROBE("clock_adjtime", kCommonExt, EPERM,
            Sys(SYS_clock_adjtime, CLOCK_REALTIME, Ptr(kBadPointer))),
      PROBE("clock_settime", kCommonExt, EPERM,
            Sys(SYS_clock_settime, CLOCK_REALTIME, Ptr(kBadPointer))),
      PROBE("settimeofday", kCommonExt, EPERM,
            Sys(SYS_settimeofday, Ptr(kBadPointer), 0)),
      PROBE_PRIV("delete_module", kCommonExt, EPERM,
                 Sys(SYS_delete_module, 0, 0)),
      PROBE_PRIV("finit_module", kCommonExt, EPERM,
                 Sys(SYS_finit_module, -1, 0, 0)),
      PROBE_PRIV("init_module", kCommonExt, EPERM,
                 Sys(SYS_init_module, 0, 0, 0)),
      PROBE_PRIV("kexec_file_load", kCommonExt, EPERM,
                 Sys(SYS_kexec_file_load, -1, -1, 0, 0, -1)),
      PROBE_PRIV("kexec_load", kCommonExt, EPERM,
                 Sys(SYS_kexec_load, 0, 0, 0, -1)),
      // Bad magic: refused even for root before anything happens.
      PROBE_PRIV("reboot", kCommonExt, EPERM, Sys(SYS_reboot, 0, 0, 0, 0)),
      PROBE_PRIV("swapoff", kCommonExt, EPERM,
                 Sys(SYS_swapoff, Ptr(kBadPointer))),
      PROBE("swapon", kCommonExt, EPERM, Sys(SYS_swapon, 0, -1)),
  };
  // Every family below AF_MAX (46), a few above, and the extremes.
  AppendSocketProbes(probes, std::make_integer_sequence<int, 50>());
  AppendSocketProbes(probes,
                     std::integer_sequence<int, 64, 255, 0x7fffffff, -1>());
  return probes;
}

#undef PROBE
#undef PROBE_PRIV

bool FamilyAllowed(int family, uint32_t flags) {
  switch (family) {
    case AF_UNSPEC:
    case AF_UNIX:
    case AF_INET:
    case AF_INET6:
    case AF_NETLINK:
      return true;
    case AF_CAN:
      return (flags & kAllowCAN) != 0;
    case AF_BLUETOOTH:
      return (flags & kAllowBluetooth) != 0;
    default:
      return false;
  }
}

// The errno the filter for (presets, flags) answers for `probe`, 0 if the
// probe is not filtered. Written from hakurei's documented groups, not from
// Preset(), so it checks Preset() too.
int ExpectedErrno(const Probe& probe, int64_t presets, uint32_t flags) {
  const bool ext = (presets & kPresetExt) != 0;
  const bool deny_ns = (presets & kPresetDenyNS) != 0;
  const bool devel = (presets & kPresetDenyDevel) != 0;
  const bool linux32 = (presets & kPresetLinux32) != 0;
  bool denied = false;
  switch (probe.group) {
    case Group::kNone:
      denied = false;
      break;
    case Group::kCommon:
      denied = true;
      break;
    case Group::kNamespace:
      denied = deny_ns;
      break;
    case Group::kNamespaceExt:
      denied = ext && deny_ns;
      break;
    case Group::kTty:
      denied = (presets & kPresetDenyTTY) != 0;
      break;
    case Group::kDevel:
      denied = devel;
      break;
    case Group::kPersonality0:
      denied = devel && linux32;
      break;
    case Group::kPersonality32:
      denied = devel && !linux32;
      break;
    case Group::kEmu:
      denied = (flags & kAllowMultiarch) == 0;
      break;
    case Group::kCommonExt:
      denied = ext;
      break;
    case Group::kSocket:
      // hakurei's quirk, kept for byte identity: with multiarch the i386
      // ABI cannot take the exact socket rules (libseccomp says
      // EOPNOTSUPP, as socket is multiplexed there), the failure is
      // ignored, and so there is no socket-family filter at all.
      denied =
          (flags & kAllowMultiarch) == 0 && !FamilyAllowed(probe.family, flags);
      break;
  }
  return denied ? probe.filter_errno : 0;
}

// --- running probes in a child ----------------------------------------------

// What one probe did: succeeded, or failed with errno.
struct Outcome {
  int32_t ok = 0;
  int32_t err = 0;
  friend bool operator==(const Outcome&, const Outcome&) = default;
};

std::string Describe(const Outcome& outcome) {
  if (outcome.ok) return "success";
  return absl::StrFormat("%s (%s)", ErrnoName(outcome.err),
                         ErrnoDescription(outcome.err));
}

void WriteAll(int fd, const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) _exit(120);
    p += n;
    size -= static_cast<size_t>(n);
  }
}

// Forks a child that loads `rules` (unless `rules` is empty), runs every
// probe and sends back one Outcome per probe; returns them, or an error
// naming what went wrong in the child.
absl::StatusOr<std::vector<Outcome>> RunProbes(
    const std::vector<NativeRule>& rules, uint32_t flags,
    const std::vector<Probe>& probes) {
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) return ErrnoStatus(errno, "pipe2");
  UniqueFd report_read(report[0]);
  UniqueFd report_write(report[1]);
  int ioctl_pipe[2];
  if (pipe2(ioctl_pipe, O_CLOEXEC) != 0) return ErrnoStatus(errno, "pipe2");
  UniqueFd ioctl_read(ioctl_pipe[0]);
  UniqueFd ioctl_write(ioctl_pipe[1]);

  const pid_t pid = fork();
  if (pid < 0) return ErrnoStatus(errno, "fork");
  if (pid == 0) {
    // Child: no gtest, no exit handlers; failures become exit statuses.
    if (!rules.empty() && !Load(rules, flags).ok()) _exit(121);
    const ProbeContext ctx{.pipe_read = ioctl_read.get()};
    std::vector<Outcome> outcomes(probes.size());
    for (size_t i = 0; i < probes.size(); ++i) {
      errno = 0;
      const long result = probes[i].call(ctx);
      outcomes[i] = result >= 0 ? Outcome{1, 0} : Outcome{0, errno};
    }
    WriteAll(report_write.get(), outcomes.data(),
             outcomes.size() * sizeof(Outcome));
    _exit(0);
  }
  report_write.reset();
  std::vector<Outcome> outcomes(probes.size());
  size_t got = 0;
  const size_t want = outcomes.size() * sizeof(Outcome);
  while (got < want) {
    const ssize_t n =
        read(report_read.get(), reinterpret_cast<char*>(outcomes.data()) + got,
             want - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return ErrnoStatus(errno, "waitpid");
  }
  if (WIFSIGNALED(status)) {
    return absl::InternalError(
        absl::StrFormat("probe child killed by signal %d", WTERMSIG(status)));
  }
  if (WEXITSTATUS(status) == 121) {
    return absl::InternalError("probe child could not load the filter");
  }
  if (WEXITSTATUS(status) != 0 || got != want) {
    return absl::InternalError(
        absl::StrFormat("probe child exited %d after %d of %d bytes",
                        WEXITSTATUS(status), got, want));
  }
  return outcomes;
}

// The unfiltered outcomes, computed once.
const std::vector<Outcome>& Baseline() {
  static const std::vector<Outcome>* baseline = [] {
    absl::StatusOr<std::vector<Outcome>> outcomes =
        RunProbes({}, 0, AllProbes());
    if (!outcomes.ok()) {
      std::fprintf(stderr, "baseline: %s\n",
                   outcomes.status().ToString().c_str());
      std::abort();
    }
    return new std::vector<Outcome>(*std::move(outcomes));
  }();
  return *baseline;
}

std::string ProbeName(const Probe& probe) {
  if (probe.group == Group::kSocket) {
    return absl::StrFormat("socket(family %d, type 15)", probe.family);
  }
  return probe.name;
}

// --- the tests --------------------------------------------------------------

TEST(ProbeTest, ProbesTellTheFilterFromTheKernel) {
  // Without a filter, no probe may already give the errno the filter would:
  // otherwise a missing rule would go unnoticed.
  if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2) {
    // A container runtime's filter (Docker's, say) already answers EPERM
    // for some of these calls; the comparisons below still hold.
    GTEST_SKIP() << "this process already runs under a seccomp filter, so "
                    "unfiltered answers are not the kernel's own";
  }
  const std::vector<Probe> probes = AllProbes();
  const std::vector<Outcome>& baseline = Baseline();
  ASSERT_EQ(baseline.size(), probes.size());
  const bool root = geteuid() == 0;
  for (size_t i = 0; i < probes.size(); ++i) {
    const Probe& probe = probes[i];
    if (probe.group == Group::kNone) {
      // Ordinary calls must not fail the way a filter would (IPv6 may be
      // disabled on a host, though).
      const bool filter_like =
          !baseline[i].ok &&
          (baseline[i].err == EPERM || baseline[i].err == ENOSYS ||
           baseline[i].err == EAFNOSUPPORT);
      if (std::string(probe.name) != "socket AF_INET6") {
        EXPECT_FALSE(filter_like)
            << probe.name << ": " << Describe(baseline[i]);
      }
      continue;
    }
    // Families from AF_MAX up are unknown to the kernel as well.
    if (probe.group == Group::kSocket &&
        (probe.family < 0 || probe.family >= 46)) {
      continue;
    }
    if (probe.privilege_first && !root) continue;
    EXPECT_FALSE(!baseline[i].ok && baseline[i].err == probe.filter_errno)
        << ProbeName(probe) << " gives " << Describe(baseline[i])
        << " without a filter";
  }
}

struct FilterCase {
  const char* name;
  int64_t presets;
  uint32_t flags;
};

void PrintTo(const FilterCase& c, std::ostream* os) { *os << c.name; }

class FilterBehaviourTest : public ::testing::TestWithParam<FilterCase> {};

TEST_P(FilterBehaviourTest, DeniesItsGroupsAndNothingElse) {
  const FilterCase& c = GetParam();
  const std::vector<Probe> probes = AllProbes();
  const std::vector<Outcome>& baseline = Baseline();
  KEKKAI_ASSERT_OK_AND_ASSIGN(
      std::vector<Outcome> outcomes,
      RunProbes(Preset(c.presets, c.flags), c.flags, probes));
  ASSERT_EQ(outcomes.size(), probes.size());
  int denied = 0;
  for (size_t i = 0; i < probes.size(); ++i) {
    const int want_errno = ExpectedErrno(probes[i], c.presets, c.flags);
    const Outcome want = want_errno != 0 ? Outcome{0, want_errno} : baseline[i];
    if (want_errno != 0) ++denied;
    EXPECT_EQ(outcomes[i], want)
        << ProbeName(probes[i]) << ": got " << Describe(outcomes[i])
        << ", want " << Describe(want)
        << (want_errno != 0 ? " (filtered)" : " (as without a filter)");
  }
  EXPECT_GT(denied, 0);
}

INSTANTIATE_TEST_SUITE_P(
    Presets, FilterBehaviourTest,
    ::testing::Values(
        FilterCase{"none", 0, 0}, FilterCase{"ext", kPresetExt, 0},
        FilterCase{"deny_ns", kPresetDenyNS, 0},
        FilterCase{"ext_deny_ns", kPresetExt | kPresetDenyNS, 0},
        FilterCase{"deny_tty", kPresetDenyTTY, 0},
        FilterCase{"deny_devel", kPresetDenyDevel, 0},
        FilterCase{"deny_devel_linux32", kPresetDenyDevel | kPresetLinux32, 0},
        FilterCase{"strict", kPresetStrict, 0},
        FilterCase{"multiarch", 0, kAllowMultiarch},
        FilterCase{"can", 0, kAllowCAN},
        FilterCase{"bluetooth", 0, kAllowBluetooth},
        FilterCase{"everything", kPresetStrict | kPresetLinux32,
                   kAllowMultiarch | kAllowCAN | kAllowBluetooth}),
    [](const ::testing::TestParamInfo<FilterCase>& param) {
      return std::string(param.param.name);
    });

TEST(ExplicitRulesTest, OnlyTheGivenRulesApply) {
  // Explicit rules replace the presets: here only ptrace (EPERM) and
  // personality other than PER_LINUX (ENOSYS), plus the socket filter.
  const std::vector<NativeRule> rules = {
      NativeRule{SYS_ptrace, EPERM, {}},
      NativeRule{SYS_personality, ENOSYS, ScmpArgCmp{0, 1, PER_LINUX, 0}},
  };
  const std::vector<Probe> probes = AllProbes();
  const std::vector<Outcome>& baseline = Baseline();
  KEKKAI_ASSERT_OK_AND_ASSIGN(std::vector<Outcome> outcomes,
                              RunProbes(rules, 0, probes));
  for (size_t i = 0; i < probes.size(); ++i) {
    const std::string name = probes[i].name;
    Outcome want = baseline[i];
    if (name == "ptrace") want = {0, EPERM};
    if (name == "personality query" || name == "personality PER_LINUX32") {
      want = {0, ENOSYS};
    }
    if (probes[i].group == Group::kSocket &&
        !FamilyAllowed(probes[i].family, 0)) {
      want = {0, EAFNOSUPPORT};
    }
    EXPECT_EQ(outcomes[i], want)
        << ProbeName(probes[i]) << ": got " << Describe(outcomes[i])
        << ", want " << Describe(want);
  }
}

// --- 32-bit syscalls through int $0x80 --------------------------------------

#if defined(__x86_64__)
// A 32-bit (i386 ABI) system call from 64-bit code. Arguments are truncated
// to 32 bits; the kernel clobbers nothing else, but be conservative.
long Int80(long nr, long a = 0, long b = 0, long c = 0) {
  long ret;
  asm volatile("int $0x80"
               : "=a"(ret)
               : "0"(nr), "b"(a), "c"(b), "d"(c)
               : "memory", "cc", "r8", "r9", "r10", "r11");
  return ret;
}

constexpr long kI386Getpid = 20;
constexpr long kI386Unshare = 310;
constexpr long kI386Chown32 = 212;

// Result of one int $0x80 call in a child with the filter loaded: the
// return value (-errno on failure) or the signal that killed the child.
struct Int80Result {
  bool killed = false;
  int signal = 0;
  long value = 0;
};

absl::StatusOr<Int80Result> RunInt80(const std::vector<NativeRule>& rules,
                                     uint32_t flags, long nr, long a = 0) {
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) return ErrnoStatus(errno, "pipe2");
  UniqueFd report_read(report[0]);
  UniqueFd report_write(report[1]);
  const pid_t pid = fork();
  if (pid < 0) return ErrnoStatus(errno, "fork");
  if (pid == 0) {
    if (!rules.empty() && !Load(rules, flags).ok()) _exit(121);
    const long value = Int80(nr, a);
    WriteAll(report_write.get(), &value, sizeof(value));
    _exit(0);
  }
  report_write.reset();
  Int80Result result;
  ssize_t n;
  do {
    n = read(report_read.get(), &result.value, sizeof(result.value));
  } while (n < 0 && errno == EINTR);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return ErrnoStatus(errno, "waitpid");
  }
  if (WIFSIGNALED(status)) {
    result.killed = true;
    result.signal = WTERMSIG(status);
    return result;
  }
  if (WEXITSTATUS(status) != 0 || n != sizeof(result.value)) {
    return absl::InternalError(
        absl::StrFormat("int80 child exited %d", WEXITSTATUS(status)));
  }
  return result;
}

class Int80Test : public ::testing::Test {
 protected:
  void SetUp() override {
    // The kernel may be built or booted without IA32 emulation.
    absl::StatusOr<Int80Result> plain = RunInt80({}, 0, kI386Getpid);
    ASSERT_THAT(plain, kekkai::testing::IsOk());
    if (plain->killed || plain->value <= 0) {
      GTEST_SKIP() << "no i386 system calls on this kernel (int $0x80 "
                   << (plain->killed ? "killed the caller" : "failed") << ")";
    }
  }
};

TEST_F(Int80Test, RefusedWithoutMultiarch) {
  // The filter only lets x86_64 calls through; other ABIs hit libseccomp's
  // bad-arch action, which kills the caller with SIGSYS.
  for (int64_t presets : {int64_t{0}, kPresetStrict}) {
    KEKKAI_ASSERT_OK_AND_ASSIGN(Int80Result result,
                                RunInt80(Preset(presets, 0), 0, kI386Getpid));
    EXPECT_TRUE(result.killed) << "presets " << presets;
    EXPECT_EQ(result.signal, SIGSYS) << "presets " << presets;
  }
}

TEST_F(Int80Test, AllowedWithMultiarchAndStillFiltered) {
  const std::vector<NativeRule> rules =
      Preset(kPresetExt | kPresetDenyNS, kAllowMultiarch);
  KEKKAI_ASSERT_OK_AND_ASSIGN(Int80Result getpid,
                              RunInt80(rules, kAllowMultiarch, kI386Getpid));
  EXPECT_FALSE(getpid.killed);
  EXPECT_GT(getpid.value, 0);
  // The rules apply to the i386 ABI too, including calls x86_64 lacks
  // (chown32 is a pseudo-number there, translated by libseccomp).
  KEKKAI_ASSERT_OK_AND_ASSIGN(
      Int80Result unshare, RunInt80(rules, kAllowMultiarch, kI386Unshare, 0));
  EXPECT_FALSE(unshare.killed);
  EXPECT_EQ(unshare.value, -EPERM);
  KEKKAI_ASSERT_OK_AND_ASSIGN(
      Int80Result chown32, RunInt80(rules, kAllowMultiarch, kI386Chown32, 0));
  EXPECT_FALSE(chown32.killed);
  EXPECT_EQ(chown32.value, -EPERM);
  // Without the filter chown32(NULL) is EFAULT, so EPERM came from it.
  KEKKAI_ASSERT_OK_AND_ASSIGN(Int80Result plain,
                              RunInt80({}, 0, kI386Chown32, 0));
  EXPECT_EQ(plain.value, -EFAULT);
}
#endif  // __x86_64__

// --- Load binds the caller and survives execve ------------------------------

TEST(LoadTest, BindsTheCallerAndSurvivesExecve) {
  char self[4096];
  const ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
  ASSERT_GT(len, 0) << "readlink(/proc/self/exe): " << std::strerror(errno);
  self[len] = '\0';

  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (!Load(Preset(kPresetDenyNS, 0), 0).ok()) _exit(10);
    // The loading process itself is bound at once...
    errno = 0;
    if (syscall(SYS_unshare, 0) != -1 || errno != EPERM) _exit(11);
    // ...and so is what it execs (the probe in main() below).
    char* const argv[] = {self, const_cast<char*>(kExecProbeFlag), nullptr};
    execv(self, argv);
    _exit(12);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0)
      << "10: Load failed, 11: unshare not refused before execve, 12: "
         "execve failed, 20/21: unshare not refused after execve (see the "
         "probe), 22: no_new_privs not set, 23: Seccomp not in filter mode";
}

// Runs in the exec'd image: the filter must still be there.
int ExecProbeMain() {
  errno = 0;
  const long rc = syscall(SYS_unshare, 0);
  if (rc == 0) return 20;
  if (errno != EPERM) return 21;
  // libseccomp set no_new_privs (so no privilege was needed to load).
  if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) return 22;
  // Mode 2 is SECCOMP_MODE_FILTER.
  if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 2) return 23;
  return 0;
}

}  // namespace
}  // namespace kekkai::seccomp

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], kekkai::seccomp::kExecProbeFlag) == 0) {
    return kekkai::seccomp::ExecProbeMain();
  }
  ::testing::InitGoogleMock(&argc, argv);
  return RUN_ALL_TESTS();
}
