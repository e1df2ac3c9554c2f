// kekkai-init's life as pid 1 once the payload runs (HAKUREI.md §1.8): one
// single-threaded loop over a signalfd, waitpid(WNOHANG) and a deadline, in
// place of hakurei's reaper thread.
//
//   SIGCHLD          reap every child; when the payload is reaped, record
//                    its status and start the AdoptWaitDelay clock.
//   SIGTERM/SIGQUIT  forwarded to the payload (while it runs).
//   SIGUSR2 (cancel) exit 0, or with ForwardCancel send SIGINT to the
//                    payload and keep going.
//   SIGINT           exit 0.
//   no child left    exit with the payload's status.
//   clock expired    exit with the payload's status; the kernel kills what
//                    is left in the pid namespace when pid 1 exits.
// The payload's status maps to the exit status as hakurei does: exit code N
// gives N, signal N gives 128+N, anything else 255 (and 2 if the payload
// was never seen).
#ifndef KEKKAI_INIT_SUPERVISE_H_
#define KEKKAI_INIT_SUPERVISE_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "common/sys/sys.h"

namespace kekkai::init {

// The signals init handles; they are blocked from init's start, so one that
// arrives during setup waits for the loop.
std::vector<int> SupervisedSignals();

struct Supervision {
  pid_t payload = -1;
  bool forward_cancel = false;
  int64_t adopt_wait_delay_ns = 0;  // negative counts as 0
  // Called once with the payload's wait status when it is reaped.
  std::function<void(int wait_status)> on_payload_exit;
};

// hakurei's mapping of a wait status to init's exit status.
int ExitStatusFor(int wait_status);

// Runs the loop until init should exit; returns the exit status. Errors of
// the loop's own calls are logged and treated as "nothing happened", except
// that a failing signalfd read ends the loop with the status so far.
int Supervise(sys::Sys& sys, int signal_fd, const Supervision& supervision);

}  // namespace kekkai::init

#endif  // KEKKAI_INIT_SUPERVISE_H_
