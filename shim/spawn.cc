// Parent side of the launch: the spawner thread, clone3 and the handshake
// with the child (see spawn.h for the design and its rationale).
#include "shim/spawn.h"

#include <linux/capability.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <utility>
#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/params.h"
#include "common/status.h"

namespace kekkai::shim::internal {
namespace {

static_assert(kMaxChildExtraFiles == kMaxExtraFiles,
              "the child's fd table must hold every extra file");

constexpr absl::string_view kStepPayloadUrl = "kekkai/step";

// clone3's argument (Debian's glibc headers do not declare it; the layout is
// the kernel's CLONE_ARGS_SIZE_VER2).
struct CloneArgs {
  uint64_t flags;
  uint64_t pidfd;
  uint64_t child_tid;
  uint64_t parent_tid;
  uint64_t exit_signal;
  uint64_t stack;
  uint64_t stack_size;
  uint64_t tls;
  uint64_t set_tid;
  uint64_t set_tid_size;
  uint64_t cgroup;
};
constexpr uint64_t kCloneIntoCgroup = 0x200000000ULL;
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

std::atomic<uint32_t> g_child_pause_ms{0};

// hakurei's set: SYS_ADMIN, SETPCAP, DAC_OVERRIDE.
constexpr uint64_t kAmbientCaps = (uint64_t{1} << CAP_SYS_ADMIN) |
                                  (uint64_t{1} << CAP_SETPCAP) |
                                  (uint64_t{1} << CAP_DAC_OVERRIDE);
// kekkai adds NET_ADMIN when init gets a network namespace of its own, so
// that it brings lo up there as bubblewrap does; init drops it, with every
// other capability, before the initial program runs.
constexpr uint64_t kNewNetAmbientCaps = uint64_t{1} << CAP_NET_ADMIN;

// Kills and reaps a child that reported a failure (it exits right after
// anyway) or that we gave up on. Returns a description of how it ended.
std::string KillAndReap(int pidfd) {
  syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, nullptr, 0);
  siginfo_t info = {};
  for (;;) {
    if (syscall(SYS_waitid, P_PIDFD, pidfd, &info, WEXITED | __WALL,
                nullptr) == 0) {
      break;
    }
    if (errno != EINTR) return absl::StrCat("waitid: ", ErrnoName(errno));
  }
  if (info.si_code == CLD_EXITED) {
    return absl::StrCat("exited with status ", info.si_status);
  }
  return absl::StrCat("killed by signal ", info.si_status);
}

// Reads one ChildMessage. OK with *got = false on EOF.
absl::Status ReadMessage(int fd, ChildMessage* message, bool* got) {
  size_t have = 0;
  char* out = reinterpret_cast<char*>(message);
  while (have < sizeof(*message)) {
    const ssize_t n = read(fd, out + have, sizeof(*message) - have);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "read(child channel)");
    }
    if (n == 0) {
      if (have == 0) {
        *got = false;
        return absl::OkStatus();
      }
      return absl::DataLossError("read(child channel): truncated message");
    }
    have += static_cast<size_t>(n);
  }
  *got = true;
  if (message->step >= kChildStepCount) {
    return absl::DataLossError(
        absl::StrFormat("read(child channel): unknown step %u", message->step));
  }
  return absl::OkStatus();
}

