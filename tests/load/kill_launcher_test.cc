// Faults: the launching process killed with SIGKILL at a random moment, a
// hundred times. kill_launcher starts one real container (a program that
// would sleep for 1000 s) and reports how far it got; the test kills it after
// a random delay from its start that spans the container's setup (clone,
// params, init's mounts) and its run, then checks that nothing of the
// container survives: no process with a reported pid, start time and pid
// namespace (init, the program), no process left in that pid namespace, no
// orphan of the launcher at all (this test is a child subreaper, so every
// descendant that outlives the launcher is reparented here and shows), and
// this process's mount table unchanged.
//
// Survival is checked within a bounded wait (up to 5 s of polling): a
// liveness bound, not a measure of speed.
//
// The seed is printed; $KEKKAI_LOAD_SEED repeats a run. Half the kills come
// at a random delay after the launcher starts, up to the time a launch takes
// to reach "running" here (the longest of three measured first, on this
// machine and build): mostly during setup; the other half at a random delay
// after "running". The test prints how many kills landed after each line
// the launcher printed.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/unique_fd.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/shim_test_util.h"
#include "tests/load/load_util.h"
#include "tests/testing/test_paths.h"
#include "tests/testing/userns.h"

extern char** environ;

namespace kekkai {
namespace {

using Clock = std::chrono::steady_clock;
using ::testing::IsEmpty;

constexpr int kKills = 100;
constexpr auto kLivenessBound = std::chrono::seconds(5);

// A running kill_launcher with its stdout.
struct Launcher {
  pid_t pid = -1;
  UniqueFd out;
  std::string text;  // what it printed so far
};

std::optional<Launcher> StartLauncher(std::string* error) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    *error = absl::StrCat("pipe2: errno ", errno);
    return std::nullopt;
  }
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), 1);
  const std::string program = testing::BinaryPath("kill_launcher");
  const std::string init = testing::BinaryPath("kekkai-init");
  std::vector<char*> argv = {const_cast<char*>(program.c_str()),
                             const_cast<char*>(init.c_str()), nullptr};
  Launcher launcher;
  const int rc = posix_spawn(&launcher.pid, program.c_str(), &actions,
                             nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    *error = absl::StrCat("posix_spawn ", program, ": errno ", rc);
    return std::nullopt;
  }
  launcher.out = std::move(read_end);
  return launcher;
}

// Reads what is there; with `until`, blocks until a line equal to it (or
// "error ..." or EOF) arrives. False at EOF.
bool ReadLauncher(Launcher& launcher, const std::string& until = "") {
  char buf[512];
  for (;;) {
    if (!until.empty() &&
        (launcher.text.find(until + "\n") != std::string::npos ||
         launcher.text.find("error ") != std::string::npos)) {
      return true;
    }
    struct pollfd pfd = {launcher.out.get(), POLLIN, 0};
    const int ready = poll(&pfd, 1, until.empty() ? 0 : 10000);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return true;
    const ssize_t n = read(launcher.out.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    launcher.text.append(buf, static_cast<size_t>(n));
  }
}

// "init 123 456 pid:[789]" -> the identity; "-" for an unreadable ns.
std::vector<testing::ProcessIdentity> Reported(const std::string& text) {
  std::vector<testing::ProcessIdentity> found;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::vector<std::string> words = absl::StrSplit(line, ' ');
    if (words.size() != 4 || (words[0] != "init" && words[0] != "payload")) {
      continue;
    }
    testing::ProcessIdentity identity;
    if (!absl::SimpleAtoi(words[1], &identity.pid) ||
        !absl::SimpleAtoi(words[2], &identity.start_time)) {
      continue;
    }
    if (words[3] != "-") identity.pid_ns = words[3];
    found.push_back(identity);
  }
  return found;
}

// The last progress line the launcher printed.
std::string Phase(const std::string& text) {
  std::string phase = "(nothing)";
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    phase = std::string(line.substr(0, line.find(' ')));
  }
  return phase;
}

// Reaps every child that has ended (orphans reparented to this subreaper
// included).
void ReapEnded() {
  for (;;) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG | __WALL);
    if (pid <= 0) return;
  }
}

// What of the container is still alive: reported processes still there,
// children of this process, and (once those are gone, as these walk all of
// /proc) processes whose parent is this one or that are left in its pid
// namespaces.
std::vector<std::string> Survivors(
    const std::vector<testing::ProcessIdentity>& reported) {
  std::vector<std::string> survivors;
  std::set<std::string> pid_namespaces;
  for (const testing::ProcessIdentity& identity : reported) {
    if (testing::StillAlive(identity)) {
      survivors.push_back(absl::StrCat("reported pid ", identity.pid));
    }
    if (!identity.pid_ns.empty()) pid_namespaces.insert(identity.pid_ns);
  }
  for (pid_t pid : testing::OwnChildren()) {
    survivors.push_back(absl::StrCat("child ", pid));
  }
  if (!survivors.empty()) return survivors;
  for (pid_t pid : testing::ProcessesWithParent(getpid())) {
    survivors.push_back(absl::StrCat("child ", pid, " (in /proc)"));
  }
  for (pid_t pid :
       testing::DescendantsInPidNamespaces(getpid(), pid_namespaces)) {
    survivors.push_back(absl::StrCat("pid ", pid, " in its pid namespace"));
  }
  return survivors;
}

