#include "tests/integration/init_launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <future>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/gob/gob.h"
#include "common/status.h"
#include "common/unique_fd.h"
#include "tests/testing/test_paths.h"

namespace kekkai::testing {
namespace {

// Landlock (Debian 12's headers predate the scopes and the net field).
struct LandlockRulesetAttr {
  uint64_t handled_access_fs;
  uint64_t handled_access_net;
  uint64_t scoped;
};
constexpr uint64_t kScopeAbstractUnixSocket = 1ull << 0;
constexpr uint64_t kScopeSignal = 1ull << 1;
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_restrict_self 446
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

// Where the child's source fds live before the shuffle: far above every
// target, so no dup2 can overwrite a source still to be moved.
constexpr int kHighFd = 200;

// Everything the post-clone child needs, prepared by the parent.
struct ChildPlan {
  const char* path = nullptr;
  char* const* argv = nullptr;
  char* const* envp = nullptr;
  const int* sources = nullptr;  // target fd i <- sources[i]
  int count = 0;
  bool setsid = true;
  int caps[4] = {};
  int ncaps = 0;
};

// The child between clone3 and execve. Async-signal-safe calls only: the
// test process has other threads.
[[noreturn]] void RunChild(const ChildPlan& plan) {
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) _exit(121);
  if (plan.setsid && ::setsid() < 0) _exit(122);
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2] = {};
  if (::syscall(SYS_capget, &header, data) != 0) _exit(123);
  for (int i = 0; i < plan.ncaps; ++i) {
    data[plan.caps[i] / 32].inheritable |= 1u << (plan.caps[i] % 32);
  }
  if (::syscall(SYS_capset, &header, data) != 0) _exit(124);
  for (int i = 0; i < plan.ncaps; ++i) {
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, plan.caps[i], 0, 0) != 0) {
      _exit(125);
    }
  }
  for (int i = 0; i < plan.count; ++i) {
    if (::dup2(plan.sources[i], i) < 0) _exit(126);
  }
  if (::syscall(SYS_close_range, static_cast<unsigned>(plan.count), ~0U,
                CLOSE_RANGE_CLOEXEC) != 0) {
    _exit(127);
  }
  ::execve(plan.path, plan.argv, plan.envp);
  _exit(128);
}

absl::StatusOr<UniqueFd> High(int fd) {
  const int high = ::fcntl(fd, F_DUPFD_CLOEXEC, kHighFd);
  if (high < 0) return ErrnoStatus(errno, absl::StrCat("F_DUPFD_CLOEXEC ", fd));
  return UniqueFd(high);
}

std::string ReadMemfd(int fd) {
  std::string out;
  char buffer[8192];
  off_t offset = 0;
  for (;;) {
    const ssize_t n = ::pread(fd, buffer, sizeof(buffer), offset);
    if (n <= 0) break;
    out.append(buffer, static_cast<size_t>(n));
    offset += n;
  }
  return out;
}

}  // namespace

struct InitProcess::State {
  LaunchSpec spec;
  pid_t pid = -1;
  UniqueFd parent_end;
  UniqueFd out;
  UniqueFd err;
  std::thread thread;
  std::promise<int> wait_status;
  bool timed_out = false;
  bool waited = false;
};

bool LaunchResult::exited() const {
  return wait_status >= 0 && WIFEXITED(wait_status);
}
int LaunchResult::exit_code() const {
  return exited() ? WEXITSTATUS(wait_status) : -1;
}
std::string LaunchResult::Describe() const {
  std::string status;
  if (timed_out) {
    status = "timed out";
  } else if (wait_status < 0) {
    status = "not started";
  } else if (WIFEXITED(wait_status)) {
    status = absl::StrCat("exit ", WEXITSTATUS(wait_status));
  } else if (WIFSIGNALED(wait_status)) {
    status = absl::StrCat("signal ", WTERMSIG(wait_status));
  } else {
    status = absl::StrCat("status ", wait_status);
  }
  return absl::StrCat(status, "\n--- stdout ---\n", out, "--- stderr ---\n",
                      err);
}

InitProcess::InitProcess(std::unique_ptr<State> state)
    : state_(std::move(state)) {}

