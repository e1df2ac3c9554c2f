// The setup report: kekkai-only messages from kekkai-init back to a kekkai
// launcher, so an embedder gets a structured result instead of an exit code
// and a line on stderr.
//
// Negotiation: a kekkai launcher sets InitParams.kekkai_report to
// kSetupReportVersion and makes the setup fd (3 in init) one end of an
// AF_UNIX SOCK_STREAM socketpair instead of a pipe; it writes the gob
// stream, then shutdown(SHUT_WR)s its end and reads reports until EOF.
// hakurei's Go decoder ignores the field (and hakurei's init never writes),
// so the launcher falls back to init's exit status when it reads no report.
// kekkai-init, seeing the field, keeps fd 3 open (close-on-exec, never
// passed to the payload) for its whole life and writes, in order:
//   kSetupFailed       a setup step failed; init then exits 1
//   kExecFailed        the payload's execve failed (err = its errno: ENOENT
//                      for a missing program, EACCES/ENOEXEC/... otherwise);
//                      init then exits 1
//   kStarted           the payload was executed (pid = its pid in the
//                      container's pid namespace, normally 2)
//   kPayloadExited     the payload's wait status (wait_status, as waitpid
//                      gives it), before init waits for lingering processes
// Framing: u32 little-endian length, then the body (below). A body is at
// most kMaxSetupReportSize bytes. Readers treat the stream as hostile.
#ifndef KEKKAI_COMMON_SETUP_REPORT_H_
#define KEKKAI_COMMON_SETUP_REPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kekkai {

enum class SetupReportKind : uint8_t {
  kSetupFailed = 1,
  kExecFailed = 2,
  kStarted = 3,
  kPayloadExited = 4,
};

struct SetupReport {
  SetupReportKind kind = SetupReportKind::kSetupFailed;
  int32_t op_index = -1;     // kSetupFailed: the failing op, or -1
  int32_t err = 0;           // errno of the failure, 0 if none
  int32_t pid = 0;           // kStarted
  int32_t wait_status = 0;   // kPayloadExited
  std::string step;          // kSetupFailed: "mount proc on /proc", ...
  std::string message;       // the whole line init prints on stderr
  friend bool operator==(const SetupReport&, const SetupReport&) = default;
};

inline constexpr size_t kMaxSetupReportSize = 64 * 1024;

// One framed report (length prefix included). step and message are
// truncated to fit kMaxSetupReportSize.
std::string EncodeSetupReport(const SetupReport& report);

// Parses every complete frame in `stream`. A trailing partial frame, an
// oversized frame, an unknown kind or a malformed body is an error naming
// the frame index and byte offset.
absl::StatusOr<std::vector<SetupReport>> DecodeSetupReports(
    absl::string_view stream);

}  // namespace kekkai

#endif  // KEKKAI_COMMON_SETUP_REPORT_H_
