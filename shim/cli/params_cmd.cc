// kekkai params [run options] [--format json|gob] [--] PROGRAM [ARGS...]:
// prints the initParams that `kekkai run` with the same options would send
// to kekkai-init, after the launcher's normalisation: as JSON (the form of
// docs/json.md) or as the exact gob bytes of the setup stream.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "common/gob/gob.h"
#include "common/json.h"
#include "common/params.h"
#include "common/status.h"
#include "shim/cli/commands.h"
#include "shim/cli/options.h"

namespace kekkai::cli {
namespace {

absl::Status WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, absl::StrFormat("write(%d)", fd));
    }
    done += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

}  // namespace

int ParamsCommand(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  absl::StatusOr<RunSpec> spec =
      ParseRunArgs(Command::kParams, args, SystemHostView());
  if (!spec.ok()) {
    std::fprintf(stderr, "kekkai: params: %s\n",
                 std::string(spec.status().message()).c_str());
    return ExitStatusOf(spec.status());
  }
  if (spec->settings.help) {
    const std::string usage = RunUsage(Command::kParams);
    std::fwrite(usage.data(), 1, usage.size(), stdout);
    return 0;
  }
  absl::StatusOr<std::pair<int64_t, int64_t>> overflow = ReadOverflowIds();
  if (!overflow.ok()) {
    std::fprintf(stderr, "kekkai: params: cannot read the overflow ids: %s\n",
                 std::string(overflow.status().message()).c_str());
    return kExitFailure;
  }
  const InitParams init_params =
      MakeInitParams(*spec, overflow->first, overflow->second, getuid(),
                     getgid());
  std::string out;
  switch (spec->settings.format) {
    case OutputFormat::kJson:
      out = InitParamsToJson(init_params);
      out.push_back('\n');
      break;
    case OutputFormat::kGob: {
      absl::StatusOr<std::string> encoded = gob::Encode(init_params);
      if (!encoded.ok()) {
        std::fprintf(stderr, "kekkai: params: cannot encode: %s\n",
                     std::string(encoded.status().message()).c_str());
        return kExitFailure;
      }
      out = *std::move(encoded);
      break;
    }
  }
  std::fflush(stdout);
  absl::Status written = WriteAll(STDOUT_FILENO, out);
  if (!written.ok()) {
    std::fprintf(stderr, "kekkai: params: cannot write the output: %s\n",
                 std::string(written.message()).c_str());
    return kExitFailure;
  }
  return 0;
}

}  // namespace kekkai::cli
