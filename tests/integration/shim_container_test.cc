// The launcher (shim/container.h) in real namespaces, against
// shim_fake_init: what init is promised (argv, environment, cwd, fds,
// capabilities, no_new_privs, Landlock, session, signals, namespaces, the
// params envelope), the Result mapping end to end, cancellation, the wait
// delay, warm containers, bad input, many containers from many threads, and
// process hygiene in the caller.
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "shim/container.h"
#include "shim/landlock.h"
#include "tests/integration/shim_test_util.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/userns.h"

namespace kekkai {
namespace {

using ::kekkai::testing::FakeOptions;
using ::kekkai::testing::FakeParams;
using ::kekkai::testing::IsOk;
using ::kekkai::testing::ParseFacts;
using ::kekkai::testing::ReadAll;
using ::kekkai::testing::RunCaptured;
using ::kekkai::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using Clock = std::chrono::steady_clock;

std::string SelfNs(const char* ns) {
  char buf[256];
  const ssize_t n =
      readlink(absl::StrCat("/proc/self/ns/", ns).c_str(), buf, sizeof(buf));
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

class ShimContainerTest : public ::testing::Test {
 protected:
  void SetUp() override { KEKKAI_REQUIRE_USERNS(); }
};

TEST_F(ShimContainerTest, InitGetsExactlyWhatHakureiPromises) {
  const auto [result, out] = RunCaptured(FakeParams({"facts"}), FakeOptions());
  ASSERT_TRUE(result.ok()) << result.ToString() << "\n" << out;
  const auto facts = ParseFacts(out);
  EXPECT_EQ(facts.at("argv"), "init");
  EXPECT_EQ(facts.at("env"), "HAKUREI_SETUP=3");
  EXPECT_EQ(facts.at("cwd"), "/");
  EXPECT_EQ(facts.at("pid"), "1");
  EXPECT_EQ(facts.at("session_leader"), "1");  // setsid
  EXPECT_EQ(facts.at("fds"), "0,1,2,3");
  // hakurei's CAP_SYS_ADMIN (21), CAP_SETPCAP (8), CAP_DAC_OVERRIDE (1),
  // ambient, and kekkai's CAP_NET_ADMIN (12) for a network namespace of its
  // own (lo is brought up).
  EXPECT_EQ(facts.at("CapAmb"), "0000000000201102");
  EXPECT_EQ(facts.at("CapInh"), "0000000000201102");
  EXPECT_EQ(facts.at("CapEff"), "0000000000201102");
  EXPECT_EQ(facts.at("NoNewPrivs"), "1");
  EXPECT_EQ(facts.at("SigBlk"), "0000000000000000");
  EXPECT_EQ(facts.at("SigIgn"), "0000000000000000");
  EXPECT_EQ(facts.at("ignored"), "none");
  // The envelope (hakurei's initParams plus KekkaiReport).
  EXPECT_EQ(facts.at("host_uid"), std::to_string(getuid()));
  EXPECT_EQ(facts.at("host_gid"), std::to_string(getgid()));
  EXPECT_EQ(facts.at("count"), "0");
  EXPECT_EQ(facts.at("verbose"), "0");
  EXPECT_EQ(facts.at("kekkai_report"), "1");
  // Launcher defaults: overflow ids, 5 s, DenyTTY, dir "/".
  std::ifstream overflow_uid("/proc/sys/kernel/overflowuid");
  std::ifstream overflow_gid("/proc/sys/kernel/overflowgid");
  std::string overflow;
  overflow_uid >> overflow;
  EXPECT_EQ(facts.at("uid"), overflow);
  overflow_gid >> overflow;
  EXPECT_EQ(facts.at("gid"), overflow);
  EXPECT_EQ(facts.at("adopt_wait_delay"), std::to_string(5 * kSecond));
  EXPECT_EQ(facts.at("seccomp_presets"), std::to_string(kPresetDenyTTY));
  EXPECT_EQ(facts.at("dir"), "/");
  EXPECT_EQ(result.init_pid > 0, true);
}

TEST_F(ShimContainerTest, EveryNamespaceIsNewButNetWithHostNet) {
  const auto [result, out] = RunCaptured(FakeParams({"facts"}), FakeOptions());
  ASSERT_TRUE(result.ok()) << result.ToString();
  const auto facts = ParseFacts(out);
  for (const char* ns : {"user", "pid", "mnt", "ipc", "uts", "cgroup", "net"}) {
    EXPECT_NE(facts.at(absl::StrCat("ns_", ns)), SelfNs(ns)) << ns;
  }
  Params params = FakeParams({"facts"});
  params.host_net = true;
  const auto shared = RunCaptured(std::move(params), FakeOptions());
  ASSERT_TRUE(shared.result.ok()) << shared.result.ToString();
  EXPECT_EQ(ParseFacts(shared.out).at("ns_net"), SelfNs("net"));
  EXPECT_NE(ParseFacts(shared.out).at("ns_user"), SelfNs("user"));
  // The host's network: exactly hakurei's ambient set, no CAP_NET_ADMIN.
  EXPECT_EQ(ParseFacts(shared.out).at("CapAmb"), "0000000000200102");
}

TEST_F(ShimContainerTest, RetainSessionSkipsSetsidAndDenyTTY) {
  Params params = FakeParams({"facts"});
  params.retain_session = true;
  const auto [result, out] = RunCaptured(std::move(params), FakeOptions());
  ASSERT_TRUE(result.ok()) << result.ToString();
  const auto facts = ParseFacts(out);
  EXPECT_EQ(facts.at("session_leader"), "0");
  EXPECT_EQ(facts.at("seccomp_presets"), "0");
}

TEST_F(ShimContainerTest, LauncherDefaultsAndPassThroughs) {
  Params params = FakeParams({"facts"});
  params.uid = 1000;
  params.gid = 100;
  params.adopt_wait_delay = -1;  // "do not wait": 0
  params.dir = AbsolutePath::Literal("/tmp");
  LaunchOptions options = FakeOptions();
  options.verbose = true;
  const auto [result, out] = RunCaptured(std::move(params), options);
  ASSERT_TRUE(result.ok()) << result.ToString();
  const auto facts = ParseFacts(out);
  EXPECT_EQ(facts.at("uid"), "1000");
  EXPECT_EQ(facts.at("gid"), "100");
  EXPECT_EQ(facts.at("adopt_wait_delay"), "0");
  EXPECT_EQ(facts.at("dir"), "/tmp");
  EXPECT_EQ(facts.at("verbose"), "1");
  EXPECT_EQ(facts.at("cwd"), "/");  // init's; the program's is `dir`
}

TEST_F(ShimContainerTest, InitFromTheEnvironment) {
  // No init_path: $KEKKAI_INIT comes before "next to the program" (where
  // the real kekkai-init is).
  setenv("KEKKAI_INIT", testing::FakeInit().c_str(), 1);
  const auto [result, out] = RunCaptured(FakeParams({"facts"}), LaunchOptions{});
  unsetenv("KEKKAI_INIT");
  ASSERT_TRUE(result.ok()) << result.ToString();
  EXPECT_EQ(ParseFacts(out).at("argv"), "init");
}

#if defined(__x86_64__)
TEST_F(ShimContainerTest, FallsBackToCloneWithoutClone3) {
  // In a forked child whose seccomp filter makes clone3 fail with ENOSYS
  // (as kernels before 5.3 and some sandboxes do): the launch falls back to
  // clone(2), except with a cgroup fd, which only clone3 can honour.
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog program = {
        static_cast<unsigned short>(sizeof(filter) / sizeof(filter[0])),
        filter};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) {
      _exit(10);
    }
    if (syscall(SYS_clone3, nullptr, 0) != -1 || errno != ENOSYS) _exit(11);
    const Result exited = kekkai::Run(FakeParams({"exit", "5"}), FakeOptions());
    if (exited.kind != Result::Kind::kExited || exited.exit_code != 5) {
      std::fprintf(stderr, "%s\n", exited.ToString().c_str());
      _exit(12);
    }
    kekkai::UniqueFd cgroup(open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    LaunchOptions options = FakeOptions();
    options.cgroup_fd = cgroup.get();
    const Result refused = kekkai::Run(FakeParams({"exit", "0"}), options);
    if (refused.kind != Result::Kind::kStartFailed ||
        refused.step != "clone init" || refused.err != ENOSYS) {
      std::fprintf(stderr, "%s\n", refused.ToString().c_str());
      _exit(13);
    }
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0)
      << "10: seccomp, 11: clone3 not refused, 12: no fallback to clone, "
         "13: cgroup fd without clone3";
}
#endif

TEST_F(ShimContainerTest, CallerSignalStateDoesNotReachInit) {
  // Ignored signals survive execve unless reset; blocked ones would too.
  struct sigaction ignore = {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction old_pipe;
  struct sigaction old_usr1;
  sigaction(SIGPIPE, &ignore, &old_pipe);
  sigaction(SIGUSR1, &ignore, &old_usr1);
  sigset_t block;
  sigset_t old_mask;
  sigemptyset(&block);
  sigaddset(&block, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &block, &old_mask);
  const auto [result, out] = RunCaptured(FakeParams({"facts"}), FakeOptions());
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  sigaction(SIGPIPE, &old_pipe, nullptr);
  sigaction(SIGUSR1, &old_usr1, nullptr);
  ASSERT_TRUE(result.ok()) << result.ToString();
  const auto facts = ParseFacts(out);
  EXPECT_EQ(facts.at("SigIgn"), "0000000000000000");
  EXPECT_EQ(facts.at("SigBlk"), "0000000000000000");
  EXPECT_EQ(facts.at("ignored"), "none");
}

TEST_F(ShimContainerTest, OnlyStdioSetupAndExtraFilesReachInit) {
  // An fd without close-on-exec, which a plain fork+exec would leak.
  const int leaked = open("/dev/null", O_RDONLY);
  ASSERT_GE(leaked, 0);
  int first[2];
  int second[2];
  ASSERT_EQ(pipe2(first, O_CLOEXEC), 0);
  ASSERT_EQ(pipe(second), 0);  // no close-on-exec either
  ASSERT_EQ(write(first[1], "first", 5), 5);
  ASSERT_EQ(write(second[1], "second", 6), 6);
  LaunchOptions options = FakeOptions();
  options.extra_files = {first[0], second[0]};
  const auto [result, out] = RunCaptured(
      FakeParams({"facts", "--read-fd=4", "--read-fd=5"}), options);
  for (int fd : {leaked, first[0], first[1], second[0], second[1]}) close(fd);
  ASSERT_TRUE(result.ok()) << result.ToString();
  const auto facts = ParseFacts(out);
  EXPECT_EQ(facts.at("fds"), "0,1,2,3,4,5");
  EXPECT_EQ(facts.at("fd4"), "first");
  EXPECT_EQ(facts.at("fd5"), "second");
  EXPECT_EQ(facts.at("count"), "2");
}

TEST_F(ShimContainerTest, FdShuffleSurvivesCollisionsAndClosedStdin) {
  // In a forked child (which also checks that a fork()ed caller gets its
  // own spawner thread): stdin closed, the extra files sitting exactly on
  // the numbers init wants for other things, and stdout == stderr.
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int a[2];
    int b[2];
    int out[2];
    if (pipe(a) != 0 || pipe(b) != 0 || pipe2(out, O_CLOEXEC) != 0) _exit(10);
    if (write(a[1], "A", 1) != 1 || write(b[1], "B", 1) != 1) _exit(11);
    // Out of the way first (pipe() may have returned 3, 4, 5 themselves).
    const int a_read = fcntl(a[0], F_DUPFD, 100);
    const int b_read = fcntl(b[0], F_DUPFD, 100);
    const int out_write = fcntl(out[1], F_DUPFD, 100);
    for (int fd : {a[0], a[1], b[0], b[1], out[1]}) close(fd);
    // a's read end at 5 and b's at 4: init wants them at 4 and 5.
    if (dup2(a_read, 5) != 5 || dup2(b_read, 4) != 4) _exit(12);
    // The setup socket will want 3: put stdout's pipe there.
    if (dup2(out_write, 3) != 3) _exit(13);
    for (int fd : {a_read, b_read, out_write}) close(fd);
    close(0);
    LaunchOptions options = FakeOptions();
    options.stdout_fd = 3;
    options.stderr_fd = 3;
    options.extra_files = {5, 4};
    Container container(FakeParams({"facts", "--read-fd=4", "--read-fd=5"}),
                        options);
    if (!container.Start().ok()) _exit(14);
    close(3);
    if (!container.Serve().ok()) _exit(15);
    const Result result = container.Wait();
    if (!result.ok()) _exit(16);
    const auto facts = ParseFacts(ReadAll(out[0]));
    if (facts.count("fds") == 0 || facts.at("fds") != "0,1,2,3,4,5") _exit(17);
    if (facts.at("fd4") != "A" || facts.at("fd5") != "B") _exit(18);
    if (facts.at("stdin") != "/dev/null") _exit(19);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0)
      << "10-13: test setup, 14: Start, 15: Serve, 16: Result, 17: fds, "
         "18: fd contents, 19: stdin";
}

TEST_F(ShimContainerTest, LandlockScopesAbstractSocketsUnlessHostAbstract) {
  const absl::StatusOr<int> abi = shim::internal::LandlockAbi();
  if (!abi.ok() || *abi < shim::internal::kLandlockScopeAbi) {
    GTEST_SKIP() << "kernel without Landlock scopes";
  }
  // A listening abstract socket outside the container, in the network
  // namespace the container shares (host_net).
  const std::string name = absl::StrFormat("kekkai-shim-test-%d", getpid());
  kekkai::UniqueFd listener(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(listener.valid());
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path + 1, name.data(), name.size());
  const socklen_t len = static_cast<socklen_t>(
      offsetof(struct sockaddr_un, sun_path) + 1 + name.size());
  ASSERT_EQ(bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(listen(listener.get(), 8), 0);

  Params scoped = FakeParams({"facts", "--abstract=" + name});
  scoped.host_net = true;
  const auto denied = RunCaptured(scoped, FakeOptions());
  ASSERT_TRUE(denied.result.ok()) << denied.result.ToString();
  EXPECT_EQ(ParseFacts(denied.out).at("abstract"), "EPERM");

  Params open = scoped;
  open.host_abstract = true;
  const auto allowed = RunCaptured(open, FakeOptions());
  ASSERT_TRUE(allowed.result.ok()) << allowed.result.ToString();
  EXPECT_EQ(ParseFacts(allowed.out).at("abstract"), "ok");
}

TEST_F(ShimContainerTest, NoNewPrivsAndLandlockStayOutOfTheCaller) {
  const std::vector<std::string> before = testing::ThreadsNoNewPrivs();
  ASSERT_FALSE(before.empty());
  if (before[0] != "0") GTEST_SKIP() << "the test already runs with NNP";
  const auto [result, out] = RunCaptured(FakeParams({"facts"}), FakeOptions());
  ASSERT_TRUE(result.ok()) << result.ToString();
  EXPECT_EQ(ParseFacts(out).at("NoNewPrivs"), "1");
  // Every thread of the caller, the spawner thread included.
  for (const std::string& value : testing::ThreadsNoNewPrivs()) {
    EXPECT_EQ(value, "0");
  }
}

TEST_F(ShimContainerTest, ResultKindsEndToEnd) {
  {
    const Result result = kekkai::Run(FakeParams({"exit", "3"}), FakeOptions());
    EXPECT_EQ(result.kind, Result::Kind::kExited) << result.ToString();
    EXPECT_EQ(result.exit_code, 3);
  }
  {
    const Result result = kekkai::Run(FakeParams({"signal", "9"}), FakeOptions());
    EXPECT_EQ(result.kind, Result::Kind::kSignaled) << result.ToString();
    EXPECT_EQ(result.signal, 9);
    EXPECT_EQ(result.exit_code, 128 + 9);
  }
  {
    const Result result = kekkai::Run(FakeParams({"setup-fail"}), FakeOptions());
    EXPECT_EQ(result.kind, Result::Kind::kSetupFailed) << result.ToString();
    EXPECT_EQ(result.step, "mount proc on /proc");
    EXPECT_EQ(result.op_index, 2);
    EXPECT_EQ(result.err, EPERM);
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_EQ(result.ToString(),
              "setup failed: cannot mount proc on /proc (op 2: proc): "
              "operation not permitted");
  }
  {
    const Result result = kekkai::Run(FakeParams({"exec-fail", "2"}), FakeOptions());
    EXPECT_EQ(result.kind, Result::Kind::kSetupFailed) << result.ToString();
    EXPECT_EQ(result.step, Result::kStepExec);
    EXPECT_EQ(result.err, ENOENT);
    EXPECT_EQ(result.message,
              "cannot start program /fake: no such file or directory");
  }
  {
    const Result result = kekkai::Run(FakeParams({"silent", "7"}), FakeOptions());
    EXPECT_EQ(result.kind, Result::Kind::kExited) << result.ToString();
    EXPECT_EQ(result.exit_code, 7);
    EXPECT_THAT(result.message, HasSubstr("no setup report"));
  }
  {
    const Result result = kekkai::Run(FakeParams({"bad-report"}), FakeOptions());
    EXPECT_EQ(result.kind, Result::Kind::kStartFailed) << result.ToString();
    EXPECT_EQ(result.step, "read setup report");
  }
}

TEST_F(ShimContainerTest, InitKilledFromOutsideIsSignaled) {
  testing::StdoutPipe pipe;
  LaunchOptions options = FakeOptions();
  options.stdout_fd = pipe.write_end.get();
  Container container(FakeParams({"block"}), options);
  ASSERT_THAT(container.Start(), IsOk());
  pipe.write_end.reset();
  ASSERT_THAT(container.Serve(), IsOk());
  char line[16];
  ASSERT_GT(read(pipe.read_end.get(), line, sizeof(line)), 0);  // "blocking"
  ASSERT_EQ(kill(container.pid(), SIGKILL), 0);
  const Result result = container.Wait();
  EXPECT_EQ(result.kind, Result::Kind::kSignaled) << result.ToString();
  EXPECT_EQ(result.signal, SIGKILL);
  EXPECT_FALSE(result.canceled);
}

TEST_F(ShimContainerTest, CancelEndsTheWholeTree) {
  testing::StdoutPipe pipe;
  LaunchOptions options = FakeOptions();
  options.stdout_fd = pipe.write_end.get();
  Container container(FakeParams({"block", "--fork"}), options);
  ASSERT_THAT(container.Start(), IsOk());
  pipe.write_end.reset();
  ASSERT_THAT(container.Serve(), IsOk());
  char line[16];
  ASSERT_GT(read(pipe.read_end.get(), line, sizeof(line)), 0);  // "blocking"
  // init's forked child, seen from here.
  std::ifstream children(absl::StrFormat("/proc/%d/task/%d/children",
                                         container.pid(), container.pid()));
  pid_t grandchild = -1;
  children >> grandchild;
  ASSERT_GT(grandchild, 0);
  const int grandchild_fd =
      static_cast<int>(syscall(SYS_pidfd_open, grandchild, 0));
  ASSERT_GE(grandchild_fd, 0);
  kekkai::UniqueFd grandchild_pidfd(grandchild_fd);

  ASSERT_THAT(container.Cancel(), IsOk());
  const Result result = container.Wait();
  EXPECT_EQ(result.kind, Result::Kind::kCanceled) << result.ToString();
  EXPECT_TRUE(result.canceled);
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.ToString(), "canceled");
  // The grandchild is gone too (the pid namespace died with init).
  struct pollfd pfd = {grandchild_pidfd.get(), POLLIN, 0};
  EXPECT_EQ(poll(&pfd, 1, 5000), 1);
  EXPECT_THAT(container.Cancel(), IsOk());  // a no-op now
  EXPECT_THAT(container.Signal(SIGTERM),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("exited")));
}

TEST_F(ShimContainerTest, CancelRightAfterServeIsNotLost) {
  // The first SIGUSR2 may reach init before it handles signals (the kernel
  // drops it then); the launcher sends it again once init reports the
  // program started. The wait delay only guards against a hang here.
  for (int i = 0; i < 5; ++i) {
    LaunchOptions options = FakeOptions();
    options.wait_delay = std::chrono::seconds(20);
    Container container(FakeParams({"block"}), options);
    ASSERT_THAT(container.Start(), IsOk());
    ASSERT_THAT(container.Serve(), IsOk());
    ASSERT_THAT(container.Cancel(), IsOk());
    const Result result = container.Wait();
    EXPECT_EQ(result.kind, Result::Kind::kCanceled) << result.ToString();
    EXPECT_THAT(result.message, Not(HasSubstr("wait delay")));
  }
}

TEST_F(ShimContainerTest, WaitDelayKillsAnInitThatIgnoresCancel) {
  LaunchOptions options = FakeOptions();
  options.wait_delay = std::chrono::milliseconds(300);
  Container container(FakeParams({"ignore-cancel"}), options);
  ASSERT_THAT(container.Start(), IsOk());
  ASSERT_THAT(container.Serve(), IsOk());
  const Clock::time_point canceled = Clock::now();
  ASSERT_THAT(container.Cancel(), IsOk());
  const Result result = container.Wait();
  const auto waited = Clock::now() - canceled;
  EXPECT_EQ(result.kind, Result::Kind::kCanceled) << result.ToString();
  EXPECT_THAT(result.message, HasSubstr("wait delay"));
  EXPECT_EQ(result.exit_code, -1);
  EXPECT_GE(waited, std::chrono::milliseconds(300));
  EXPECT_LT(waited, std::chrono::seconds(10));
}

TEST_F(ShimContainerTest, CancelFromAnotherThreadWakesWait) {
  LaunchOptions options = FakeOptions();
  Container container(FakeParams({"block"}), options);
  ASSERT_THAT(container.Start(), IsOk());
  ASSERT_THAT(container.Serve(), IsOk());
  std::thread canceler([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_THAT(container.Cancel(), IsOk());
  });
  const Result result = container.Wait();
  canceler.join();
  EXPECT_EQ(result.kind, Result::Kind::kCanceled) << result.ToString();
}

TEST_F(ShimContainerTest, SignalIsForwardedToInit) {
  testing::StdoutPipe pipe;
  LaunchOptions options = FakeOptions();
  options.stdout_fd = pipe.write_end.get();
  Container container(FakeParams({"block"}), options);
  EXPECT_THAT(container.Signal(SIGTERM),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("not started")));
  ASSERT_THAT(container.Start(), IsOk());
  pipe.write_end.reset();
  ASSERT_THAT(container.Serve(), IsOk());
  char line[16];
  ASSERT_GT(read(pipe.read_end.get(), line, sizeof(line)), 0);
  EXPECT_THAT(container.Signal(0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("0")));
  ASSERT_THAT(container.Signal(SIGTERM), IsOk());
  const Result result = container.Wait();
  EXPECT_EQ(result.kind, Result::Kind::kSignaled) << result.ToString();
  EXPECT_EQ(result.signal, SIGTERM);
}

