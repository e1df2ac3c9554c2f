// The Container API (shim/container.h): Start, Serve, Wait, Cancel, Signal.
#include "shim/container.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/gob/gob.h"
#include "common/params.h"
#include "common/setup_report.h"
#include "common/status.h"
#include "common/unique_fd.h"
#include "shim/host.h"
#include "shim/landlock.h"
#include "shim/outcome.h"
#include "shim/spawn.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

namespace kekkai {

using shim::internal::WithStep;

namespace {

// hakurei's initSetupTimeout: init must take its params within 5 s.
constexpr std::chrono::seconds kServeTimeout{5};
// kekkai-init sends at most four reports; anything much longer is broken.
constexpr size_t kMaxReportBytes = 4 * (kMaxSetupReportSize + 4);

using Clock = std::chrono::steady_clock;

absl::Status SendSignal(int pidfd, int sig) {
  if (syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0) != 0) {
    return ErrnoStatus(errno, absl::StrFormat("pidfd_send_signal(%s)",
                                              shim::internal::SignalName(sig)));
  }
  return absl::OkStatus();
}

// How init ended, as waitid saw it.
struct InitStatus {
  bool known = true;   // false: someone else reaped init and it was lost
  bool exited = true;  // false: killed by signal `status`
  int status = 0;
};

// The kernel's struct pidfd_info, version 0 (Linux 6.13; exit_code since
// 6.15). Debian's headers predate it.
struct PidfdInfo {
  uint64_t mask;
  uint64_t cgroupid;
  uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
  int32_t exit_code;
};
static_assert(sizeof(PidfdInfo) == 64, "PIDFD_INFO_SIZE_VER0");
constexpr uint64_t kPidfdInfoExit = 1ULL << 3;
constexpr unsigned long kPidfdGetInfo = _IOWR(0xFF, 11, PidfdInfo);

// Reaps init (blocking). After execve init is an ordinary SIGCHLD child (the
// kernel resets exit_signal on exec), so a caller that ignores SIGCHLD (the
// kernel then reaps it at once) or that waits for any child can take its
// status first. The pidfd still has it then: PIDFD_GET_INFO with
// PIDFD_INFO_EXIT (Linux 6.15) reads the exit status of a reaped process
// whose pidfd was open when it exited, as ours always is.
InitStatus ReapInit(int pidfd) {
  siginfo_t info = {};
  for (;;) {
    if (syscall(SYS_waitid, P_PIDFD, pidfd, &info, WEXITED | __WALL,
                nullptr) == 0) {
      return InitStatus{true, info.si_code == CLD_EXITED, info.si_status};
    }
    if (errno != EINTR) break;
  }
  PidfdInfo pidfd_info = {};
  pidfd_info.mask = kPidfdInfoExit;
  if (ioctl(pidfd, kPidfdGetInfo, &pidfd_info) == 0 &&
      (pidfd_info.mask & kPidfdInfoExit) != 0) {
    const int status = pidfd_info.exit_code;
    if (WIFEXITED(status)) return InitStatus{true, true, WEXITSTATUS(status)};
    if (WIFSIGNALED(status)) return InitStatus{true, false, WTERMSIG(status)};
  }
  return InitStatus{false, false, 0};
}

// Milliseconds until `deadline` for poll(2), rounded up, at least 0.
int PollTimeout(Clock::time_point deadline) {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(
      deadline - Clock::now());
  return static_cast<int>(std::clamp<int64_t>(left.count(), 0, 1 << 30));
}

// Sends all of `data` before `deadline`.
absl::Status SendAll(int fd, absl::string_view data,
                     Clock::time_point deadline) {
  const size_t total = data.size();
  while (!data.empty()) {
    const ssize_t n =
        send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      const int timeout = PollTimeout(deadline);
      if (timeout == 0) {
        return absl::DeadlineExceededError(absl::StrFormat(
            "init did not take its params within %ds (%d of %d bytes sent)",
            kServeTimeout.count(), total - data.size(), total));
      }
      struct pollfd pfd = {fd, POLLOUT, 0};
      if (poll(&pfd, 1, timeout) < 0 && errno != EINTR) {
        return ErrnoStatus(errno, "poll(setup socket, POLLOUT)");
      }
      continue;
    }
    return ErrnoStatus(errno, absl::StrFormat("send(setup socket, %d bytes)",
                                              data.size()));
  }
  return absl::OkStatus();
}

