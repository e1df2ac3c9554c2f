// The launcher's process machinery (internal to libkekkai): cloning
// kekkai-init into new namespaces, tied to the launching process's life.
//
// Where it sits: Container::Start() (container.cc) resolves kekkai-init, the
// Landlock ruleset and the fds, then calls SpawnInit(). SpawnInit hands the
// clone to the process's spawner thread (spawn.cc), whose child runs
// RunChild() (spawn_child.cc, async-signal-safe) up to execve(init).
//
// Parent death, and why a spawner thread (rationale):
//   PR_SET_PDEATHSIG fires when the *thread* that cloned the child exits, not
//   the process (Go issue #27505: hakurei's footgun when the launching
//   goroutine's OS thread ends). So every clone is made by one thread that
//   libkekkai starts on first use and that never exits: the signal then fires
//   exactly when the process dies (exit, kill -9, crash, or execve, which
//   kills every other thread), whatever thread called Start().
//   The start race: the process may die between clone and the child's
//   prctl(PR_SET_PDEATHSIG). hakurei's "getppid() != launcher pid" check
//   cannot catch that in a new pid namespace (getppid() is always 0 there).
//   Instead the child arms the signal, then says "ready" on its channel and
//   waits for the spawner thread's ack. The ack proves that the parent
//   thread was alive after the signal was armed, so its later death will
//   deliver SIGKILL. If the parent died first the ack never comes: the
//   channel reads EOF (the child closed its inherited copy of the parent's
//   end first) or the launcher's pidfd turns readable (in case another
//   process inherited the parent's end), and the child _exits.
//
// Other properties:
//   * Until execve the child is a "clone child" (exit_signal 0): a child
//     that fails before exec sends the caller no SIGCHLD, and it is reaped
//     with waitid(P_PIDFD, __WALL). execve makes it an ordinary child (the
//     kernel's de_thread sets exit_signal to SIGCHLD), so init's exit does
//     reach the caller's SIGCHLD handler, like any child's; Wait() copes
//     with a caller that reaps it first (see container.cc, ReapInit).
//     Signals go through the pidfd, never a pid that could be reused.
//   * The spawner thread blocks every signal for its whole life, so clone
//     always runs with signals blocked; the child empties the mask just
//     before execve.
//   * The caller may be multi-threaded: the child never allocates, locks or
//     logs (see spawn_child.cc).
//
// Known limits:
//   * A fork() by another thread of the caller in the microseconds between
//     the channel's socketpair() and the clone keeps a copy of the child's
//     end: Start() then sees init's execve succeed only when that process
//     execs or exits (every fork+exec launcher shares this; CLOEXEC cannot
//     help a fork that does not exec).
//
// Memory (x86-64): the child shares the caller's memory (CLONE_VM, as
// posix_spawn's child does) and runs on a stack of its own that SpawnInit
// maps, so a Start() costs the same whatever the size of the caller: a
// fork-like clone copied the caller's page tables and threw them away at
// execve (about a tenth of a launch's CPU from the benchmark's process).
// Not CLONE_VFORK: the child must wait for the spawner thread's ack. So the
// child runs beside the spawner thread, and everything it reads (the
// ChildPlan, argv, envp, the fd lists) and its stack stay alive until
// SpawnInit has seen the channel's EOF (execve closed it, after the kernel
// switched the child to init's own memory) or has reaped the child. The
// child writes nothing but its own stack: no errno either (spawn_child.cc
// uses raw system calls that return -errno). Elsewhere the clone is
// fork-like, as before.
#ifndef KEKKAI_SHIM_SPAWN_H_
#define KEKKAI_SHIM_SPAWN_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/unique_fd.h"

