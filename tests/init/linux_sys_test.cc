// LinuxSys (common/sys/linux_sys.cc) on the real kernel, for the calls that
// need no privileges: file helpers, error messages that name the call, and
// StartProcess (exec, exec failures, working directory, extra files).
// Mounts, pivots and capabilities are exercised in real namespaces by
// tests/integration/init_integration_test.cc.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "common/sys/sys.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace kekkai::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class LinuxSysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl =
        absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/kekkai-sys.XXXXXX");
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    int unused = std::system(absl::StrCat("rm -rf '", dir_, "'").c_str());
    (void)unused;
  }
  std::string Path(const std::string& name) const {
    return absl::StrCat(dir_, "/", name);
  }
  sys::Sys& sys_ = sys::LinuxSys();
  std::string dir_;
};

TEST_F(LinuxSysTest, FilesRoundTripAndErrorsNameTheCall) {
  std::ofstream(Path("f")) << "hello";
  EXPECT_EQ(*sys_.ReadFile(Path("f")), "hello");
  EXPECT_THAT(sys_.WriteFile(Path("f"), "bye"), IsOk());
  EXPECT_EQ(*sys_.ReadFile(Path("f")), "byelo");  // no O_TRUNC, as for /proc
  const absl::Status missing = sys_.ReadFile(Path("missing")).status();
  EXPECT_EQ(GetErrno(missing), ENOENT);
  EXPECT_THAT(missing.message(), HasSubstr(absl::StrCat("open(\"", Path("missing"))));
  EXPECT_THAT(sys_.Stat(Path("missing")).status().message(),
              HasSubstr(absl::StrCat("stat(\"", Path("missing"), "\")")));
  EXPECT_EQ(*sys_.Stat(Path("f")), sys::FileType::kRegular);
  EXPECT_EQ(*sys_.Stat(dir_), sys::FileType::kDirectory);
  ASSERT_EQ(::symlink("f", Path("l").c_str()), 0);
  EXPECT_EQ(*sys_.Lstat(Path("l")), sys::FileType::kSymlink);
  EXPECT_EQ(*sys_.Readlink(Path("l")), "f");
  EXPECT_EQ(*sys_.RealPath(Path("l")), *sys_.RealPath(Path("f")));
}

TEST_F(LinuxSysTest, ReadAllRefusesMoreThanTheLimit) {
  std::ofstream(Path("big")) << std::string(100, 'x');
  absl::StatusOr<UniqueFd> fd = sys_.Open(Path("big"), O_RDONLY, 0);
  ASSERT_THAT(fd, IsOk());
  EXPECT_THAT(sys_.ReadAll(fd->get(), 99),
              StatusIs(absl::StatusCode::kResourceExhausted,
                       HasSubstr("more than 99 bytes")));
  EXPECT_GE(::fcntl(fd->get(), F_GETFD) & FD_CLOEXEC, 1);  // O_CLOEXEC added
}

TEST_F(LinuxSysTest, DirectoriesTempFilesAndComposites) {
  ASSERT_THAT(sys_.MkdirAll(Path("a/b/c"), 0750), IsOk());
  struct stat st;
  ASSERT_EQ(::stat(Path("a/b").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0750u & ~static_cast<unsigned>(::umask(022)));
  ::umask(022);
  ASSERT_THAT(sys_.EnsureFile(Path("x/y/file"), 0444, 0700), IsOk());
  EXPECT_THAT(sys_.EnsureFile(Path("a"), 0444, 0700),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("ensure")));
  ASSERT_THAT(sys_.Symlink("target", Path("a/link")), IsOk());
  absl::StatusOr<std::string> temp_dir = sys_.MakeTempDir(dir_, "t.");
  ASSERT_THAT(temp_dir, IsOk());
  EXPECT_THAT(*temp_dir, HasSubstr("/t."));
  absl::StatusOr<sys::TempFile> temp = sys_.MakeTempFile(dir_, "f.");
  ASSERT_THAT(temp, IsOk());
  EXPECT_THAT(sys_.WriteAll(temp->fd.get(), "data"), IsOk());
  EXPECT_EQ(*sys_.ReadFile(temp->path), "data");
  EXPECT_THAT(sys_.Unlink(temp->path), IsOk());
  EXPECT_THAT(*sys_.ReadDir(Path("a")), ElementsAre("b", "link"));
  EXPECT_EQ(GetErrno(sys_.ReadDir(Path("none")).status()), ENOENT);
}