// The length of the complete frames at the start of `stream` (the framing
// of common/setup_report.h: u32 little-endian length, then the body).
size_t CompleteFrames(absl::string_view stream) {
  size_t at = 0;
  while (stream.size() - at >= 4) {
    uint32_t length = 0;
    for (int i = 0; i < 4; ++i) {
      length |= static_cast<uint32_t>(static_cast<unsigned char>(stream[at + i]))
                << (8 * i);
    }
    if (length > kMaxSetupReportSize || stream.size() - at - 4 < length) break;
    at += 4 + length;
  }
  return at;
}

// OK when `fd` is open.
absl::Status CheckFd(int fd, absl::string_view what) {
  if (fd < 0 || fcntl(fd, F_GETFD) < 0) {
    return Annotate(ErrnoStatus(fd < 0 ? EBADF : errno,
                                absl::StrFormat("fcntl(%d, F_GETFD)", fd)),
                    what);
  }
  return absl::OkStatus();
}

}  // namespace

struct Container::State {
  enum class Phase { kNew, kStarted, kServed, kFinished };

  Params params;
  LaunchOptions options;
  const pid_t owner = getpid();

  // Written by Start/Serve/Wait (the one thread using the container).
  Phase phase = Phase::kNew;
  pid_t pid = -1;
  UniqueFd pidfd;  // open until destruction: signals never hit a reused pid
  UniqueFd setup;  // our end of the setup socket
  UniqueFd wake;   // eventfd: Cancel() wakes Wait()
  std::optional<Result> result;

  // Shared with Cancel() and Signal() on other threads.
  std::mutex mu;
  bool reaped = false;
  bool served = false;
  bool cancel_requested = false;
  Clock::time_point cancel_time;
  bool killed = false;           // SIGKILL sent after the wait delay
  bool started_reported = false; // kekkai-init reported the program started

  // Kills init and reaps it; the container is over.
  InitStatus KillAndReap() {
    {
      std::lock_guard<std::mutex> lock(mu);
      (void)SendSignal(pidfd.get(), SIGKILL);
    }
    const InitStatus info = ReapInit(pidfd.get());
    std::lock_guard<std::mutex> lock(mu);
    reaped = true;
    return info;
  }

  // A failure of Start or Serve: remembers the Result for Wait().
  absl::Status Fail(absl::Status status, absl::string_view context) {
    status = Annotate(status, context);
    if (pidfd.valid() && !reaped) {
      const InitStatus info = KillAndReap();
      std::lock_guard<std::mutex> lock(mu);
      if (cancel_requested) {
        result = shim::internal::CanceledResult(pid, info.exited, info.status);
      } else if (info.known && info.exited) {
        // init ended on its own before our SIGKILL: say how, it is usually
        // the reason (a wrong init binary, a crash).
        result = shim::internal::StartFailedResult(status, pid);
        result->message += absl::StrFormat(" (init exited with status %d)",
                                           info.status);
        result->exit_code = info.status;
      }
    }
    if (!result.has_value()) {
      result = shim::internal::StartFailedResult(status, pid);
    }
    phase = Phase::kFinished;
    return status;
  }

  absl::Status Start();
  absl::Status Serve();
  Result Wait();
  Result WaitServed();
};

