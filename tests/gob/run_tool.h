// Test support: run a program with some bytes on stdin and collect its exit
// status, stdout and stderr (the Go gob tools, the kekkai CLI).
#ifndef KEKKAI_TESTS_GOB_RUN_TOOL_H_
#define KEKKAI_TESTS_GOB_RUN_TOOL_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kekkai::gobtest {

struct ToolResult {
  int exit_code = -1;  // the exit status, or 128 + the signal number
  std::string out;
  std::string err;
};

// Runs `path` with `args` (argv[1..]) and `input` on stdin, waits for it.
// stdin, stdout and stderr are memfds, so nothing can deadlock on a pipe.
absl::StatusOr<ToolResult> RunTool(const std::string& path,
                                   const std::vector<std::string>& args,
                                   absl::string_view input);

}  // namespace kekkai::gobtest

#endif  // KEKKAI_TESTS_GOB_RUN_TOOL_H_
