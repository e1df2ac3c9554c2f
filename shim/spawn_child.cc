// Child side of SpawnInit(): the code between clone and execve(kekkai-init).
//
// RULES FOR THIS FILE (the caller may be multi-threaded; STYLE.md §4.8):
//   * Only raw system calls, through syscall(2). No other libc function:
//     wrappers may take locks, use glibc's stale cached thread id after a
//     raw clone, or be intercepted (sanitizers intercept sigaction, read...).
//   * No heap allocation, no std::string, no absl, no logging, no throw, no
//     locks. Locks that other threads held at clone time stay held forever.
//   * Everything the child needs is precomputed in the ChildPlan.
//   * Every failure -> Fail(step): one send(2) of {step, errno} on the
//     close-on-exec channel, then exit_group(127). The parent turns it into
//     `start: <step>: <strerror> [<ERRNO>]`.
//   * After the handshake nothing may block: the launcher is waiting.
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "shim/spawn.h"

namespace kekkai::shim::internal {
namespace {

// The kernel's struct sigaction (not glibc's, whose mask is 128 bytes).
struct KernelSigaction {
  void (*handler)(int);
  unsigned long flags;
  void (*restorer)();
  uint64_t mask;
};
constexpr int kKernelNsig = 64;

[[noreturn]] void Exit(int code) noexcept {
  for (;;) syscall(SYS_exit_group, code);
}

// Reports `step` and `err` to the launcher and exits. MSG_NOSIGNAL: if the
// launcher is gone the report is simply lost (no SIGPIPE).
[[noreturn]] void Fail(int channel_fd, ChildStep step, int err) noexcept {
  const ChildMessage message{static_cast<uint32_t>(step), err};
  syscall(SYS_sendto, channel_fd, &message, sizeof(message), MSG_NOSIGNAL,
          nullptr, 0);
  Exit(127);
}

// Arms the parent-death signal and proves the parent thread survived it
// (see spawn.h: "Parent death"). Returns only when the ack arrived.
void Handshake(const ChildPlan& plan) noexcept {
  if (plan.pause_ms != 0) {  // SetChildPauseForTesting
    struct timespec pause = {static_cast<time_t>(plan.pause_ms / 1000),
                             static_cast<long>(plan.pause_ms % 1000) * 1000000};
    syscall(SYS_nanosleep, &pause, nullptr);
  }
  // Our copy of the spawner's end must go first: with it closed, the
  // spawner's death is an EOF on our end.
  syscall(SYS_close, plan.parent_channel_fd);
  if (syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) {
    Fail(plan.channel_fd, ChildStep::kPdeathsig, errno);
  }
  const ChildMessage ready{static_cast<uint32_t>(ChildStep::kReady), 0};
  for (;;) {
    const long n = syscall(SYS_sendto, plan.channel_fd, &ready, sizeof(ready),
                           MSG_NOSIGNAL, nullptr, 0);
    if (n == static_cast<long>(sizeof(ready))) break;
    if (n < 0 && errno == EINTR) continue;
    Exit(127);  // the launcher is gone (EPIPE) or the channel is broken
  }
  struct pollfd fds[2] = {{plan.channel_fd, POLLIN, 0},
                          {plan.launcher_pidfd, POLLIN, 0}};
  for (;;) {
    // A negative fd (no launcher pidfd) is ignored by poll.
    if (syscall(SYS_ppoll, fds, 2, nullptr, nullptr, 0) < 0) {
      if (errno == EINTR) continue;
      Fail(plan.channel_fd, ChildStep::kHandshake, errno);
    }
    if (fds[0].revents != 0) {
      char ack = 0;
      const long n = syscall(SYS_read, plan.channel_fd, &ack, 1);
      if (n == 1) return;
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      Exit(127);  // EOF: the spawner thread died before acknowledging
    }
    if (fds[1].revents != 0) Exit(127);  // the launching process is gone
  }
}

// Handlers do not survive execve, but ignored signals do, and init must
// start with every disposition at its default (SIGCHLD above all).
void ResetSignals(int channel_fd) noexcept {
  KernelSigaction action = {};
  action.handler = SIG_DFL;
  for (int sig = 1; sig <= kKernelNsig; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    if (syscall(SYS_rt_sigaction, sig, &action, nullptr, sizeof(uint64_t)) !=
        0) {
      Fail(channel_fd, ChildStep::kSignals, errno);
    }
  }
}

// The child of CLONE_NEWUSER holds every capability in the new namespace.
// To keep some across execve of a program without file capabilities they
// must be inheritable and ambient (hakurei: SYS_ADMIN, SETPCAP,
// DAC_OVERRIDE; Go's SysProcAttr.AmbientCaps does the same).
void RaiseAmbient(int channel_fd, uint64_t caps) noexcept {
  __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &header, data) != 0) {
    Fail(channel_fd, ChildStep::kCapabilities, errno);
  }
  data[0].inheritable |= static_cast<uint32_t>(caps);
  data[1].inheritable |= static_cast<uint32_t>(caps >> 32);
  if (syscall(SYS_capset, &header, data) != 0) {
    Fail(channel_fd, ChildStep::kCapabilities, errno);
  }
  for (unsigned long cap = 0; cap < 64; ++cap) {
    if ((caps & (uint64_t{1} << cap)) == 0) continue;
    if (syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) !=
        0) {
      Fail(channel_fd, ChildStep::kCapabilities, errno);
    }
  }
}

