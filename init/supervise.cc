#include "init/supervise.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include <algorithm>
#include <optional>

#include "common/log.h"

namespace kekkai::init {
namespace {

const char* SignalName(int sig) {
  const char* name = sigabbrev_np(sig);
  return name != nullptr ? name : "?";
}

}  // namespace

std::vector<int> SupervisedSignals() {
  return {SIGCHLD, SIGUSR2, SIGINT, SIGTERM, SIGQUIT};
}

int ExitStatusFor(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 255;
}

int Supervise(sys::Sys& sys, int signal_fd, const Supervision& supervision) {
  int status = 2;  // hakurei's value when the payload was never seen
  bool payload_running = true;
  std::optional<int64_t> deadline;
  const int64_t delay = std::max<int64_t>(0, supervision.adopt_wait_delay_ns);

  for (;;) {
    // Reap every child that is ready: the payload and any orphan that was
    // reparented to us.
    for (;;) {
      absl::StatusOr<sys::ChildWait> child = sys.WaitAnyChild();
      if (!child.ok()) {
        KEKKAI_LOG(kWarning, "unexpected wait response: %s",
                   child.status().message());
        break;
      }
      if (child->pid == 0) break;
      if (child->pid < 0) {
        KEKKAI_LOG(kDebug, "no processes left, exiting with status %d",
                   status);
        return status;
      }
      if (child->pid == supervision.payload && payload_running) {
        payload_running = false;
        status = ExitStatusFor(child->status);
        if (WIFSIGNALED(child->status)) {
          KEKKAI_LOG(kDebug, "initial process exited with signal %s",
                     SignalName(WTERMSIG(child->status)));
        } else {
          KEKKAI_LOG(kDebug, "initial process exited with status %d", status);
        }
        if (supervision.on_payload_exit) {
          supervision.on_payload_exit(child->status);
        }
        deadline = sys.MonotonicNanos() + delay;
      }
    }

    int64_t timeout_ms = -1;
    if (deadline.has_value()) {
      const int64_t remaining = *deadline - sys.MonotonicNanos();
      if (remaining <= 0) {
        KEKKAI_LOG(kDebug, "timeout exceeded waiting for lingering processes");
        return status;
      }
      timeout_ms = (remaining + 999999) / 1000000;
    }

    absl::StatusOr<int> sig = sys.ReadSignal(signal_fd, timeout_ms);
    if (!sig.ok()) {
      KEKKAI_LOG(kError, "cannot wait for signals: %s", sig.status().message());
      return status;
    }
    switch (*sig) {
      case 0:        // time ran out, or nothing: the loop re-checks
      case SIGCHLD:  // reaped at the top of the loop
        break;
      case SIGUSR2:
        if (!supervision.forward_cancel) {
          KEKKAI_LOG(kDebug, "canceled");
          return 0;
        }
        if (payload_running) {
          KEKKAI_LOG(kDebug, "forwarding context cancellation");
          if (absl::Status s = sys.Kill(supervision.payload, SIGINT); !s.ok()) {
            KEKKAI_LOG(kWarning, "cannot forward cancellation: %s",
                       s.message());
          }
        }
        break;
      case SIGTERM:
      case SIGQUIT:
        if (payload_running) {
          KEKKAI_LOG(kDebug, "got SIG%s, forwarding to initial process",
                     SignalName(*sig));
          if (absl::Status s = sys.Kill(supervision.payload, *sig); !s.ok()) {
            KEKKAI_LOG(kWarning, "cannot forward signal: %s", s.message());
          }
        }
        break;
      case SIGINT:
        KEKKAI_LOG(kDebug, "got SIGINT");
        return 0;
      default:
        break;
    }
  }
}

}  // namespace kekkai::init
