// How kekkai-init names what failed. Every setup failure ends as one line
// on stderr and, for a kekkai launcher, one kSetupFailed report:
//
//   kekkai-init: cannot <step>[ (op N: <op type>)]: <reason>
//   kekkai-init: cannot mount proc on /proc (op 2: proc): operation not permitted
//
// The step ("mount proc on /proc") is what init was doing, in the user's
// terms (container paths, not /sysroot/...). The reason is the errno's
// description when the failure carries one, else the leaf message. The full
// status message (with the failing call and its arguments) is logged at
// debug level.
//
// Ops and the init sequence attach the step with WithStep(); the innermost
// step wins, so an op that reuses another op's code (auto-root runs binds)
// reports the precise step. The op index is attached by the runner.
#ifndef KEKKAI_INIT_FAILURE_H_
#define KEKKAI_INIT_FAILURE_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/status.h"

namespace kekkai::init {

// `status` with `step` recorded: the message becomes "<step>: <message>"
// (Annotate), the code and the errno payload stay. A status that already
// carries a step is returned unchanged. OK stays OK.
absl::Status WithStep(absl::Status status, absl::string_view step);
// Likewise, with the reason for the error line given instead of derived
// ("/bin/x: no such file or directory" where the path matters).
absl::Status WithStep(absl::Status status, absl::string_view step,
                      absl::string_view reason);

// `status` with the index of the failing op recorded (kept if already set).
absl::Status WithOpIndex(absl::Status status, int index);

// A failure whose line is just `message` ("HAKUREI_SETUP not set", "this
// process must run as pid 1", "invalid setup parameters: ..."), with no
// "cannot". `step`, when given, names it in a setup report only.
// kFailedPrecondition unless `code` says otherwise.
absl::Status Fatal(absl::string_view message, absl::string_view step = "",
                   absl::StatusCode code = absl::StatusCode::kFailedPrecondition);

// What a failed status says, ready for the error line and the report.
struct Failure {
  std::string step;       // "" for Fatal() without a step
  bool fatal = false;     // Fatal(): the line is the reason alone
  int op_index = -1;      // -1 when no op failed
  std::string op_type;    // "proc" (filled by the caller from the op list)
  int err = 0;            // errno, 0 when none
  std::string reason;     // "operation not permitted"
  std::string detail;     // the whole status message

  // "cannot mount proc on /proc (op 2: proc): operation not permitted",
  // without the program prefix.
  std::string Line() const;
};

Failure DescribeFailure(const absl::Status& status);

// The step recorded by WithStep(), if any.
std::optional<std::string> StepOf(const absl::Status& status);

}  // namespace kekkai::init

// Returns WithStep(status, step) from the enclosing function when `expr` (an
// absl::Status) fails.
#define KEKKAI_INIT_TRY(expr, step)                                      \
  do {                                                                   \
    if (::absl::Status kekkai_init_status_ = (expr);                     \
        !kekkai_init_status_.ok()) {                                     \
      return ::kekkai::init::WithStep(std::move(kekkai_init_status_),    \
                                      (step));                           \
    }                                                                    \
  } while (0)

// `lhs` = the value of the StatusOr `rexpr`, or returns its error with
// `step` recorded.
#define KEKKAI_INIT_ASSIGN(lhs, rexpr, step)                             \
  KEKKAI_INIT_ASSIGN_IMPL_(                                              \
      KEKKAI_STATUS_CONCAT_(kekkai_init_statusor_, __LINE__), lhs, rexpr, \
      step)
#define KEKKAI_INIT_ASSIGN_IMPL_(statusor, lhs, rexpr, step)             \
  auto statusor = (rexpr);                                               \
  if (!statusor.ok()) {                                                  \
    return ::kekkai::init::WithStep(std::move(statusor).status(), (step)); \
  }                                                                      \
  lhs = *std::move(statusor)

#endif  // KEKKAI_INIT_FAILURE_H_
