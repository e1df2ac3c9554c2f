// kill_launcher: launches one real container through libkekkai and says how
// far it got, for kill_launcher_load_test, which kills it with SIGKILL at a
// random moment and checks that nothing of the container survives. Never
// uses gtest; it reports on stdout, a line at a time:
//
//   begin                                  main() runs
//   init <pid> <start time> <pid ns>       Start() returned: init waits
//   payload <pid> <start time> <pid ns>    Serve() returned and the program
//                                          (init's child) runs
//   running                                the launcher now waits in Wait()
//
// usage: kill_launcher INIT
// The program, /bin/sh with /usr bound read-only, starts a background sleep
// and sleeps itself: it lives far longer than any test. Its stdio is
// /dev/null, so this process's stdout closes when it dies.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/unique_fd.h"
#include "shim/container.h"
#include "tests/load/load_util.h"

namespace {

void Say(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

std::string Describe(const char* what, pid_t pid) {
  const std::optional<kekkai::testing::ProcessIdentity> identity =
      kekkai::testing::IdentityOf(pid);
  if (!identity.has_value()) return absl::StrCat("gone ", what, " ", pid);
  return absl::StrCat(what, " ", pid, " ", identity->start_time, " ",
                      identity->pid_ns.empty() ? "-" : identity->pid_ns);
}

// init's first child (the program), polled for up to 5 s.
pid_t ProgramOf(pid_t init) {
  const std::string path =
      absl::StrCat("/proc/", init, "/task/", init, "/children");
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(path);
    pid_t child = -1;
    if (in >> child) return child;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: kill_launcher INIT\n");
    return 2;
  }
  Say("begin");
  kekkai::UniqueFd null(open("/dev/null", O_RDWR | O_CLOEXEC));
  kekkai::LaunchOptions options;
  options.init_path = argv[1];
  options.stdin_fd = null.get();
  options.stdout_fd = null.get();
  options.stderr_fd = null.get();
  kekkai::Container container(
      kekkai::testing::MinimalShell("sleep 1000 & sleep 1000; wait"),
      std::move(options));
  if (absl::Status s = container.Start(); !s.ok()) {
    Say(absl::StrCat("error ", s.ToString()));
    return 1;
  }
  Say(Describe("init", container.pid()));
  if (absl::Status s = container.Serve(); !s.ok()) {
    Say(absl::StrCat("error ", s.ToString()));
    return 1;
  }
  const pid_t program = ProgramOf(container.pid());
  if (program < 0) {
    Say("error the program did not start within 5 s");
    return 1;
  }
  Say(Describe("payload", program));
  Say("running");
  const kekkai::Result result = container.Wait();
  Say(absl::StrCat("result ", result.ToString()));
  return 1;  // the program never ends on its own
}
