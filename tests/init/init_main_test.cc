// The init sequence (init/init.h) scripted through a few whole paths: the
// exact order of the happy path for a hakurei launcher, the setup report of
// a kekkai launcher, and the early refusals. Everything else is covered in
// real namespaces (tests/integration/init_integration_test.cc).
#include "init/init.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/gob/gob.h"
#include "common/log.h"
#include "common/ops_builder.h"
#include "common/params.h"
#include "common/setup_report.h"
#include "common/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "init/supervise.h"
#include "seccomp/seccomp.h"
#include "tests/init/mock_sys.h"
#include "tests/testing/status_matchers.h"

namespace kekkai::testing {
namespace {

using ::testing::_;
using ::testing::ByMove;
using ::testing::HasSubstr;
using ::testing::InSequence;
using ::testing::Return;
using ::testing::StrictMock;

// Captures what init logs (its error line) for the length of a test.
class LogCapture {
 public:
  LogCapture() : fd_(::memfd_create("log", MFD_CLOEXEC)) {
    log::SetProgram("kekkai-init");
    log::SetFd(fd_.get());
  }
  ~LogCapture() {
    log::SetFd(2);
    log::SetLevel(log::Level::kWarning);
  }
  std::string Text() const {
    std::string out;
    char buffer[4096];
    off_t offset = 0;
    for (ssize_t n; (n = ::pread(fd_.get(), buffer, sizeof(buffer), offset)) > 0;
         offset += n) {
      out.append(buffer, static_cast<size_t>(n));
    }
    return out;
  }

 private:
  UniqueFd fd_;
};

InitParams Sample() {
  InitParams init;
  Params& p = init.params;
  p.path = AbsolutePath::Literal("/bin/sh");
  p.args = {"sh", "-c", "true"};
  p.env = {"A=1"};
  p.hostname = "box";
  p.uid = 65534;
  p.gid = 65534;
  p.adopt_wait_delay = 5 * kSecond;
  p.seccomp_presets = kPresetStrict;
  absl::StatusOr<OpList> ops = OpsBuilder().Proc("/proc").Build();
  p.ops = *ops;
  init.host_uid = 1000;
  init.host_gid = 100;
  return init;
}

// The setup fd init takes over (and closes): a real fd, so closing it is
// harmless.
struct SetupFd {
  SetupFd() : number(NullFd().release()) {}
  std::string env() const { return absl::StrCat(number); }
  int number;
};

MATCHER_P(SpecIs, want, "") {
  const sys::ExecSpec& got = arg;
  return got.path == want.path && got.argv == want.argv &&
         got.envp == want.envp && got.dir == want.dir &&
         got.extra_first == want.extra_first &&
         got.extra_count == want.extra_count;
}

// Everything from SetDumpable to the seccomp load for Sample().
void ExpectBuild(MockSys& sys, const InitParams& init) {
  EXPECT_CALL(sys, SetDumpable(1)).WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, WriteFile("/proc/self/uid_map", "65534 1000 1\n"))
      .WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, WriteFile("/proc/self/setgroups", "deny\n"))
      .WillOnce(Return(ErrnoStatus(ENOENT, "old kernel")));  // tolerated
  EXPECT_CALL(sys, WriteFile("/proc/self/gid_map", "65534 100 1\n"))
      .WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, SetDumpable(0)).WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, Umask(0)).WillOnce(Return(022));
  EXPECT_CALL(sys, Sethostname("box")).WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, ReadFile("/proc/sys/kernel/cap_last_cap"))
      .WillOnce(Return("40\n"));
  EXPECT_CALL(sys, Mount("", "/", "", MS_SILENT | MS_SLAVE | MS_REC, ""))
      .WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, Mount("rootfs", "/proc/self/fd", "tmpfs",
                         MS_NODEV | MS_NOSUID, ""))
      .WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, Chdir("/proc/self/fd")).WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, Mkdir("sysroot", 0755)).WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, Mount("sysroot", "sysroot", "",
                         MS_SILENT | MS_BIND | MS_REC, ""))
      .WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, Mkdir("host", 0755)).WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, PivotRoot("/proc/self/fd", "host"))
      .WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, Chdir("/")).WillOnce(Return(absl::OkStatus()));
  // op 0: proc
  EXPECT_CALL(sys, MkdirAll("/sysroot/proc", 0755))
      .WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, Mount("proc", "/sysroot/proc", "proc",
                         MS_NOSUID | MS_NOEXEC | MS_NODEV, ""))
      .WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, Mount("host", "host", "", MS_SILENT | MS_REC | MS_PRIVATE,
                         ""))
      .WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, Umount2("host", MNT_DETACH)).WillOnce(Return(absl::OkStatus()));
  UniqueFd old_root = NullFd();
  const int old_root_number = old_root.get();
  EXPECT_CALL(sys, Open("/", O_DIRECTORY | O_RDONLY, 0))
      .WillOnce(Return(ByMove(std::move(old_root))));
  EXPECT_CALL(sys, Chdir("/sysroot")).WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, PivotRoot(".", ".")).WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, Fchdir(old_root_number)).WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, Umount2(".", MNT_DETACH)).WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, Chdir("/")).WillOnce(Return(absl::OkStatus()));
  // hakurei's launcher gives no CAP_NET_ADMIN: lo stays down, not fatal.
  EXPECT_CALL(sys, BringUpLoopback())
      .WillOnce(Return(ErrnoStatus(EPERM, "ioctl")));
  EXPECT_CALL(sys, CapAmbientClearAll()).WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, CapBoundingSetDrop(_))
      .Times(41)
      .WillRepeatedly(Return(absl::OkStatus()));
  EXPECT_CALL(sys, Capset(0, 0, 0)).WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, LoadSeccomp(seccomp::RulesFor(init.params),
                               init.params.seccomp_flags))
      .WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, Umask(022)).WillOnce(Return(0));
}

