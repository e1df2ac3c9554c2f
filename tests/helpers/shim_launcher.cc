// shim_launcher: a process that launches containers with libkekkai, for the
// parent-death tests, which kill it with SIGKILL and check that nothing it
// started survives. It never uses gtest; it reports on stdout.
//
//   shim_launcher block INIT KIND COUNT THREADS
//       COUNT containers that block, launched by THREADS threads that exit
//       right after Start+Serve; prints "init <pid>" for each, then "ready",
//       then waits forever.
//   shim_launcher block-exec INIT KIND COUNT THREADS
//       As block, then 300 ms after "ready" the process execve()s
//       /bin/sleep: the containers must die with the old program.
//   shim_launcher loop INIT KIND THREADS
//       THREADS threads launching short containers (and canceling blocking
//       ones) forever; prints "looping" once they run.
//   shim_launcher race INIT KIND
//       Every clone child pauses 300 ms before arming its parent-death
//       signal (the start race, widened); prints "starting" and starts one
//       container. The test kills it inside the pause.
//   shim_launcher thread-exit INIT KIND
//       Start on a thread that exits, then Serve and Wait on the main thread;
//       prints the Result and exits 0 when the program exited 0.
//
// KIND is "fake" (INIT is shim_fake_init: the program is a mode of it) or
// "real" (INIT is kekkai-init: the program is /bin/sh with the host's root
// bound read-only).
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "common/ops_builder.h"
#include "common/params.h"
#include "shim/container.h"
#include "shim/spawn.h"

namespace {

std::string g_init;
bool g_real = false;
std::mutex g_out_mu;

void Say(const std::string& line) {
  std::lock_guard<std::mutex> lock(g_out_mu);
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

// A container that blocks until canceled (block = true) or exits 0.
kekkai::Params MakeParams(bool block) {
  kekkai::Params params;
  if (g_real) {
    params.path = kekkai::AbsolutePath::Literal("/bin/sh");
    params.args = {"sh", "-c",
                   block ? "sleep 1000 & sleep 1000; wait" : "exit 0"};
    params.ops = kekkai::OpsBuilder()
                     .Bind("/", "/")
                     .Proc("/proc")
                     .Dev("/dev")
                     .Build()
                     .value();
  } else {
    params.path = kekkai::AbsolutePath::Literal("/fake");
    params.args = block ? std::vector<std::string>{"fake", "block", "--fork"}
                        : std::vector<std::string>{"fake", "exit", "0"};
    params.ops = kekkai::OpsBuilder().Proc("/proc").Build().value();
  }
  return params;
}

kekkai::LaunchOptions Options() {
  kekkai::LaunchOptions options;
  options.init_path = g_init;
  const int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  options.stdout_fd = null;  // leaked on purpose: the process is killed
  options.stdin_fd = null;
  return options;
}

int Block(int count, int threads, bool exec_after) {
  static std::vector<std::unique_ptr<kekkai::Container>> containers;
  static std::mutex mu;
  std::atomic<int> failures{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = t; i < count; i += threads) {
        auto container =
            std::make_unique<kekkai::Container>(MakeParams(true), Options());
        absl::Status status = container->Start();
        if (status.ok()) status = container->Serve();
        if (!status.ok()) {
          Say("error " + status.ToString());
          ++failures;
          continue;
        }
        Say("init " + std::to_string(container->pid()));
        std::lock_guard<std::mutex> lock(mu);
        containers.push_back(std::move(container));
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  if (failures != 0) return 1;
  Say("ready");
  if (exec_after) {
    usleep(300 * 1000);
    char sleep_arg[] = "sleep";
    char seconds[] = "60";
    char* argv[] = {sleep_arg, seconds, nullptr};
    execv("/bin/sleep", argv);
    Say("error execv /bin/sleep");
    return 1;
  }
  for (;;) pause();
}

int Loop(int threads) {
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([t] {
      for (int i = 0;; ++i) {
        const bool block = (i + t) % 3 == 0;
        kekkai::Container container(MakeParams(block), Options());
        if (!container.Start().ok()) continue;
        if (i % 5 == 4) continue;  // a warm container, destroyed unserved
        if (!container.Serve().ok()) continue;
        if (block) {
          usleep(1000);
          (void)container.Cancel();
        }
        (void)container.Wait();
      }
    });
  }
  Say("looping");
  for (std::thread& worker : workers) worker.join();
  return 0;
}

int Race() {
  kekkai::shim::internal::SetChildPauseForTesting(300);
  kekkai::Container container(MakeParams(true), Options());
  Say("starting");
  const absl::Status started = container.Start();
  Say("started " + started.ToString());
  for (;;) pause();
}

int ThreadExit() {
  kekkai::Container container(MakeParams(false), Options());
  absl::Status started;
  std::thread starter([&] { started = container.Start(); });
  starter.join();
  if (!started.ok()) {
    Say("error " + started.ToString());
    return 1;
  }
  // The thread that cloned init is gone; init must still be alive.
  usleep(100 * 1000);
  if (absl::Status served = container.Serve(); !served.ok()) {
    Say("error " + served.ToString());
    return 1;
  }
  const kekkai::Result result = container.Wait();
  Say("result " + result.ToString());
  return result.ok() ? 0 : 1;
}

int Usage() {
  std::fprintf(stderr,
               "usage: shim_launcher block|block-exec INIT KIND COUNT THREADS\n"
               "       shim_launcher loop INIT KIND THREADS\n"
               "       shim_launcher race INIT KIND\n"
               "       shim_launcher thread-exit INIT KIND\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) return Usage();
  const std::string mode = argv[1];
  g_init = argv[2];
  g_real = std::string(argv[3]) == "real";
  int a = 0;
  int b = 0;
  if ((mode == "block" || mode == "block-exec") && argc == 6 &&
      absl::SimpleAtoi(argv[4], &a) && absl::SimpleAtoi(argv[5], &b) && a > 0 &&
      b > 0) {
    return Block(a, b, mode == "block-exec");
  }
  if (mode == "loop" && argc == 5 && absl::SimpleAtoi(argv[4], &a) && a > 0) {
    return Loop(a);
  }
  if (mode == "race" && argc == 4) return Race();
  if (mode == "thread-exit" && argc == 4) return ThreadExit();
  return Usage();
}
