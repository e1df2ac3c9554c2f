// The attack suite: tests/security/attack.cc run through `kekkai run` in
// three sandboxes, each case asserting the exact line the attack prints.
//
//   default   what `kekkai run` builds with no filesystem option (the
//             default sandbox, docs/cli.md); the attack arrives as
//             --pass-fd 3 and is executed as /proc/self/fd/3.
//   strict    built from options: the system directories read-only, the
//             attack's directory read-only on /attack, the strict presets
//             spelled out, io_uring and userfaultfd denied too
//             (--seccomp-deny-extra), an empty environment, uid/gid 1000,
//             no network, no host abstract sockets.
//   nofilter  the default sandbox with --no-seccomp: what the namespaces,
//             the capability drop and the non-dumpable init hold on their
//             own, without the syscall filter.
//
// Where the kernel decides differently for a root caller (whose container
// runs as the host's uid 0 without capabilities) and for uid 65534, the
// case says so and asserts what must hold in both. docs/security.md lists
// what each case proves.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/cli_harness.h"
#include "tests/testing/test_paths.h"
#include "tests/testing/userns.h"

namespace kekkai::cli::testing {
namespace {

using ::testing::StartsWith;

enum class Sandbox { kDefault, kStrict, kNoFilter };

std::string AttackPath() { return kekkai::testing::BinaryPath("attack"); }
std::string AttackDir() {
  const std::string path = AttackPath();
  return path.substr(0, path.rfind('/'));
}

bool Root() { return geteuid() == 0; }

// A file that exists on the host only (under the host's /tmp; every
// sandbox has its own /tmp).
const std::string& HostMarker() {
  static const std::string* marker = [] {
    static TempDir dir;
    dir.WriteFile("marker", "host\n");
    return new std::string(dir.Sub("marker"));
  }();
  return *marker;
}

std::string Expand(const std::string& arg) {
  return absl::StrReplaceAll(
      arg, {{"{marker}", HostMarker()},
            {"{pid}", std::to_string(getpid())},
            {"{pgid}", std::to_string(getpgrp())}});
}

// Runs `attack ARGS` in `sandbox` with `options` added; fails the test on
// anything but a normal exit 0.
Outcome Attack(Sandbox sandbox, const std::vector<std::string>& args,
               const std::vector<std::string>& options = {}) {
  std::vector<std::string> argv = {"run"};
  SpawnOptions spawn;
  int attack_fd = -1;
  if (sandbox == Sandbox::kStrict) {
    for (const std::string& o : SystemOptions()) argv.push_back(o);
    argv.insert(argv.end(),
                {"--ro-bind", AttackDir(), "/attack", "--seccomp-preset",
                 "ext,deny-ns,deny-tty,deny-devel", "--seccomp-deny-extra",
                 "io_uring,userfaultfd", "--clearenv", "--uid", "1000",
                 "--gid", "1000", "--hostname", "strict"});
  } else {
    attack_fd = open(AttackPath().c_str(), O_RDONLY | O_CLOEXEC);
    EXPECT_GE(attack_fd, 0) << AttackPath() << ": " << std::strerror(errno);
    spawn.fds[3] = attack_fd;
    argv.insert(argv.end(), {"--pass-fd", "3"});
    if (sandbox == Sandbox::kNoFilter) argv.push_back("--no-seccomp");
  }
  argv.insert(argv.end(), options.begin(), options.end());
  argv.push_back("--");
  argv.push_back(sandbox == Sandbox::kStrict ? "/attack/attack"
                                              : "/proc/self/fd/3");
  for (const std::string& a : args) argv.push_back(Expand(a));
  Outcome outcome = RunKekkai(argv, spawn);
  if (attack_fd >= 0) close(attack_fd);
  EXPECT_TRUE(outcome.exited && outcome.exit_code == 0) << outcome.Describe();
  return outcome;
}

// The single line `NAME: RESULT` of one attack.
std::string Line(Sandbox sandbox, const std::vector<std::string>& args,
                 const std::vector<std::string>& options = {}) {
  const Outcome outcome = Attack(sandbox, args, options);
  std::string out = outcome.out;
  const std::string prefix = args[0] + ": ";
  EXPECT_THAT(out, StartsWith(prefix)) << outcome.Describe();
  EXPECT_TRUE(absl::EndsWith(out, "\n") &&
              out.find('\n') == out.size() - 1)
      << outcome.Describe();
  if (absl::StartsWith(out, prefix)) out = out.substr(prefix.size());
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

struct Case {
  const char* label;
  Sandbox sandbox;
  std::vector<std::string> args;
  const char* want;
};

// What gtest (and the ctest names it discovers) print for a case: the
// command line, not the struct's bytes.
void PrintTo(const Case& c, std::ostream* os) {
  *os << "attack " << absl::StrJoin(c.args, " ");
}

constexpr Sandbox D = Sandbox::kDefault;
constexpr Sandbox S = Sandbox::kStrict;
constexpr Sandbox N = Sandbox::kNoFilter;

const char kNoCaps[] =
    "CapInh=0000000000000000 CapPrm=0000000000000000 "
    "CapEff=0000000000000000 CapBnd=0000000000000000 "
    "CapAmb=0000000000000000 NoNewPrivs=1";

const std::vector<Case>& Cases() {
  static const auto* cases = new std::vector<Case>{
      // The host's root after the pivots: nothing above /, nothing of the
      // host through /proc, no handle reopened outside.
      {"DotDotStaysInRoot", D, {"dotdot", "{marker}"}, "errno=ENOENT"},
      {"DotDotStaysInRootStrict", S, {"dotdot", "{marker}"}, "errno=ENOENT"},
      {"OpenatDotDot", D, {"openat-dotdot", "{marker}"}, "errno=ENOENT"},
      {"OpenatDotDotStrict", S, {"openat-dotdot", "{marker}"}, "errno=ENOENT"},
      {"ProcSelfRootIsTheContainer", D,
       {"open-under", "/proc/self/root/../..", "{marker}"}, "errno=ENOENT"},
      {"ProcInitRoot", D, {"open-under", "/proc/1/root", "{marker}"},
       "errno=EACCES"},
      {"ProcInitRootStrict", S, {"open-under", "/proc/1/root", "{marker}"},
       "errno=EACCES"},
      {"ProcInitCwd", D, {"open-dir", "/proc/1/cwd"}, "errno=EACCES"},
      {"OpenByHandle", D, {"open-by-handle"}, "errno=EPERM"},
      {"OpenByHandleNoFilter", N, {"open-by-handle"}, "errno=EPERM"},
      // Nothing leaked: only stdio (and the attack's own --pass-fd).
      {"NoFdLeaked", D, {"fds", "3"}, "ok"},
      {"NoFdLeakedStrict", S, {"fds"}, "ok"},
      {"CwdIsRoot", D, {"cwd"}, "/ /"},
      {"CwdIsRootStrict", S, {"cwd"}, "/ /"},
      // init is not dumpable: its /proc entries are closed to the payload,
      // with or without the filter.
      {"InitExe", D, {"readlink", "/proc/1/exe"}, "errno=EACCES"},
      {"InitMem", D, {"open-read", "/proc/1/mem"}, "errno=EACCES"},
      {"InitEnviron", D, {"open-read", "/proc/1/environ"}, "errno=EACCES"},
      {"InitFd", D, {"readlink", "/proc/1/fd/0"}, "errno=EACCES"},
      {"InitMaps", D, {"open-read", "/proc/1/maps"}, "errno=EACCES"},
      {"InitEnvironStrict", S, {"open-read", "/proc/1/environ"},
       "errno=EACCES"},
      {"InitEnvironNoFilter", N, {"open-read", "/proc/1/environ"},
       "errno=EACCES"},
      {"InitMemNoFilter", N, {"open-read", "/proc/1/mem"}, "errno=EACCES"},
      // ptrace: the filter refuses it; without the filter the kernel does
      // (init not dumpable, no CAP_SYS_PTRACE).
      {"PtraceInit", D, {"ptrace", "1"}, "errno=EPERM"},
      {"PtraceInitStrict", S, {"ptrace", "1"}, "errno=EPERM"},
      {"PtraceInitNoFilter", N, {"ptrace", "1"}, "errno=EPERM"},
      {"ProcessVmReadvInit", D, {"process-vm-readv", "1"}, "errno=EPERM"},
      // Outside the pid namespace nothing is addressable: the launcher
      // (this test), its process group, everything.
      {"KillLauncher", D, {"kill", "{pid}", "0"}, "errno=ESRCH"},
      {"KillLauncherGroup", D, {"kill", "-{pgid}", "15"}, "errno=ESRCH"},
      {"KillLauncherGroupStrict", S, {"kill", "-{pgid}", "15"},
       "errno=ESRCH"},
      {"KillLauncherGroupNoFilter", N, {"kill", "-{pgid}", "9"},
       "errno=ESRCH"},
      {"KillEverything", D, {"kill", "-1", "15"}, "errno=ESRCH"},
      {"PidfdOfLauncher", D, {"pidfd-open", "{pid}"}, "errno=ESRCH"},
      {"PtraceLauncherNoFilter", N, {"ptrace", "{pid}"}, "errno=ESRCH"},
      // Read-only binds and their submounts.
      {"WriteUsr", D, {"write", "/usr/kekkai-attack"}, "errno=EROFS"},
      {"WriteEtc", D, {"write", "/etc/kekkai-attack"}, "errno=EROFS"},
      {"WriteDev", D, {"write", "/dev/kekkai-attack"}, "errno=EROFS"},
      {"WriteUsrStrict", S, {"write", "/usr/kekkai-attack"}, "errno=EROFS"},
      {"WriteAttackDirStrict", S, {"write", "/attack/kekkai-attack"},
       "errno=EROFS"},
      {"RemountUsrRw", D, {"remount-rw", "/usr"}, "errno=EPERM"},
      {"RemountUsrRwNoFilter", N, {"remount-rw", "/usr"}, "errno=EPERM"},
      {"UnmountUsr", D, {"umount", "/usr"}, "errno=EPERM"},
      {"UnmountUsrNoFilter", N, {"umount", "/usr"}, "errno=EPERM"},
      {"UnmountProcSysNoFilter", N, {"umount", "/proc/sys"}, "errno=EPERM"},
      {"MountOverUsr", D, {"mount-over", "/usr"}, "errno=EPERM"},
      {"MountOverUsrNoFilter", N, {"mount-over", "/usr"}, "errno=EPERM"},
      {"Chroot", D, {"chroot"}, "errno=EPERM"},
      {"PivotRoot", D, {"pivot-root"}, "errno=EPERM"},
      {"MknodNoFilter", N, {"mknod"}, "errno=EPERM"},
      // No capability in any set after exec; no_new_privs; the filter.
      {"Caps", D, {"caps"}, "@caps Seccomp=2"},
      {"CapsStrict", S, {"caps"}, "@caps Seccomp=2"},
      {"CapsNoFilter", N, {"caps"}, "@caps Seccomp=0"},
      {"Setuid0", D, {"setuid"}, "errno=EPERM"},
      {"Sethostname", D, {"sethostname"}, "errno=EPERM"},
      // deny-ns: no nested namespaces, no clone3, no new mount API.
      {"UnshareUser", D, {"unshare", "user"}, "errno=EPERM"},
      {"UnshareUserStrict", S, {"unshare", "user"}, "errno=EPERM"},
      {"UnshareMount", D, {"unshare", "mount"}, "errno=EPERM"},
      {"UnshareNet", D, {"unshare", "net"}, "errno=EPERM"},
      {"CloneNewuser", D, {"clone-newuser"}, "errno=EPERM"},
      {"CloneNewuserStrict", S, {"clone-newuser"}, "errno=EPERM"},
      {"Clone3", D, {"clone3"}, "errno=ENOSYS"},
      {"Clone3Strict", S, {"clone3"}, "errno=ENOSYS"},
      {"Setns", D, {"setns"}, "errno=EPERM"},
      {"Fsopen", D, {"fsopen"}, "errno=ENOSYS"},
      {"OpenTree", D, {"open-tree"}, "errno=ENOSYS"},
      {"OpenTreeStrict", S, {"open-tree"}, "errno=ENOSYS"},
      {"MoveMount", D, {"move-mount"}, "errno=ENOSYS"},
      {"Fspick", D, {"fspick"}, "errno=ENOSYS"},
      {"MountSetattr", D, {"mount-setattr"}, "errno=ENOSYS"},
      // deny-tty: no input injection into the controlling terminal, also
      // with high bits in the request.
      {"Tiocsti", D, {"tiocsti"}, "errno=EPERM"},
      {"TiocstiHighBits", D, {"tiocsti-high"}, "errno=EPERM"},
      {"Tioclinux", D, {"tioclinux"}, "errno=EPERM"},
      {"TioclinuxHighBits", D, {"tioclinux-high"}, "errno=EPERM"},
      {"TiocstiStrict", S, {"tiocsti"}, "errno=EPERM"},
      {"TioclinuxHighBitsStrict", S, {"tioclinux-high"}, "errno=EPERM"},
      // The kernel's own attack surface.
      {"Keyctl", D, {"keyctl"}, "errno=EPERM"},
      {"AddKey", D, {"add-key"}, "errno=EPERM"},
      {"RequestKey", D, {"request-key"}, "errno=EPERM"},
      {"PerfEventOpen", D, {"perf-event-open"}, "errno=EPERM"},
      {"PerfEventOpenStrict", S, {"perf-event-open"}, "errno=EPERM"},
      {"KexecLoad", D, {"kexec-load"}, "errno=EPERM"},
      {"KexecFileLoad", D, {"kexec-file-load"}, "errno=EPERM"},
      {"InitModule", D, {"init-module"}, "errno=EPERM"},
      {"FinitModule", D, {"finit-module"}, "errno=EPERM"},
      {"DeleteModule", D, {"delete-module"}, "errno=EPERM"},
      {"ClockSettime", D, {"clock-settime"}, "errno=EPERM"},
      {"Settimeofday", D, {"settimeofday"}, "errno=EPERM"},
      {"Reboot", D, {"reboot"}, "errno=EPERM"},
      {"RebootNoFilter", N, {"reboot"}, "errno=EPERM"},
      {"Swapon", D, {"swapon"}, "errno=EPERM"},
      {"Syslog", D, {"syslog"}, "errno=EPERM"},
      {"Personality", D, {"personality"}, "errno=EPERM"},
      {"ModifyLdt", D, {"modify-ldt"}, "errno=EPERM"},
      {"IoUringStrict", S, {"io-uring"}, "errno=ENOSYS"},
      {"UserfaultfdStrict", S, {"userfaultfd"}, "errno=ENOSYS"},
      // Without multiarch the filter has no i386 arch: int $0x80 kills.
      {"Int80", D, {"int80"}, "signal=SYS"},
      {"Int80Strict", S, {"int80"}, "signal=SYS"},
      // Socket families outside AF_UNIX, AF_INET, AF_INET6, AF_NETLINK.
      {"SocketPacket", D, {"socket", "17", "3"}, "errno=EAFNOSUPPORT"},
      {"SocketBluetooth", D, {"socket", "31", "3"}, "errno=EAFNOSUPPORT"},
      {"SocketCan", D, {"socket", "29", "3"}, "errno=EAFNOSUPPORT"},
      {"SocketVsock", D, {"socket", "40", "1"}, "errno=EAFNOSUPPORT"},
      {"SocketKey", D, {"socket", "15", "3"}, "errno=EAFNOSUPPORT"},
      {"SocketAlg", D, {"socket", "38", "5"}, "errno=EAFNOSUPPORT"},
      {"SocketPacketStrict", S, {"socket", "17", "3"}, "errno=EAFNOSUPPORT"},
      {"SocketNetlinkAllowed", D, {"socket", "16", "3"}, "ok"},
      {"SocketInetAllowed", D, {"socket", "2", "2"}, "ok"},
      // init reaps what the payload orphans.
      {"InitReapsOrphans", D, {"reap"}, "ok"},
  };
  return *cases;
}

class AttackTest : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override { KEKKAI_REQUIRE_USERNS(); }
};

TEST_P(AttackTest, Fails) {
  const Case& c = GetParam();
  std::string want = c.want;
  if (absl::StartsWith(want, "@caps")) {
    want = absl::StrCat(kNoCaps, want.substr(5));
  }
  EXPECT_EQ(Line(c.sandbox, c.args), want);
}

INSTANTIATE_TEST_SUITE_P(
    Security, AttackTest, ::testing::ValuesIn(Cases()),
    [](const ::testing::TestParamInfo<Case>& param) {
      return std::string(param.param.label);
    });

class SecurityTest : public ::testing::Test {
 protected:
  void SetUp() override { KEKKAI_REQUIRE_USERNS(); }
};

// /proc/sys is read-only (init's proc op). A root caller's container runs
// as the host's uid 0: without the cover the write would be allowed (the
// sysctl check is the file mode against uid 0, not a capability), so root
// sees EROFS; for any other caller the mode refuses first (EACCES).
TEST_F(SecurityTest, HostSysctlsAreNotWritable) {
  const std::string want = Root() ? "errno=EROFS" : "errno=EACCES";
  for (const char* path :
       {"/proc/sys/kernel/core_pattern", "/proc/sys/vm/stat_interval",
        "/proc/sys/vm/drop_caches"}) {
    EXPECT_EQ(Line(D, {"write", path}), want) << path;
    EXPECT_EQ(Line(S, {"write", path}), want) << path;
    EXPECT_EQ(Line(N, {"write", path}), want) << path;
  }
  if (access("/proc/sysrq-trigger", F_OK) == 0) {
    EXPECT_EQ(Line(D, {"write", "/proc/sysrq-trigger"}), want);
  }
}

// A submount of a read-only bind is read-only too (the host's /dev/shm,
// writable on the host, under a read-only bind of /dev).
TEST_F(SecurityTest, SubmountsOfReadOnlyBindsAreReadOnly) {
  struct stat st;
  ASSERT_EQ(stat("/dev/shm", &st), 0) << "the host needs a /dev/shm";
  const std::vector<std::string> bind = {"--ro-bind", "/dev", "/hostdev"};
  EXPECT_EQ(Line(S, {"write", "/hostdev/shm/kekkai-attack"}, bind),
            "errno=EROFS");
  EXPECT_EQ(Line(S, {"remount-rw", "/hostdev/shm"}, bind), "errno=EPERM");
  EXPECT_EQ(Line(S, {"umount", "/hostdev/shm"}, bind), "errno=EPERM");
  EXPECT_EQ(Line(S, {"mount-over", "/hostdev/shm"}, bind), "errno=EPERM");
}

// hakurei's presets leave io_uring and userfaultfd open; the strict
// sandbox above closes them with --seccomp-deny-extra (ENOSYS). Here the
// same sandbox without the option: the calls reach the kernel, which
// answers by its own sysctls.
TEST_F(SecurityTest, IoUringAndUserfaultfdOpenWithoutDenyExtra) {
  const std::optional<std::string> io_uring =
      ReadFile("/proc/sys/kernel/io_uring_disabled");
  const bool io_uring_on = !io_uring.has_value() || *io_uring == "0\n";
  EXPECT_EQ(Line(D, {"io-uring"}), io_uring_on ? "ok" : "errno=EPERM");
  // UFFD_USER_MODE_ONLY is allowed whatever vm.unprivileged_userfaultfd.
  EXPECT_EQ(Line(D, {"userfaultfd"}), "ok");
  const std::vector<std::string> deny = {"--seccomp-deny-extra",
                                         "io_uring,userfaultfd"};
  EXPECT_EQ(Line(D, {"io-uring"}, deny), "errno=ENOSYS");
  EXPECT_EQ(Line(D, {"userfaultfd"}, deny), "errno=ENOSYS");
  // The explicit rules keep the presets' (deny-tty included).
  EXPECT_EQ(Line(D, {"tiocsti"}, deny), "errno=EPERM");
  EXPECT_EQ(Line(D, {"clone3"}, deny), "errno=ENOSYS");
  EXPECT_EQ(Line(D, {"perf-event-open"}, deny), "errno=EPERM");
}

// bpf is not in hakurei's presets: the kernel refuses it (no CAP_BPF in the
// initial namespace) unless kernel.unprivileged_bpf_disabled is 0.
TEST_F(SecurityTest, Bpf) {
  const std::optional<std::string> off =
      ReadFile("/proc/sys/kernel/unprivileged_bpf_disabled");
  if (off.has_value() && *off == "0\n") {
    EXPECT_EQ(Line(D, {"bpf"}), "ok");
  } else {
    EXPECT_EQ(Line(D, {"bpf"}), "errno=EPERM");
    EXPECT_EQ(Line(N, {"bpf"}), "errno=EPERM");
  }
}

// The control for the deny-tty cases: on a pty that is the attack's
// controlling terminal the kernel itself lets TIOCSTI through (unless
// dev.tty.legacy_tiocsti is 0: EIO), also with the high bits set, which it
// ignores; TIOCLINUX is for virtual consoles only. The EPERM above is the
// filter's.
TEST_F(SecurityTest, TtyIoctlsWithoutTheFilter) {
  const std::optional<std::string> legacy =
      ReadFile("/proc/sys/dev/tty/legacy_tiocsti");
  const std::string want =
      legacy.has_value() && *legacy == "0\n" ? "errno=EIO" : "ok";
  EXPECT_EQ(Line(N, {"tiocsti"}), want);
  EXPECT_EQ(Line(N, {"tiocsti-high"}), want);
  EXPECT_EQ(Line(N, {"tioclinux"}), "errno=ENOTTY");
}

// With multiarch the i386 entry point exists (the control for Int80).
TEST_F(SecurityTest, Int80WithMultiarchRuns) {
  EXPECT_EQ(Line(D, {"int80"}, {"--seccomp-flags", "multiarch"}), "getpid");
}

// A setuid-root and file-capability copy of the attack, run through an
// exec inside the container: no_new_privs (and nosuid binds) keep every id
// and capability set unchanged. As root the copy is owned by root with
// cap_sys_admin,cap_setuid+ep; otherwise by the caller (setuid to itself).
TEST_F(SecurityTest, SetuidAndFileCapsGainNothing) {
  TempDir dir;
  const std::string copy = dir.Sub("suid");
  {
    const std::optional<std::string> bytes = ReadFile(AttackPath());
    ASSERT_TRUE(bytes.has_value());
    dir.WriteFile("suid", *bytes);
  }
  ASSERT_EQ(chmod(copy.c_str(), 06755), 0);
  if (Root()) {
    // struct vfs_cap_data, revision 2: permitted = effective bit set,
    // cap_setuid (7) and cap_sys_admin (21).
    const uint32_t caps = (1u << 7) | (1u << 21);
    const uint32_t data[5] = {0x02000000 | 1 /* effective */, caps, 0, 0, 0};
    // A root without CAP_SETFCAP (some CI containers) or a filesystem
    // without xattrs cannot make the file-capability half; the setuid half
    // still runs.
    if (setxattr(copy.c_str(), "security.capability", data, sizeof(data),
                 0) != 0) {
      ASSERT_TRUE(errno == EPERM || errno == ENOTSUP) << std::strerror(errno);
      std::fprintf(stderr, "no file capabilities: %s\n",
                   std::strerror(errno));
    }
  }
  chmod(dir.path().c_str(), 0755);
  const std::vector<std::string> bind = {"--ro-bind", dir.path(), "/suid"};
  const std::string want =
      "unchanged CapPrm=0000000000000000 CapEff=0000000000000000";
  EXPECT_EQ(Line(S, {"exec-ids", "/suid/suid"}, bind), want);
  EXPECT_EQ(Line(N, {"exec-ids", "/suid/suid"},
                 {"--ro-bind", "/usr", "/usr", "--symlink", "usr/lib", "/lib",
                  "--symlink", "usr/lib64", "/lib64", "--ro-bind",
                  dir.path(), "/suid", "--proc", "/proc"}),
            want);
}

// Abstract unix sockets of the host: in the default sandbox the network
// namespace is the container's own, so the name does not exist; with
// --share-net it does, and Landlock's scope refuses the connection (EPERM);
// --host-abstract lifts the scope (the control).
TEST_F(SecurityTest, HostAbstractSockets) {
  const std::string name = absl::StrCat("kekkai-attack-", getpid());
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path + 1, name.data(), name.size());
  const socklen_t len = static_cast<socklen_t>(
      offsetof(sockaddr_un, sun_path) + 1 + name.size());
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(listen(fd, 8), 0);
  EXPECT_EQ(Line(D, {"abstract", name}), "errno=ECONNREFUSED");
  EXPECT_EQ(Line(S, {"abstract", name}), "errno=ECONNREFUSED");
  EXPECT_EQ(Line(D, {"abstract", name}, {"--share-net"}), "errno=EPERM");
  EXPECT_EQ(Line(N, {"abstract", name}, {"--share-net"}), "errno=EPERM");
  EXPECT_EQ(Line(D, {"abstract", name}, {"--share-net", "--host-abstract"}),
            "ok");
  close(fd);
}

// A fork bomb under RLIMIT_NPROC 8 (set by the attack itself; it forks at
// most 16 and kills them all). The kernel exempts the host's uid 0 from
// RLIMIT_NPROC, so a root caller's container is not bounded by it
// (docs/security.md); for every other caller the limit holds.
TEST_F(SecurityTest, ForkBombIsBoundedByTheLimit) {
  const std::string line = Line(D, {"forkbomb", "8"});
  if (Root()) {
    EXPECT_EQ(line, "ok forks=16");
  } else {
    // init and the attack count too.
    EXPECT_THAT(line, StartsWith("errno=EAGAIN forks="));
    const int forks = std::stoi(line.substr(line.find('=', 6) + 1));
    EXPECT_LE(forks, 8);
  }
}

// The payload exits leaving an orphan in its own session and an unreaped
// zombie: kekkai returns the payload's status once init has ended the
// container, and nothing with the attack's marker is left on the host.
TEST_F(SecurityTest, NothingSurvivesThePayload) {
  const std::string marker = absl::StrCat("kekkai-orphan-", getpid());
  const Outcome outcome =
      Attack(D, {"orphans", marker}, {"--adopt-wait", "100ms"});
  EXPECT_EQ(outcome.out, "orphans: left\n");
  std::vector<pid_t> left;
  for (int i = 0; i < 50; ++i) {
    left = ProcessesWithMarker(marker);
    if (left.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(left.empty()) << DescribeProcesses(left);
}

// Symlinks planted in a bind source (by the host, or by an earlier
// container writing there) resolve in the container's root: "/" is the
// container's, ".." stops at its root.
TEST_F(SecurityTest, PlantedSymlinksInABindSourceStayInside) {
  TempDir src;
  src.MakeDir("d");
  ASSERT_EQ(symlink("/", src.Sub("root").c_str()), 0);
  ASSERT_EQ(symlink("../../../../../../../..", src.Sub("up").c_str()), 0);
  const std::string host_dir =
      HostMarker().substr(0, HostMarker().rfind('/'));
  ASSERT_EQ(symlink(host_dir.c_str(), src.Sub("abs").c_str()), 0);
  const std::vector<std::string> bind = {"--ro-bind", src.path(), "/data"};
  EXPECT_EQ(Line(S, {"open-under", "/data/root", "{marker}"}, bind),
            "errno=ENOENT");
  EXPECT_EQ(Line(S, {"open-under", "/data/up", "{marker}"}, bind),
            "errno=ENOENT");
  EXPECT_EQ(Line(S, {"open-read", "/data/abs/marker"}, bind), "errno=ENOENT");
}

// A symlink planted in a writable bind source (by an earlier container)
// pointing at /host/..., init's name for the host's root while it builds
// the container: a later op below it must not create anything on the host.
// init refuses the op (125, naming it).
TEST_F(SecurityTest, PlantedSymlinksInABindTargetStayInside) {
  TempDir src;
  TempDir victim;
  chmod(src.path().c_str(), 0755);
  chmod(victim.path().c_str(), 0755);
  ASSERT_EQ(symlink(absl::StrCat("/host", victim.path()).c_str(),
                    src.Sub("evil").c_str()),
            0);
  std::vector<std::string> args = {"run"};
  for (const std::string& o : SystemOptions()) args.push_back(o);
  args.insert(args.end(), {"--bind", src.path(), "/data", "--dir",
                           "/data/evil/created", "--", "/bin/true"});
  const Outcome outcome = RunKekkai(args);
  EXPECT_NE(access(victim.Sub("created").c_str(), F_OK), 0)
      << outcome.Describe();
  EXPECT_TRUE(outcome.exited && outcome.exit_code == 125)
      << outcome.Describe();
  EXPECT_THAT(outcome.err,
              StartsWith("kekkai-init: cannot use /data/evil/created (op "));
  EXPECT_THAT(outcome.err,
              ::testing::EndsWith(absl::StrCat(
                  ": mkdir): a symlink leads out of the container (to /host",
                  victim.path(), ")\n")));
  // The same through --ro-bind-data (a file created on the host before).
  args = {"run"};
  for (const std::string& o : SystemOptions()) args.push_back(o);
  args.insert(args.end(), {"--bind", src.path(), "/data", "--ro-bind-data",
                           "0", "/data/evil/planted", "--", "/bin/true"});
  SpawnOptions spawn;
  spawn.stdin_data = "data\n";
  const Outcome data = RunKekkai(args, spawn);
  EXPECT_TRUE(data.exited && data.exit_code == 125) << data.Describe();
  EXPECT_NE(access(victim.Sub("planted").c_str(), F_OK), 0);
}

}  // namespace
}  // namespace kekkai::cli::testing
