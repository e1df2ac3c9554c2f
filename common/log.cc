#include "common/log.h"

#include <errno.h>
#include <unistd.h>

#include <atomic>
#include <string>

#include "absl/strings/str_cat.h"

namespace kekkai::log {
namespace {
std::atomic<int> g_level{static_cast<int>(Level::kWarning)};
std::atomic<int> g_fd{2};
// Set once at start-up, before threads; read-only afterwards.
const char* g_program = "kekkai";
std::string* g_program_storage = nullptr;
}  // namespace

void SetLevel(Level level) { g_level.store(static_cast<int>(level)); }
Level GetLevel() { return static_cast<Level>(g_level.load()); }
void SetFd(int fd) { g_fd.store(fd); }

void SetProgram(absl::string_view program) {
  delete g_program_storage;
  g_program_storage = new std::string(program);
  g_program = g_program_storage->c_str();
}

void Write(Level level, absl::string_view message) {
  absl::string_view tag;
  switch (level) {
    case Level::kError:
      tag = "";
      break;
    case Level::kWarning:
      tag = "warning: ";
      break;
    case Level::kInfo:
      tag = "";
      break;
    case Level::kDebug:
      tag = "debug: ";
      break;
  }
  const std::string line = absl::StrCat(g_program, ": ", tag, message, "\n");
  const int saved = errno;
  size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(g_fd.load(), line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  errno = saved;
}

}  // namespace kekkai::log