InitProcess::~InitProcess() {
  if (state_ && !state_->waited) {
    if (state_->pid > 0) ::kill(state_->pid, SIGKILL);
    if (state_->thread.joinable()) state_->thread.join();
  }
}

pid_t InitProcess::pid() const { return state_->pid; }

absl::Status InitProcess::Signal(int sig) {
  if (::kill(state_->pid, sig) != 0) {
    return ErrnoStatus(errno, absl::StrCat("kill(", state_->pid, ", ", sig, ")"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<InitProcess>> InitProcess::Start(
    LaunchSpec spec) {
  // A write to a setup pipe whose init died must fail, not kill the test.
  ::signal(SIGPIPE, SIG_IGN);
  auto state = std::make_unique<State>();
  state->spec = std::move(spec);
  LaunchSpec& s = state->spec;
  if (s.init_path.empty()) s.init_path = BinaryPath("kekkai-init");
  s.params.count = static_cast<int64_t>(s.extra_files.size());
  if (s.report) s.params.kekkai_report = kSetupReportVersion;

  const int out = ::memfd_create("init-stdout", MFD_CLOEXEC);
  const int err = ::memfd_create("init-stderr", MFD_CLOEXEC);
  if (out < 0 || err < 0) return ErrnoStatus(errno, "memfd_create");
  state->out.reset(out);
  state->err.reset(err);

  int channel[2];
  if (s.report) {
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, channel) != 0) {
      return ErrnoStatus(errno, "socketpair");
    }
  } else if (::pipe2(channel, O_CLOEXEC) != 0) {
    return ErrnoStatus(errno, "pipe2");
  }
  // Init reads from channel[0] (a pipe's read end), we write to [1].
  UniqueFd init_end(channel[0]);
  state->parent_end.reset(channel[1]);

  // The child's fds 0..n-1, first moved out of the way of every target.
  std::vector<UniqueFd> sources;
  UniqueFd devnull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!devnull.valid()) return ErrnoStatus(errno, "open /dev/null");
  for (int fd : {devnull.get(), state->out.get(), state->err.get(),
                 init_end.get()}) {
    KEKKAI_ASSIGN_OR_RETURN(UniqueFd high, High(fd));
    sources.push_back(std::move(high));
  }
  for (int fd : s.extra_files) {
    KEKKAI_ASSIGN_OR_RETURN(UniqueFd high, High(fd));
    sources.push_back(std::move(high));
  }
  std::vector<int> source_numbers;
  for (const UniqueFd& fd : sources) source_numbers.push_back(fd.get());

  std::vector<std::string> env =
      s.env.value_or(std::vector<std::string>{"HAKUREI_SETUP=3"});
  std::vector<char*> envp;
  for (std::string& var : env) envp.push_back(var.data());
  envp.push_back(nullptr);
  std::string argv0 = "init";
  char* argv[] = {argv0.data(), nullptr};

  ChildPlan plan;
  plan.path = s.init_path.c_str();
  plan.argv = argv;
  plan.envp = envp.data();
  plan.sources = source_numbers.data();
  plan.count = static_cast<int>(source_numbers.size());
  plan.setsid = !s.params.params.retain_session;
  plan.caps[plan.ncaps++] = CAP_SYS_ADMIN;
  plan.caps[plan.ncaps++] = CAP_SETPCAP;
  plan.caps[plan.ncaps++] = CAP_DAC_OVERRIDE;
  if (s.net_admin) plan.caps[plan.ncaps++] = CAP_NET_ADMIN;
  uint64_t flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC |
                   CLONE_NEWUTS | CLONE_NEWCGROUP | CLONE_PIDFD;
  if (!s.params.params.host_net) flags |= CLONE_NEWNET;

  // The launcher thread: no_new_privs and Landlock apply to it (and what it
  // clones) only, and Pdeathsig fires when it exits, so it lives until init
  // has been reaped.
  std::promise<absl::StatusOr<pid_t>> started;
  std::future<absl::StatusOr<pid_t>> started_future = started.get_future();
  State* raw = state.get();
  const bool host_abstract = s.params.params.host_abstract;
  const auto timeout = s.timeout;
  state->thread = std::thread([raw, &plan, flags, host_abstract, timeout,
                               &started] {
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
      started.set_value(ErrnoStatus(errno, "prctl(PR_SET_NO_NEW_PRIVS)"));
      return;
    }
    LandlockRulesetAttr attr = {};
    attr.scoped = kScopeSignal | (host_abstract ? 0 : kScopeAbstractUnixSocket);
    const int ruleset = static_cast<int>(
        ::syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0));
    if (ruleset < 0) {
      started.set_value(ErrnoStatus(errno, "landlock_create_ruleset"));
      return;
    }
    UniqueFd ruleset_fd(ruleset);
    if (::syscall(SYS_landlock_restrict_self, ruleset, 0) != 0) {
      started.set_value(ErrnoStatus(errno, "landlock_restrict_self"));
      return;
    }
    int pidfd = -1;
    struct clone_args args = {};
    args.flags = flags;
    args.pidfd = reinterpret_cast<uintptr_t>(&pidfd);
    args.exit_signal = SIGCHLD;
    const long pid = ::syscall(SYS_clone3, &args, sizeof(args));
    if (pid == 0) RunChild(plan);
    if (pid < 0) {
      started.set_value(ErrnoStatus(errno, "clone3"));
      return;
    }
    UniqueFd pidfd_owner(pidfd);
    started.set_value(static_cast<pid_t>(pid));

    struct pollfd pfd = {pidfd, POLLIN, 0};
    int ready;
    do {
      ready = ::poll(&pfd, 1, static_cast<int>(timeout.count()));
    } while (ready < 0 && errno == EINTR);
    if (ready == 0) {
      raw->timed_out = true;
      ::kill(static_cast<pid_t>(pid), SIGKILL);
    }
    int status = -1;
    while (::waitpid(static_cast<pid_t>(pid), &status, 0) < 0 &&
           errno == EINTR) {
    }
    raw->wait_status.set_value(status);
  });

  absl::StatusOr<pid_t> pid = started_future.get();
  // The child has its copies; ours go (plan's arrays die with this frame,
  // after the child exec'd or failed).
  init_end.reset();
  sources.clear();
  if (!pid.ok()) {
    state->thread.join();
    state->waited = true;
    return pid.status();
  }
  state->pid = *pid;

  if (!s.send_nothing) {
    std::string stream;
    if (s.raw_setup.has_value()) {
      stream = *s.raw_setup;
    } else {
      absl::StatusOr<std::string> encoded = gob::Encode(s.params);
      if (!encoded.ok()) return encoded.status();
      stream = *std::move(encoded);
    }
    size_t done = 0;
    while (done < stream.size()) {
      const ssize_t n = ::write(state->parent_end.get(), stream.data() + done,
                                stream.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // init went away; Wait() tells the story
      done += static_cast<size_t>(n);
    }
  }
  if (s.report) {
    ::shutdown(state->parent_end.get(), SHUT_WR);
  } else {
    state->parent_end.reset();
  }
  return std::unique_ptr<InitProcess>(new InitProcess(std::move(state)));
}

LaunchResult InitProcess::Wait() {
  LaunchResult result;
  state_->waited = true;
  result.wait_status = state_->wait_status.get_future().get();
  state_->thread.join();
  result.timed_out = state_->timed_out;
  result.out = ReadMemfd(state_->out.get());
  result.err = ReadMemfd(state_->err.get());
  if (state_->spec.report && state_->parent_end.valid()) {
    std::string stream;
    char buffer[4096];
    for (;;) {
      const ssize_t n = ::read(state_->parent_end.get(), buffer, sizeof(buffer));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      stream.append(buffer, static_cast<size_t>(n));
    }
    absl::StatusOr<std::vector<SetupReport>> reports =
        DecodeSetupReports(stream);
    result.reports_status = reports.status();
    if (reports.ok()) result.reports = *std::move(reports);
  }
  return result;
}

LaunchResult RunInit(LaunchSpec spec) {
  absl::StatusOr<std::unique_ptr<InitProcess>> init =
      InitProcess::Start(std::move(spec));
  if (!init.ok()) {
    LaunchResult result;
    result.err = init.status().ToString();
    return result;
  }
  return (*init)->Wait();
}

}  // namespace kekkai::testing
