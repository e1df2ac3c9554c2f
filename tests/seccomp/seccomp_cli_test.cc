// `kekkai seccomp export`: runs the real kekkai binary and checks its stdout
// against hakurei's oracle and the library, and its usage errors (exit 125,
// one line on stderr).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "common/json.h"
#include "common/params.h"
#include "common/unique_fd.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "seccomp/seccomp.h"
#include "tests/seccomp/hakurei_hashes.h"
#include "tests/seccomp/sha512.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_paths.h"

namespace kekkai {
namespace {

using ::kekkai::testing::HakureiHash;
using ::kekkai::testing::Sha512Hex;
using ::testing::HasSubstr;
using ::testing::StartsWith;

struct RunResult {
  int exit_code = -1;  // -1: killed by a signal
  std::string out;
  std::string err;
};

UniqueFd MemFd(const char* name) {
  return UniqueFd(memfd_create(name, MFD_CLOEXEC));
}

std::string ReadBack(int fd) {
  std::string data;
  char buffer[4096];
  off_t offset = 0;
  for (;;) {
    const ssize_t n = pread(fd, buffer, sizeof(buffer), offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return data;
    data.append(buffer, static_cast<size_t>(n));
    offset += n;
  }
}

// Runs `kekkai ARGS...` with `input` on stdin; stdout and stderr go to
// memory files, read back after it exits (no pipe can fill up).
RunResult RunKekkai(const std::vector<std::string>& args,
                    const std::string& input = "") {
  RunResult result;
  const std::string kekkai = kekkai::testing::BinaryPath("kekkai");
  UniqueFd in = MemFd("stdin");
  UniqueFd out = MemFd("stdout");
  UniqueFd err = MemFd("stderr");
  if (!in.valid() || !out.valid() || !err.valid()) {
    result.err = "memfd_create failed";
    return result;
  }
  if (!input.empty() && pwrite(in.get(), input.data(), input.size(), 0) !=
                            static_cast<ssize_t>(input.size())) {
    result.err = "pwrite failed";
    return result;
  }
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(kekkai.c_str()));
  for (const std::string& arg : args)
    argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    result.err = "fork failed";
    return result;
  }
  if (pid == 0) {
    if (dup2(in.get(), 0) < 0 || dup2(out.get(), 1) < 0 ||
        dup2(err.get(), 2) < 0) {
      _exit(126);
    }
    execv(kekkai.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = ReadBack(out.get());
  result.err = ReadBack(err.get());
  return result;
}

// A rules file in a fresh temporary directory, removed afterwards.
class TempFile {
 public:
  explicit TempFile(const std::string& contents) {
    const char* tmp = std::getenv("TEST_TMPDIR");
    path_ = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
            "/kekkai-seccomp-rules-XXXXXX";
    const int fd = mkstemp(path_.data());
    if (fd < 0) {
      path_.clear();
      return;
    }
    UniqueFd owned(fd);
    if (write(fd, contents.data(), contents.size()) !=
        static_cast<ssize_t>(contents.size())) {
      path_.clear();
    }
  }
  ~TempFile() {
    if (!path_.empty()) unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

int LineCount(const std::string& text) {
  int lines = 0;
  for (char c : text) lines += c == '\n';
  return lines;
}

// --- the oracle, through the CLI --------------------------------------------

class CliHashTest : public ::testing::TestWithParam<HakureiHash> {};

TEST_P(CliHashTest, ExportWritesHakureisProgram) {
  const HakureiHash& c = GetParam();
  std::vector<std::string> args = {"seccomp", "export"};
  if (*c.presets_arg != '\0') {
    args.push_back("--presets");
    args.push_back(c.presets_arg);
  }
  if (*c.flags_arg != '\0') {
    args.push_back("--flags");
    args.push_back(c.flags_arg);
  }
  const RunResult run = RunKekkai(args);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  EXPECT_EQ(Sha512Hex(run.out), c.sha512);
}

INSTANTIATE_TEST_SUITE_P(
    Amd64, CliHashTest, ::testing::ValuesIn(testing::kHakureiHashes),
    [](const ::testing::TestParamInfo<HakureiHash>& param) {
      return std::string(param.param.name);
    });

TEST(SeccompCliTest, OptionSpellings) {
  // --opt=value, repeated options, "strict", case and spaces in lists.
  const RunResult a =
      RunKekkai({"seccomp", "export", "--presets=ext,deny-ns", "--presets",
                 "deny-tty", "--presets", "Deny-Devel", "--flags=can"});
  const RunResult b =
      RunKekkai({"seccomp", "export", "--presets", "strict", "--flags", "can"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(a.out, b.out);
  absl::StatusOr<std::string> want =
      seccomp::Export(seccomp::Preset(kPresetStrict, kAllowCAN), kAllowCAN);
  ASSERT_THAT(want, kekkai::testing::IsOk());
  EXPECT_EQ(a.out, *want);
}

TEST(SeccompCliTest, RulesFileReplacesThePresets) {
  const std::string json = R"([
    {"syscall": "ptrace", "errno": "EPERM"},
    {"syscall": "personality", "errno": "ENOSYS",
     "arg": {"arg": 0, "op": "ne", "a": 0}}
  ])";
  const TempFile file(json);
  ASSERT_FALSE(file.path().empty());
  absl::StatusOr<std::vector<NativeRule>> rules = RulesFromJson(json);
  ASSERT_THAT(rules, kekkai::testing::IsOk());
  absl::StatusOr<std::string> want = seccomp::Export(*rules, kAllowBluetooth);
  ASSERT_THAT(want, kekkai::testing::IsOk());

  const RunResult from_file = RunKekkai(
      {"seccomp", "export", "--rules", file.path(), "--flags", "bluetooth"});
  ASSERT_EQ(from_file.exit_code, 0) << from_file.err;
  EXPECT_EQ(from_file.out, *want);

  const RunResult from_stdin =
      RunKekkai({"seccomp", "export", "--rules=-", "--flags=bluetooth"}, json);
  ASSERT_EQ(from_stdin.exit_code, 0) << from_stdin.err;
  EXPECT_EQ(from_stdin.out, *want);
}

TEST(SeccompCliTest, HelpGoesToStdout) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"seccomp", "--help"},
        std::vector<std::string>{"seccomp", "export", "-h"}}) {
    const RunResult run = RunKekkai(args);
    EXPECT_EQ(run.exit_code, 0);
    EXPECT_THAT(run.out, StartsWith("usage: kekkai seccomp export"));
    EXPECT_EQ(run.err, "");
  }
}

struct ErrorCase {
  const char* name;
  std::vector<std::string> args;
  std::string input;
  std::string message;  // expected substring of the one stderr line
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

class SeccompCliErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(SeccompCliErrorTest, FailsWithOneClearLine) {
  const ErrorCase& c = GetParam();
  const RunResult run = RunKekkai(c.args, c.input);
  EXPECT_EQ(run.exit_code, 125);
  EXPECT_EQ(run.out, "");  // nothing half-written to stdout
  EXPECT_EQ(LineCount(run.err), 1) << run.err;
  EXPECT_THAT(run.err, StartsWith("kekkai: seccomp"));
  EXPECT_THAT(run.err, HasSubstr(c.message));
}

INSTANTIATE_TEST_SUITE_P(
    Errors, SeccompCliErrorTest,
    ::testing::Values(
        ErrorCase{"unknown_preset",
                  {"seccomp", "export", "--presets", "strict,bogus"},
                  "",
                  "unknown seccomp preset \"bogus\" (known: ext, deny-ns, "
                  "deny-tty, deny-devel, linux32, strict)"},
        ErrorCase{"unknown_flag",
                  {"seccomp", "export", "--flags", "multiarch,x32"},
                  "",
                  "unknown seccomp flag \"x32\""},
        ErrorCase{"unknown_bits",
                  {"seccomp", "export", "--presets", "0x40"},
                  "",
                  "unknown seccomp preset bits 0x40"},
        ErrorCase{"missing_value",
                  {"seccomp", "export", "--presets"},
                  "",
                  "--presets needs a value"},
        ErrorCase{"unknown_option",
                  {"seccomp", "export", "--frob"},
                  "",
                  "unknown option \"--frob\""},
        ErrorCase{"presets_and_rules",
                  {"seccomp", "export", "--presets", "strict", "--rules", "-"},
                  "",
                  "give --presets or --rules, not both"},
        ErrorCase{"missing_file",
                  {"seccomp", "export", "--rules", "/nonexistent/rules.json"},
                  "",
                  "cannot read rules file \"/nonexistent/rules.json\": "
                  "open(\"/nonexistent/rules.json\", O_RDONLY): No such file"},
        ErrorCase{"unknown_syscall",
                  {"seccomp", "export", "--rules", "-"},
                  R"([{"syscall": "ptrac", "errno": "EPERM"}])",
                  "rules from stdin: rules[0].syscall: unknown syscall "
                  "\"ptrac\""},
        ErrorCase{"bad_errno",
                  {"seccomp", "export", "--rules", "-"},
                  R"([{"syscall": "ptrace", "errno": "EACCES"}])",
                  "cannot build the filter: rule 0 (ptrace): errno 13 "
                  "(EACCES) is not EPERM or ENOSYS"},
        ErrorCase{"empty_rules",
                  {"seccomp", "export", "--rules", "-"},
                  "[]",
                  "invalid native rules slice"},
        ErrorCase{"broken_json",
                  {"seccomp", "export", "--rules", "-"},
                  "[{\"syscall\": ",
                  "rules from stdin: "},
        ErrorCase{"no_subcommand", {"seccomp"}, "", "missing subcommand"},
        ErrorCase{"unknown_subcommand",
                  {"seccomp", "import"},
                  "",
                  "unknown subcommand \"import\""}),
    [](const ::testing::TestParamInfo<ErrorCase>& param) {
      return std::string(param.param.name);
    });

}  // namespace
}  // namespace kekkai
