// From what the launcher observed to a Result (internal to libkekkai; pure,
// unit-tested in tests/shim/). Container::Wait() collects an Outcome: init's
// wait status, the setup reports kekkai-init sent (common/setup_report.h)
// and whether Cancel() was involved; MapOutcome() decides the Result.
//
// The mapping, first rule that applies:
//   1. a kSetupFailed report        -> kSetupFailed{step, op_index, err}
//   2. a kExecFailed report         -> kSetupFailed{Result::kStepExec, err}
//   3. a kPayloadExited report      -> kExited(code) or kSignaled(signal)
//                                      from the program's wait status (also
//                                      after Cancel() with forward_cancel:
//                                      the program decided how to end)
//   4. the report stream is corrupt -> kStartFailed (nothing can be trusted)
//   5. Cancel() was called          -> kCanceled (init exited 0 on SIGUSR2,
//                                      or was killed after the wait delay)
//   6. init's status was lost       -> kStartFailed, saying who may have
//                                      taken it
//   7. init was killed by signal s  -> kSignaled(s) if the program had been
//                                      reported started, else kStartFailed
//   8. init exited with status n    -> kExited(n). Without any report (an
//                                      init that does not speak the report
//                                      protocol, e.g. hakurei's) init's
//                                      status is hakurei's: the program's
//                                      status, 128+s when it was killed by
//                                      signal s, and 1 for a setup failure,
//                                      which cannot be told apart from the
//                                      program exiting 1.
// exit_code is the program's status for kExited and init's exit status (or
// -1 when init was killed) otherwise.
#ifndef KEKKAI_SHIM_OUTCOME_H_
#define KEKKAI_SHIM_OUTCOME_H_

#include <sys/types.h>

#include <vector>

#include "absl/status/status.h"
#include "common/setup_report.h"
#include "shim/container.h"

namespace kekkai::shim::internal {

struct Outcome {
  pid_t init_pid = -1;
  bool init_exited = true;  // false: killed by init_status (a signal)
  int init_status = 0;      // exit status, or the signal number
  // Someone else reaped init (the caller waits for any child or ignores
  // SIGCHLD) on a kernel that cannot tell its status afterwards.
  bool init_status_lost = false;
  std::vector<SetupReport> reports;
  absl::Status report_error;        // the stream could not be decoded
  bool canceled = false;            // Cancel() was called before init exited
  bool killed_after_delay = false;  // SIGKILL after LaunchOptions.wait_delay
};

Result MapOutcome(const Outcome& outcome);

// The Result of a launch that failed before init ran, or before it took its
// params: kStartFailed with the status's step (StepOf), errno and message.
Result StartFailedResult(const absl::Status& status, pid_t init_pid);

// The Result of a container canceled before it got its params.
Result CanceledResult(pid_t init_pid, bool init_exited, int init_status);

// "SIGKILL", or "signal 70".
std::string SignalName(int sig);

}  // namespace kekkai::shim::internal

#endif  // KEKKAI_SHIM_OUTCOME_H_
