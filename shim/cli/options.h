// The `kekkai run` / `kekkai params` command line: argv -> Params +
// LaunchOptions + the CLI's own settings. Pure: everything the parser needs
// from the caller's machine (environment, cwd, files, fds, lstat, PATH
// lookup) goes through the HostView seam, so the whole mapping is unit-tested
// without launching anything.
//
// Where it sits: run_cmd.cc and params_cmd.cc call ParseRunArgs(), then
// either hand the Params to kekkai::Container (run) or print the InitParams
// the launcher would send (params). docs/cli.md documents every option.
//
// Semantics (bubblewrap's where the meaning matches):
//   * Filesystem options build ops in the order given. SRC of binds and
//     overlays and HOSTDIR of --auto-* may be relative (made absolute against
//     the caller's cwd); every DEST must be absolute.
//   * --size/--perms apply to the next op that takes them; an op that does
//     not take them, or the end of the options, with one pending is an error.
//   * With no filesystem option and no ops from --config, the default
//     sandbox (default_sandbox.h) is used.
//   * The payload's environment starts as the caller's (or --config's) and is
//     edited by --setenv/--unsetenv/--clearenv in order.
//   * PROGRAM without a '/' is looked up in the payload's PATH, on the host
//     but through the container's ops (program_lookup.h), and sent as an
//     absolute path; a relative PROGRAM with a '/' is taken relative to the
//     payload's working directory.
#ifndef KEKKAI_SHIM_CLI_OPTIONS_H_
#define KEKKAI_SHIM_CLI_OPTIONS_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/params.h"
#include "shim/container.h"

namespace kekkai::cli {

// What the parser needs from the caller's machine. SystemHostView() is the
// real one; unit tests script a fake.
class HostView {
 public:
  enum class EntryType : uint8_t { kMissing, kDirectory, kSymlink, kOther };
  struct Entry {
    EntryType type = EntryType::kMissing;
    std::string link_target;  // kSymlink: the link's content (readlink)
  };

  virtual ~HostView() = default;
  // The caller's environment, "NAME=VALUE" strings in order.
  virtual std::vector<std::string> Environment() = 0;
  // getcwd(), for making relative sources absolute.
  virtual absl::StatusOr<std::string> WorkingDirectory() = 0;
  // The contents of a file (--config, --seccomp-rules). More than `limit`
  // bytes is an error.
  virtual absl::StatusOr<std::string> ReadFile(const std::string& path,
                                               size_t limit) = 0;
  // Reads `fd` to EOF (--ro-bind-data). More than `limit` bytes is an error.
  virtual absl::StatusOr<std::string> ReadFd(int fd, size_t limit) = 0;
  // OK when `fd` is open in this process (--pass-fd).
  virtual absl::Status CheckFd(int fd) = 0;
  // lstat(2): the entry's type; a missing entry is kMissing, not an error.
  virtual absl::StatusOr<Entry> Lstat(const std::string& path) = 0;
  // stat(2) following links: OK when `path` exists, else an ErrnoStatus.
  virtual absl::Status Exists(const std::string& path) = 0;
  // OK when `path` is a regular file this user may execute; otherwise an
  // ErrnoStatus: ENOENT (missing), EACCES (not executable, or a directory).
  virtual absl::Status CheckExecutable(const std::string& path) = 0;
};

// The real HostView (process-wide, thread-safe).
HostView& SystemHostView();

// Which subcommand is parsing: `params` also takes --format.
enum class Command : uint8_t { kRun, kParams };

enum class OutputFormat : uint8_t { kJson, kGob };

// Settings of the CLI itself (never sent anywhere).
struct CliSettings {
  bool help = false;                        // --help/-h: print usage, exit 0
  bool verbose = false;                     // -v/--verbose
  OutputFormat format = OutputFormat::kJson;  // params --format
};

// Everything one `kekkai run` needs.
struct RunSpec {
  Params params;          // before ApplyLauncherDefaults
  LaunchOptions launch;   // extra_files = the --pass-fd fds (borrowed)
  CliSettings settings;
};

// The limits on what the parser reads.
inline constexpr size_t kMaxConfigBytes = 16 << 20;   // --config, --seccomp-rules
inline constexpr size_t kMaxDataBytes = 16 << 20;     // --ro-bind-data
// PATH when the payload's environment has none.
inline constexpr char kDefaultPath[] = "/usr/local/bin:/usr/bin:/bin";

// Parses the arguments after the subcommand name (argv[1..] of `run`).
// With --help, returns settings.help = true and nothing else is required.
// Errors are kInvalidArgument (usage) naming the option:
// `--bind: DEST "usr" is not absolute`, `unknown option "--bnd"`,
// `--bind: needs 2 arguments (SRC DEST)`. A PROGRAM that cannot be found or
// executed on the host fails with an exit status attached (127 or 126, see
// ExitStatusOf).
absl::StatusOr<RunSpec> ParseRunArgs(Command command,
                                     const std::vector<std::string>& args,
                                     HostView& host);

// The exit status a parse error calls for: 127 (PROGRAM not found), 126
// (PROGRAM not executable) or 125 (everything else).
int ExitStatusOf(const absl::Status& status);

// The InitParams that the launcher sends for `spec` (hakurei's Start/Serve
// normalisation with the given overflow ids, the launcher's real ids, the
// extra file count, verbosity and the setup report version).
InitParams MakeInitParams(const RunSpec& spec, int64_t overflow_uid,
                          int64_t overflow_gid, int64_t host_uid,
                          int64_t host_gid);

// Reads /proc/sys/kernel/overflowuid and overflowgid.
absl::StatusOr<std::pair<int64_t, int64_t>> ReadOverflowIds();

// `kekkai run --help` / `kekkai params --help`: every option, one line each.
std::string RunUsage(Command command);

}  // namespace kekkai::cli

#endif  // KEKKAI_SHIM_CLI_OPTIONS_H_
