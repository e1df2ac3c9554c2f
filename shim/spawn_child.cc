// Child side of SpawnInit(): the code between clone and execve(kekkai-init).
//
// RULES FOR THIS FILE (the caller may be multi-threaded; STYLE.md §4.8):
//   * Only raw system calls, through Sys() below (the `syscall`
//     instruction itself on x86-64). No other libc function: wrappers may
//     take locks, use glibc's stale cached thread id after a raw clone, or
//     be intercepted (sanitizers intercept sigaction, read...); and where
//     the child shares the launcher's memory (CLONE_VM, spawn.h) it also
//     shares the spawner thread's errno, which that thread keeps using
//     meanwhile. Sys() returns -errno instead.
//   * Not instrumented by ASan (KEKKAI_CHILD): on its own stack the child
//     is a thread ASan does not know.
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
#include <type_traits>

#include "shim/spawn.h"

namespace kekkai::shim::internal {
namespace {

#define KEKKAI_CHILD __attribute__((no_sanitize_address))

// A system call that leaves errno alone: the result, or -errno.
#if defined(__x86_64__)
KEKKAI_CHILD long RawSyscall6(long nr, long a, long b, long c, long d, long e,
                              long f) noexcept {
  register long r10 asm("r10") = d;
  register long r8 asm("r8") = e;
  register long r9 asm("r9") = f;
  long ret;
  asm volatile("syscall"
               : "=a"(ret)
               : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
               : "rcx", "r11", "memory");
  return ret;
}
#else
// Elsewhere the clone is fork-like (spawn.h), so errno is the child's own.
KEKKAI_CHILD long RawSyscall6(long nr, long a, long b, long c, long d, long e,
                              long f) noexcept {
  const long ret = syscall(nr, a, b, c, d, e, f);
  return ret < 0 ? -errno : ret;
}
#endif

template <typename T>
KEKKAI_CHILD long Arg(T value) noexcept {
  if constexpr (std::is_pointer_v<T> || std::is_null_pointer_v<T>) {
    return reinterpret_cast<long>(value);
  } else {
    return static_cast<long>(value);
  }
}

template <typename... Args>
KEKKAI_CHILD long Sys(long nr, Args... args) noexcept {
  static_assert(sizeof...(Args) <= 6);
  long a[6] = {Arg(args)...};
  return RawSyscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

// errno of a failed Sys().
KEKKAI_CHILD int Err(long ret) noexcept { return static_cast<int>(-ret); }

// The kernel's struct sigaction (not glibc's, whose mask is 128 bytes).
struct KernelSigaction {
  void (*handler)(int);
  unsigned long flags;
  void (*restorer)();
  uint64_t mask;
};
constexpr int kKernelNsig = 64;

[[noreturn]] KEKKAI_CHILD void Exit(int code) noexcept {
  for (;;) Sys(SYS_exit_group, code);
}

// Reports `step` and `err` to the launcher and exits. MSG_NOSIGNAL: if the
// launcher is gone the report is simply lost (no SIGPIPE).
[[noreturn]] KEKKAI_CHILD void Fail(int channel_fd, ChildStep step,
                                    int err) noexcept {
  const ChildMessage message{static_cast<uint32_t>(step), err};
  Sys(SYS_sendto, channel_fd, &message, sizeof(message), MSG_NOSIGNAL, nullptr,
      0);
  Exit(127);
}

// Arms the parent-death signal and proves the parent thread survived it
// (see spawn.h: "Parent death"). Returns only when the ack arrived.
KEKKAI_CHILD void Handshake(const ChildPlan& plan) noexcept {
  if (plan.pause_ms != 0) {  // SetChildPauseForTesting
    struct timespec pause = {static_cast<time_t>(plan.pause_ms / 1000),
                             static_cast<long>(plan.pause_ms % 1000) * 1000000};
    Sys(SYS_nanosleep, &pause, nullptr);
  }
  // Our copy of the spawner's end must go first: with it closed, the
  // spawner's death is an EOF on our end.
  Sys(SYS_close, plan.parent_channel_fd);
  if (const long r = Sys(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0); r < 0) {
    Fail(plan.channel_fd, ChildStep::kPdeathsig, Err(r));
  }
  const ChildMessage ready{static_cast<uint32_t>(ChildStep::kReady), 0};
  for (;;) {
    const long n = Sys(SYS_sendto, plan.channel_fd, &ready, sizeof(ready),
                       MSG_NOSIGNAL, nullptr, 0);
    if (n == static_cast<long>(sizeof(ready))) break;
    if (n == -EINTR) continue;
    Exit(127);  // the launcher is gone (EPIPE) or the channel is broken
  }
  struct pollfd fds[2] = {{plan.channel_fd, POLLIN, 0},
                          {plan.launcher_pidfd, POLLIN, 0}};
  for (;;) {
    // A negative fd (no launcher pidfd) is ignored by poll.
    if (const long r = Sys(SYS_ppoll, fds, 2, nullptr, nullptr, 0); r < 0) {
      if (r == -EINTR) continue;
      Fail(plan.channel_fd, ChildStep::kHandshake, Err(r));
    }
    if (fds[0].revents != 0) {
      char ack = 0;
      const long n = Sys(SYS_read, plan.channel_fd, &ack, 1);
      if (n == 1) return;
      if (n == -EINTR || n == -EAGAIN) continue;
      Exit(127);  // EOF: the spawner thread died before acknowledging
    }
    if (fds[1].revents != 0) Exit(127);  // the launching process is gone
  }
}

// Handlers do not survive execve, but ignored signals do, and init must
// start with every disposition at its default (SIGCHLD above all).
KEKKAI_CHILD void ResetSignals(int channel_fd) noexcept {
  KernelSigaction action = {};
  action.handler = SIG_DFL;
  for (int sig = 1; sig <= kKernelNsig; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    if (const long r =
            Sys(SYS_rt_sigaction, sig, &action, nullptr, sizeof(uint64_t));
        r < 0) {
      Fail(channel_fd, ChildStep::kSignals, Err(r));
    }
  }
}

// The child of CLONE_NEWUSER holds every capability in the new namespace.
// To keep some across execve of a program without file capabilities they
// must be inheritable and ambient (hakurei: SYS_ADMIN, SETPCAP,
// DAC_OVERRIDE; Go's SysProcAttr.AmbientCaps does the same).
KEKKAI_CHILD void RaiseAmbient(int channel_fd, uint64_t caps) noexcept {
  __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (const long r = Sys(SYS_capget, &header, data); r < 0) {
    Fail(channel_fd, ChildStep::kCapabilities, Err(r));
  }
  data[0].inheritable |= static_cast<uint32_t>(caps);
  data[1].inheritable |= static_cast<uint32_t>(caps >> 32);
  if (const long r = Sys(SYS_capset, &header, data); r < 0) {
    Fail(channel_fd, ChildStep::kCapabilities, Err(r));
  }
  for (unsigned long cap = 0; cap < 64; ++cap) {
    if ((caps & (uint64_t{1} << cap)) == 0) continue;
    if (const long r =
            Sys(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0);
        r < 0) {
      Fail(channel_fd, ChildStep::kCapabilities, Err(r));
    }
  }
}

KEKKAI_CHILD int SourceFor(const ChildPlan& plan, int slot) noexcept {
  if (slot < 3) return plan.stdio[slot];
  if (slot == 3) return plan.setup_fd;
  return plan.extra_fds[slot - 4];
}

// Moves the sources to 0, 1, 2 (stdio), 3 (setup) and 4... (extra files),
// without close-on-exec, then closes every other fd (whatever its flag:
// nothing of the caller's reaches init). Returns the channel's new number.
KEKKAI_CHILD int PlaceFds(const ChildPlan& plan) noexcept {
  const int slots = 4 + plan.extra_count;
  int channel = plan.channel_fd;
  // A source or the channel sitting in a slot could be overwritten before
  // its own turn: first move every such fd above the slots (Go's forkExec
  // does the same "pass 1").
  if (channel < slots) {
    const long moved = Sys(SYS_fcntl, channel, F_DUPFD_CLOEXEC, slots);
    if (moved < 0) Fail(channel, ChildStep::kFds, Err(moved));
    channel = static_cast<int>(moved);
  }
  int sources[4 + kMaxChildExtraFiles];
  for (int slot = 0; slot < slots; ++slot) {
    int source = SourceFor(plan, slot);
    if (source < slots) {
      const long moved = Sys(SYS_fcntl, source, F_DUPFD_CLOEXEC, slots);
      if (moved < 0) Fail(channel, ChildStep::kFds, Err(moved));
      source = static_cast<int>(moved);
    }
    sources[slot] = source;
  }
  // dup3 without O_CLOEXEC: these are the fds init inherits.
  for (int slot = 0; slot < slots; ++slot) {
    if (const long r = Sys(SYS_dup3, sources[slot], slot, 0); r < 0) {
      Fail(channel, ChildStep::kFds, Err(r));
    }
  }
  // The channel (close-on-exec, for an execve failure) goes right above the
  // slots, and everything beyond it is closed.
  if (channel != slots) {
    if (const long r = Sys(SYS_dup3, channel, slots, O_CLOEXEC); r < 0) {
      Fail(channel, ChildStep::kFds, Err(r));
    }
    channel = slots;
  }
  if (const long r = Sys(SYS_close_range, slots + 1, ~0U, 0); r < 0) {
    Fail(channel, ChildStep::kCloseFds, Err(r));
  }
  return channel;
}

}  // namespace

KEKKAI_CHILD void RunChild(const ChildPlan& plan) noexcept {
  Handshake(plan);
  const int early_channel = plan.channel_fd;
  ResetSignals(early_channel);
  if (plan.setsid) {
    if (const long r = Sys(SYS_setsid); r < 0) {
      Fail(early_channel, ChildStep::kSetsid, Err(r));
    }
  }
  // no_new_privs and Landlock are per thread and inherited: applied here,
  // they bind init and the payload and nothing of the caller.
  if (const long r = Sys(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); r < 0) {
    Fail(early_channel, ChildStep::kNoNewPrivs, Err(r));
  }
  if (plan.landlock_ruleset_fd >= 0) {
    if (const long r =
            Sys(SYS_landlock_restrict_self, plan.landlock_ruleset_fd, 0);
        r < 0) {
      Fail(early_channel, ChildStep::kLandlock, Err(r));
    }
  }
  RaiseAmbient(early_channel, plan.ambient_caps);
  const int channel = PlaceFds(plan);
  if (const long r = Sys(SYS_chdir, "/"); r < 0) {
    Fail(channel, ChildStep::kChdir, Err(r));
  }
  // The spawner thread blocks every signal; init starts with none blocked.
  const uint64_t empty = 0;
  if (const long r =
          Sys(SYS_rt_sigprocmask, SIG_SETMASK, &empty, nullptr, sizeof(empty));
      r < 0) {
    Fail(channel, ChildStep::kSigmask, Err(r));
  }
  const long r = Sys(SYS_execve, plan.init_path, plan.argv, plan.envp);
  Fail(channel, ChildStep::kExec, Err(r));
}

#if defined(__x86_64__)
namespace {

[[noreturn]] KEKKAI_CHILD void RunChildOnStack(const ChildPlan* plan) noexcept {
  RunChild(*plan);
}

}  // namespace

KEKKAI_CHILD long Clone3OnStack(void* clone_args, size_t size,
                                const ChildPlan* plan) noexcept {
  // The child returns from the system call on its own, empty stack, so it
  // must not return from this function: it calls RunChildOnStack(plan)
  // right there (r12 and r13 are the parent's, copied by the kernel).
  register const ChildPlan* r12 asm("r12") = plan;
  register void (*r13)(const ChildPlan*) asm("r13") = &RunChildOnStack;
  long ret;
  asm volatile(
      "syscall\n\t"
      "testq %%rax, %%rax\n\t"
      "jnz 1f\n\t"
      "xorl %%ebp, %%ebp\n\t"
      "movq %%r12, %%rdi\n\t"
      "callq *%%r13\n\t"
      "ud2\n\t"
      "1:\n\t"
      : "=a"(ret)
      : "a"(SYS_clone3), "D"(clone_args), "S"(size), "r"(r12), "r"(r13)
      : "rcx", "r11", "memory");
  return ret;
}
#endif

}  // namespace kekkai::shim::internal
