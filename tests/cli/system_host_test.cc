// Unit tests of the real HostView (SystemHostView): the few system calls the
// CLI's parser makes on the caller's machine, against a scratch directory.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "common/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "shim/cli/options.h"
#include "tests/testing/status_matchers.h"

namespace kekkai::cli {
namespace {

using ::kekkai::testing::IsOk;
using ::kekkai::testing::StatusIs;
using ::testing::HasSubstr;

class SystemHostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/kekkai-cli-host.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    for (const char* name : {"exe", "noexec", "link", "data"}) {
      unlink((dir_ + "/" + name).c_str());
    }
    rmdir((dir_ + "/sub").c_str());
    rmdir(dir_.c_str());
  }
  void Write(const std::string& name, const std::string& data, mode_t mode) {
    const std::string path = dir_ + "/" + name;
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(write(fd, data.data(), data.size()),
              static_cast<ssize_t>(data.size()));
    close(fd);
    ASSERT_EQ(chmod(path.c_str(), mode), 0);
  }
  std::string dir_;
};

TEST_F(SystemHostTest, LstatReportsTypesAndLinkContents) {
  HostView& host = SystemHostView();
  ASSERT_EQ(mkdir((dir_ + "/sub").c_str(), 0700), 0);
  ASSERT_EQ(symlink("sub/../x", (dir_ + "/link").c_str()), 0);
  Write("data", "x", 0600);
  KEKKAI_ASSERT_OK_AND_ASSIGN(HostView::Entry e, host.Lstat(dir_ + "/sub"));
  EXPECT_EQ(e.type, HostView::EntryType::kDirectory);
  KEKKAI_ASSERT_OK_AND_ASSIGN(e, host.Lstat(dir_ + "/link"));
  EXPECT_EQ(e.type, HostView::EntryType::kSymlink);
  EXPECT_EQ(e.link_target, "sub/../x");
  KEKKAI_ASSERT_OK_AND_ASSIGN(e, host.Lstat(dir_ + "/data"));
  EXPECT_EQ(e.type, HostView::EntryType::kOther);
  KEKKAI_ASSERT_OK_AND_ASSIGN(e, host.Lstat(dir_ + "/missing"));
  EXPECT_EQ(e.type, HostView::EntryType::kMissing);
  KEKKAI_ASSERT_OK_AND_ASSIGN(e, host.Lstat(dir_ + "/data/below"));
  EXPECT_EQ(e.type, HostView::EntryType::kMissing);
  // Exists follows links: "sub/../x" does not exist.
  EXPECT_THAT(host.Exists(dir_ + "/link"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("stat(")));
  EXPECT_THAT(host.Exists(dir_ + "/sub"), IsOk());
}

TEST_F(SystemHostTest, CheckExecutableFollowsExecvpRules) {
  HostView& host = SystemHostView();
  Write("exe", "#!/bin/sh\n", 0700);
  Write("noexec", "", 0600);
  ASSERT_EQ(mkdir((dir_ + "/sub").c_str(), 0700), 0);
  EXPECT_THAT(host.CheckExecutable(dir_ + "/exe"), IsOk());
  if (geteuid() != 0) {  // root may execute anything with an x bit only
    EXPECT_EQ(GetErrno(host.CheckExecutable(dir_ + "/noexec")), EACCES);
  }
  EXPECT_EQ(GetErrno(host.CheckExecutable(dir_ + "/sub")), EACCES);
  EXPECT_EQ(GetErrno(host.CheckExecutable(dir_ + "/missing")), ENOENT);
}

TEST_F(SystemHostTest, ReadFdReadsToEofWithinTheLimit) {
  HostView& host = SystemHostView();
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  ASSERT_EQ(write(fds[1], "hello", 5), 5);
  close(fds[1]);
  KEKKAI_ASSERT_OK_AND_ASSIGN(std::string data, host.ReadFd(fds[0], 100));
  EXPECT_EQ(data, "hello");
  close(fds[0]);

  Write("data", std::string(1000, 'x'), 0600);
  EXPECT_THAT(host.ReadFile(dir_ + "/data", 999),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("more than 999 bytes")));
  KEKKAI_ASSERT_OK_AND_ASSIGN(data, host.ReadFile(dir_ + "/data", 1000));
  EXPECT_EQ(data.size(), 1000u);
  EXPECT_THAT(host.ReadFile(dir_ + "/missing", 10),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("open(")));
}

TEST_F(SystemHostTest, CheckFdAndEnvironment) {
  HostView& host = SystemHostView();
  EXPECT_THAT(host.CheckFd(0), IsOk());
  int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_THAT(host.CheckFd(fd), IsOk());
  close(fd);
  EXPECT_EQ(GetErrno(host.CheckFd(fd)), EBADF);

  ASSERT_EQ(setenv("KEKKAI_CLI_TEST_VAR", "v=1", 1), 0);
  EXPECT_THAT(host.Environment(),
              ::testing::Contains("KEKKAI_CLI_TEST_VAR=v=1"));
  KEKKAI_ASSERT_OK_AND_ASSIGN(std::string cwd, host.WorkingDirectory());
  EXPECT_EQ(cwd.front(), '/');
}

TEST(OverflowIdsTest, ReadsTheKernelsOverflowIds) {
  KEKKAI_ASSERT_OK_AND_ASSIGN(auto ids, ReadOverflowIds());
  EXPECT_GT(ids.first, 0);
  EXPECT_GT(ids.second, 0);
}

}  // namespace
}  // namespace kekkai::cli