absl::Status Container::State::Start() {
  if (phase != Phase::kNew) {
    return absl::FailedPreconditionError("start: container already started");
  }
  absl::StatusOr<shim::internal::OverflowIds> ids =
      shim::internal::ReadOverflowIds();
  if (!ids.ok()) return Fail(ids.status(), "start");
  ApplyLauncherDefaults(params, ids->uid, ids->gid);
  if (absl::Status valid = ValidateParams(params); !valid.ok()) {
    return Fail(WithStep(Annotate(valid, "invalid params"), "check params"),
                "start");
  }
  if (options.extra_files.size() > static_cast<size_t>(kMaxExtraFiles)) {
    return Fail(WithStep(absl::InvalidArgumentError(absl::StrFormat(
                             "%d extra files is more than %d",
                             options.extra_files.size(), kMaxExtraFiles)),
                         "check launch options"),
                "start");
  }
  // stdio: the caller's own 0/1/2 unless given; a closed one becomes
  // /dev/null (as os/exec does), so init never starts with a hole at 0-2.
  UniqueFd dev_null;
  shim::internal::SpawnRequest request;
  const int given[3] = {options.stdin_fd, options.stdout_fd,
                        options.stderr_fd};
  static constexpr const char* kStdioNames[3] = {"stdin_fd", "stdout_fd",
                                                 "stderr_fd"};
  for (int i = 0; i < 3; ++i) {
    if (given[i] >= 0) {
      if (absl::Status open = CheckFd(given[i], kStdioNames[i]); !open.ok()) {
        return Fail(WithStep(open, "check launch options"), "start");
      }
      request.stdio[i] = given[i];
      continue;
    }
    if (fcntl(i, F_GETFD) >= 0) {
      request.stdio[i] = i;
      continue;
    }
    if (!dev_null.valid()) {
      dev_null.reset(open("/dev/null", O_RDWR | O_CLOEXEC));
      if (!dev_null.valid()) {
        return Fail(WithStep(ErrnoStatus(errno, "open(\"/dev/null\")"),
                             "check launch options"),
                    "start");
      }
    }
    request.stdio[i] = dev_null.get();
  }
  for (size_t i = 0; i < options.extra_files.size(); ++i) {
    if (absl::Status open = CheckFd(options.extra_files[i],
                                    absl::StrCat("extra file ", i));
        !open.ok()) {
      return Fail(WithStep(open, "check launch options"), "start");
    }
  }
  request.extra_fds = options.extra_files;

  absl::StatusOr<std::string> init_path = shim::internal::ResolveInitPath(
      shim::internal::DefaultInitSearch(options.init_path));
  if (!init_path.ok()) return Fail(init_path.status(), "start");
  request.init_path = *std::move(init_path);

  absl::StatusOr<UniqueFd> ruleset =
      shim::internal::CreateLandlockRuleset(params.host_abstract);
  if (!ruleset.ok()) return Fail(ruleset.status(), "start");
  request.landlock_ruleset_fd = ruleset->get();

  int sockets[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) != 0) {
    return Fail(shim::internal::StepError(
                    ErrnoStatus(errno, "socketpair(AF_UNIX, SOCK_STREAM)"),
                    "set up params stream"),
                "start");
  }
  setup.reset(sockets[0]);
  UniqueFd init_end(sockets[1]);
  wake.reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake.valid()) {
    return Fail(shim::internal::StepError(
                    ErrnoStatus(errno, "eventfd(0, EFD_CLOEXEC)"),
                    "set up params stream"),
                "start");
  }
  request.setup_fd = init_end.get();
  request.cgroup_fd = options.cgroup_fd;
  request.new_net = !params.host_net;
  request.setsid = !params.retain_session;

  absl::StatusOr<shim::internal::SpawnedInit> spawned =
      shim::internal::SpawnInit(request);
  if (!spawned.ok()) return Fail(spawned.status(), "start");
  {
    // Cancel() and Signal() read the pidfd under the lock.
    std::lock_guard<std::mutex> lock(mu);
    pid = spawned->pid;
    pidfd = std::move(spawned->pidfd);
  }
  phase = Phase::kStarted;
  return absl::OkStatus();
}

absl::Status Container::State::Serve() {
  switch (phase) {
    case Phase::kNew:
      return absl::FailedPreconditionError("serve: container not started");
    case Phase::kServed:
      return absl::FailedPreconditionError("serve: params already served");
    case Phase::kFinished:
      return absl::FailedPreconditionError(
          "serve: container already finished (a failed Start or Serve, or "
          "Wait)");
    case Phase::kStarted:
      break;
  }
  InitParams init_params;
  init_params.params = params;
  init_params.host_uid = getuid();
  init_params.host_gid = getgid();
  init_params.count = static_cast<int64_t>(options.extra_files.size());
  init_params.verbose = options.verbose;
  init_params.kekkai_report = kSetupReportVersion;
  if (absl::Status valid = ValidateInitParams(init_params); !valid.ok()) {
    return Fail(WithStep(Annotate(valid, "invalid params"), "check params"),
                "serve");
  }
  absl::StatusOr<std::string> encoded = gob::Encode(init_params);
  if (!encoded.ok()) {
    return Fail(shim::internal::StepError(encoded.status(), "encode params"),
                "serve");
  }
  const Clock::time_point deadline = Clock::now() + kServeTimeout;
  if (absl::Status sent = SendAll(setup.get(), *encoded, deadline);
      !sent.ok()) {
    return Fail(shim::internal::StepError(sent, "send params to init"),
                "serve");
  }
  // The end of the stream: init decodes to EOF (hakurei closes the pipe).
  // Our read side stays open for the reports.
  if (shutdown(setup.get(), SHUT_WR) != 0) {
    return Fail(shim::internal::StepError(
                    ErrnoStatus(errno, "shutdown(setup socket, SHUT_WR)"),
                    "send params to init"),
                "serve");
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    served = true;
  }
  phase = Phase::kServed;
  return absl::OkStatus();
}

