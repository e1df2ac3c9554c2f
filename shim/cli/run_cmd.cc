// kekkai run [OPTIONS] [--] PROGRAM [ARGS...]: parse the options into Params
// (options.h), launch them with kekkai::Container, and turn the Result into
// the exit status container CLIs use:
//   the program's exit status;
//   128+N when it died of signal N (or when kekkai was stopped by signal N);
//   125 when kekkai or the container set-up failed (one line on stderr);
//   126 when PROGRAM cannot be executed, 127 when it does not exist.
//
// SIGINT, SIGTERM and SIGHUP cancel the container (Container::Cancel: init
// ends it, or with --forward-cancel passes SIGINT to the program); a second
// one kills it at once. Nothing of the container outlives kekkai: the
// library ties init to this process, and init's death ends the pid namespace.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/log.h"
#include "common/params.h"
#include "common/status.h"
#include "common/unique_fd.h"
#include "shim/cli/commands.h"
#include "shim/cli/options.h"
#include "shim/container.h"

namespace kekkai::cli {
namespace {

// After Cancel(), how long init may take before it gets SIGKILL. Without
// --forward-cancel init ends at once; with it the program gets this long to
// act on SIGINT.
constexpr std::chrono::seconds kCancelWaitDelay{3};

constexpr int kCancelSignals[] = {SIGINT, SIGTERM, SIGHUP};

// The write end of the self-pipe the signal handler reports to. Written only
// by the handler (async-signal-safe write(2)) and by the main thread to stop
// the watcher (byte 0).
int g_signal_pipe = -1;

void OnCancelSignal(int sig) {
  const int saved_errno = errno;
  const unsigned char byte = static_cast<unsigned char>(sig);
  ssize_t unused = write(g_signal_pipe, &byte, 1);  // non-blocking
  (void)unused;  // a full pipe already holds a pending signal
  errno = saved_errno;
}

// Turns SIGINT/SIGTERM/SIGHUP into Container::Cancel() calls, from a thread
// of its own (Cancel is not async-signal-safe). Signals that arrive before
// the container is running are remembered and acted on by Running().
class CancelOnSignals final {
 public:
  CancelOnSignals() = default;
  CancelOnSignals(const CancelOnSignals&) = delete;
  CancelOnSignals& operator=(const CancelOnSignals&) = delete;
  ~CancelOnSignals() { Stop(); }

  absl::Status Install() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
      return ErrnoStatus(errno, "pipe2(O_CLOEXEC|O_NONBLOCK)");
    }
    read_end_.reset(fds[0]);
    write_end_.reset(fds[1]);
    g_signal_pipe = write_end_.get();
    for (int sig : kCancelSignals) {
      struct sigaction sa = {};
      sa.sa_handler = OnCancelSignal;
      sa.sa_flags = SA_RESTART;
      sigemptyset(&sa.sa_mask);
      if (sigaction(sig, &sa, nullptr) != 0) {
        return ErrnoStatus(errno, absl::StrFormat("sigaction(%s)",
                                                  sigabbrev_np(sig)));
      }
    }
    thread_ = std::thread([this] { Watch(); });
    return absl::OkStatus();
  }

  // The first signal received, or 0.
  int first_signal() {
    std::lock_guard<std::mutex> lock(mu_);
    return first_signal_;
  }

  // `container` has been served: from now on signals cancel it, and one
  // that came before cancels it now.
  void Running(Container* container) {
    std::lock_guard<std::mutex> lock(mu_);
    container_ = container;
    if (signals_ > 0) CancelLocked();
  }

  // Stops the watcher; signals after this are ignored (the container has
  // been reaped).
  void Stop() {
    if (thread_.joinable()) {
      const unsigned char stop = 0;
      while (write(write_end_.get(), &stop, 1) < 0 && errno == EINTR) {
      }
      thread_.join();
    }
    std::lock_guard<std::mutex> lock(mu_);
    container_ = nullptr;
  }

