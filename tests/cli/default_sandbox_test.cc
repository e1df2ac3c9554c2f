// Unit tests of the default sandbox (shim/cli/default_sandbox.h) against
// scripted hosts: merged and split /usr, missing and odd entries, errors.
#include "shim/cli/default_sandbox.h"

#include <sys/mount.h>

#include <cerrno>
#include <string>
#include <vector>

#include "common/ops.h"
#include "common/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cli/fake_host.h"
#include "tests/testing/status_matchers.h"

namespace kekkai::cli {
namespace {

using ::kekkai::cli::testing::FakeHost;
using ::kekkai::testing::StatusIs;
using ::testing::HasSubstr;

AbsolutePath P(absl::string_view path) { return AbsolutePath::Literal(path); }

std::vector<std::string> Described(const OpList& ops) {
  std::vector<std::string> out;
  for (const std::optional<Op>& op : ops) {
    out.push_back(op.has_value() ? Describe(*op) : "nil");
  }
  return out;
}

// Each op of the default sandbox, as the CLI's options would build it.
const Op kUsr = BindMountOp{P("/usr"), P("/usr"), 0};
const Op kEtc = BindMountOp{P("/etc"), P("/etc"), 0};
const Op kProc = MountProcOp{P("/proc")};
const Op kDev = MountDevOp{P("/dev"), false, false};
const Op kTmp =
    MountTmpfsOp{"ephemeral", P("/tmp"), MS_NOSUID | MS_NODEV, 0, 01777};

TEST(DefaultSandboxTest, MergedUsrHostGetsTheSameSymlinks) {
  FakeHost host;  // /bin /sbin /lib /lib64 are symlinks into usr/
  KEKKAI_ASSERT_OK_AND_ASSIGN(OpList ops, DefaultSandboxOps(host));
  const OpList expected = {
      kUsr,
      SymlinkOp{P("/bin"), "usr/bin", false},
      SymlinkOp{P("/sbin"), "usr/sbin", false},
      SymlinkOp{P("/lib"), "usr/lib", false},
      SymlinkOp{P("/lib64"), "usr/lib64", false},
      kEtc, kProc, kDev, kTmp};
  EXPECT_EQ(ops, expected) << ::testing::PrintToString(Described(ops));
}

TEST(DefaultSandboxTest, SplitUsrHostGetsReadOnlyBinds) {
  FakeHost host;
  host.entries.clear();
  host.entries["/bin"] = {HostView::EntryType::kDirectory, ""};
  host.entries["/lib"] = {HostView::EntryType::kDirectory, ""};
  host.entries["/lib32"] = {HostView::EntryType::kSymlink, "/usr/lib32"};
  host.entries["/libx32"] = {HostView::EntryType::kOther, ""};  // a file
  KEKKAI_ASSERT_OK_AND_ASSIGN(OpList ops, DefaultSandboxOps(host));
  const OpList expected = {
      kUsr,
      BindMountOp{P("/bin"), P("/bin"), 0},
      BindMountOp{P("/lib"), P("/lib"), 0},
      SymlinkOp{P("/lib32"), "/usr/lib32", false},
      kEtc, kProc, kDev, kTmp};
  EXPECT_EQ(ops, expected) << ::testing::PrintToString(Described(ops));
}

TEST(DefaultSandboxTest, EveryOpIsValid) {
  FakeHost host;
  KEKKAI_ASSERT_OK_AND_ASSIGN(OpList ops, DefaultSandboxOps(host));
  for (const std::optional<Op>& op : ops) {
    ASSERT_TRUE(op.has_value());
    EXPECT_TRUE(ValidateOp(*op).ok()) << Describe(*op);
  }
}

class FailingLstatHost final : public HostView {
 public:
  std::vector<std::string> Environment() override { return {}; }
  absl::StatusOr<std::string> WorkingDirectory() override { return "/"; }
  absl::StatusOr<std::string> ReadFile(const std::string&, size_t) override {
    return absl::NotFoundError("no");
  }
  absl::StatusOr<std::string> ReadFd(int, size_t) override {
    return absl::NotFoundError("no");
  }
  absl::Status CheckFd(int) override { return absl::OkStatus(); }
  absl::StatusOr<Entry> Lstat(const std::string& path) override {
    if (path == "/lib") return ErrnoStatus(EACCES, "lstat(\"/lib\")");
    return Entry{};
  }
  absl::Status Exists(const std::string&) override { return absl::OkStatus(); }
  absl::Status CheckExecutable(const std::string&) override {
    return absl::OkStatus();
  }
};

TEST(DefaultSandboxTest, LstatFailureIsReturnedNamingThePath) {
  FailingLstatHost host;
  EXPECT_THAT(DefaultSandboxOps(host),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("lstat(\"/lib\"): Permission denied")));
}

}  // namespace
}  // namespace kekkai::cli