// The leaf status for a child's failure report.
absl::Status ChildFailure(const ChildMessage& message, const char* init_path,
                          int extra_count) {
  const ChildStep step = static_cast<ChildStep>(message.step);
  std::string call;
  switch (step) {
    case ChildStep::kReady:
      call = "ready";
      break;
    case ChildStep::kPdeathsig:
      call = "prctl(PR_SET_PDEATHSIG, SIGKILL)";
      break;
    case ChildStep::kHandshake:
      call = "ppoll(launcher channel)";
      break;
    case ChildStep::kSignals:
      call = "rt_sigaction(SIG_DFL)";
      break;
    case ChildStep::kSetsid:
      call = "setsid()";
      break;
    case ChildStep::kNoNewPrivs:
      call = "prctl(PR_SET_NO_NEW_PRIVS, 1)";
      break;
    case ChildStep::kLandlock:
      call = "landlock_restrict_self()";
      break;
    case ChildStep::kCapabilities:
      call = "capset/prctl(PR_CAP_AMBIENT_RAISE, CAP_SYS_ADMIN|CAP_SETPCAP|"
             "CAP_DAC_OVERRIDE[|CAP_NET_ADMIN])";
      break;
    case ChildStep::kFds:
      call = absl::StrFormat("dup3(..., 0..%d)", 3 + extra_count);
      break;
    case ChildStep::kCloseFds:
      call = absl::StrFormat("close_range(%d, ~0U, 0)", 5 + extra_count);
      break;
    case ChildStep::kChdir:
      call = "chdir(\"/\")";
      break;
    case ChildStep::kSigmask:
      call = "rt_sigprocmask(SIG_SETMASK, {})";
      break;
    case ChildStep::kExec:
      call = absl::StrFormat("execve(\"%s\")", init_path);
      break;
  }
  return StepError(ErrnoStatus(message.err, call), ChildStepName(step));
}

// One clone, prepared by the requesting thread and run by the spawner.
// It lives in SpawnInit's frame until the child has exec'd or is reaped:
// a CLONE_VM child reads `child_plan` and runs on `stack` (spawn.h).
struct Job {
  const ChildPlan* plan = nullptr;
  uint64_t flags = 0;
  int cgroup_fd = -1;
  void* stack = nullptr;  // the child's stack (CLONE_VM, x86-64)
  size_t stack_size = 0;
  // The plan the child runs: *plan with the channel filled in.
  ChildPlan child_plan;
  // Filled by the spawner.
  bool done = false;
  std::condition_variable cv;
  absl::Status status;
  pid_t pid = -1;
  UniqueFd pidfd;
  UniqueFd channel;  // the parent's end, after the handshake
};

// The thread every clone comes from. It is started on first use, blocks
// every signal, and never exits (see spawn.h: "Parent death").
class Spawner {
 public:
  // The process's spawner, started if needed.
  static absl::StatusOr<Spawner*> Get();

  // Runs `job` on the spawner thread and waits for it.
  void Run(Job& job) {
    std::unique_lock<std::mutex> lock(mu_);
    queue_.push_back(&job);
    cv_.notify_one();
    job.cv.wait(lock, [&] { return job.done; });
  }

 private:
  Spawner() = default;

  static void* ThreadMain(void* arg) {
    // Named from the thread itself: glibc then uses prctl(PR_SET_NAME).
    // Naming it from another thread writes /proc/self/task/TID/comm, and
    // that dentry makes whoever reaps this process spin in the kernel
    // (shrink_dcache_parent) for milliseconds right after it exits: about
    // 7 ms of every `kekkai run` as a shell sees it (bench/README.md).
    pthread_setname_np(pthread_self(), "kekkai-spawner");
    static_cast<Spawner*>(arg)->Loop();
    return nullptr;
  }

  [[noreturn]] void Loop() {
    for (;;) {
      Job* job = nullptr;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return !queue_.empty(); });
        job = queue_.front();
        queue_.pop_front();
      }
      Execute(*job);
      // Notify under the lock: once the requester sees `done` it may
      // destroy the job, so nothing may touch it after the unlock.
      std::lock_guard<std::mutex> lock(mu_);
      job->done = true;
      job->cv.notify_one();
    }
  }

  void Execute(Job& job);

  static void AtForkPrepare();
  static void AtForkParent();
  static void AtForkChild();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job*> queue_;

  static std::mutex global_mu_;
  static Spawner* global_;
};

std::mutex Spawner::global_mu_;
Spawner* Spawner::global_ = nullptr;

// A fork() of the caller keeps only the forking thread: the child process
// must start its own spawner (and its own launcher pidfd). The old object
// is leaked on purpose: its mutex may be in any state in the child.
void Spawner::AtForkPrepare() {
  global_mu_.lock();
  if (global_ != nullptr) global_->mu_.lock();
}
void Spawner::AtForkParent() {
  if (global_ != nullptr) global_->mu_.unlock();
  global_mu_.unlock();
}
void Spawner::AtForkChild() {
  global_ = nullptr;
  global_mu_.unlock();
}