 private:
  void Watch() {
    for (;;) {
      struct pollfd pfd = {read_end_.get(), POLLIN, 0};
      if (poll(&pfd, 1, -1) < 0) {
        if (errno == EINTR) continue;
        return;
      }
      unsigned char bytes[16];
      const ssize_t n = read(read_end_.get(), bytes, sizeof(bytes));
      if (n < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        return;
      }
      for (ssize_t i = 0; i < n; ++i) {
        if (bytes[i] == 0) return;
        std::lock_guard<std::mutex> lock(mu_);
        if (first_signal_ == 0) first_signal_ = bytes[i];
        ++signals_;
        KEKKAI_LOG(kInfo, "got %s: cancelling the container",
                   sigabbrev_np(bytes[i]));
        if (container_ != nullptr) CancelLocked();
      }
    }
  }

  void CancelLocked() {
    // The first signal asks init to stop; a second one does not wait.
    absl::Status status = signals_ > 1 && cancelled_
                              ? container_->Signal(SIGKILL)
                              : container_->Cancel();
    cancelled_ = true;
    if (!status.ok()) {
      KEKKAI_LOG(kDebug, "cancel: %s", std::string(status.message()));
    }
  }

  UniqueFd read_end_;
  UniqueFd write_end_;
  std::thread thread_;
  std::mutex mu_;
  Container* container_ = nullptr;  // guarded by mu_
  int first_signal_ = 0;            // guarded by mu_
  int signals_ = 0;                 // guarded by mu_
  bool cancelled_ = false;          // guarded by mu_
};

void PrintError(absl::string_view message) {
  // One line, as one write(2).
  std::string line = absl::StrCat("kekkai: ", message, "\n");
  ssize_t unused = write(STDERR_FILENO, line.data(), line.size());
  (void)unused;
}

// The exit status for a finished container.
int ExitStatusFor(const Result& result, int cancel_signal) {
  switch (result.kind) {
    case Result::Kind::kExited:
      return result.exit_code;
    case Result::Kind::kSignaled:
      return 128 + result.signal;
    case Result::Kind::kCanceled:
      return 128 + (cancel_signal > 0 ? cancel_signal : SIGTERM);
    case Result::Kind::kSetupFailed:
      if (result.step == Result::kStepExec) {
        return result.err == ENOENT ? 127 : 126;
      }
      return kExitFailure;
    case Result::Kind::kStartFailed:
      return kExitFailure;
  }
  return kExitFailure;
}

}  // namespace

int RunCommand(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  absl::StatusOr<RunSpec> spec =
      ParseRunArgs(Command::kRun, args, SystemHostView());
  if (!spec.ok()) {
    PrintError(spec.status().message());
    return ExitStatusOf(spec.status());
  }
  if (spec->settings.help) {
    const std::string usage = RunUsage(Command::kRun);
    std::fwrite(usage.data(), 1, usage.size(), stdout);
    return 0;
  }
  if (spec->settings.verbose) log::SetLevel(log::Level::kDebug);
  KEKKAI_LOG(kDebug, "running %s", DescribeParams(spec->params));

  CancelOnSignals signals;
  absl::Status installed = signals.Install();
  if (!installed.ok()) {
    PrintError(absl::StrCat("cannot handle signals: ", installed.message()));
    return kExitFailure;
  }

  spec->launch.wait_delay = kCancelWaitDelay;
  Container container(std::move(spec->params), spec->launch);
  if (signals.first_signal() != 0) return 128 + signals.first_signal();

  absl::Status started = container.Start();
  if (!started.ok()) {
    PrintError(started.message());
    return kExitFailure;
  }
  absl::Status served = container.Serve();
  if (!served.ok()) {
    // The container is dead (Serve kills init when it fails); Wait reaps it.
    Result ignored = container.Wait();
    (void)ignored;
    PrintError(served.message());
    return kExitFailure;
  }
  signals.Running(&container);
  const Result result = container.Wait();
  signals.Stop();

  KEKKAI_LOG(kDebug, "container: %s", result.ToString());
  switch (result.kind) {
    case Result::Kind::kExited:
    case Result::Kind::kSignaled:
    case Result::Kind::kCanceled:
      break;
    case Result::Kind::kSetupFailed:
      // kekkai-init has printed its one line ("kekkai-init: cannot ...") on
      // the stderr it shares with kekkai; the Result carries the same text.
      break;
    case Result::Kind::kStartFailed:
      PrintError(result.message);
      break;
  }
  return ExitStatusFor(result, signals.first_signal());
}

}  // namespace kekkai::cli
