// Faults: a failure at each of init's steps, from real inputs (a missing
// bind source, a full tmpfs, a missing overlay layer, a read-only parent, a
// name that exists, a missing remount target, a missing program). For each,
// the Result names the step, the op index and the errno, with init's one
// line; and `kekkai run --config` with the same Params prints that line
// (as "kekkai-init: <line>") and exits 125 (127 when the program is not
// there). Nothing is left running.
//
// The container is tests/load's minimal one (ops 0-5: /usr, the /bin,
// /lib, /lib64 links, /proc, /tmp) plus the ops of each case.
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/json.h"
#include "common/ops_builder.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "shim/container.h"
#include "tests/integration/cli_harness.h"
#include "tests/load/load_util.h"
#include "tests/testing/test_paths.h"
#include "tests/testing/userns.h"

namespace kekkai {
namespace {

using ::testing::IsEmpty;

constexpr int kFirstOp = 6;  // after MinimalShell's six ops

struct Case {
  std::string name;
  // Adds the case's ops after the minimal container's.
  std::function<void(OpsBuilder&)> ops;
  // What init must report.
  std::string step;
  int op_index;
  int err;
  std::string line;  // init's line without "kekkai-init: "
  std::string program = "/bin/sh";
  // `kekkai run`'s status: 125 for a set-up failure, 127 for a program
  // that cannot be found (docs/cli.md, "Exit status").
  int cli_status = 125;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

// A regular file every test machine has in /usr: what /bin/sh resolves to.
std::string ShellFile() {
  char resolved[PATH_MAX];
  if (realpath("/usr/bin/sh", resolved) == nullptr) return "/usr/bin/sh";
  return resolved;
}

std::vector<Case> Cases() {
  const std::string long_a(300, 'a');  // longer than a tmpfs inline symlink:
  const std::string long_b(300, 'b');  // each takes a whole page
  const std::string shell = ShellFile();
  return {
      {"BindOfAMissingSource",
       [](OpsBuilder& b) { b.Bind("/nonexistent/kekkai-load/src", "/mnt"); },
       "bind /nonexistent/kekkai-load/src on /mnt", kFirstOp, ENOENT,
       "cannot bind /nonexistent/kekkai-load/src on /mnt (op 6: bind): no "
       "such file or directory"},
      {"SymlinkInAFullTmpfs",
       [=](OpsBuilder& b) {
         b.Tmpfs("/x", 4096, 0755).Link("/x/a", long_a).Link("/x/b", long_b);
       },
       "create symlink /x/b", kFirstOp + 2, ENOSPC,
       "cannot create symlink /x/b (op 8: symlink): no space left on device"},
      {"OverlayWithAMissingLowerLayer",
       [](OpsBuilder& b) {
         b.OverlayEphemeral("/o", {"/usr", "/nonexistent/kekkai-load/lower"});
       },
       "resolve overlay lower layer /nonexistent/kekkai-load/lower", kFirstOp,
       ENOENT,
       "cannot resolve overlay lower layer /nonexistent/kekkai-load/lower "
       "(op 6: overlay): no such file or directory"},
      {"MkdirUnderAReadOnlyParent",
       [](OpsBuilder& b) { b.Mkdir("/usr/kekkai-load", 0755); },
       "create directory /usr/kekkai-load", kFirstOp, EROFS,
       "cannot create directory /usr/kekkai-load (op 6: mkdir): read-only "
       "file system"},
      {"SymlinkOverAnExistingFile",
       [=](OpsBuilder& b) { b.Link(shell, "elsewhere"); },
       absl::StrCat("create symlink ", shell), kFirstOp, EEXIST,
       absl::StrCat("cannot create symlink ", shell,
                    " (op 6: symlink): file exists")},
      {"RemountOfAMissingTarget",
       [](OpsBuilder& b) { b.Remount("/kekkai-load-missing", MS_RDONLY); },
       "remount /kekkai-load-missing", kFirstOp, ENOENT,
       "cannot remount /kekkai-load-missing (op 6: remount): no such file or "
       "directory"},
      {"PlaceUnderAReadOnlyParent",
       [](OpsBuilder& b) { b.Place("/usr/kekkai-load-file", "data\n"); },
       "place file /usr/kekkai-load-file", kFirstOp, EROFS,
       "cannot place file /usr/kekkai-load-file (op 6: tmpfile): read-only "
       "file system"},
      {"TmpfsUnderAReadOnlyParent",
       [](OpsBuilder& b) { b.Tmpfs("/usr/kekkai-load-tmp", 0, 0755); },
       "mount tmpfs on /usr/kekkai-load-tmp", kFirstOp, EROFS,
       "cannot mount tmpfs on /usr/kekkai-load-tmp (op 6: tmpfs): read-only "
       "file system"},
      {"MissingProgram", [](OpsBuilder&) {}, Result::kStepExec, -1, ENOENT,
       "cannot start program: /usr/bin/kekkai-load-missing: no such file or "
       "directory",
       "/usr/bin/kekkai-load-missing", 127},
  };
}

Params CaseParams(const Case& c) {
  Params params = testing::MinimalShell("exit 0");
  params.path = AbsolutePath::Literal(c.program);
  OpsBuilder builder;
  for (const std::optional<Op>& op : *params.ops) builder.Add(*op);
  c.ops(builder);
  params.ops = builder.Build().value();
  return params;
}

class SetupFailureTest : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override { KEKKAI_REQUIRE_USERNS(); }
};

TEST_P(SetupFailureTest, ResultNamesStepOpAndErrno) {
  const Case& c = GetParam();
  LaunchOptions options;
  options.init_path = testing::BinaryPath("kekkai-init");
  const Result result = kekkai::Run(CaseParams(c), std::move(options));
  EXPECT_EQ(result.kind, Result::Kind::kSetupFailed) << result.ToString();
  EXPECT_EQ(result.step, c.step);
  EXPECT_EQ(result.op_index, c.op_index);
  EXPECT_EQ(result.err, c.err) << strerror(result.err);
  EXPECT_EQ(result.message, c.line);
  EXPECT_EQ(result.ToString(), absl::StrCat("setup failed: ", c.line));
  EXPECT_THAT(testing::ProcessesWithParent(getpid()), IsEmpty());
}

TEST_P(SetupFailureTest, CliPrintsInitsLineAndExitStatus) {
  const Case& c = GetParam();
  cli::testing::TempDir dir;
  dir.WriteFile("params.json", ParamsToJson(CaseParams(c)));
  const cli::testing::Outcome outcome =
      cli::testing::RunKekkai({"run", "--config", dir.Sub("params.json")});
  ASSERT_TRUE(outcome.exited) << outcome.Describe();
  EXPECT_EQ(outcome.exit_code, c.cli_status) << outcome.Describe();
  EXPECT_EQ(outcome.err, absl::StrCat("kekkai-init: ", c.line, "\n"));
  EXPECT_EQ(outcome.out, "");
}

INSTANTIATE_TEST_SUITE_P(
    EachStep, SetupFailureTest, ::testing::ValuesIn(Cases()),
    [](const ::testing::TestParamInfo<Case>& param_info) {
      return param_info.param.name;
    });

}  // namespace
}  // namespace kekkai
