// libkekkai's launcher: start kekkai-init in new namespaces, send it the
// container's Params, supervise it, and report a structured Result.
//
// The two-stage launch is hakurei's (HAKUREI.md §1.5-§1.6):
//   Start()  applies hakurei's launcher defaults, checks the Params, and
//            clones kekkai-init into new user, pid, mount, ipc, uts, cgroup
//            (and net unless host_net) namespaces; init blocks reading its
//            setup fd. Start ahead of time to keep a container warm.
//   Serve()  writes the Params (gob) on the setup fd within 5 s; init builds
//            the container and runs the program as pid 2.
//   Wait()   waits for init and returns the Result.
// Run() does all three.
//
// A complete example (README.md has it with the build commands):
//
//   #include <sys/mount.h>
//   #include <cstdio>
//   #include <kekkai/kekkai.h>
//
//   int main() {
//     kekkai::Params params;
//     params.path = kekkai::AbsolutePath::Literal("/bin/sh");
//     params.args = {"sh", "-c", "echo hello from $(hostname); exit 3"};
//     params.env = {"PATH=/usr/bin:/bin"};
//     params.hostname = "example";
//     absl::StatusOr<kekkai::OpList> ops = kekkai::OpsBuilder()
//         .Bind("/usr", "/usr").Link("/bin", "usr/bin")
//         .Link("/lib", "usr/lib").Link("/lib64", "usr/lib64")
//         .Proc("/proc").Dev("/dev").Tmpfs("/tmp", 0, 01777)
//         .Remount("/", MS_RDONLY)
//         .Build();
//     if (!ops.ok()) return 1;
//     params.ops = *std::move(ops);
//
//     kekkai::LaunchOptions options;
//     options.wait_delay = std::chrono::seconds(2);  // after Cancel()
//     kekkai::Container container(std::move(params), options);
//     if (absl::Status s = container.Start(); !s.ok()) {  // init waits now
//       std::fprintf(stderr, "%s\n", s.ToString().c_str());
//     } else if (absl::Status s = container.Serve(); !s.ok()) {
//       std::fprintf(stderr, "%s\n", s.ToString().c_str());
//     }
//     // Wait() also reports a failed Start or Serve, as kStartFailed.
//     const kekkai::Result result = container.Wait();
//     std::printf("%s\n", result.ToString().c_str());  // exited with status 3
//     switch (result.kind) {
//       case kekkai::Result::Kind::kExited: return result.exit_code;
//       case kekkai::Result::Kind::kSignaled: return 128 + result.signal;
//       case kekkai::Result::Kind::kSetupFailed:  // result.step, .op_index,
//       case kekkai::Result::Kind::kCanceled:     // .err, .message
//       case kekkai::Result::Kind::kStartFailed: return 125;
//     }
//   }
//
// Threads: a Container is used by one thread at a time, except Cancel() and
// Signal(), which any thread may call while another blocks in Wait(). Many
// containers may run at once from many threads of one process; Start() may
// run on a thread that exits right after.
//
// Process hygiene:
//   * Only stdio, the setup fd and the extra files reach init: every other
//     fd of the caller is closed in the child, whatever its close-on-exec
//     flag. init's argv is ["init"], its environment exactly HAKUREI_SETUP=3,
//     its cwd "/", its signal mask empty and every disposition the default.
//   * no_new_privs and Landlock (scopes SIGNAL, and ABSTRACT_UNIX_SOCKET
//     unless host_abstract) are applied in the child before execve: they
//     bind init and the program, never the caller's threads. A kernel
//     without Landlock scopes (ABI < 6) is an error unless host_abstract, in
//     which case Landlock is skipped (hakurei's rule).
//   * The caller's signal handlers and mask are untouched; no SIGCHLD
//     handler is installed. init is an ordinary child once it runs, so the
//     caller's SIGCHLD handler sees it exit like any child; a caller that
//     ignores SIGCHLD or reaps any child does not lose the Result (the
//     status is read back through init's pidfd, Linux >= 6.15).
//   * Parent death: init (and so the whole container) dies with the
//     launching process however that ends (exit, crash, kill -9, execve),
//     whatever thread launched it, with no race at start. All clones come
//     from one libkekkai thread that lives as long as the process, and each
//     child proves it armed PR_SET_PDEATHSIG while that thread was alive
//     (shim/spawn.h has the rationale). A fork()ed child of the caller gets
//     its own launcher thread on first use.
//   * init is signalled and waited for through a pidfd, never a pid that
//     could be reused.
//
// kekkai-init is found at LaunchOptions::init_path, else $KEKKAI_INIT, else
// `kekkai-init` next to the running program (/proc/self/exe), else the
// install location (kekkai::kInitInstallPath).
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
//
// How it is decided, first rule that applies (kekkai-init sends setup
// reports on its setup socket, common/setup_report.h):
//   1. init reported a setup failure      -> kSetupFailed (step, op_index,
//                                            err, message)
//   2. init reported the program's execve
//      failed                             -> kSetupFailed, step kStepExec,
//                                            err ENOENT/EACCES/ENOEXEC/...
//   3. init reported the program's status -> kExited / kSignaled (also after
//                                            Cancel() with forward_cancel:
//                                            the program chose how to end)
//   4. the report stream is corrupt       -> kStartFailed
//   5. Cancel() was called                -> kCanceled
//   6. init was killed by signal s        -> kSignaled(s) if the program had
//                                            started, else kStartFailed
//   7. init exited with status n          -> kExited(n). An init that sends
//                                            no reports (hakurei's) exits
//                                            with the program's status
//                                            (128+s for signal s), or 1 for
//                                            a setup failure, which cannot be
//                                            told from the program exiting 1.
// A failed Start() or Serve() gives kStartFailed, with the step that failed
// ("check params", "find kekkai-init", "clone init", "execute init", "send
// params to init", ...) and its errno.
struct Result {
  enum class Kind : uint8_t {
    kExited = 0,       // the program exited: exit_code
    kSignaled = 1,     // the program was killed by `signal`
    kSetupFailed = 2,  // init could not build the container or start the
                       // program: step, op_index, err, message
    kCanceled = 3,     // Cancel() ended it (init exited after SIGUSR2, was
                       // killed after wait_delay, or had not been served)
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
  // "setup failed: cannot mount proc on /proc (op 2: proc): ...",
  // "canceled", "start failed: start: find kekkai-init: ...".
  std::string ToString() const;
};

// Launcher-only settings (never sent to init).
struct LaunchOptions {
  // init's stdio, inherited by the program. -1 = the caller's own 0/1/2
  // (one that is closed becomes /dev/null). Borrowed: they must stay open
  // until Start() returns.
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
  // Files passed to the program as fds 3, 4, ... in order (at most
  // kMaxExtraFiles; the same fd may appear twice). Borrowed, as above.
  std::vector<int> extra_files;
  // A cgroup v2 directory fd: init starts in it (clone3 CLONE_INTO_CGROUP).
  // -1 = the caller's cgroup. Borrowed, as above.
  int cgroup_fd = -1;
  // After Cancel(), how long to wait for init to exit before SIGKILL.
  // Zero = wait forever (hakurei's default).
  std::chrono::nanoseconds wait_delay{0};
  // kekkai-init to run. Empty = $KEKKAI_INIT, else kekkai-init next to the
  // running program, else the install location. A relative path is taken
  // from the current directory. Given but unusable is an error (no
  // fallback to another init).
  std::string init_path;
  // Verbose logging in init (InitParams.Verbose).
  bool verbose = false;
};

class Container final {
 public:
  Container(Params params, LaunchOptions options = {});
  // Kills init (SIGKILL through its pidfd) if it is still running and reaps
  // it, so nothing of the container outlives the object. (A copy of the
  // object in a fork()ed child of the caller leaves init alone.)
  ~Container();
  Container(const Container&) = delete;
  Container& operator=(const Container&) = delete;

