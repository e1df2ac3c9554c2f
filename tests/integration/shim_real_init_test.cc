// The launcher with the real kekkai-init: the Result of real programs
// (exit status, signals, a program that cannot be executed, a failing op),
// stdio and extra files, cancellation with and without forward_cancel,
// signals, identity, warm containers, and many containers from many
// threads.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "common/ops_builder.h"
#include "common/params.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "shim/container.h"
#include "tests/integration/shim_test_util.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_paths.h"
#include "tests/testing/userns.h"

namespace kekkai {
namespace {

using ::kekkai::testing::IsOk;
using ::kekkai::testing::ReadAll;
using ::kekkai::testing::RunCaptured;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// /bin/sh -c SCRIPT with the host's root bound read-only, a fresh /proc and
// /dev.
Params Shell(const std::string& script) {
  Params params;
  params.path = AbsolutePath::Literal("/bin/sh");
  params.args = {"sh", "-c", script};
  params.env = {"PATH=/usr/bin:/bin"};
  params.ops =
      OpsBuilder().Bind("/", "/").Proc("/proc").Dev("/dev").Build().value();
  return params;
}

LaunchOptions RealInit() {
  LaunchOptions options;
  options.init_path = testing::BinaryPath("kekkai-init");
  return options;
}

class ShimRealInitTest : public ::testing::Test {
 protected:
  void SetUp() override { KEKKAI_REQUIRE_USERNS(); }
};

TEST_F(ShimRealInitTest, ExitStatusAndStdout) {
  const auto [result, out] =
      RunCaptured(Shell("echo hello from $$; exit 3"), RealInit());
  EXPECT_EQ(result.kind, Result::Kind::kExited) << result.ToString();
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(out, "hello from 2\n");  // the program is pid 2
  EXPECT_GT(result.init_pid, 0);
}

TEST_F(ShimRealInitTest, FindsKekkaiInitNextToTheProgram) {
  // No init_path and no $KEKKAI_INIT: kekkai-init beside this test binary.
  if (getenv("KEKKAI_INIT") != nullptr) GTEST_SKIP() << "$KEKKAI_INIT is set";
  if (access((testing::SelfDir() + "/kekkai-init").c_str(), X_OK) != 0) {
    GTEST_SKIP() << "no kekkai-init beside the test binary";
  }
  const auto [result, out] = RunCaptured(Shell("echo found"), LaunchOptions{});
  EXPECT_TRUE(result.ok()) << result.ToString();
  EXPECT_EQ(out, "found\n");
}

TEST_F(ShimRealInitTest, ProgramKilledBySignal) {
  const Result result = kekkai::Run(Shell("kill -9 $$"), RealInit());
  EXPECT_EQ(result.kind, Result::Kind::kSignaled) << result.ToString();
  EXPECT_EQ(result.signal, SIGKILL);
}

TEST_F(ShimRealInitTest, MissingProgramIsExecFailureWithEnoent) {
  Params params = Shell("");
  params.path = AbsolutePath::Literal("/nonexistent/program");
  const Result result = kekkai::Run(std::move(params), RealInit());
  EXPECT_EQ(result.kind, Result::Kind::kSetupFailed) << result.ToString();
  EXPECT_EQ(result.step, Result::kStepExec);
  EXPECT_EQ(result.err, ENOENT);
  EXPECT_THAT(result.message, HasSubstr("/nonexistent/program"));
}

TEST_F(ShimRealInitTest, NonExecutableProgramIsExecFailureWithEacces) {
  Params params = Shell("");
  params.path = AbsolutePath::Literal("/etc");  // a directory
  const Result result = kekkai::Run(std::move(params), RealInit());
  EXPECT_EQ(result.kind, Result::Kind::kSetupFailed) << result.ToString();
  EXPECT_EQ(result.step, Result::kStepExec);
  EXPECT_EQ(result.err, EACCES);
}

TEST_F(ShimRealInitTest, FailingOpNamesItsIndexAndErrno) {
  Params params = Shell("exit 0");
  params.ops = OpsBuilder()
                   .Bind("/", "/")
                   .Proc("/proc")
                   .Bind("/nonexistent/source", "/mnt")
                   .Build()
                   .value();
  const Result result = kekkai::Run(std::move(params), RealInit());
  EXPECT_EQ(result.kind, Result::Kind::kSetupFailed) << result.ToString();
  EXPECT_EQ(result.op_index, 2);
  EXPECT_EQ(result.err, ENOENT);
  EXPECT_FALSE(result.step.empty());
  EXPECT_THAT(result.message, HasSubstr("/nonexistent/source"));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(testing::OwnChildren(), IsEmpty());
}

TEST_F(ShimRealInitTest, ExtraFilesReachTheProgramFromFdThree) {
  int first[2];
  int second[2];
  ASSERT_EQ(pipe2(first, O_CLOEXEC), 0);
  ASSERT_EQ(pipe2(second, O_CLOEXEC), 0);
  ASSERT_EQ(write(first[1], "one", 3), 3);
  ASSERT_EQ(write(second[1], "two", 3), 3);
  close(first[1]);
  close(second[1]);
  LaunchOptions options = RealInit();
  options.extra_files = {first[0], second[0]};
  const auto [result, out] = RunCaptured(
      Shell("cat <&3; echo; cat <&4; echo; ls /proc/self/fd | tr '\\n' ' '"),
      options);
  close(first[0]);
  close(second[0]);
  EXPECT_TRUE(result.ok()) << result.ToString();
  // 0-2, 3 and 4, and the fd ls opens for the directory.
  EXPECT_EQ(out, "one\ntwo\n0 1 2 3 4 5 ");
}

TEST_F(ShimRealInitTest, IdentityDefaultsAndHostname) {
  std::ifstream overflow_file("/proc/sys/kernel/overflowuid");
  std::string overflow;
  overflow_file >> overflow;
  {
    const auto [result, out] = RunCaptured(Shell("id -u"), RealInit());
    EXPECT_TRUE(result.ok()) << result.ToString();
    EXPECT_EQ(out, overflow + "\n");
  }
  {
    Params params = Shell("id -u; id -g; hostname");
    params.uid = 1000;
    params.gid = 100;
    params.hostname = "kekkai-shim";
    const auto [result, out] = RunCaptured(std::move(params), RealInit());
    EXPECT_TRUE(result.ok()) << result.ToString();
    EXPECT_EQ(out, "1000\n100\nkekkai-shim\n");
  }
}

// Waits until the program (pid 2 inside) prints its first line.
std::string FirstLine(int fd) {
  std::string line;
  char c;
  while (read(fd, &c, 1) == 1 && c != '\n') line.push_back(c);
  return line;
}

TEST_F(ShimRealInitTest, CancelKillsTheWholeTree) {
  testing::StdoutPipe pipe;
  LaunchOptions options = RealInit();
  options.stdout_fd = pipe.write_end.get();
  Container container(Shell("sleep 1000 & echo started; wait"), options);
  ASSERT_THAT(container.Start(), IsOk());
  pipe.write_end.reset();
  ASSERT_THAT(container.Serve(), IsOk());
  ASSERT_EQ(FirstLine(pipe.read_end.get()), "started");
  // Every process of the container, seen from here.
  std::vector<kekkai::UniqueFd> tree;
  std::vector<pid_t> pending = {container.pid()};
  while (!pending.empty()) {
    const pid_t pid = pending.back();
    pending.pop_back();
    tree.emplace_back(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
    std::ifstream children(absl::StrFormat("/proc/%d/task/%d/children", pid, pid));
    pid_t child;
    while (children >> child) pending.push_back(child);
  }
  ASSERT_GE(tree.size(), 3u);  // init, sh, sleep
  ASSERT_THAT(container.Cancel(), IsOk());
  const Result result = container.Wait();
  EXPECT_EQ(result.kind, Result::Kind::kCanceled) << result.ToString();
  EXPECT_TRUE(result.canceled);
  for (const kekkai::UniqueFd& pidfd : tree) {
    ASSERT_TRUE(pidfd.valid());
    struct pollfd pfd = {pidfd.get(), POLLIN, 0};
    EXPECT_EQ(poll(&pfd, 1, 5000), 1) << "a process outlived the cancel";
  }
}

TEST_F(ShimRealInitTest, ForwardCancelLetsTheProgramDecide) {
  testing::StdoutPipe pipe;
  LaunchOptions options = RealInit();
  options.stdout_fd = pipe.write_end.get();
  Params params =
      Shell("trap 'exit 2' INT; echo ready; while :; do sleep 0.05; done");
  params.forward_cancel = true;
  Container container(std::move(params), options);
  ASSERT_THAT(container.Start(), IsOk());
  pipe.write_end.reset();
  ASSERT_THAT(container.Serve(), IsOk());
  ASSERT_EQ(FirstLine(pipe.read_end.get()), "ready");
  ASSERT_THAT(container.Cancel(), IsOk());
  const Result result = container.Wait();
  EXPECT_EQ(result.kind, Result::Kind::kExited) << result.ToString();
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(result.canceled);
}

TEST_F(ShimRealInitTest, SigtermIsForwardedToTheProgram) {
  testing::StdoutPipe pipe;
  LaunchOptions options = RealInit();
  options.stdout_fd = pipe.write_end.get();
  Container container(
      Shell("trap 'exit 7' TERM; echo ready; while :; do sleep 0.05; done"),
      options);
  ASSERT_THAT(container.Start(), IsOk());
  pipe.write_end.reset();
  ASSERT_THAT(container.Serve(), IsOk());
  ASSERT_EQ(FirstLine(pipe.read_end.get()), "ready");
  ASSERT_THAT(container.Signal(SIGTERM), IsOk());
  const Result result = container.Wait();
  EXPECT_EQ(result.kind, Result::Kind::kExited) << result.ToString();
  EXPECT_EQ(result.exit_code, 7);
  EXPECT_FALSE(result.canceled);
}

TEST_F(ShimRealInitTest, WarmContainerRunsWhenServedLater) {
  Container container(Shell("echo warm"), RealInit());
  ASSERT_THAT(container.Start(), IsOk());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_THAT(container.Serve(), IsOk());
  EXPECT_TRUE(container.Wait().ok());
}

TEST_F(ShimRealInitTest, ManyContainersFromManyThreads) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 4;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &wrong] {
      for (int i = 0; i < kPerThread; ++i) {
        const int code = 10 * t + i;
        const Result result =
            kekkai::Run(Shell(absl::StrCat("exit ", code)), RealInit());
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
  EXPECT_THAT(testing::OwnChildren(), IsEmpty());
}

}  // namespace
}  // namespace kekkai