absl::StatusOr<Spawner*> Spawner::Get() {
  static const int atfork = pthread_atfork(&Spawner::AtForkPrepare,
                                           &Spawner::AtForkParent,
                                           &Spawner::AtForkChild);
  if (atfork != 0) return ErrnoStatus(atfork, "pthread_atfork");
  std::lock_guard<std::mutex> lock(global_mu_);
  if (global_ != nullptr) return global_;
  // Never deleted: the thread lives as long as the process.
  Spawner* spawner = new Spawner();
  sigset_t all;
  sigset_t old;
  sigfillset(&all);
  // The thread inherits this mask: every signal blocked, for good (glibc
  // keeps its own two internal signals deliverable).
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t thread;
  const int err = pthread_create(&thread, &attr, &Spawner::ThreadMain, spawner);
  pthread_attr_destroy(&attr);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (err != 0) {
    delete spawner;
    return ErrnoStatus(err, "pthread_create(spawner thread)");
  }
  global_ = spawner;
  return spawner;
}

void Spawner::Execute(Job& job) {
  int channel[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, channel) != 0) {
    job.status = StepError(
        ErrnoStatus(errno, "socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC)"),
        "create child channel");
    return;
  }
  UniqueFd parent_end(channel[0]);
  UniqueFd child_end(channel[1]);
  // Lets the child notice the death of the whole process even if a copy of
  // the spawner's end leaked into another process. Optional (Linux >= 5.3).
  // Opened per clone: a cached fd could be closed or replaced by the caller.
  UniqueFd launcher_pidfd(static_cast<int>(syscall(SYS_pidfd_open, getpid(), 0)));
  ChildPlan& plan = job.child_plan;
  plan = *job.plan;
  plan.channel_fd = child_end.get();
  plan.parent_channel_fd = parent_end.get();
  plan.launcher_pidfd = launcher_pidfd.get();

  int pidfd = -1;
  CloneArgs args = {};
  args.flags = job.flags | CLONE_PIDFD;
  args.pidfd = reinterpret_cast<uint64_t>(&pidfd);
  // exit_signal 0 until execve (see spawn.h).
  args.exit_signal = 0;
  if (job.cgroup_fd >= 0) {
    args.flags |= kCloneIntoCgroup;
    args.cgroup = static_cast<uint64_t>(job.cgroup_fd);
  }
#if defined(__x86_64__)
  // Shares our memory, on its own stack: no page tables to copy.
  args.flags |= CLONE_VM;
  args.stack = reinterpret_cast<uint64_t>(job.stack);
  args.stack_size = job.stack_size;
  long pid = Clone3OnStack(&args, sizeof(args), &plan);
  if (pid < 0) {
    errno = static_cast<int>(-pid);
    pid = -1;
    // For the message, and for clone() below, which gets no stack.
    args.flags &= ~static_cast<uint64_t>(CLONE_VM);
  }
#else
  long pid = syscall(SYS_clone3, &args, sizeof(args));