  // Applies hakurei's launcher defaults (ApplyLauncherDefaults: uid/gid
  // below 1 become the overflow ids, DenyTTY unless retain_session,
  // adopt_wait_delay 0 -> 5 s and negative -> 0, dir nil -> "/"), checks
  // the Params and the launch options, and starts init blocked on its
  // setup fd. Nothing is left behind when it fails. Errors name the step:
  // `start: clone init: clone3(CLONE_NEWUSER|...): Operation not permitted
  // [EPERM]`, `start: invalid params: path: not set (the program to run)`.
  // Fails with kFailedPrecondition when called twice.
  absl::Status Start();

  // Sends the Params to init (once, after Start): the gob initParams with
  // the caller's uid and gid, the number of extra files, `verbose` and the
  // setup report version. Fails, and kills init, if init does not take
  // them within 5 s (kDeadlineExceeded) or has died (EPIPE).
  absl::Status Serve();

  // Waits for init to exit and returns what happened. Call after Start
  // (a failed Start or Serve gives kStartFailed; a container that was
  // started but never served is killed and gives kStartFailed, or
  // kCanceled after Cancel()). Later calls return the same Result.
  Result Wait();

  // Asks the container to stop: SIGUSR2 to init (init exits, or with
  // forward_cancel sends SIGINT to the program), again if init only then
  // reports the program started (a pid namespace's init drops signals it
  // does not handle yet); after wait_delay, SIGKILL. Before Serve() there is
  // nothing to stop gracefully: SIGKILL at once. Thread-safe; a no-op
  // before Start, once init has been reaped, or when already called.
  absl::Status Cancel();

  // Sends `sig` to init (which forwards SIGTERM and SIGQUIT to the program;
  // as a pid namespace's init it ignores signals it does not handle, except
  // SIGKILL and SIGSTOP). Thread-safe; fails with kFailedPrecondition before
  // Start and once init has been reaped, kInvalidArgument for a bad number.
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
