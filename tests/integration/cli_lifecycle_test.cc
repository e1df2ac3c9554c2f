// End-to-end tests of `kekkai run`'s lifecycle in real namespaces: SIGINT,
// SIGTERM and SIGHUP cancel the container, --forward-cancel hands SIGINT to
// the program, kill -9 of kekkai mid-setup and mid-run leaves nothing, many
// containers run at once from many threads, and bad input leaves nothing.
//
// This process makes itself a child subreaper, so anything kekkai leaves
// behind (kekkai-init above all) is reparented here, where ChildrenOf()
// finds it: "nothing survives" is checked exactly, not by guessing names.
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/cli_harness.h"
#include "tests/testing/userns.h"

namespace kekkai::cli::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr std::chrono::seconds kReady{20};
constexpr std::chrono::seconds kEnd{20};

class CliLifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    KEKKAI_REQUIRE_USERNS();
    ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
  }

  void TearDown() override {
    // Whatever a failed test left, kill it so later tests start clean.
    for (pid_t pid : ChildrenOf(getpid())) kill(pid, SIGKILL);
    ReapZombies();
  }

  // A marker unique to this test process and call, usable as a sleep(1)
  // duration so leftover processes can be found by their command line.
  static std::string Marker() {
    static std::atomic<int> counter{0};
    return absl::StrCat("8765.", getpid(), counter.fetch_add(1) + 100);
  }

  static Child StartKekkai(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {KekkaiPath()};
    argv.insert(argv.end(), args.begin(), args.end());
    std::string error;
    Child child = Child::Start(argv, {}, &error);
    EXPECT_GT(child.pid(), 0) << error;
    return child;
  }

  // True once nothing of the container survives: no process carries the
  // marker and this subreaper has no live children (kekkai-init included).
  static ::testing::AssertionResult NothingSurvives(
      const std::string& marker,
      std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      ReapZombies();
      const std::vector<pid_t> marked = ProcessesWithMarker(marker);
      const std::vector<pid_t> children = ChildrenOf(getpid());
      if (marked.empty() && children.empty()) {
        return ::testing::AssertionSuccess();
      }
      if (std::chrono::steady_clock::now() > deadline) {
        return ::testing::AssertionFailure()
               << "survivors:\n"
               << DescribeProcesses(marked) << DescribeProcesses(children);
      }
      usleep(10 * 1000);
    }
  }
};

// The checker itself: a process left behind (here by a plain shell, no
// kekkai) is found both by its marker and as a child of this subreaper.
TEST_F(CliLifecycleTest, HarnessFindsSurvivors) {
  const std::string marker = Marker();
  std::string error;
  Child child = Child::Start(
      {"/bin/sh", "-c",
       absl::StrCat("sleep ", marker, " >/dev/null 2>&1 & exit 0")},
      {},
      &error);
  ASSERT_GT(child.pid(), 0) << error;
  Outcome outcome = child.Wait(kEnd);
  ASSERT_EQ(outcome.exit_code, 0) << outcome.Describe();
  EXPECT_FALSE(NothingSurvives(marker, std::chrono::milliseconds(200)));
  ASSERT_EQ(ProcessesWithMarker(marker).size(), 1u);
  EXPECT_EQ(ChildrenOf(getpid()), ProcessesWithMarker(marker));
  // TearDown kills it.
}

TEST_F(CliLifecycleTest, SignalsCancelTheWholeTree) {
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    SCOPED_TRACE(sigabbrev_np(sig));
    const std::string marker = Marker();
    Child child = StartKekkai(
        {"run", "--", "sh", "-c",
         absl::StrCat("sleep ", marker, " & sleep ", marker, " & (sleep ",
                      marker, " &) ; echo ready; wait")});
    ASSERT_TRUE(child.WaitForStdout("ready\n", kReady)) << child.err();
    ASSERT_GE(ProcessesWithMarker(marker).size(), 3u);
    child.Signal(sig);
    Outcome outcome = child.Wait(kEnd);
    EXPECT_TRUE(outcome.exited && outcome.exit_code == 128 + sig)
        << outcome.Describe();
    // init is gone once kekkai has reaped it, and with it every process of
    // its pid namespace.
    EXPECT_THAT(ProcessesWithMarker(marker), IsEmpty())
        << DescribeProcesses(ProcessesWithMarker(marker));
    EXPECT_TRUE(NothingSurvives(marker));
  }
}

TEST_F(CliLifecycleTest, ForwardCancelSendsSigintToTheProgram) {
  const std::string marker = Marker();
  Child child = StartKekkai(
      {"run", "--forward-cancel", "--", "sh", "-c",
       absl::StrCat("trap 'echo got-int; exit 3' INT; echo ready;"
                    "while :; do sleep 0.05; done; : ",
                    marker)});
  ASSERT_TRUE(child.WaitForStdout("ready\n", kReady)) << child.err();
  child.Signal(SIGTERM);
  Outcome outcome = child.Wait(kEnd);
  EXPECT_TRUE(outcome.exited && outcome.exit_code == 3) << outcome.Describe();
  EXPECT_EQ(outcome.out, "ready\ngot-int\n");
  EXPECT_TRUE(NothingSurvives(marker));
}