// StartProcess runs /bin/sh here; the test reaps what it starts.
int WaitFor(pid_t pid) {
  int status = -1;
  ::waitpid(pid, &status, 0);
  return status;
}

TEST_F(LinuxSysTest, StartProcessRunsExactlyTheSpec) {
  sys::ExecSpec spec;
  spec.path = "/bin/sh";
  spec.argv = {"sh", "-c",
               "[ \"$(pwd)\" = \"$0\" ] && [ \"$ONLY\" = yes ] && "
               "[ -z \"$HOME$KEKKAI_BIN_DIR$LANG\" ] && exit 3; exit 1",
               dir_};
  spec.envp = {"ONLY=yes"};
  spec.dir = dir_;
  absl::StatusOr<pid_t> pid = sys_.StartProcess(spec);
  ASSERT_THAT(pid, IsOk());
  const int status = WaitFor(*pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 3) << status;
}

TEST_F(LinuxSysTest, StartProcessMovesExtraFilesDownToThree) {
  std::ofstream(Path("one")) << "1";
  std::ofstream(Path("two")) << "2";
  // Two files at consecutive fds above 3, as init has them.
  UniqueFd a(::open(Path("one").c_str(), O_RDONLY | O_CLOEXEC));
  UniqueFd b(::open(Path("two").c_str(), O_RDONLY | O_CLOEXEC));
  UniqueFd first(::fcntl(a.get(), F_DUPFD_CLOEXEC, 40));
  ASSERT_EQ(first.get(), 40);
  UniqueFd second(::fcntl(b.get(), F_DUPFD_CLOEXEC, 41));
  ASSERT_EQ(second.get(), 41);
  sys::ExecSpec spec;
  spec.path = "/bin/sh";
  spec.argv = {"sh", "-c",
               "[ \"$(cat <&3)$(cat <&4)\" = 12 ] && ! [ -e /proc/self/fd/40 ] "
               "&& exit 5; exit 1"};
  spec.dir = "/";
  spec.extra_first = 40;
  spec.extra_count = 2;
  absl::StatusOr<pid_t> pid = sys_.StartProcess(spec);
  ASSERT_THAT(pid, IsOk());
  const int status = WaitFor(*pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 5) << status;
}

TEST_F(LinuxSysTest, StartProcessReportsWhereTheChildFailed) {
  sys::ExecSpec spec;
  spec.path = "/nonexistent/program";
  spec.dir = "/";
  absl::Status status = sys_.StartProcess(spec).status();
  EXPECT_EQ(GetErrno(status), ENOENT);
  EXPECT_EQ(sys::ExecFailureStep(status), sys::ExecStep::kExecve);
  EXPECT_THAT(status.message(), HasSubstr("execve(\"/nonexistent/program\")"));

  spec.path = "/bin/sh";
  spec.dir = Path("nowhere");
  status = sys_.StartProcess(spec).status();
  EXPECT_EQ(GetErrno(status), ENOENT);
  EXPECT_EQ(sys::ExecFailureStep(status), sys::ExecStep::kChdir);

  spec.dir = "/";
  spec.path = dir_;  // a directory
  status = sys_.StartProcess(spec).status();
  EXPECT_EQ(GetErrno(status), EACCES);
  // The failed child was reaped: no child is left.
  absl::StatusOr<sys::ChildWait> wait = sys_.WaitAnyChild();
  ASSERT_THAT(wait, IsOk());
  EXPECT_EQ(wait->pid, -1);
}

TEST_F(LinuxSysTest, CloexecAndClock) {
  UniqueFd fd(::open("/dev/null", O_RDONLY));
  ASSERT_THAT(sys_.SetCloexec(fd.get()), IsOk());
  EXPECT_EQ(::fcntl(fd.get(), F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
  EXPECT_EQ(GetErrno(sys_.SetCloexec(999)), EBADF);
  const int64_t before = sys_.MonotonicNanos();
  EXPECT_LE(before, sys_.MonotonicNanos());
  EXPECT_FALSE(sys_.Isatty(fd.get()));
}

}  // namespace
}  // namespace kekkai::testing