// Survivors(reported) once they are gone, or when the liveness bound has
// passed; reaps ended children meanwhile.
std::vector<std::string> SurvivorsAfterBound(
    const std::vector<testing::ProcessIdentity>& reported) {
  const Clock::time_point deadline = Clock::now() + kLivenessBound;
  for (;;) {
    ReapEnded();
    std::vector<std::string> survivors = Survivors(reported);
    if (survivors.empty() || Clock::now() >= deadline) return survivors;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

uint64_t Seed() {
  if (const char* env = std::getenv("KEKKAI_LOAD_SEED")) {
    uint64_t seed = 0;
    if (absl::SimpleAtoi(env, &seed)) return seed;
  }
  return std::random_device{}();
}

class KillLauncherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    KEKKAI_REQUIRE_USERNS();
    // Orphans of the launcher come to this process, so none can escape
    // the check by being reparented to the host's init.
    ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
  }
  void TearDown() override {
    (void)prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
  }
};

TEST_F(KillLauncherTest, KilledAnywhereInSetupOrRunLeavesNothing) {
  const std::string mounts_before = testing::MountInfo();
  ASSERT_THAT(testing::ProcessesWithParent(getpid()), IsEmpty());

  // Whole launches first, to learn how long setup takes here (the longest
  // of three, so that the delays reach the run even when a launch is slow).
  std::vector<testing::ProcessIdentity> reported;
  Clock::duration setup = Clock::duration::zero();
  std::string error;
  for (int i = 0; i < 3; ++i) {
    std::optional<Launcher> calibration = StartLauncher(&error);
    ASSERT_TRUE(calibration.has_value()) << error;
    ASSERT_TRUE(ReadLauncher(*calibration, "begin")) << calibration->text;
    const Clock::time_point begun = Clock::now();
    ASSERT_TRUE(ReadLauncher(*calibration, "running"));
    setup = std::max(setup, Clock::now() - begun);
    ASSERT_EQ(Phase(calibration->text), "running") << calibration->text;
    const std::vector<testing::ProcessIdentity> these =
        Reported(calibration->text);
    ASSERT_EQ(these.size(), 2u) << calibration->text;
    for (const testing::ProcessIdentity& identity : these) {
      EXPECT_TRUE(testing::StillAlive(identity)) << identity.pid;
    }
    ASSERT_EQ(kill(calibration->pid, SIGKILL), 0);
    ASSERT_EQ(waitpid(calibration->pid, nullptr, 0), calibration->pid);
    ASSERT_THAT(SurvivorsAfterBound(these), IsEmpty()) << calibration->text;
    reported.insert(reported.end(), these.begin(), these.end());
  }

  // Even kills: a delay after "begin" up to one launch time (mostly in
  // setup: the clone, the params, init's mounts). Odd kills: a delay after
  // "running" up to half of it (the program runs, the launcher waits).
  const auto setup_span =
      std::chrono::duration_cast<std::chrono::microseconds>(setup);
  const uint64_t seed = Seed();
  std::printf("seed %llu (KEKKAI_LOAD_SEED): delays 0..%lld us after "
              "\"begin\" or 0..%lld us after \"running\"\n",
              static_cast<unsigned long long>(seed),
              static_cast<long long>(setup_span.count()),
              static_cast<long long>(setup_span.count() / 2));
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<int64_t> setup_delay_us(0, setup_span.count());
  std::uniform_int_distribution<int64_t> run_delay_us(0,
                                                      setup_span.count() / 2);

  std::map<std::string, int> phases;
  for (int i = 0; i < kKills; ++i) {
    const bool in_run = i % 2 == 1;
    const auto delay = std::chrono::microseconds(in_run ? run_delay_us(random)
                                                        : setup_delay_us(random));
    std::optional<Launcher> launcher = StartLauncher(&error);
    ASSERT_TRUE(launcher.has_value()) << error;
    ASSERT_TRUE(ReadLauncher(*launcher, in_run ? "running" : "begin"))
        << launcher->text;
    std::this_thread::sleep_for(delay);
    ASSERT_EQ(kill(launcher->pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(launcher->pid, &status, 0), launcher->pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "kill " << i << ": the launcher ended before it was killed: "
        << launcher->text;
    while (ReadLauncher(*launcher)) {
      // to EOF: nothing else holds the pipe once the launcher is dead
      struct pollfd pfd = {launcher->out.get(), POLLIN, 0};
      if (poll(&pfd, 1, 100) == 0) break;
    }
    ASSERT_EQ(launcher->text.find("error "), std::string::npos)
        << "kill " << i << ": " << launcher->text;
    ++phases[Phase(launcher->text)];
    const std::vector<testing::ProcessIdentity> these =
        Reported(launcher->text);
    reported.insert(reported.end(), these.begin(), these.end());

    ASSERT_THAT(SurvivorsAfterBound(these), IsEmpty())
        << "kill " << i << " after " << delay.count() << " us (seed " << seed
        << "), launcher said:\n"
        << launcher->text;
  }

  std::vector<std::string> summary;
  for (const auto& [phase, count] : phases) {
    summary.push_back(absl::StrCat(phase, ": ", count));
  }
  std::printf("killed after the last line: %s\n",
              absl::StrJoin(summary, ", ").c_str());
  // The odd kills came after "running", whatever the timing.
  EXPECT_GE(phases["running"], kKills / 2);
  // Once more, for everything ever reported, and the host's mounts.
  ReapEnded();
  EXPECT_THAT(Survivors(reported), IsEmpty());
  EXPECT_TRUE(testing::NoWaitableChild());
  EXPECT_EQ(testing::MountInfo(), mounts_before);
}

}  // namespace
}  // namespace kekkai