Result Container::State::Wait() {
  if (result.has_value()) return *result;
  switch (phase) {
    case Phase::kNew:
      return shim::internal::StartFailedResult(
          WithStep(absl::FailedPreconditionError(
                       "wait: container not started (call Start first)"),
                   "wait for init"),
          -1);
    case Phase::kStarted: {
      // A warm container that never got its params: nothing will happen.
      const InitStatus info = KillAndReap();
      bool canceled;
      {
        std::lock_guard<std::mutex> lock(mu);
        canceled = cancel_requested;
      }
      result = canceled
                   ? shim::internal::CanceledResult(pid, info.exited,
                                                    info.status)
                   : shim::internal::StartFailedResult(
                         WithStep(absl::FailedPreconditionError(
                                      "wait: the params were never served "
                                      "(call Serve before Wait)"),
                                  "wait for init"),
                         pid);
      phase = Phase::kFinished;
      return *result;
    }
    case Phase::kServed:
      result = WaitServed();
      phase = Phase::kFinished;
      return *result;
    case Phase::kFinished:
      break;
  }
  return shim::internal::StartFailedResult(
      absl::InternalError("wait: finished without a result"), pid);
}

Result Container::State::WaitServed() {
  std::string stream;
  bool stream_open = true;
  absl::Status stream_error;
  size_t frames_checked = 0;

  // Reads what is there; false once the stream ended or broke.
  auto read_reports = [&]() {
    char buf[4096];
    for (;;) {
      const ssize_t n = recv(setup.get(), buf, sizeof(buf), MSG_DONTWAIT);
      if (n > 0) {
        stream.append(buf, static_cast<size_t>(n));
        if (stream.size() > kMaxReportBytes) {
          stream_error = absl::DataLossError(absl::StrFormat(
              "setup report stream longer than %d bytes", kMaxReportBytes));
          stream_open = false;
          return;
        }
        continue;
      }
      if (n == 0) {
        stream_open = false;
        return;
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN) {
        stream_error = ErrnoStatus(errno, "recv(setup socket)");
        stream_open = false;
      }
      return;
    }
  };
  // The first "started" report: a SIGUSR2 sent by Cancel() before init
  // handled signals was dropped by the kernel (a pid namespace's init only
  // gets the signals it handles), so it is sent again. Not with
  // forward_cancel, where a duplicate would reach the program as SIGINT.
  auto check_started = [&]() {
    const size_t complete = CompleteFrames(stream);
    if (complete == frames_checked) return;
    absl::StatusOr<std::vector<SetupReport>> reports =
        DecodeSetupReports(absl::string_view(stream).substr(0, complete));
    frames_checked = complete;
    if (!reports.ok()) return;
    for (const SetupReport& report : *reports) {
      if (report.kind != SetupReportKind::kStarted) continue;
      std::lock_guard<std::mutex> lock(mu);
      if (started_reported) return;
      started_reported = true;
      if (cancel_requested && !killed && !params.forward_cancel) {
        (void)SendSignal(pidfd.get(), SIGUSR2);
      }
      return;
    }
  };

  for (;;) {
    int timeout = -1;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (cancel_requested && !killed && options.wait_delay.count() > 0) {
        const Clock::time_point deadline =
            cancel_time +
            std::chrono::duration_cast<Clock::duration>(options.wait_delay);
        timeout = PollTimeout(deadline);
        if (timeout == 0) {
          (void)SendSignal(pidfd.get(), SIGKILL);
          killed = true;
          timeout = -1;
        }
      }
    }
    struct pollfd fds[3] = {{pidfd.get(), POLLIN, 0},
                            {stream_open ? setup.get() : -1, POLLIN, 0},
                            {wake.get(), POLLIN, 0}};
    if (poll(fds, 3, timeout) < 0) {
      if (errno == EINTR) continue;
      // Cannot happen with valid fds; do not spin.
      (void)SendSignal(pidfd.get(), SIGKILL);
      break;
    }
    if (fds[2].revents != 0) {
      uint64_t count;
      (void)!read(wake.get(), &count, sizeof(count));
    }
    if (fds[1].revents != 0) {
      read_reports();
      check_started();
    }
    if (fds[0].revents != 0) break;
  }
  const InitStatus info = ReapInit(pidfd.get());
  shim::internal::Outcome outcome;
  {
    std::lock_guard<std::mutex> lock(mu);
    reaped = true;
    outcome.canceled = cancel_requested;
    outcome.killed_after_delay = killed;
  }
  // Everything init wrote is queued by now; take it without waiting for an
  // EOF that a leaked copy of init's end could delay.
  if (stream_open) read_reports();
  outcome.init_pid = pid;
  outcome.init_status_lost = !info.known;
  outcome.init_exited = info.exited;
  outcome.init_status = info.status;
  if (stream_error.ok()) {
    absl::StatusOr<std::vector<SetupReport>> reports =
        DecodeSetupReports(stream);
    if (reports.ok()) {
      outcome.reports = *std::move(reports);
    } else {
      outcome.report_error = reports.status();
    }
  } else {
    outcome.report_error = stream_error;
  }
  return shim::internal::MapOutcome(outcome);
}

