// Parent death: a container dies with the process that launched it,
// whatever thread launched it and however the process ends, with no race at
// start. The launcher is a separate process (shim_launcher) that these tests
// kill with SIGKILL at chosen or random moments. This process is a child
// subreaper, so everything the launcher leaves behind (its inits, children
// still between clone and exec) is reparented here: the tests reap
// everything and fail if anything is still alive after a few seconds.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/unique_fd.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/shim_test_util.h"
#include "tests/testing/test_paths.h"
#include "tests/testing/userns.h"

extern char** environ;

namespace kekkai {
namespace {

using Clock = std::chrono::steady_clock;

// A running shim_launcher with its stdout.
struct Launcher {
  pid_t pid = -1;
  UniqueFd out;
  std::string buffered;

  // The next line, or "" on EOF or after `timeout`.
  std::string ReadLine(std::chrono::milliseconds timeout) {
    const Clock::time_point deadline = Clock::now() + timeout;
    for (;;) {
      const size_t newline = buffered.find('\n');
      if (newline != std::string::npos) {
        std::string line = buffered.substr(0, newline);
        buffered.erase(0, newline + 1);
        return line;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - Clock::now());
      if (left.count() <= 0) return "";
      struct pollfd pfd = {out.get(), POLLIN, 0};
      if (poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[512];
      const ssize_t n = read(out.get(), buf, sizeof(buf));
      if (n <= 0) return "";
      buffered.append(buf, static_cast<size_t>(n));
    }
  }
};

Launcher StartLauncher(const std::vector<std::string>& args) {
  Launcher launcher;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return launcher;
  launcher.out.reset(fds[0]);
  UniqueFd write_end(fds[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), 1);
  std::vector<std::string> argv = {testing::BinaryPath("shim_launcher")};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> raw;
  for (std::string& arg : argv) raw.push_back(arg.data());
  raw.push_back(nullptr);
  if (posix_spawn(&launcher.pid, raw[0], &actions, nullptr, raw.data(),
                  environ) != 0) {
    launcher.pid = -1;
  }
  posix_spawn_file_actions_destroy(&actions);
  return launcher;
}

// What is left among this process's children, for the failure message.
std::string Describe(const std::vector<pid_t>& pids) {
  std::vector<std::string> parts;
  for (pid_t pid : pids) {
    std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
    std::string line;
    std::string name;
    std::string state;
    while (std::getline(status, line)) {
      if (absl::StartsWith(line, "Name:")) name = line.substr(6);
      if (absl::StartsWith(line, "State:")) state = line.substr(7);
    }
    parts.push_back(absl::StrCat(pid, " (", name, ", ", state, ")"));
  }
  return absl::StrJoin(parts, "; ");
}

// Reaps every child of this process; true once none is left, false if some
// are still alive after `timeout` (they are then listed, killed and reaped).
::testing::AssertionResult NothingSurvives(std::chrono::seconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  for (;;) {
    int status;
    const pid_t reaped = waitpid(-1, &status, WNOHANG | __WALL);
    if (reaped > 0) continue;
    if (reaped < 0 && errno == ECHILD) return ::testing::AssertionSuccess();
    if (Clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const std::vector<pid_t> survivors = testing::OwnChildren();
  const std::string description = Describe(survivors);
  for (pid_t pid : survivors) kill(pid, SIGKILL);
  int status;
  while (waitpid(-1, &status, __WALL) > 0) {
  }
  return ::testing::AssertionFailure()
         << "still alive " << timeout.count() << "s after the launcher died: "
         << description;
}

class ShimParentDeathTest
    : public ::testing::TestWithParam<std::string /* fake or real */> {
 protected:
  void SetUp() override {
    KEKKAI_REQUIRE_USERNS();
    // Orphans come here instead of to the system's init.
    ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
    kind_ = GetParam();
    init_ = kind_ == "real" ? testing::BinaryPath("kekkai-init")
                            : testing::FakeInit();
  }
  std::string kind_;
  std::string init_;
};

TEST_P(ShimParentDeathTest, KillNineMidRunLeavesNothing) {
  Launcher launcher = StartLauncher({"block", init_, kind_, "6", "3"});
  ASSERT_GT(launcher.pid, 0);
  std::vector<pid_t> inits;
  std::string line;
  while ((line = launcher.ReadLine(std::chrono::seconds(30))) != "ready") {
    ASSERT_FALSE(line.empty()) << "the launcher stopped before \"ready\"";
    ASSERT_FALSE(absl::StartsWith(line, "error")) << line;
    pid_t pid = 0;  // set by SimpleAtoi (GCC 12 -O3: maybe-uninitialized)
    ASSERT_TRUE(absl::StartsWith(line, "init ") &&
                absl::SimpleAtoi(line.substr(5), &pid))
        << line;
    inits.push_back(pid);
  }
  ASSERT_EQ(inits.size(), 6u);
  // Their launching threads have exited: the inits are alive all the same.
  for (pid_t pid : inits) EXPECT_EQ(kill(pid, 0), 0) << pid;
  ASSERT_EQ(kill(launcher.pid, SIGKILL), 0);
  EXPECT_TRUE(NothingSurvives(std::chrono::seconds(10)));
}

TEST_P(ShimParentDeathTest, ExecOfTheLauncherEndsItsContainers) {
  // execve kills every other thread of the process, the launcher thread
  // included: the containers die with the program that started them.
  Launcher launcher = StartLauncher({"block-exec", init_, kind_, "3", "2"});
  ASSERT_GT(launcher.pid, 0);
  std::vector<UniqueFd> pidfds;
  std::string line;
  while ((line = launcher.ReadLine(std::chrono::seconds(30))) != "ready") {
    ASSERT_FALSE(line.empty()) << "the launcher stopped before \"ready\"";
    pid_t pid = 0;  // set by SimpleAtoi (GCC 12 -O3: maybe-uninitialized)
    ASSERT_TRUE(absl::StartsWith(line, "init ") &&
                absl::SimpleAtoi(line.substr(5), &pid))
        << line;
    pidfds.emplace_back(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
    ASSERT_TRUE(pidfds.back().valid());
  }
  for (const UniqueFd& pidfd : pidfds) {
    struct pollfd pfd = {pidfd.get(), POLLIN, 0};
    EXPECT_EQ(poll(&pfd, 1, 10000), 1) << "an init outlived the execve";
  }
  // The launcher is /bin/sleep now.
  ASSERT_EQ(kill(launcher.pid, SIGKILL), 0);
  EXPECT_TRUE(NothingSurvives(std::chrono::seconds(10)));
}

TEST_P(ShimParentDeathTest, KillNineAtRandomPointsLeavesNothing) {
  std::mt19937 random(static_cast<unsigned>(getpid()));
  std::uniform_int_distribution<int> delay_ms(0, 40);
  for (int round = 0; round < 8; ++round) {
    Launcher launcher = StartLauncher({"loop", init_, kind_, "3"});
    ASSERT_GT(launcher.pid, 0);
    ASSERT_EQ(launcher.ReadLine(std::chrono::seconds(30)), "looping");
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(random)));
    ASSERT_EQ(kill(launcher.pid, SIGKILL), 0);
    ASSERT_TRUE(NothingSurvives(std::chrono::seconds(10))) << "round " << round;
  }
}

class ShimStartRaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    KEKKAI_REQUIRE_USERNS();
    ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
  }
};

TEST_F(ShimStartRaceTest, KillNineBetweenCloneAndPdeathsigLeavesNothing) {
  // The child pauses before prctl(PR_SET_PDEATHSIG); the launcher dies in
  // that pause, so the signal is armed after the parent is gone and never
  // fires. The child must notice (no ack) and never become init. The init
  // here never reads its params, so it would stay forever if started.
  Launcher launcher = StartLauncher(
      {"race", testing::BinaryPath("shim_stall_init"), "fake"});
  ASSERT_GT(launcher.pid, 0);
  ASSERT_EQ(launcher.ReadLine(std::chrono::seconds(30)), "starting");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_EQ(kill(launcher.pid, SIGKILL), 0);
  EXPECT_TRUE(NothingSurvives(std::chrono::seconds(5)));
}

TEST_P(ShimParentDeathTest, LaunchingThreadMayExit) {
  Launcher launcher = StartLauncher({"thread-exit", init_, kind_});
  ASSERT_GT(launcher.pid, 0);
  const std::string line = launcher.ReadLine(std::chrono::seconds(30));
  int status = 0;
  ASSERT_EQ(waitpid(launcher.pid, &status, 0), launcher.pid);
  EXPECT_EQ(line, "result exited with status 0");
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_TRUE(NothingSurvives(std::chrono::seconds(10)));
}

INSTANTIATE_TEST_SUITE_P(Init, ShimParentDeathTest,
                         ::testing::Values("fake", "real"),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           return param.param;
                         });

}  // namespace
}  // namespace kekkai
