// kekkai seccomp export [--presets NAMES] [--flags NAMES] [--rules FILE.json]
//
// Writes the BPF program kekkai-init would load (hakurei's filter, byte for
// byte) to stdout, so kekkai's filters can be handed to other tools, e.g.
// `bwrap --seccomp 3 3<filter.bpf`. A thin wrapper over
// kekkai::seccomp::Export(); the rules file is read with RulesFromJson().
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/types/span.h"
#include "common/flags.h"
#include "common/json.h"
#include "common/params.h"
#include "common/status.h"
#include "common/unique_fd.h"
#include "seccomp/seccomp.h"
#include "shim/cli/commands.h"

namespace kekkai::cli {
namespace {

constexpr char kSeccompUsage[] =
    "usage: kekkai seccomp export [--presets NAMES] [--flags NAMES]\n"
    "                             [--rules FILE.json]\n"
    "\n"
    "Write the seccomp filter kekkai-init would load to stdout, as a BPF\n"
    "program (struct sock_filter array, native byte order), e.g. for\n"
    "`bwrap --seccomp FD`. The filter is hakurei's, byte for byte.\n"
    "\n"
    "  --presets NAMES   comma-separated presets: ext, deny-ns, deny-tty,\n"
    "                    deny-devel, linux32, strict (= ext,deny-ns,\n"
    "                    deny-tty,deny-devel)\n"
    "  --flags NAMES     comma-separated flags: multiarch, can, bluetooth\n"
    "  --rules FILE      explicit rules instead of the presets: a JSON list\n"
    "                    of {\"syscall\": \"name\", \"errno\": \"EPERM\" or\n"
    "                    \"ENOSYS\", \"arg\": {...}} (\"-\" reads stdin)\n"
    "  -h, --help        print this text\n"
    "\n"
    "With neither --presets nor --rules, the preset-less filter is written.\n";

// The largest rules file read: far more than any real rule list.
constexpr size_t kMaxRulesFileSize = 16 << 20;

struct ExportOptions {
  int64_t presets = 0;
  bool have_presets = false;
  uint32_t flags = 0;
  std::optional<std::string> rules_path;
};

// One line on stderr, prefixed like every kekkai error.
int Fail(absl::string_view message) {
  // Keep it to one line even if a nested message carried a newline.
  const std::string line = absl::StrReplaceAll(message, {{"\n", " "}});
  std::fprintf(stderr, "kekkai: seccomp export: %s\n", line.c_str());
  return kExitFailure;
}

int UsageError(absl::string_view message) {
  const std::string line = absl::StrReplaceAll(message, {{"\n", " "}});
  std::fprintf(stderr,
               "kekkai: seccomp export: %s (kekkai seccomp --help for "
               "usage)\n",
               line.c_str());
  return kExitFailure;
}

// Reads all of `fd` (EINTR and short reads), refusing more than the limit.
absl::StatusOr<std::string> ReadAll(int fd, absl::string_view what) {
  std::string data;
  char buffer[65536];
  for (;;) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, absl::StrCat("read(", what, ")"));
    }
    if (n == 0) return data;
    if (data.size() + static_cast<size_t>(n) > kMaxRulesFileSize) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s is larger than %d bytes", what, kMaxRulesFileSize));
    }
    data.append(buffer, static_cast<size_t>(n));
  }
}

absl::StatusOr<std::string> ReadRulesFile(const std::string& path) {
  if (path == "-") return ReadAll(STDIN_FILENO, "stdin");
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd.valid()) {
    return ErrnoStatus(errno, absl::StrFormat("open(\"%s\", O_RDONLY)", path));
  }
  return ReadAll(fd.get(), absl::StrFormat("\"%s\"", path));
}