#endif
  if (pid < 0 && errno == ENOSYS && job.cgroup_fd < 0) {
    // Before Linux 5.3: clone() takes the same flags (exit signal 0 in the
    // low byte) and returns the pidfd through parent_tid.
    pid = syscall(SYS_clone, static_cast<unsigned long>(args.flags), nullptr,
                  &pidfd, nullptr, nullptr);
  }
  if (pid == 0) RunChild(plan);  // never returns
  if (pid < 0) {
    job.status = StepError(
        ErrnoStatus(errno, absl::StrCat("clone3(", CloneFlagsToString(args.flags),
                                        ")")),
        "clone init");
    return;
  }
  child_end.reset();  // so that the child's death reads as EOF
  job.pid = static_cast<pid_t>(pid);
  job.pidfd.reset(pidfd);

  ChildMessage message = {};
  bool got = false;
  absl::Status read = ReadMessage(parent_end.get(), &message, &got);
  if (read.ok() && got &&
      message.step == static_cast<uint32_t>(ChildStep::kReady)) {
    const char ack = 'A';
    ssize_t sent;
    do {
      sent = send(parent_end.get(), &ack, 1, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    if (sent == 1) {
      job.channel = std::move(parent_end);
      return;
    }
    read = ErrnoStatus(errno, "send(child channel, ack)");
  }
  const std::string how = KillAndReap(job.pidfd.get());
  if (read.ok() && got) {
    read = ChildFailure(message, plan.init_path, plan.extra_count);
  } else if (read.ok()) {
    read = absl::InternalError(
        absl::StrCat("the child ", how, " before the handshake"));
  }
  if (StepOf(read).empty()) {
    read = StepError(read, ChildStepName(ChildStep::kHandshake));
  }
  job.status = read;
  job.pid = -1;
  job.pidfd.reset();
}

}  // namespace

void SetChildPauseForTesting(uint32_t milliseconds) {
  g_child_pause_ms = milliseconds;
}

absl::string_view ChildStepName(ChildStep step) {
  switch (step) {
    case ChildStep::kReady:
      return "ready";
    case ChildStep::kPdeathsig:
      return "set parent death signal";
    case ChildStep::kHandshake:
      return "handshake with launcher";
    case ChildStep::kSignals:
      return "reset signal handlers";
    case ChildStep::kSetsid:
      return "create session";
    case ChildStep::kNoNewPrivs:
      return "set no_new_privs";
    case ChildStep::kLandlock:
      return "enforce landlock ruleset";
    case ChildStep::kCapabilities:
      return "raise ambient capabilities";
    case ChildStep::kFds:
      return "place file descriptors";
    case ChildStep::kCloseFds:
      return "close other file descriptors";
    case ChildStep::kChdir:
      return "change directory to /";
    case ChildStep::kSigmask:
      return "reset signal mask";
    case ChildStep::kExec:
      return "execute init";
  }
  return "unknown step";
}

std::string CloneFlagsToString(uint64_t flags) {
  static constexpr struct {
    uint64_t bit;
    const char* name;
  } kNames[] = {
      {CLONE_NEWUSER, "CLONE_NEWUSER"},     {CLONE_NEWPID, "CLONE_NEWPID"},
      {CLONE_NEWNS, "CLONE_NEWNS"},         {CLONE_NEWIPC, "CLONE_NEWIPC"},
      {CLONE_NEWUTS, "CLONE_NEWUTS"},       {CLONE_NEWCGROUP, "CLONE_NEWCGROUP"},
      {CLONE_NEWNET, "CLONE_NEWNET"},       {CLONE_PIDFD, "CLONE_PIDFD"},
      {kCloneIntoCgroup, "CLONE_INTO_CGROUP"},
  };
  std::vector<std::string> parts;
  for (const auto& name : kNames) {
    if (flags & name.bit) {
      parts.push_back(name.name);
      flags &= ~name.bit;
    }
  }
  if (flags != 0 || parts.empty()) {
    parts.push_back(absl::StrFormat("%#x", flags));
  }
  return absl::StrJoin(parts, "|");
}

absl::Status WithStep(absl::Status status, absl::string_view step) {
  if (!status.ok()) status.SetPayload(kStepPayloadUrl, absl::Cord(step));
  return status;
}

absl::Status StepError(const absl::Status& status, absl::string_view step) {
  return WithStep(Annotate(status, step), step);
}

std::string StepOf(const absl::Status& status) {
  absl::optional<absl::Cord> step = status.GetPayload(kStepPayloadUrl);
  return step.has_value() ? std::string(*step) : std::string();
}

namespace {

// An mmap'd stack for the CLONE_VM child: kChildStackSize above a
// PROT_NONE guard page.
class ChildStack {
 public:
  ChildStack() = default;
  ChildStack(const ChildStack&) = delete;
  ChildStack& operator=(const ChildStack&) = delete;
  ~ChildStack() {
    if (mapping_ != MAP_FAILED) munmap(mapping_, kGuard + kChildStackSize);
  }