TEST(InitMainTest, TheWholeSequenceForAHakureiLauncher) {
  LogCapture log;
  StrictMock<MockSys> sys;
  SetupFd setup;
  InitParams init = Sample();
  init.count = 1;
  UniqueFd extra = NullFd();
  // The extra file must sit right after the setup fd.
  ASSERT_EQ(::dup2(extra.get(), setup.number + 1), setup.number + 1);
  const std::string stream = *gob::Encode(init);
  {
    InSequence seq;
    EXPECT_CALL(sys, Getpid()).WillOnce(Return(1));
    EXPECT_CALL(sys, SetPtracer(0)).WillOnce(Return(ErrnoStatus(EINVAL, "yama")));
    EXPECT_CALL(sys, SignalFd(init::SupervisedSignals()))
        .WillOnce(Return(ByMove(NullFd())));
    EXPECT_CALL(sys, ReadAll(setup.number, _)).WillOnce(Return(stream));
    EXPECT_CALL(sys, CloexecFrom(3)).WillOnce(Return(absl::OkStatus()));
    EXPECT_CALL(sys, SetCloexec(setup.number + 1))
        .WillOnce(Return(absl::OkStatus()));
    ExpectBuild(sys, init);
    sys::ExecSpec spec;
    spec.path = "/bin/sh";
    spec.argv = {"sh", "-c", "true"};
    spec.envp = {"A=1"};
    spec.dir = "/";
    spec.extra_first = setup.number + 1;
    spec.extra_count = 1;
    EXPECT_CALL(sys, StartProcess(SpecIs(spec))).WillOnce(Return(2));
    EXPECT_CALL(sys, WaitAnyChild())
        .WillOnce(Return(sys::ChildWait{2, 3 << 8}));
    EXPECT_CALL(sys, MonotonicNanos()).WillOnce(Return(0));
    EXPECT_CALL(sys, WaitAnyChild()).WillOnce(Return(sys::ChildWait{-1, 0}));
  }
  EXPECT_EQ(init::Main(sys, setup.env().c_str()), 3);
  EXPECT_EQ(log.Text(), "");
  // init closed both the setup fd and its copy of the extra file.
  EXPECT_EQ(::fcntl(setup.number, F_GETFD), -1);
  EXPECT_EQ(::fcntl(setup.number + 1, F_GETFD), -1);
}