// Writes all of `data` to stdout: retries short writes and EINTR.
absl::Status WriteStdout(absl::string_view data) {
  while (!data.empty()) {
    const ssize_t n = write(STDOUT_FILENO, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "write(stdout)");
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

// Takes the value of `--name VALUE` or `--name=VALUE` at argv[*i].
// Returns nullopt when argv[*i] is not this option.
std::optional<absl::StatusOr<std::string>> OptionValue(int argc, char** argv,
                                                       int* i,
                                                       absl::string_view name) {
  absl::string_view arg = argv[*i];
  if (arg == name) {
    if (*i + 1 >= argc) {
      return absl::StatusOr<std::string>(
          absl::InvalidArgumentError(absl::StrCat(name, " needs a value")));
    }
    ++*i;
    return absl::StatusOr<std::string>(std::string(argv[*i]));
  }
  if (absl::ConsumePrefix(&arg, name) && absl::ConsumePrefix(&arg, "=")) {
    return absl::StatusOr<std::string>(std::string(arg));
  }
  return std::nullopt;
}

absl::StatusOr<uint64_t> ParseNames(absl::Span<const FlagName> table,
                                    const std::string& list,
                                    absl::string_view what) {
  KEKKAI_ASSIGN_OR_RETURN(uint64_t value, FlagsFromList(table, list, what));
  uint64_t known = 0;
  for (const FlagName& flag : table) known |= flag.bits;
  if ((value & ~known) != 0) {
    return absl::InvalidArgumentError(
        absl::StrFormat("unknown %s bits %#x", what, value & ~known));
  }
  return value;
}

// Parses the options after "export". Returns the options, or a usage error.
absl::StatusOr<ExportOptions> ParseExportOptions(int argc, char** argv) {
  ExportOptions options;
  for (int i = 1; i < argc; ++i) {
    if (auto value = OptionValue(argc, argv, &i, "--presets")) {
      if (!value->ok()) return value->status();
      KEKKAI_ASSIGN_OR_RETURN(
          uint64_t presets,
          ParseNames(PresetNames(), **value, "seccomp preset"));
      options.presets |= static_cast<int64_t>(presets);
      options.have_presets = true;
      continue;
    }
    if (auto value = OptionValue(argc, argv, &i, "--flags")) {
      if (!value->ok()) return value->status();
      KEKKAI_ASSIGN_OR_RETURN(
          uint64_t flags,
          ParseNames(ExportFlagNames(), **value, "seccomp flag"));
      options.flags |= static_cast<uint32_t>(flags);
      continue;
    }
    if (auto value = OptionValue(argc, argv, &i, "--rules")) {
      if (!value->ok()) return value->status();
      if (options.rules_path.has_value()) {
        return absl::InvalidArgumentError("--rules given twice");
      }
      if ((*value)->empty()) {
        return absl::InvalidArgumentError("--rules needs a file name");
      }
      options.rules_path = **value;
      continue;
    }
    return absl::InvalidArgumentError(
        absl::StrFormat("unknown option \"%s\"", argv[i]));
  }
  if (options.have_presets && options.rules_path.has_value()) {
    // In Params explicit rules silently win; on a command line asking for
    // both is a mistake worth naming.
    return absl::InvalidArgumentError(
        "--rules replaces the presets: give --presets or --rules, not both");
  }
  return options;
}

bool IsHelp(absl::string_view arg) { return arg == "--help" || arg == "-h"; }

int Export(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (IsHelp(argv[i])) {
      std::fputs(kSeccompUsage, stdout);
      return 0;
    }
  }
  absl::StatusOr<ExportOptions> options = ParseExportOptions(argc, argv);
  if (!options.ok()) return UsageError(options.status().message());

  std::vector<NativeRule> rules;
  if (options->rules_path.has_value()) {
    const std::string& path = *options->rules_path;
    const std::string where = path == "-"
                                  ? std::string("rules from stdin")
                                  : absl::StrFormat("rules file \"%s\"", path);
    absl::StatusOr<std::string> text = ReadRulesFile(path);
    if (!text.ok()) {
      return Fail(
          absl::StrCat("cannot read ", where, ": ", text.status().message()));
    }
    absl::StatusOr<std::vector<NativeRule>> parsed = RulesFromJson(*text);
    if (!parsed.ok()) {
      return Fail(absl::StrCat(where, ": ", parsed.status().message()));
    }
    // An empty list is refused by Export() (hakurei's ErrInvalidRules).
    rules = *std::move(parsed);
  } else {
    rules = seccomp::Preset(options->presets, options->flags);
  }

  absl::StatusOr<std::string> program = seccomp::Export(rules, options->flags);
  if (!program.ok()) {
    return Fail(
        absl::StrCat("cannot build the filter: ", program.status().message()));
  }
  if (absl::Status written = WriteStdout(*program); !written.ok()) {
    return Fail(absl::StrCat("cannot write the filter: ", written.message()));
  }
  return 0;
}

}  // namespace

int SeccompCommand(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(
        "kekkai: seccomp: missing subcommand: usage: kekkai seccomp export "
        "[--presets NAMES] [--flags NAMES] [--rules FILE.json]\n",
        stderr);
    return kExitFailure;
  }
  const absl::string_view sub = argv[1];
  if (IsHelp(sub) || sub == "help") {
    std::fputs(kSeccompUsage, stdout);
    return 0;
  }
  if (sub == "export") return Export(argc - 1, argv + 1);
  std::fprintf(stderr,
               "kekkai: seccomp: unknown subcommand \"%s\" (kekkai seccomp "
               "--help for usage)\n",
               argv[1]);
  return kExitFailure;
}

}  // namespace kekkai::cli
