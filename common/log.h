// Leveled, format-checked logging for the CLI and init. Logs never stand in
// for errors: a function either returns an error or logs a non-fatal
// condition, never both. The post-clone child logs nothing.
//
//   KEKKAI_LOG(kDebug, "mounting %s", description);
//
// Output: "kekkai-init: mounting /usr" (one write(2) per line, so lines from
// the shim and init do not interleave). Verbosity reaches init through
// InitParams.verbose, never through the environment.
#ifndef KEKKAI_COMMON_LOG_H_
#define KEKKAI_COMMON_LOG_H_

#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"

namespace kekkai::log {

enum class Level : int { kError = 0, kWarning = 1, kInfo = 2, kDebug = 3 };

void SetLevel(Level level);
Level GetLevel();
// "kekkai", "kekkai-init": the prefix of every line.
void SetProgram(absl::string_view program);
// The fd lines go to (default 2).
void SetFd(int fd);
void Write(Level level, absl::string_view message);

}  // namespace kekkai::log

// Arguments are not evaluated when the level is disabled.
#define KEKKAI_LOG(level, ...)                                           \
  do {                                                                   \
    if (::kekkai::log::Level::level <= ::kekkai::log::GetLevel()) {      \
      ::kekkai::log::Write(::kekkai::log::Level::level,                  \
                           ::absl::StrFormat(__VA_ARGS__));              \
    }                                                                    \
  } while (0)

#endif  // KEKKAI_COMMON_LOG_H_
