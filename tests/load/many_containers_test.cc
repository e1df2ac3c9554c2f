// Load: 1,000 real containers launched through libkekkai from one process,
// at most 100 at a time (100 threads, each Start/Serve/Wait in turn). Each
// container's program prints its own index and exits with index % 200; every
// Result and every output is checked. Afterwards the launcher has exactly
// the fds and threads it had before, no child (waitable, zombie or alive),
// no process is left in any of the containers' pid namespaces, and its
// mount table is unchanged.
//
// The count: $KEKKAI_LOAD_CONTAINERS if set (tests/run-unprivileged.sh
// clears the environment, so only for the root run), else the build's
// KEKKAI_LOAD_CONTAINERS (CMake cache variable, default 1,000; see
// tests/load/CMakeLists.txt).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/unique_fd.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "shim/container.h"
#include "tests/integration/shim_test_util.h"
#include "tests/load/load_util.h"
#include "tests/testing/test_paths.h"
#include "tests/testing/userns.h"

#ifndef KEKKAI_LOAD_DEFAULT_CONTAINERS
#define KEKKAI_LOAD_DEFAULT_CONTAINERS 1000
#endif

namespace kekkai {
namespace {

using ::testing::IsEmpty;

constexpr int kMaxConcurrent = 100;

int ContainerCount() {
  int count = KEKKAI_LOAD_DEFAULT_CONTAINERS;
  if (const char* env = std::getenv("KEKKAI_LOAD_CONTAINERS")) {
    int value = 0;
    if (absl::SimpleAtoi(env, &value) && value > 0) count = value;
  }
  return count;
}

LaunchOptions RealInit() {
  LaunchOptions options;
  options.init_path = testing::BinaryPath("kekkai-init");
  return options;
}

struct Outcome {
  Result result;
  std::string out;
  std::string error;  // Start/Serve failure or a pipe failure
  std::string pid_ns;  // init's pid namespace, read after Start
};

// Container `index`: prints "index <index>" and exits with index % 200.
Outcome RunOne(int index) {
  Outcome outcome;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    outcome.error = absl::StrCat("pipe2: errno ", errno);
    return outcome;
  }
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);
  LaunchOptions options = RealInit();
  options.stdout_fd = write_end.get();
  Container container(
      testing::MinimalShell(absl::StrCat("echo index ", index, "; exit ",
                                         index % 200)),
      std::move(options));
  absl::Status status = container.Start();
  write_end.reset();  // init has its copy
  if (status.ok()) {
    std::optional<testing::ProcessIdentity> init =
        testing::IdentityOf(container.pid());
    if (init.has_value()) outcome.pid_ns = init->pid_ns;
  }
  if (status.ok()) status = container.Serve();
  if (!status.ok()) outcome.error = status.ToString();
  outcome.result = container.Wait();
  outcome.out = testing::ReadAll(read_end.get());
  return outcome;
}

TEST(ManyContainersTest, ManyContainersHundredAtATimeLeaveNothing) {
  KEKKAI_REQUIRE_USERNS();
  const int count = ContainerCount();
  std::printf("containers: %d, at most %d at a time\n", count,
              kMaxConcurrent);

  // One container first: libkekkai's launcher thread lives as long as the
  // process from its first use (shim/spawn.h), so it belongs in the
  // baseline.
  const Outcome warm = RunOne(7);
  ASSERT_TRUE(warm.error.empty()) << warm.error;
  ASSERT_EQ(warm.result.kind, Result::Kind::kExited) << warm.result.ToString();
  ASSERT_EQ(warm.result.exit_code, 7);
  ASSERT_EQ(warm.out, "index 7\n");

  const std::map<int, std::string> fds_before = testing::OpenFds();
  const size_t threads_before = testing::Threads().size();
  const std::string mounts_before = testing::MountInfo();
  ASSERT_THAT(testing::ProcessesWithParent(getpid()), IsEmpty());

  std::vector<Outcome> outcomes(static_cast<size_t>(count));
  std::atomic<int> next{0};
  std::vector<std::thread> workers;
  const int threads = std::min(kMaxConcurrent, count);
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (int i = next++; i < count; i = next++) {
        outcomes[static_cast<size_t>(i)] = RunOne(i);
      }
    });
  }
  for (std::thread& worker : workers) worker.join();

  int failures = 0;
  std::set<std::string> pid_namespaces;
  for (int i = 0; i < count; ++i) {
    const Outcome& outcome = outcomes[static_cast<size_t>(i)];
    if (!outcome.pid_ns.empty()) {
      pid_namespaces.insert(outcome.pid_ns);
    } else if (outcome.error.empty() && ++failures <= 10) {
      ADD_FAILURE() << "container " << i << ": init's pid namespace unread";
    }
    const bool right = outcome.error.empty() &&
                       outcome.result.kind == Result::Kind::kExited &&
                       outcome.result.exit_code == i % 200 &&
                       outcome.out == absl::StrCat("index ", i, "\n");
    if (!right && ++failures <= 10) {
      ADD_FAILURE() << "container " << i << ": " << outcome.result.ToString()
                    << ", output \"" << outcome.out << "\""
                    << (outcome.error.empty() ? "" : ", error: ")
                    << outcome.error;
    }
  }
  EXPECT_EQ(failures, 0) << "of " << count << " containers";
  // Every container had a pid namespace of its own (the numbers of ended
  // namespaces are reused, so they need not all differ).
  const std::optional<testing::ProcessIdentity> self =
      testing::IdentityOf(getpid());
  ASSERT_TRUE(self.has_value());
  EXPECT_EQ(pid_namespaces.count(self->pid_ns), 0u);
  EXPECT_FALSE(pid_namespaces.empty());

  // Nothing left behind: every init was reaped through its pidfd, and its
  // pid namespace (the program included) went with it.
  EXPECT_EQ(testing::OpenFds(), fds_before);
  EXPECT_EQ(testing::Threads().size(), threads_before);
  EXPECT_THAT(testing::ProcessesWithParent(getpid()), IsEmpty());
  EXPECT_THAT(testing::DescendantsInPidNamespaces(getpid(), pid_namespaces),
              IsEmpty());
  EXPECT_TRUE(testing::NoWaitableChild());
  EXPECT_EQ(testing::MountInfo(), mounts_before);
}

}  // namespace
}  // namespace kekkai