int SourceFor(const ChildPlan& plan, int slot) noexcept {
  if (slot < 3) return plan.stdio[slot];
  if (slot == 3) return plan.setup_fd;
  return plan.extra_fds[slot - 4];
}

// Moves the sources to 0, 1, 2 (stdio), 3 (setup) and 4... (extra files),
// without close-on-exec, then closes every other fd (whatever its flag:
// nothing of the caller's reaches init). Returns the channel's new number.
int PlaceFds(const ChildPlan& plan) noexcept {
  const int slots = 4 + plan.extra_count;
  int channel = plan.channel_fd;
  // A source or the channel sitting in a slot could be overwritten before
  // its own turn: first move every such fd above the slots (Go's forkExec
  // does the same "pass 1").
  if (channel < slots) {
    const long moved = syscall(SYS_fcntl, channel, F_DUPFD_CLOEXEC, slots);
    if (moved < 0) Fail(channel, ChildStep::kFds, errno);
    channel = static_cast<int>(moved);
  }
  int sources[4 + kMaxChildExtraFiles];
  for (int slot = 0; slot < slots; ++slot) {
    int source = SourceFor(plan, slot);
    if (source < slots) {
      const long moved = syscall(SYS_fcntl, source, F_DUPFD_CLOEXEC, slots);
      if (moved < 0) Fail(channel, ChildStep::kFds, errno);
      source = static_cast<int>(moved);
    }
    sources[slot] = source;
  }
  // dup3 without O_CLOEXEC: these are the fds init inherits.
  for (int slot = 0; slot < slots; ++slot) {
    if (syscall(SYS_dup3, sources[slot], slot, 0) < 0) {
      Fail(channel, ChildStep::kFds, errno);
    }
  }
  // The channel (close-on-exec, for an execve failure) goes right above the
  // slots, and everything beyond it is closed.
  if (channel != slots) {
    if (syscall(SYS_dup3, channel, slots, O_CLOEXEC) < 0) {
      Fail(channel, ChildStep::kFds, errno);
    }
    channel = slots;
  }
  if (syscall(SYS_close_range, slots + 1, ~0U, 0) != 0) {
    Fail(channel, ChildStep::kCloseFds, errno);
  }
  return channel;
}

}  // namespace

void RunChild(const ChildPlan& plan) noexcept {
  Handshake(plan);
  const int early_channel = plan.channel_fd;
  ResetSignals(early_channel);
  if (plan.setsid && syscall(SYS_setsid) < 0) {
    Fail(early_channel, ChildStep::kSetsid, errno);
  }
  // no_new_privs and Landlock are per thread and inherited: applied here,
  // they bind init and the payload and nothing of the caller.
  if (syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    Fail(early_channel, ChildStep::kNoNewPrivs, errno);
  }
  if (plan.landlock_ruleset_fd >= 0 &&
      syscall(SYS_landlock_restrict_self, plan.landlock_ruleset_fd, 0) != 0) {
    Fail(early_channel, ChildStep::kLandlock, errno);
  }
  RaiseAmbient(early_channel, plan.ambient_caps);
  const int channel = PlaceFds(plan);
  if (syscall(SYS_chdir, "/") != 0) Fail(channel, ChildStep::kChdir, errno);
  // The spawner thread blocks every signal; init starts with none blocked.
  const uint64_t empty = 0;
  if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, &empty, nullptr,
              sizeof(empty)) != 0) {
    Fail(channel, ChildStep::kSigmask, errno);
  }
  syscall(SYS_execve, plan.init_path, plan.argv, plan.envp);
  Fail(channel, ChildStep::kExec, errno);
}

}  // namespace kekkai::shim::internal