TEST_F(CliLifecycleTest, SecondSignalEndsAProgramThatIgnoresTheFirst) {
  const std::string marker = Marker();
  Child child = StartKekkai(
      {"run", "--forward-cancel", "--", "sh", "-c",
       absl::StrCat("trap '' INT; echo ready; sleep ", marker)});
  ASSERT_TRUE(child.WaitForStdout("ready\n", kReady)) << child.err();
  child.Signal(SIGINT);
  usleep(200 * 1000);
  ASSERT_GE(ProcessesWithMarker(marker).size(), 1u) << "SIGINT was ignored";
  child.Signal(SIGINT);
  Outcome outcome = child.Wait(kEnd);
  EXPECT_TRUE(outcome.exited) << outcome.Describe();
  EXPECT_NE(outcome.exit_code, 0) << outcome.Describe();
  EXPECT_TRUE(NothingSurvives(marker));
}

TEST_F(CliLifecycleTest, KillingKekkaiMidRunKillsTheContainer) {
  const std::string marker = Marker();
  Child child = StartKekkai(
      {"run", "--", "sh", "-c",
       absl::StrCat("sleep ", marker, " & echo ready; sleep ", marker)});
  ASSERT_TRUE(child.WaitForStdout("ready\n", kReady)) << child.err();
  ASSERT_GE(ProcessesWithMarker(marker).size(), 2u);
  child.Signal(SIGKILL);
  Outcome outcome = child.Wait(kEnd);
  EXPECT_EQ(outcome.term_signal, SIGKILL) << outcome.Describe();
  EXPECT_TRUE(NothingSurvives(marker));
}

TEST_F(CliLifecycleTest, KillingKekkaiMidSetupLeavesNothing) {
  std::mt19937 random(static_cast<unsigned>(getpid()));
  for (int round = 0; round < 24; ++round) {
    const std::string marker = Marker();
    Child child = StartKekkai({"run", "--", "sleep", marker});
    // Spread the kill over start-up: parse, clone, setup, exec.
    const int delay_us =
        round < 12 ? round * 1500
                   : std::uniform_int_distribution<int>(0, 40000)(random);
    usleep(static_cast<useconds_t>(delay_us));
    child.Signal(SIGKILL);
    Outcome outcome = child.Wait(kEnd);
    EXPECT_EQ(outcome.term_signal, SIGKILL)
        << "round " << round << ": " << outcome.Describe();
    EXPECT_TRUE(NothingSurvives(marker))
        << "round " << round << ", killed after " << delay_us << " us";
  }
}

TEST_F(CliLifecycleTest, ManyContainersFromManyThreads) {
  constexpr int kThreads = 4;
  constexpr int kRuns = 5;
  std::vector<std::vector<Outcome>> outcomes(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &outcomes] {
      for (int i = 0; i < kRuns; ++i) {
        outcomes[t].push_back(RunKekkai(
            {"run", "--hostname", absl::StrCat("h", t, "-", i), "--", "sh",
             "-c", "echo $0 $(cat /proc/sys/kernel/hostname)",
             absl::StrCat("t", t, "-", i)}));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(outcomes[t].size(), static_cast<size_t>(kRuns));
    for (int i = 0; i < kRuns; ++i) {
      const Outcome& outcome = outcomes[t][i];
      EXPECT_TRUE(outcome.exited && outcome.exit_code == 0)
          << outcome.Describe();
      EXPECT_EQ(outcome.out, absl::StrCat("t", t, "-", i, " h", t, "-", i,
                                          "\n"));
    }
  }
  EXPECT_TRUE(NothingSurvives(Marker()));
}

TEST_F(CliLifecycleTest, BadInputLeavesNothingBehind) {
  TempDir dir;
  dir.WriteFile("bad.json", "{\"path\": ");
  const std::vector<std::vector<std::string>> cases = {
      {"run", "--bogus", "--", "true"},
      {"run", "--bind", "relative-missing", "/x", "--", "true"},
      {"run", "--bind", "/usr", "relative", "--", "true"},
      {"run", "--config", dir.Sub("bad.json")},
      {"run", "--", "/nonexistent/program"},
      {"run", "--", "no-such-program-kekkai"},
      {"run", "--ro-bind", "/usr", "/usr", "--remount-ro", "/nonexistent",
       "--", "/usr/bin/true"},
  };
  for (const std::vector<std::string>& args : cases) {
    Outcome outcome = RunKekkai(args);
    EXPECT_TRUE(outcome.exited && outcome.exit_code >= 125)
        << args[1] << ": " << outcome.Describe();
    EXPECT_THAT(outcome.err, HasSubstr("kekkai")) << outcome.Describe();
    EXPECT_TRUE(NothingSurvives("no-marker", std::chrono::seconds(2)))
        << args[1];
  }
}

}  // namespace
}  // namespace kekkai::cli::testing