TEST(InitMainTest, AFailingOpIsReportedToAKekkaiLauncher) {
  LogCapture log;
  StrictMock<MockSys> sys;
  SetupFd setup;
  InitParams init = Sample();
  init.kekkai_report = kSetupReportVersion;
  const std::string stream = *gob::Encode(init);
  SetupReport want;
  want.kind = SetupReportKind::kSetupFailed;
  want.op_index = 0;
  want.err = EPERM;
  want.step = "mount proc on /proc";
  want.message = "cannot mount proc on /proc (op 0: proc): operation not "
                 "permitted";
  {
    InSequence seq;
    EXPECT_CALL(sys, Getpid()).WillOnce(Return(1));
    EXPECT_CALL(sys, SetPtracer(0)).WillOnce(Return(absl::OkStatus()));
    EXPECT_CALL(sys, SignalFd(_)).WillOnce(Return(ByMove(NullFd())));
    EXPECT_CALL(sys, ReadAll(setup.number, _)).WillOnce(Return(stream));
    EXPECT_CALL(sys, CloexecFrom(3)).WillOnce(Return(absl::OkStatus()));
    EXPECT_CALL(sys, SetDumpable(1)).WillOnce(Return(absl::OkStatus()));
    EXPECT_CALL(sys, WriteFile(_, _)).Times(3).WillRepeatedly(Return(absl::OkStatus()));
    EXPECT_CALL(sys, SetDumpable(0)).WillOnce(Return(absl::OkStatus()));
    EXPECT_CALL(sys, Umask(0)).WillOnce(Return(022));
    EXPECT_CALL(sys, Sethostname("box")).WillOnce(Return(absl::OkStatus()));
    EXPECT_CALL(sys, ReadFile(_)).WillOnce(Return("40\n"));
    EXPECT_CALL(sys, Mount(_, _, _, _, _)).WillOnce(Return(absl::OkStatus()));
    EXPECT_CALL(sys, Mount("rootfs", _, _, _, _)).WillOnce(Return(absl::OkStatus()));
    EXPECT_CALL(sys, Chdir(_)).WillOnce(Return(absl::OkStatus()));
    EXPECT_CALL(sys, Mkdir(_, _)).WillOnce(Return(absl::OkStatus()));
    EXPECT_CALL(sys, Mount("sysroot", _, _, _, _)).WillOnce(Return(absl::OkStatus()));
    EXPECT_CALL(sys, Mkdir(_, _)).WillOnce(Return(absl::OkStatus()));
    EXPECT_CALL(sys, PivotRoot(_, _)).WillOnce(Return(absl::OkStatus()));
    EXPECT_CALL(sys, Chdir(_)).WillOnce(Return(absl::OkStatus()));
    EXPECT_CALL(sys, MkdirAll("/sysroot/proc", 0755))
        .WillOnce(Return(absl::OkStatus()));
    EXPECT_CALL(sys, Mount("proc", _, _, _, _))
        .WillOnce(Return(ErrnoStatus(EPERM, "mount(\"proc\")")));
    EXPECT_CALL(sys, WriteAll(setup.number, EncodeSetupReport(want)))
        .WillOnce(Return(absl::OkStatus()));
  }
  EXPECT_EQ(init::Main(sys, setup.env().c_str()), 1);
  EXPECT_EQ(log.Text(), "kekkai-init: " + want.message + "\n");
}

TEST(InitMainTest, AnExecFailureIsReportedAsSuch) {
  LogCapture log;
  StrictMock<MockSys> sys;
  SetupFd setup;
  InitParams init = Sample();
  init.kekkai_report = kSetupReportVersion;
  init.params.host_net = true;  // no loopback call
  const std::string stream = *gob::Encode(init);
  {
    InSequence seq;
    EXPECT_CALL(sys, Getpid()).WillOnce(Return(1));
    EXPECT_CALL(sys, SetPtracer(0)).WillOnce(Return(absl::OkStatus()));
    EXPECT_CALL(sys, SignalFd(_)).WillOnce(Return(ByMove(NullFd())));
    EXPECT_CALL(sys, ReadAll(setup.number, _)).WillOnce(Return(stream));
    EXPECT_CALL(sys, CloexecFrom(3)).WillOnce(Return(absl::OkStatus()));
  }
  // The build itself, in any order this test does not care about.
  EXPECT_CALL(sys, SetDumpable(_)).WillRepeatedly(Return(absl::OkStatus()));
  EXPECT_CALL(sys, WriteFile(_, _)).WillRepeatedly(Return(absl::OkStatus()));
  EXPECT_CALL(sys, Umask(_)).WillRepeatedly(Return(022));
  EXPECT_CALL(sys, Sethostname(_)).WillRepeatedly(Return(absl::OkStatus()));
  EXPECT_CALL(sys, ReadFile(_)).WillRepeatedly(Return("40\n"));
  EXPECT_CALL(sys, Mount(_, _, _, _, _)).WillRepeatedly(Return(absl::OkStatus()));
  EXPECT_CALL(sys, Chdir(_)).WillRepeatedly(Return(absl::OkStatus()));
  EXPECT_CALL(sys, Mkdir(_, _)).WillRepeatedly(Return(absl::OkStatus()));
  EXPECT_CALL(sys, MkdirAll(_, _)).WillRepeatedly(Return(absl::OkStatus()));
  EXPECT_CALL(sys, PivotRoot(_, _)).WillRepeatedly(Return(absl::OkStatus()));
  EXPECT_CALL(sys, Umount2(_, _)).WillRepeatedly(Return(absl::OkStatus()));
  EXPECT_CALL(sys, Open(_, _, _)).WillOnce(Return(ByMove(NullFd())));
  EXPECT_CALL(sys, Fchdir(_)).WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, CapAmbientClearAll()).WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, CapBoundingSetDrop(_)).WillRepeatedly(Return(absl::OkStatus()));
  EXPECT_CALL(sys, Capset(_, _, _)).WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, LoadSeccomp(_, _)).WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, StartProcess(_))
      .WillOnce(Return(sys::ExecFailure(sys::ExecStep::kExecve, ENOENT,
                                        "execve(\"/bin/sh\")")));
  SetupReport want;
  want.kind = SetupReportKind::kExecFailed;
  want.err = ENOENT;
  want.step = "start program";
  want.message = "cannot start program: /bin/sh: no such file or directory";
  EXPECT_CALL(sys, WriteAll(setup.number, EncodeSetupReport(want)))
      .WillOnce(Return(absl::OkStatus()));
  EXPECT_EQ(init::Main(sys, setup.env().c_str()), 1);
  EXPECT_EQ(log.Text(), "kekkai-init: " + want.message + "\n");
}