namespace kekkai::shim::internal {

// The child's steps, in order; the values are on the wire between child and
// parent (append only). kReady is not a failure: it starts the handshake.
enum class ChildStep : uint32_t {
  kReady = 0,
  kPdeathsig = 1,     // prctl(PR_SET_PDEATHSIG, SIGKILL)
  kHandshake = 2,     // waiting for the spawner's ack
  kSignals = 3,       // resetting signal dispositions
  kSetsid = 4,        // setsid()
  kNoNewPrivs = 5,    // prctl(PR_SET_NO_NEW_PRIVS)
  kLandlock = 6,      // landlock_restrict_self()
  kCapabilities = 7,  // capset inheritable + PR_CAP_AMBIENT_RAISE
  kFds = 8,           // moving stdio, the setup fd and extra files in place
  kCloseFds = 9,      // close_range() of everything else
  kChdir = 10,        // chdir("/")
  kSigmask = 11,      // emptying the signal mask
  kExec = 12,         // execve(init)
};
inline constexpr uint32_t kChildStepCount = 13;

// One message from the child: kReady, or the failing step and its errno.
struct ChildMessage {
  uint32_t step;
  int32_t err;
};

// What the step is, for error messages ("execve", "setsid", ...).
absl::string_view ChildStepName(ChildStep step);

// The most extra files the child places (common/params.h kMaxExtraFiles).
inline constexpr int kMaxChildExtraFiles = 1024;

// Everything the child needs, prepared by the parent before clone: plain
// pointers and fd numbers, nothing to allocate.
struct ChildPlan {
  const char* init_path = nullptr;
  char* const* argv = nullptr;  // NULL-terminated
  char* const* envp = nullptr;  // NULL-terminated
  int channel_fd = -1;          // child's end of the channel (close-on-exec)
  int parent_channel_fd = -1;   // the spawner's end: closed first thing
  int launcher_pidfd = -1;      // the launching process, or -1
  // Target layout in init: 0, 1, 2 = stdio; 3 = setup; 4... = extra files.
  // Each source is any fd of the parent (the same fd may appear twice).
  int stdio[3] = {-1, -1, -1};
  int setup_fd = -1;
  const int* extra_fds = nullptr;
  int extra_count = 0;
  int landlock_ruleset_fd = -1;  // -1: no Landlock
  bool setsid = true;
  uint64_t ambient_caps = 0;     // bit i = capability i
  uint32_t pause_ms = 0;         // SetChildPauseForTesting
};

// The child side: never returns. spawn_child.cc, async-signal-safe.
[[noreturn]] void RunChild(const ChildPlan& plan) noexcept;

#if defined(__x86_64__)
// clone3(clone_args, size) whose child runs RunChild(*plan) on the stack
// clone_args names (CLONE_VM): the child never returns into the caller's
// frames. Returns the child's pid, or -errno. spawn_child.cc.
long Clone3OnStack(void* clone_args, size_t size,
                   const ChildPlan* plan) noexcept;
inline constexpr bool kCloneOnStack = true;
#else
inline constexpr bool kCloneOnStack = false;
#endif
// The child's stack (CLONE_VM): PlaceFds keeps 4 KiB of fds on it; the
// rest is room for the calls (and their instrumentation in the sanitizer
// build). A guard page below it.
inline constexpr size_t kChildStackSize = 256 * 1024;

// What Container::Start asks for.
struct SpawnRequest {
  std::string init_path;
  int stdio[3] = {0, 1, 2};   // fds of the caller, open
  int setup_fd = -1;          // init's end of the setup socket
  std::vector<int> extra_fds; // fds of the caller, open
  int cgroup_fd = -1;         // clone3(CLONE_INTO_CGROUP) when >= 0
  bool new_net = true;        // CLONE_NEWNET
  bool setsid = true;
  int landlock_ruleset_fd = -1;
};

struct SpawnedInit {
  pid_t pid = -1;
  UniqueFd pidfd;
};

// Clones kekkai-init (argv ["init"], environment exactly HAKUREI_SETUP=3,
// cwd /) into new user, pid, mount, ipc, uts, cgroup and (new_net) network
// namespaces with no_new_privs, the Landlock ruleset, ambient CAP_SYS_ADMIN,
// CAP_SETPCAP and CAP_DAC_OVERRIDE, and returns once init is executing (or
// with the error of the step that failed, carrying its errno and step name,
// see StepOf). Thread-safe.
absl::StatusOr<SpawnedInit> SpawnInit(const SpawnRequest& request);

// Test hook: every child sleeps this long right after clone, before it arms
// the parent-death signal, so that a test can kill the launcher inside the
// start race. 0 (the default) in production.
void SetChildPauseForTesting(uint32_t milliseconds);

// The clone flags SpawnInit uses, rendered ("CLONE_NEWUSER|CLONE_NEWPID|...").
std::string CloneFlagsToString(uint64_t flags);

// Steps travel with statuses as a payload, so Result.step can say what
// failed without parsing messages.
absl::Status WithStep(absl::Status status, absl::string_view step);
// WithStep(Annotate(status, step), step): "<step>: <message>".
absl::Status StepError(const absl::Status& status, absl::string_view step);
// The step attached by WithStep, or "".
std::string StepOf(const absl::Status& status);

}  // namespace kekkai::shim::internal

#endif  // KEKKAI_SHIM_SPAWN_H_
