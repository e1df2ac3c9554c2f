// libkekkai's launcher: start kekkai-init in new namespaces, send it the
// container's Params, supervise it, and report a structured Result.
//
// The two-stage launch is hakurei's (HAKUREI.md §1.5-§1.6):
//   Start()  clones kekkai-init into new user, pid, mount, ipc, uts, cgroup
//            (and net unless host_net) namespaces; init blocks reading its
//            setup fd. Start ahead of time to keep a container warm.
//   Serve()  normalises and validates the Params and writes them (gob) on the
//            setup fd within 5 s; init builds the container and runs the
//            program as pid 2.
//   Wait()   waits for init and returns the Result.
//
//   kekkai::Params params;
//   params.path = kekkai::AbsolutePath::Literal("/bin/true");
//   params.args = {"true"};
//   params.ops = kekkai::OpsBuilder().Bind("/", "/").Proc("/proc").Build().value();
//   kekkai::Result result = kekkai::Run(std::move(params));
//   if (result.kind == kekkai::Result::Kind::kExited) ... result.exit_code ...
//
// Threads: a Container is used by one thread at a time, except Cancel() and
// Signal(), which any thread may call while another blocks in Wait(). Many
// containers may run at once from many threads of one process.
//
// Process hygiene: only stdio, the setup fd and the extra files reach init
// (no other fd of the caller, whatever its close-on-exec flag); the caller's
// signal handlers, mask and other threads are untouched; init (and so the
// whole container) dies with the launching process however that ends.
#ifndef KEKKAI_SHIM_CONTAINER_H_
#define KEKKAI_SHIM_CONTAINER_H_

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/params.h"

namespace kekkai {

// What happened to a container. Never a bare bool.
struct Result {
  enum class Kind : uint8_t {
    kExited = 0,       // the program exited: exit_code
    kSignaled = 1,     // the program was killed by `signal`
    kSetupFailed = 2,  // init could not build the container or start the
                       // program: step, op_index, err, message
    kCanceled = 3,     // Cancel() ended it (init exited after SIGUSR2)
    kStartFailed = 4,  // init never ran or died before reporting: message,
                       // err (e.g. clone3 failed, kekkai-init not found)
  };
  Kind kind = Kind::kStartFailed;
  int exit_code = 0;   // kExited: the program's status; otherwise init's
                       // raw exit status when it exited (else -1)
  int signal = 0;      // kSignaled
  std::string step;    // kSetupFailed/kStartFailed: the failing step
  int op_index = -1;   // kSetupFailed: the failing op, or -1
  int err = 0;         // errno of the failure, 0 if none
  std::string message; // one line for people: what failed and why
  pid_t init_pid = -1; // init's pid in the caller's pid namespace
  // (Addition.) Cancel() was called before init exited. kCanceled always
  // has it; with forward_cancel the program decides how it ends, so a
  // canceled container may also end kExited/kSignaled with this set.
  bool canceled = false;

  // The step name kekkai-init uses when the program itself cannot be
  // executed (err ENOENT: not found; EACCES, ENOEXEC...: not executable).
  static constexpr char kStepExec[] = "start program";

  // True for kExited with status 0.
  bool ok() const { return kind == Kind::kExited && exit_code == 0; }
  // "exited with status 3", "killed by signal 9 (SIGKILL)",
  // "setup failed: cannot mount proc on /proc (op 2: proc): ...".
  std::string ToString() const;
};

// Launcher-only settings (never sent to init).
struct LaunchOptions {
  // init's stdio, inherited by the program. -1 = the caller's own 0/1/2.
  // Borrowed: they must stay open until Start() returns.
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
  // Files passed to the program as fds 3, 4, ... in order. Borrowed, as
  // above.
  std::vector<int> extra_files;
  // A cgroup v2 directory fd: init starts in it (clone3 CLONE_INTO_CGROUP).
  // -1 = the caller's cgroup.
  int cgroup_fd = -1;
  // After Cancel(), how long to wait for init to exit before SIGKILL.
  // Zero = wait forever (hakurei's default).
  std::chrono::nanoseconds wait_delay{0};
  // kekkai-init to run. Empty = $KEKKAI_INIT, else kekkai-init next to the
  // running program, else the install location.
  std::string init_path;
  // Verbose logging in init (InitParams.Verbose).
  bool verbose = false;
};

class Container final {
 public:
  Container(Params params, LaunchOptions options = {});
  // Kills init (SIGKILL through its pidfd) if it is still running and reaps
  // it, so nothing of the container outlives the object.
  ~Container();
  Container(const Container&) = delete;
  Container& operator=(const Container&) = delete;

  // Applies hakurei's launcher defaults (ApplyLauncherDefaults), checks the
  // Params, and starts init blocked on its setup fd. Errors name the step:
  // `start: clone3(CLONE_NEWUSER|...): Operation not permitted [EPERM]`.
  // Fails with kFailedPrecondition when called twice.
  absl::Status Start();

  // Sends the Params to init (once, after Start). Fails, and kills init, if
  // the Params are invalid or init does not take them within 5 s.
  absl::Status Serve();

  // Waits for init to exit and returns what happened. Call once, after
  // Start (a failed Start or Serve gives kStartFailed/kSetupFailed).
  Result Wait();

  // Asks the container to stop (SIGUSR2 to init: init exits, or with
  // forward_cancel sends SIGINT to the program); after wait_delay, SIGKILL.
  // Thread-safe; a no-op once init has been reaped.
  absl::Status Cancel();

  // Sends `sig` to init (which forwards SIGTERM and SIGQUIT to the program).
  // Thread-safe; fails with kFailedPrecondition once init has been reaped.
  absl::Status Signal(int sig);

  // init's pid in the caller's namespace, -1 before Start.
  pid_t pid() const;
  // The Params as normalised by Start() (what Serve sends).
  const Params& params() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Start + Serve + Wait.
Result Run(Params params, LaunchOptions options = {});

}  // namespace kekkai

#endif  // KEKKAI_SHIM_CONTAINER_H_