TEST(InitMainTest, MustBePid1) {
  LogCapture log;
  StrictMock<MockSys> sys;
  EXPECT_CALL(sys, Getpid()).WillOnce(Return(4242));
  EXPECT_EQ(init::Main(sys, "3"), 1);
  EXPECT_EQ(log.Text(), "kekkai-init: this process must run as pid 1\n");
}

// The refusals before anything is set up, each with its line.
void ExpectEarlyFailure(const char* env, const std::string& stream,
                        const std::string& line, bool prefix_only = false) {
  LogCapture log;
  StrictMock<MockSys> sys;
  {
    InSequence seq;
    EXPECT_CALL(sys, Getpid()).WillOnce(Return(1));
    EXPECT_CALL(sys, SetPtracer(0)).WillOnce(Return(absl::OkStatus()));
    EXPECT_CALL(sys, SignalFd(_)).WillOnce(Return(ByMove(NullFd())));
    if (!stream.empty()) {
      EXPECT_CALL(sys, ReadAll(_, _)).WillOnce(Return(stream));
    }
  }
  EXPECT_EQ(init::Main(sys, env), 1);
  if (prefix_only) {
    EXPECT_THAT(log.Text(), ::testing::StartsWith("kekkai-init: " + line));
  } else {
    EXPECT_EQ(log.Text(), "kekkai-init: " + line + "\n");
  }
}

TEST(InitMainTest, EarlyRefusals) {
  ExpectEarlyFailure(nullptr, "", "HAKUREI_SETUP not set");
  ExpectEarlyFailure("x3", "",
                     "invalid setup descriptor \"x3\" in HAKUREI_SETUP");
  ExpectEarlyFailure("2", "", "invalid setup descriptor \"2\" in HAKUREI_SETUP");
  {
    SetupFd setup;
    ExpectEarlyFailure(setup.env().c_str(), "\x03\xff\xff",
                       "cannot decode setup parameters: gob: ", true);
  }
}

TEST(InitMainTest, AClosedSetupFd) {
  LogCapture log;
  StrictMock<MockSys> sys;
  SetupFd setup;
  InSequence seq;
  EXPECT_CALL(sys, Getpid()).WillOnce(Return(1));
  EXPECT_CALL(sys, SetPtracer(0)).WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, SignalFd(_)).WillOnce(Return(ByMove(NullFd())));
  EXPECT_CALL(sys, ReadAll(setup.number, _))
      .WillOnce(Return(ErrnoStatus(EBADF, "read")));
  EXPECT_EQ(init::Main(sys, setup.env().c_str()), 1);
  EXPECT_EQ(log.Text(), absl::StrCat("kekkai-init: cannot read setup parameters "
                                     "from fd ",
                                     setup.number, ": bad file descriptor\n"));
}

TEST(InitMainTest, InvalidParametersAreRefusedWithTheOpIndex) {
  LogCapture log;
  StrictMock<MockSys> sys;
  SetupFd setup;
  InitParams init = Sample();
  // op 1: no path
  init.params.ops->emplace_back(std::in_place, std::in_place_type<MkdirOp>);
  const std::string stream = *gob::Encode(init);
  InSequence seq;
  EXPECT_CALL(sys, Getpid()).WillOnce(Return(1));
  EXPECT_CALL(sys, SetPtracer(0)).WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, SignalFd(_)).WillOnce(Return(ByMove(NullFd())));
  EXPECT_CALL(sys, ReadAll(setup.number, _)).WillOnce(Return(stream));
  EXPECT_EQ(init::Main(sys, setup.env().c_str()), 1);
  EXPECT_EQ(log.Text(),
            "kekkai-init: invalid setup parameters: op 1 (mkdir): path: not "
            "set\n");
}

}  // namespace
}  // namespace kekkai::testing