TEST_F(ShimContainerTest, WarmContainerServedLaterFromAnotherThread) {
  // Start on a thread that then exits: init must survive it (hakurei's
  // Pdeathsig would have killed it), and Serve later still works.
  Container container(FakeParams({"exit", "0"}), FakeOptions());
  absl::Status started;
  std::thread starter([&] { started = container.Start(); });
  starter.join();
  ASSERT_THAT(started, IsOk());
  EXPECT_GT(container.pid(), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(kill(container.pid(), 0), 0) << "init died with its thread";
  ASSERT_THAT(container.Serve(), IsOk());
  const Result result = container.Wait();
  EXPECT_TRUE(result.ok()) << result.ToString();
  EXPECT_EQ(container.params().uid > 0, true);  // normalised by Start
}

TEST_F(ShimContainerTest, CancelOfAWarmContainer) {
  Container container(FakeParams({"exit", "0"}), FakeOptions());
  ASSERT_THAT(container.Start(), IsOk());
  ASSERT_THAT(container.Cancel(), IsOk());
  const Result result = container.Wait();
  EXPECT_EQ(result.kind, Result::Kind::kCanceled) << result.ToString();
  EXPECT_THAT(container.Serve(), StatusIs(absl::StatusCode::kFailedPrecondition,
                                          HasSubstr("finished")));
}

TEST_F(ShimContainerTest, CallOrderMistakesAreErrors) {
  Container container(FakeParams({"exit", "0"}), FakeOptions());
  EXPECT_THAT(container.Serve(), StatusIs(absl::StatusCode::kFailedPrecondition,
                                          HasSubstr("not started")));
  EXPECT_EQ(container.pid(), -1);
  ASSERT_THAT(container.Start(), IsOk());
  EXPECT_THAT(container.Start(), StatusIs(absl::StatusCode::kFailedPrecondition,
                                          HasSubstr("already started")));
  ASSERT_THAT(container.Serve(), IsOk());
  EXPECT_THAT(container.Serve(), StatusIs(absl::StatusCode::kFailedPrecondition,
                                          HasSubstr("already served")));
  const Result first = container.Wait();
  EXPECT_TRUE(first.ok()) << first.ToString();
  const Result second = container.Wait();  // the same result again
  EXPECT_EQ(second.kind, first.kind);
  EXPECT_EQ(second.exit_code, first.exit_code);

  Container unserved(FakeParams({"exit", "0"}), FakeOptions());
  ASSERT_THAT(unserved.Start(), IsOk());
  const Result never = unserved.Wait();
  EXPECT_EQ(never.kind, Result::Kind::kStartFailed);
  EXPECT_THAT(never.message, HasSubstr("Serve"));

  Container never_started(FakeParams({"exit", "0"}), FakeOptions());
  EXPECT_EQ(never_started.Wait().kind, Result::Kind::kStartFailed);
}

TEST_F(ShimContainerTest, DestructorKillsAndReapsInit) {
  kekkai::UniqueFd init_pidfd;
  {
    Container container(FakeParams({"block", "--fork"}), FakeOptions());
    ASSERT_THAT(container.Start(), IsOk());
    ASSERT_THAT(container.Serve(), IsOk());
    init_pidfd.reset(
        static_cast<int>(syscall(SYS_pidfd_open, container.pid(), 0)));
    ASSERT_TRUE(init_pidfd.valid());
  }
  struct pollfd pfd = {init_pidfd.get(), POLLIN, 0};
  EXPECT_EQ(poll(&pfd, 1, 0), 1) << "init outlived its Container";
  EXPECT_THAT(testing::OwnChildren(), IsEmpty());
}

TEST_F(ShimContainerTest, CallerIgnoringSigchldStillGetsTheResult) {
  // With SIGCHLD ignored the kernel reaps init itself the moment it exits;
  // the status must still come back (through the pidfd).
  struct sigaction ignore = {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction old;
  sigaction(SIGCHLD, &ignore, &old);
  const Result exited = kekkai::Run(FakeParams({"exit", "4"}), FakeOptions());
  const Result killed = kekkai::Run(FakeParams({"signal", "15"}), FakeOptions());
  sigaction(SIGCHLD, &old, nullptr);
  EXPECT_EQ(exited.kind, Result::Kind::kExited) << exited.ToString();
  EXPECT_EQ(exited.exit_code, 4);
  EXPECT_EQ(killed.kind, Result::Kind::kSignaled) << killed.ToString();
  EXPECT_EQ(killed.exit_code, 128 + 15);
}

TEST_F(ShimContainerTest, CallerReapingAnyChildDoesNotLoseTheResult) {
  // A caller's own "reap any child" loop takes init's status first.
  Container container(FakeParams({"silent", "6"}), FakeOptions());
  ASSERT_THAT(container.Start(), IsOk());
  ASSERT_THAT(container.Serve(), IsOk());
  int status = 0;
  ASSERT_EQ(waitpid(-1, &status, 0), container.pid());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 6);
  const Result result = container.Wait();
  EXPECT_EQ(result.kind, Result::Kind::kExited) << result.ToString();
  EXPECT_EQ(result.exit_code, 6);
}

class ShimBadInputTest : public ShimContainerTest {
 protected:
  void SetUp() override {
    ShimContainerTest::SetUp();
    if (IsSkipped()) return;
    // Warm the process-wide caches (spawner thread, Landlock rulesets) so
    // that the fd count below measures only the failed launch.
    ASSERT_TRUE(kekkai::Run(FakeParams({"exit", "0"}), FakeOptions()).ok());
    fds_before_ = testing::CountOpenFds();
  }
  // Nothing left: no child process, no fd.
  void ExpectNothingLeft() {
    EXPECT_THAT(testing::OwnChildren(), IsEmpty());
    EXPECT_EQ(testing::CountOpenFds(), fds_before_);
  }
  int fds_before_ = 0;
};

TEST_F(ShimBadInputTest, MissingPathIsRefusedBeforeAnyClone) {
  Params params = FakeParams({"exit", "0"});
  params.path.reset();
  Container container(std::move(params), FakeOptions());
  EXPECT_THAT(container.Start(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("start: invalid params: path: not set")));
  const Result result = container.Wait();
  EXPECT_EQ(result.kind, Result::Kind::kStartFailed);
  EXPECT_EQ(result.step, "check params");
  EXPECT_EQ(result.init_pid, -1);
  ExpectNothingLeft();
}

TEST_F(ShimBadInputTest, NoOpsIsRefused) {
  Params params = FakeParams({"exit", "0"});
  params.ops.reset();
  const Result result = kekkai::Run(std::move(params), FakeOptions());
  EXPECT_EQ(result.kind, Result::Kind::kStartFailed);
  EXPECT_THAT(result.message, HasSubstr("ops"));
  ExpectNothingLeft();
}

TEST_F(ShimBadInputTest, MissingInitNamesThePath) {
  LaunchOptions options = FakeOptions();
  options.init_path = "/nonexistent/kekkai-init";
  const Result result = kekkai::Run(FakeParams({"exit", "0"}), options);
  EXPECT_EQ(result.kind, Result::Kind::kStartFailed);
  EXPECT_EQ(result.step, "find kekkai-init");
  EXPECT_EQ(result.err, ENOENT);
  EXPECT_THAT(result.message, HasSubstr("/nonexistent/kekkai-init"));
  ExpectNothingLeft();
}

TEST_F(ShimBadInputTest, InitThatIsNotAProgramFailsAtExecve) {
  char path[] = "/tmp/kekkai-shim-notelf.XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "not a program\n", 14), 14);
  close(fd);
  ASSERT_EQ(chmod(path, 0755), 0);
  LaunchOptions options = FakeOptions();
  options.init_path = path;
  const Result result = kekkai::Run(FakeParams({"exit", "0"}), options);
  unlink(path);
  EXPECT_EQ(result.kind, Result::Kind::kStartFailed);
  EXPECT_EQ(result.step, "execute init");
  EXPECT_EQ(result.err, ENOEXEC);
  EXPECT_THAT(result.message, HasSubstr(absl::StrCat("execve(\"", path, "\")")));
  ExpectNothingLeft();
}

TEST_F(ShimBadInputTest, ClosedExtraFileIsNamed) {
  LaunchOptions options = FakeOptions();
  const int closed = dup(2);
  close(closed);
  options.extra_files = {1, closed};
  const Result result = kekkai::Run(FakeParams({"exit", "0"}), options);
  EXPECT_EQ(result.kind, Result::Kind::kStartFailed);
  EXPECT_EQ(result.step, "check launch options");
  EXPECT_EQ(result.err, EBADF);
  EXPECT_THAT(result.message, HasSubstr("extra file 1"));
  ExpectNothingLeft();
}

TEST_F(ShimBadInputTest, TooManyExtraFiles) {
  LaunchOptions options = FakeOptions();
  options.extra_files.assign(kMaxExtraFiles + 1, 1);
  const Result result = kekkai::Run(FakeParams({"exit", "0"}), options);
  EXPECT_EQ(result.kind, Result::Kind::kStartFailed);
  EXPECT_THAT(result.message, HasSubstr("extra files"));
  ExpectNothingLeft();
}

TEST_F(ShimBadInputTest, BadCgroupFdFailsTheClone) {
  kekkai::UniqueFd not_a_cgroup(open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(not_a_cgroup.valid());
  LaunchOptions options = FakeOptions();
  options.cgroup_fd = not_a_cgroup.get();
  const Result result = kekkai::Run(FakeParams({"exit", "0"}), options);
  EXPECT_EQ(result.kind, Result::Kind::kStartFailed);
  EXPECT_EQ(result.step, "clone init");
  EXPECT_NE(result.err, 0);
  EXPECT_THAT(result.message, HasSubstr("CLONE_INTO_CGROUP"));
  not_a_cgroup.reset();
  ExpectNothingLeft();
}

TEST_F(ShimBadInputTest, InitThatNeverReadsTimesOutAfterFiveSeconds) {
  // Params far larger than the socket buffer, and an init that never reads.
  Params params = FakeParams({"exit", "0"});
  params.ops = OpsBuilder().Place("/big", std::string(4 << 20, 'x')).Build().value();
  LaunchOptions options;
  options.init_path = testing::BinaryPath("shim_stall_init");
  Container container(std::move(params), options);
  ASSERT_THAT(container.Start(), IsOk());
  const Clock::time_point start = Clock::now();
  EXPECT_THAT(container.Serve(),
              StatusIs(absl::StatusCode::kDeadlineExceeded,
                       HasSubstr("did not take its params within 5s")));
  const auto waited = Clock::now() - start;
  EXPECT_GE(waited, std::chrono::milliseconds(4900));
  EXPECT_LT(waited, std::chrono::seconds(15));
  const Result result = container.Wait();
  EXPECT_EQ(result.kind, Result::Kind::kStartFailed);
  EXPECT_EQ(result.step, "send params to init");
  EXPECT_THAT(testing::OwnChildren(), IsEmpty());
}

TEST_F(ShimContainerTest, ManyContainersFromManyThreads) {
  ASSERT_TRUE(kekkai::Run(FakeParams({"exit", "0"}), FakeOptions()).ok());
  const int fds_before = testing::CountOpenFds();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 6;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &wrong] {
      for (int i = 0; i < kPerThread; ++i) {
        const int code = t * kPerThread + i;
        const Result result =
            kekkai::Run(FakeParams({"exit", std::to_string(code)}), FakeOptions());
        if (result.kind != Result::Kind::kExited || result.exit_code != code) {
          std::fprintf(stderr, "thread %d container %d: %s\n", t, i,
                       result.ToString().c_str());
          ++wrong;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(testing::CountOpenFds(), fds_before);
  EXPECT_THAT(testing::OwnChildren(), IsEmpty());
}

// The cgroup v2 directory this process is in, or "" (hybrid and v2 hosts).
std::string OwnCgroup2Dir() {
  std::ifstream mountinfo("/proc/self/mountinfo");
  std::string line;
  std::string mount_point;
  while (std::getline(mountinfo, line)) {
    if (line.find(" - cgroup2 ") == std::string::npos) continue;
    std::istringstream fields(line);
    std::string field;
    for (int i = 0; i < 5 && fields >> field; ++i) {
    }
    mount_point = field;
    break;
  }
  if (mount_point.empty()) return "";
  std::ifstream cgroup("/proc/self/cgroup");
  while (std::getline(cgroup, line)) {
    if (absl::StartsWith(line, "0::")) return mount_point + line.substr(3);
  }
  return "";
}

TEST_F(ShimContainerTest, CgroupFdPlacesInitInTheCgroup) {
  const std::string parent = OwnCgroup2Dir();
  if (parent.empty()) GTEST_SKIP() << "no cgroup v2 hierarchy";
  const std::string dir =
      absl::StrFormat("%s/kekkai-shim-test-%d", parent, getpid());
  if (mkdir(dir.c_str(), 0755) != 0) {
    GTEST_SKIP() << "cannot create a cgroup here (" << ErrnoName(errno)
                 << "): needs a delegated cgroup";
  }
  kekkai::UniqueFd cgroup(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(cgroup.valid());
  LaunchOptions options = FakeOptions();
  options.cgroup_fd = cgroup.get();
  Container container(FakeParams({"block"}), options);
  const absl::Status started = container.Start();
  std::string in_cgroup;
  if (started.ok()) {
    std::ifstream procs(dir + "/cgroup.procs");
    procs >> in_cgroup;
    EXPECT_THAT(container.Serve(), IsOk());
    EXPECT_THAT(container.Cancel(), IsOk());
    EXPECT_EQ(container.Wait().kind, Result::Kind::kCanceled);
  }
  rmdir(dir.c_str());
  ASSERT_THAT(started, IsOk());
  EXPECT_EQ(in_cgroup, std::to_string(container.pid()));
}

}  // namespace
}  // namespace kekkai
