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

#include <functional>
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
#include "tests/init/op_script.h"
#include "tests/testing/status_matchers.h"

namespace kekkai::testing {
namespace {

using ::testing::_;
using ::testing::ByMove;
using ::testing::HasSubstr;
using ::testing::InSequence;
using ::testing::Return;

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

// Everything from SetDumpable to the umask restore for Sample(), each call
// with the step its failure is reported as.
std::vector<ScriptCall> BuildScript(const InitParams& init) {
  std::vector<ScriptCall> calls = {
      Call("set SUID_DUMP_USER", SYS(SetDumpable(1))),
      Call("write /proc/self/uid_map",
           SYS(WriteFile("/proc/self/uid_map", "65534 1000 1\n"))),
      Call("write /proc/self/setgroups",
           SYS(WriteFile("/proc/self/setgroups", "deny\n"))),
      Call("write /proc/self/gid_map",
           SYS(WriteFile("/proc/self/gid_map", "65534 100 1\n"))),
      Call("set SUID_DUMP_DISABLE", SYS(SetDumpable(0))),
      Always(SYS(Umask(0)), mode_t{022}),
      Call("set hostname", SYS(Sethostname("box"))),
      CallOr("read /proc/sys/kernel/cap_last_cap",
             SYS(ReadFile("/proc/sys/kernel/cap_last_cap")),
             std::string("40\n")),
      Call("make / rslave",
           SYS(Mount("", "/", "", MS_SILENT | MS_SLAVE | MS_REC, ""))),
      Call("mount intermediate root",
           SYS(Mount("rootfs", "/proc/self/fd", "tmpfs", MS_NODEV | MS_NOSUID,
                     ""))),
      Call("enter intermediate root", SYS(Chdir("/proc/self/fd"))),
      Call("create /sysroot", SYS(Mkdir("sysroot", 0755))),
      Call("bind /sysroot", SYS(Mount("sysroot", "sysroot", "",
                                      MS_SILENT | MS_BIND | MS_REC, ""))),
      Call("create /host", SYS(Mkdir("host", 0755))),
      Call("pivot into intermediate root",
           SYS(PivotRoot("/proc/self/fd", "host"))),
      Call("enter intermediate root", SYS(Chdir("/"))),
      // op 0: proc; its target must resolve beneath /sysroot
      Always(SYS(Lstat("/sysroot/proc")),
             absl::StatusOr<sys::FileType>(sys::FileType::kDirectory)),
      Always(SYS(RealPath("/sysroot/proc")),
             absl::StatusOr<std::string>(std::string("/sysroot/proc"))),
      Call("mount proc on /proc", SYS(MkdirAll("/sysroot/proc", 0755))),
      Call("mount proc on /proc",
           SYS(Mount("proc", "/sysroot/proc", "proc",
                     MS_NOSUID | MS_NOEXEC | MS_NODEV, ""))),
      Call("mount proc on /proc",
           SYS(BindMount("/sysroot/proc/sys", "/sysroot/proc/sys", MS_RDONLY))),
      CallOr("mount proc on /proc", SYS(Lstat("/sysroot/proc/sysrq-trigger")),
             sys::FileType::kRegular),
      Call("mount proc on /proc",
           SYS(BindMount("/sysroot/proc/sysrq-trigger",
                         "/sysroot/proc/sysrq-trigger", MS_RDONLY))),
      Call("make host root rprivate",
           SYS(Mount("host", "host", "", MS_SILENT | MS_REC | MS_PRIVATE, ""))),
      Call("unmount host root", SYS(Umount2("host", MNT_DETACH))),
      {"open intermediate root",
       [](MockSys& sys, const absl::Status& result) {
         EXPECT_CALL(sys, Open("/", O_DIRECTORY | O_RDONLY, 0))
             .WillOnce([result]() -> absl::StatusOr<UniqueFd> {
               if (!result.ok()) return result;
               return NullFd();
             });
       }},
      Call("enter sysroot", SYS(Chdir("/sysroot"))),
      Call("pivot into sysroot", SYS(PivotRoot(".", "."))),
      Call("re-enter intermediate root", SYS(Fchdir(_))),
      Call("unmount intermediate root", SYS(Umount2(".", MNT_DETACH))),
      Call("enter root", SYS(Chdir("/"))),
      Call("bring up the loopback interface", SYS(BringUpLoopback())),
      Call("clear the ambient capability set", SYS(CapAmbientClearAll())),
  };
  for (int cap = 0; cap <= 40; ++cap) {
    calls.push_back(Call(absl::StrCat("drop capability ", cap,
                                      " from the bounding set"),
                         SYS(CapBoundingSetDrop(cap))));
  }
  calls.push_back(Call("drop capabilities (capset)", SYS(Capset(0, 0, 0))));
  const std::vector<NativeRule> rules = seccomp::RulesFor(init.params);
  const uint32_t flags = init.params.seccomp_flags;
  calls.push_back(Call("load syscall filter", SYS(LoadSeccomp(rules, flags))));
  calls.push_back(Always(SYS(Umask(022)), mode_t{0}));
  return calls;
}

// Getpid through the adoption of the fds, for a setup fd `fd` and no extra
// files.
void ExpectReceive(MockSys& sys, int fd, const std::string& stream) {
  EXPECT_CALL(sys, Getpid()).WillOnce(Return(1));
  EXPECT_CALL(sys, SetPtracer(0)).WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, SignalFd(init::SupervisedSignals()))
      .WillOnce(Return(ByMove(NullFd())));
  EXPECT_CALL(sys, ReadAll(fd, _)).WillOnce(Return(stream));
  EXPECT_CALL(sys, CloexecFrom(3)).WillOnce(Return(absl::OkStatus()));
}

TEST(InitMainTest, EveryBuildStepFailureIsFatalAndNamed) {
  const InitParams init = Sample();
  const std::string stream = *gob::Encode(init);
  const std::vector<ScriptCall> calls = BuildScript(init);
  for (size_t k = 0; k < calls.size(); ++k) {
    if (!calls[k].can_fail) continue;
    SCOPED_TRACE(absl::StrCat("call ", k, ": ", calls[k].step));
    LogCapture log;
    StrictMockSys sys;
    SetupFd setup;
    // EIO: neither the ENOENT tolerated for setgroups nor the EPERM
    // tolerated for the loopback.
    const absl::Status injected = Injected(static_cast<int>(k), EIO);
    {
      InSequence seq;
      ExpectReceive(sys, setup.number, stream);
      ExpectScript(sys, calls, k, injected);
    }
    EXPECT_EQ(init::Main(sys, setup.env().c_str()), 1);
    const bool in_op = calls[k].step == "mount proc on /proc";
    EXPECT_EQ(log.Text(),
              absl::StrCat("kekkai-init: cannot ", calls[k].step,
                           in_op ? " (op 0: proc)" : "",
                           ": input/output error\n"));
  }
}

TEST(InitMainTest, TheWholeSequenceForAHakureiLauncher) {
  LogCapture log;
  StrictMockSys sys;
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
    const std::vector<ScriptCall> calls = BuildScript(init);
    ExpectScript(sys, calls, calls.size(), absl::OkStatus());
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

// Sample()'s sequence from Getpid to the pivot into the intermediate root,
// every call succeeding (the caller holds an InSequence).
void ExpectUpToTheFirstApply(StrictMockSys& sys, int setup_fd,
                             const std::string& stream) {
  EXPECT_CALL(sys, Getpid()).WillOnce(Return(1));
  EXPECT_CALL(sys, SetPtracer(0)).WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, SignalFd(_)).WillOnce(Return(ByMove(NullFd())));
  EXPECT_CALL(sys, ReadAll(setup_fd, _)).WillOnce(Return(stream));
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
}

// Runs Sample() for a kekkai launcher; after the pivot `apply` scripts the
// calls of op 0 up to its failure, which init must report as `want` and
// print as its one line.
void ExpectOpFailureReported(
    const SetupReport& want,
    const std::function<void(StrictMockSys&)>& apply) {
  LogCapture log;
  StrictMockSys sys;
  SetupFd setup;
  InitParams init = Sample();
  init.kekkai_report = kSetupReportVersion;
  const std::string stream = *gob::Encode(init);
  {
    InSequence seq;
    ExpectUpToTheFirstApply(sys, setup.number, stream);
    apply(sys);
    EXPECT_CALL(sys, WriteAll(setup.number, EncodeSetupReport(want)))
        .WillOnce(Return(absl::OkStatus()));
  }
  EXPECT_EQ(init::Main(sys, setup.env().c_str()), 1);
  EXPECT_EQ(log.Text(), "kekkai-init: " + want.message + "\n");
}

TEST(InitMainTest, AFailingOpIsReportedToAKekkaiLauncher) {
  SetupReport want;
  want.kind = SetupReportKind::kSetupFailed;
  want.op_index = 0;
  want.err = EPERM;
  want.step = "mount proc on /proc";
  want.message = "cannot mount proc on /proc (op 0: proc): operation not "
                 "permitted";
  ExpectOpFailureReported(want, [](StrictMockSys& sys) {
    EXPECT_CALL(sys, Lstat("/sysroot/proc"))
        .WillOnce(Return(ErrnoStatus(ENOENT, "lstat")));
    EXPECT_CALL(sys, MkdirAll("/sysroot/proc", 0755))
        .WillOnce(Return(absl::OkStatus()));
    EXPECT_CALL(sys, Mount("proc", _, _, _, _))
        .WillOnce(Return(ErrnoStatus(EPERM, "mount(\"proc\")")));
  });
}

// A target whose existing part resolves out of /sysroot (a symlink planted
// in a writable bind source by an earlier container) is refused before the
// op touches it.
TEST(InitMainTest, ATargetLeadingOutOfTheContainerIsRefused) {
  SetupReport want;
  want.kind = SetupReportKind::kSetupFailed;
  want.op_index = 0;
  want.err = EXDEV;
  want.step = "use /proc";
  want.message = "cannot use /proc (op 0: proc): a symlink leads out of the "
                 "container (to /host/etc)";
  ExpectOpFailureReported(want, [](StrictMockSys& sys) {
    EXPECT_CALL(sys, Lstat("/sysroot/proc"))
        .WillOnce(Return(sys::FileType::kSymlink));
    EXPECT_CALL(sys, RealPath("/sysroot/proc")).WillOnce(Return("/host/etc"));
  });
}

// A dangling symlink leads nowhere yet (auto-etc's links before their
// target is bound): the op itself decides, as before the check.
TEST(InitMainTest, ADanglingTargetIsLeftToTheOp) {
  SetupReport want;
  want.kind = SetupReportKind::kSetupFailed;
  want.op_index = 0;
  want.err = ENOENT;
  want.step = "mount proc on /proc";
  want.message = "cannot mount proc on /proc (op 0: proc): no such file or "
                 "directory";
  ExpectOpFailureReported(want, [](StrictMockSys& sys) {
    EXPECT_CALL(sys, Lstat("/sysroot/proc"))
        .WillOnce(Return(sys::FileType::kSymlink));
    EXPECT_CALL(sys, RealPath("/sysroot/proc"))
        .WillOnce(Return(ErrnoStatus(ENOENT, "realpath")));
    EXPECT_CALL(sys, MkdirAll("/sysroot/proc", 0755))
        .WillOnce(Return(ErrnoStatus(ENOENT, "mkdir")));
  });
}

TEST(InitMainTest, AnExecFailureIsReportedAsSuch) {
  LogCapture log;
  StrictMockSys sys;
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
  EXPECT_CALL(sys, BindMount(_, _, _))
      .WillRepeatedly(Return(absl::OkStatus()));
  EXPECT_CALL(sys, Lstat(_)).WillRepeatedly(Return(sys::FileType::kRegular));
  EXPECT_CALL(sys, RealPath(_))
      .WillRepeatedly([](const std::string& path) -> absl::StatusOr<std::string> {
        return path;
      });
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
  StrictMockSys sys;
  EXPECT_CALL(sys, Getpid()).WillOnce(Return(4242));
  EXPECT_EQ(init::Main(sys, "3"), 1);
  EXPECT_EQ(log.Text(), "kekkai-init: this process must run as pid 1\n");
}

// The refusals before anything is set up, each with its line.
void ExpectEarlyFailure(const char* env, const std::string& stream,
                        const std::string& line, bool prefix_only = false) {
  LogCapture log;
  StrictMockSys sys;
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
  StrictMockSys sys;
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

TEST(InitMainTest, SignalAndFdSetupFailures) {
  {
    LogCapture log;
    StrictMockSys sys;
    InSequence seq;
    EXPECT_CALL(sys, Getpid()).WillOnce(Return(1));
    EXPECT_CALL(sys, SetPtracer(0)).WillOnce(Return(absl::OkStatus()));
    EXPECT_CALL(sys, SignalFd(_)).WillOnce(Return(Injected(1, EMFILE)));
    EXPECT_EQ(init::Main(sys, "3"), 1);
    EXPECT_EQ(log.Text(), "kekkai-init: cannot set up signal handling: too "
                          "many open files\n");
  }
  {
    LogCapture log;
    StrictMockSys sys;
    SetupFd setup;
    InSequence seq;
    EXPECT_CALL(sys, Getpid()).WillOnce(Return(1));
    EXPECT_CALL(sys, SetPtracer(0)).WillOnce(Return(absl::OkStatus()));
    EXPECT_CALL(sys, SignalFd(_)).WillOnce(Return(ByMove(NullFd())));
    EXPECT_CALL(sys, ReadAll(setup.number, _))
        .WillOnce(Return(*gob::Encode(Sample())));
    EXPECT_CALL(sys, CloexecFrom(3)).WillOnce(Return(Injected(2, ENOSYS)));
    EXPECT_EQ(init::Main(sys, setup.env().c_str()), 1);
    EXPECT_EQ(log.Text(), "kekkai-init: cannot make inherited files "
                          "close-on-exec: function not implemented\n");
  }
  {
    // The launcher promised an extra file that is not open.
    LogCapture log;
    StrictMockSys sys;
    SetupFd setup;
    InitParams init = Sample();
    init.count = 2;
    InSequence seq;
    EXPECT_CALL(sys, Getpid()).WillOnce(Return(1));
    EXPECT_CALL(sys, SetPtracer(0)).WillOnce(Return(absl::OkStatus()));
    EXPECT_CALL(sys, SignalFd(_)).WillOnce(Return(ByMove(NullFd())));
    EXPECT_CALL(sys, ReadAll(setup.number, _))
        .WillOnce(Return(*gob::Encode(init)));
    EXPECT_CALL(sys, CloexecFrom(3)).WillOnce(Return(absl::OkStatus()));
    EXPECT_CALL(sys, SetCloexec(setup.number + 1))
        .WillOnce(Return(Injected(3, EBADF)));
    EXPECT_EQ(init::Main(sys, setup.env().c_str()), 1);
    EXPECT_EQ(log.Text(),
              absl::StrCat("kekkai-init: cannot use extra file 0 at fd ",
                           setup.number + 1, ": bad file descriptor\n"));
  }
}

TEST(InitMainTest, InvalidParametersAreRefusedWithTheOpIndex) {
  LogCapture log;
  StrictMockSys sys;
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