  absl::Status Map() {
    mapping_ = mmap(nullptr, kGuard + kChildStackSize, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE,
                    -1, 0);
    if (mapping_ == MAP_FAILED) {
      return StepError(ErrnoStatus(errno, absl::StrFormat(
                                              "mmap(%d bytes, child stack)",
                                              kGuard + kChildStackSize)),
                       "map the child's stack");
    }
    if (mprotect(mapping_, kGuard, PROT_NONE) != 0) {
      return StepError(ErrnoStatus(errno, "mprotect(child stack guard)"),
                       "map the child's stack");
    }
    return absl::OkStatus();
  }

  void* base() const {
    return mapping_ == MAP_FAILED ? nullptr
                                  : static_cast<char*>(mapping_) + kGuard;
  }
  size_t size() const { return mapping_ == MAP_FAILED ? 0 : kChildStackSize; }

 private:
  static constexpr size_t kGuard = 4096;
  void* mapping_ = MAP_FAILED;
};

}  // namespace

absl::StatusOr<SpawnedInit> SpawnInit(const SpawnRequest& request) {
  if (request.extra_fds.size() > static_cast<size_t>(kMaxChildExtraFiles)) {
    return StepError(absl::InvalidArgumentError(absl::StrFormat(
                         "%d extra files is more than %d",
                         request.extra_fds.size(), kMaxChildExtraFiles)),
                     "check launch options");
  }
  // Constant strings; the child only reads them.
  static char init_arg[] = "init";
  static char setup_env[] = "HAKUREI_SETUP=3";
  char* argv[] = {init_arg, nullptr};
  char* envp[] = {setup_env, nullptr};

  ChildPlan plan;
  plan.init_path = request.init_path.c_str();
  plan.argv = argv;
  plan.envp = envp;
  for (int i = 0; i < 3; ++i) plan.stdio[i] = request.stdio[i];
  plan.setup_fd = request.setup_fd;
  plan.extra_fds = request.extra_fds.data();
  plan.extra_count = static_cast<int>(request.extra_fds.size());
  plan.landlock_ruleset_fd = request.landlock_ruleset_fd;
  plan.setsid = request.setsid;
  plan.ambient_caps =
      kAmbientCaps | (request.new_net ? kNewNetAmbientCaps : uint64_t{0});
  plan.pause_ms = g_child_pause_ms.load();

  // The child's stack (CLONE_VM, spawn.h), with a guard page below it.
  // Unmapped when this function returns: by then the child has exec'd (the
  // channel's EOF comes after the kernel switched it to init's memory) or
  // has been reaped.
  ChildStack stack;
  if (kCloneOnStack) KEKKAI_RETURN_IF_ERROR(stack.Map());

  Job job;
  job.plan = &plan;
  job.stack = stack.base();
  job.stack_size = stack.size();
  job.flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC |
              CLONE_NEWUTS | CLONE_NEWCGROUP;
  if (request.new_net) job.flags |= CLONE_NEWNET;
  job.cgroup_fd = request.cgroup_fd;
  KEKKAI_ASSIGN_OR_RETURN(Spawner * spawner, Spawner::Get());
  spawner->Run(job);
  if (!job.status.ok()) return job.status;

  // EOF on the channel (close-on-exec) means init is executing; a message
  // is the step that failed.
  ChildMessage message = {};
  bool got = false;
  absl::Status read = ReadMessage(job.channel.get(), &message, &got);
  if (read.ok() && !got) {
    SpawnedInit spawned;
    spawned.pid = job.pid;
    spawned.pidfd = std::move(job.pidfd);
    return spawned;
  }
  if (read.ok()) {
    read = ChildFailure(message, plan.init_path, plan.extra_count);
  } else {
    read = StepError(read, "wait for init to start");
  }
  KillAndReap(job.pidfd.get());
  return read;
}

}  // namespace kekkai::shim::internal