Container::Container(Params params, LaunchOptions options)
    : state_(std::make_unique<State>()) {
  state_->params = std::move(params);
  state_->options = std::move(options);
}

Container::~Container() {
  if (state_ == nullptr || !state_->pidfd.valid()) return;
  // A copy of this object in a fork()ed child does not own the container.
  if (state_->owner != getpid()) return;
  bool reaped;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    reaped = state_->reaped;
  }
  if (!reaped) state_->KillAndReap();
}

absl::Status Container::Start() { return state_->Start(); }

absl::Status Container::Serve() { return state_->Serve(); }

Result Container::Wait() { return state_->Wait(); }

absl::Status Container::Cancel() {
  State& state = *state_;
  std::lock_guard<std::mutex> lock(state.mu);
  if (!state.pidfd.valid() || state.reaped || state.cancel_requested) {
    return absl::OkStatus();
  }
  state.cancel_requested = true;
  state.cancel_time = Clock::now();
  absl::Status sent;
  if (!state.served) {
    // init ignores SIGUSR2 until it has its params: nothing runs yet, so
    // there is nothing to stop gracefully.
    sent = SendSignal(state.pidfd.get(), SIGKILL);
    state.killed = true;
  } else {
    sent = SendSignal(state.pidfd.get(), SIGUSR2);
  }
  const uint64_t one = 1;
  (void)!write(state.wake.get(), &one, sizeof(one));
  // ESRCH: init exited and awaits reaping; nothing to cancel.
  if (!sent.ok() && GetErrno(sent) != ESRCH) return Annotate(sent, "cancel");
  return absl::OkStatus();
}

absl::Status Container::Signal(int sig) {
  State& state = *state_;
  if (sig < 1 || sig > SIGRTMAX) {
    return absl::InvalidArgumentError(
        absl::StrFormat("signal: %d is not a signal number", sig));
  }
  std::lock_guard<std::mutex> lock(state.mu);
  if (!state.pidfd.valid()) {
    return absl::FailedPreconditionError("signal: container not started");
  }
  if (state.reaped) {
    return absl::FailedPreconditionError("signal: init has already exited");
  }
  return Annotate(SendSignal(state.pidfd.get(), sig), "signal");
}

pid_t Container::pid() const { return state_->pid; }

const Params& Container::params() const { return state_->params; }

Result Run(Params params, LaunchOptions options) {
  Container container(std::move(params), std::move(options));
  // A failure of Start or Serve is recorded; Wait returns it.
  if (container.Start().ok()) (void)container.Serve();
  return container.Wait();
}

}  // namespace kekkai
