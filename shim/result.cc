// Result::ToString and the Outcome -> Result mapping (shim/outcome.h).
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status.h"
#include "shim/container.h"
#include "shim/outcome.h"
#include "shim/spawn.h"

namespace kekkai {

std::string Result::ToString() const {
  switch (kind) {
    case Kind::kExited:
      return absl::StrCat("exited with status ", exit_code);
    case Kind::kSignaled:
      return absl::StrFormat("killed by signal %d (%s)", signal,
                             shim::internal::SignalName(signal));
    case Kind::kSetupFailed:
      return absl::StrCat("setup failed: ", message);
    case Kind::kCanceled:
      return message.empty() ? std::string("canceled")
                             : absl::StrCat("canceled: ", message);
    case Kind::kStartFailed:
      return absl::StrCat("start failed: ", message);
  }
  return absl::StrCat("unknown result kind ", static_cast<int>(kind));
}

namespace shim::internal {
namespace {

// init's stderr line starts with its name; the Result's message does not.
std::string WithoutProgramName(absl::string_view line) {
  for (absl::string_view prefix : {"kekkai-init: ", "init: "}) {
    if (absl::StartsWith(line, prefix)) line.remove_prefix(prefix.size());
  }
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
    line.remove_suffix(1);
  }
  return std::string(line);
}

std::string InitEnd(const Outcome& outcome) {
  return outcome.init_exited
             ? absl::StrCat("init exited with status ", outcome.init_status)
             : absl::StrFormat("init was killed by signal %d (%s)",
                               outcome.init_status,
                               SignalName(outcome.init_status));
}

Result Base(const Outcome& outcome) {
  Result result;
  result.init_pid = outcome.init_pid;
  result.exit_code = outcome.init_exited ? outcome.init_status : -1;
  result.canceled = outcome.canceled;
  return result;
}

}  // namespace

std::string SignalName(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  if (abbrev == nullptr) return absl::StrCat("signal ", sig);
  return absl::StrCat("SIG", abbrev);
}

Result MapOutcome(const Outcome& outcome) {
  Result result = Base(outcome);
  const SetupReport* payload_exit = nullptr;
  bool started = false;
  for (const SetupReport& report : outcome.reports) {
    switch (report.kind) {
      case SetupReportKind::kSetupFailed:
        result.kind = Result::Kind::kSetupFailed;
        result.step = report.step;
        result.op_index = report.op_index;
        result.err = report.err;
        result.message = WithoutProgramName(report.message);
        if (result.message.empty()) {
          result.message =
              report.err != 0
                  ? absl::StrCat("cannot ", report.step, ": ",
                                 ErrnoDescription(report.err))
                  : absl::StrCat("cannot ", report.step);
        }
        return result;
      case SetupReportKind::kExecFailed:
        result.kind = Result::Kind::kSetupFailed;
        result.step = Result::kStepExec;
        result.err = report.err;
        result.message = WithoutProgramName(report.message);
        if (result.message.empty()) {
          result.message = absl::StrCat("cannot ", Result::kStepExec, ": ",
                                        ErrnoDescription(report.err));
        }
        return result;
      case SetupReportKind::kStarted:
        started = true;
        break;
      case SetupReportKind::kPayloadExited:
        if (payload_exit == nullptr) payload_exit = &report;
        break;
    }
  }
  if (payload_exit != nullptr) {
    const int status = payload_exit->wait_status;
    if (WIFEXITED(status)) {
      result.kind = Result::Kind::kExited;
      result.exit_code = WEXITSTATUS(status);
      result.message = absl::StrCat("exited with status ", result.exit_code);
      return result;
    }
    if (WIFSIGNALED(status)) {
      result.kind = Result::Kind::kSignaled;
      result.signal = WTERMSIG(status);
      result.message = absl::StrFormat("killed by signal %d (%s)",
                                       result.signal,
                                       SignalName(result.signal));
      return result;
    }
    result.kind = Result::Kind::kStartFailed;
    result.step = "read setup report";
    result.message = absl::StrFormat(
        "init reported an impossible wait status %#x for the program", status);
    return result;
  }
  if (!outcome.report_error.ok()) {
    result.kind = Result::Kind::kStartFailed;
    result.step = "read setup report";
    result.message = absl::StrCat(outcome.report_error.message(), " (",
                                  InitEnd(outcome), ")");
    return result;
  }
  if (outcome.canceled) {
    result.kind = Result::Kind::kCanceled;
    if (outcome.killed_after_delay) {
      result.message = "init was killed after the wait delay";
    } else if (!outcome.init_exited || outcome.init_status != 0) {
      result.message = InitEnd(outcome);
    }
    return result;
  }
  if (outcome.init_status_lost) {
    result.kind = Result::Kind::kStartFailed;
    result.exit_code = -1;
    result.step = "wait for init";
    result.message =
        "init's exit status was lost: another waiter reaped it (does the "
        "caller ignore SIGCHLD or wait for any child?)";
    return result;
  }
  if (!outcome.init_exited) {
    if (started) {
      result.kind = Result::Kind::kSignaled;
      result.signal = outcome.init_status;
      result.message = InitEnd(outcome);
      return result;
    }
    result.kind = Result::Kind::kStartFailed;
    result.step = "wait for init";
    result.message =
        absl::StrCat(InitEnd(outcome), " before the program started");
    return result;
  }
  result.kind = Result::Kind::kExited;
  result.exit_code = outcome.init_status;
  if (started) {
    result.message = absl::StrCat(
        InitEnd(outcome), " without reporting the program's status");
  } else if (outcome.reports.empty()) {
    result.message = absl::StrCat("exited with status ", outcome.init_status,
                                  " (init sent no setup report)");
  } else {
    result.message = absl::StrCat("exited with status ", outcome.init_status);
  }
  return result;
}

Result StartFailedResult(const absl::Status& status, pid_t init_pid) {
  Result result;
  result.kind = Result::Kind::kStartFailed;
  result.exit_code = -1;
  result.step = StepOf(status);
  result.err = GetErrno(status).value_or(0);
  result.message = std::string(status.message());
  result.init_pid = init_pid;
  return result;
}

Result CanceledResult(pid_t init_pid, bool init_exited, int init_status) {
  Result result;
  result.kind = Result::Kind::kCanceled;
  result.canceled = true;
  result.init_pid = init_pid;
  result.exit_code = init_exited ? init_status : -1;
  result.message = "canceled before the params were served";
  return result;
}

}  // namespace shim::internal
}  // namespace kekkai
