// LinuxSys (common/sys/linux_sys.cc) on the real kernel, for the calls that
// need no privileges: file helpers, error messages that name the call, and
// StartProcess (exec, exec failures, working directory, extra files); and
// StatMount, in a child process inside its own user and mount namespaces.
// The rest of the mounts, pivots and capabilities are exercised in real
// namespaces by tests/integration/init_integration_test.cc.
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status.h"
#include "common/sys/mountinfo.h"
#include "common/sys/sys.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/userns.h"

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

// ---- StatMount -----------------------------------------------------------

// MS_NOSYMFOLLOW is missing from Debian 12's glibc headers.
constexpr unsigned long kMsNoSymFollow = 256;

// What a child run in its own namespaces reported.
struct ChildReport {
  enum Outcome { kDone, kUnsupported, kFailed } outcome = kFailed;
  std::string text;
};

// Runs `body` in a forked child, as uid 0 of a new user namespace (mapped to
// the caller) with a new mount namespace whose mounts are all private, so
// nothing it mounts is seen outside. `body` returns its findings as text, or
// sets `*unsupported` when the kernel lacks what it tests.
ChildReport InMountNamespace(
    const std::function<std::string(bool* unsupported)>& body) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return {ChildReport::kFailed, "pipe2"};
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);
  const uid_t uid = ::getuid();
  const gid_t gid = ::getgid();
  const pid_t pid = ::fork();
  if (pid < 0) return {ChildReport::kFailed, "fork"};
  if (pid == 0) {
    read_end.reset();
    auto report = [&](char outcome, const std::string& text) {
      const std::string out = absl::StrCat(std::string(1, outcome), text);
      (void)!::write(write_end.get(), out.data(), out.size());
      ::_exit(0);
    };
    if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
      report('F', ErrnoStatus(errno, "unshare").ToString());
    }
    for (const auto& [file, text] :
         {std::pair<std::string, std::string>{"/proc/self/setgroups", "deny"},
          {"/proc/self/uid_map", absl::StrCat("0 ", uid, " 1")},
          {"/proc/self/gid_map", absl::StrCat("0 ", gid, " 1")}}) {
      const absl::Status written = sys::LinuxSys().WriteFile(file, text);
      if (!written.ok()) report('F', written.ToString());
    }
    const absl::Status made_private =
        sys::LinuxSys().Mount("", "/", "", MS_REC | MS_PRIVATE, "");
    if (!made_private.ok()) report('F', made_private.ToString());
    bool unsupported = false;
    const std::string text = body(&unsupported);
    report(unsupported ? 'U' : 'D', text);
  }
  write_end.reset();
  absl::StatusOr<std::string> out =
      sys::LinuxSys().ReadAll(read_end.get(), 1 << 20);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!out.ok() || out->empty()) {
    return {ChildReport::kFailed,
            absl::StrCat("the child reported nothing; wait status ", status)};
  }
  const char outcome = (*out)[0];
  return {outcome == 'D'   ? ChildReport::kDone
          : outcome == 'U' ? ChildReport::kUnsupported
                           : ChildReport::kFailed,
          out->substr(1)};
}

// "root sub MS_NOSUID|..." or the error: one line per StatMount answer.
std::string Describe(const absl::StatusOr<sys::MountAttr>& attr) {
  if (!attr.ok()) return attr.status().ToString();
  return absl::StrCat(attr->is_mount_root ? "root" : "inside", " ",
                      attr->has_submounts ? "submounts" : "leaf", " ",
                      sys::MountFlagsToString(attr->flags));
}

// True (and the reason in `*why`) when StatMount fails because this kernel
// predates statmount (6.8).
bool Unsupported(const absl::StatusOr<sys::MountAttr>& attr,
                 std::string* why) {
  const std::optional<int> err = GetErrno(attr.status());
  if (attr.ok() || !err.has_value() || *err != ENOSYS) return false;
  *why = attr.status().ToString();
  return true;
}

// The child's report, or the test's end: a failed child fails the test, and
// a kernel without statmount skips it, unless namespaces are required.
#define KEKKAI_EXPECT_CHILD_DONE(report)                                    \
  do {                                                                      \
    if ((report).outcome == ChildReport::kUnsupported) {                    \
      if (UserNamespacesRequired()) {                                       \
        FAIL() << "statmount required but unavailable: " << (report).text;  \
      }                                                                     \
      GTEST_SKIP() << "statmount unavailable: " << (report).text;           \
    }                                                                       \
    ASSERT_EQ((report).outcome, ChildReport::kDone) << (report).text;       \
  } while (0)

TEST_F(LinuxSysTest, StatMountReportsTheMountAPathIsOn) {
  KEKKAI_REQUIRE_USERNS();
  const std::string m = Path("m");
  const ChildReport report = InMountNamespace([&](bool* unsupported) {
    sys::Sys& sys = sys::LinuxSys();
    std::vector<std::string> lines;
    auto fail = [&](const absl::Status& status) {
      lines.push_back(status.ToString());
      return absl::StrJoin(lines, "\n");
    };
    absl::Status step = sys.Mkdir(m, 0755);
    if (step.ok()) {
      step = sys.Mount("kekkai-test", m, "tmpfs",
                       MS_NOSUID | MS_NODEV | MS_NOATIME, "");
    }
    if (step.ok()) step = sys.Mkdir(m + "/d", 0755);
    if (!step.ok()) return fail(step);
    const absl::StatusOr<sys::MountAttr> fresh = sys.StatMount(m);
    std::string why;
    if (Unsupported(fresh, &why)) {
      *unsupported = true;
      return why;
    }
    lines.push_back(Describe(fresh));
    lines.push_back(Describe(sys.StatMount(m + "/d")));
    // A second tmpfs inside, and a symlink to it (followed like mount(2)).
    step = sys.Mkdir(m + "/sub", 0755);
    if (step.ok()) step = sys.Mount("kekkai-sub", m + "/sub", "tmpfs", 0, "");
    if (step.ok()) step = sys.Symlink("sub", m + "/link");
    if (!step.ok()) return fail(step);
    lines.push_back(Describe(sys.StatMount(m)));
    lines.push_back(Describe(sys.StatMount(m + "/link")));
    lines.push_back(Describe(sys.StatMount(m + "/missing")));
    // Remount (the fast path: a mount root, nothing recursive) adds ro and
    // keeps noatime; then StatMount sees the new flags.
    step = sys.Remount(m + "/sub", MS_RDONLY | MS_NODEV);
    if (!step.ok()) return fail(step);
    lines.push_back(Describe(sys.StatMount(m + "/sub")));
    return absl::StrJoin(lines, "\n");
  });
  KEKKAI_EXPECT_CHILD_DONE(report);
  const std::string tmpfs_flags =
      sys::MountFlagsToString(MS_NOSUID | MS_NODEV | MS_NOATIME);
  const std::vector<std::string> lines = absl::StrSplit(report.text, '\n');
  EXPECT_THAT(
      lines,
      ElementsAre(
          absl::StrCat("root leaf ", tmpfs_flags),
          absl::StrCat("inside leaf ", tmpfs_flags),
          absl::StrCat("root submounts ", tmpfs_flags),
          absl::StrCat("root leaf ", sys::MountFlagsToString(MS_RELATIME)),
          HasSubstr(absl::StrCat("statx(\"", m, "/missing\", "
                                 "STATX_MNT_ID_UNIQUE): No such file")),
          absl::StrCat("root leaf ",
                       sys::MountFlagsToString(MS_RDONLY | MS_NOSUID |
                                               MS_NODEV | MS_RELATIME))))
      << report.text;
}

// StatMount's flags are what MountInfoEntry::Flags() reads from the same
// mount's line in /proc/self/mountinfo, so both remount paths pass the same
// flags to mount(2).
TEST_F(LinuxSysTest, StatMountFlagsMatchMountinfo) {
  KEKKAI_REQUIRE_USERNS();
  struct Case {
    std::string name;
    unsigned long flags;    // of the tmpfs mounted there
    bool read_only_bind;    // then bound onto itself and remounted ro
  };
  const std::vector<Case> cases = {
      {"relatime", 0, false},
      {"strictatime", MS_STRICTATIME, false},
      {"noatime", MS_NOATIME | MS_NOEXEC, false},
      {"nodiratime", MS_NODIRATIME | MS_NOSUID, false},
      {"nosymfollow", kMsNoSymFollow | MS_NODEV, false},
      {"ro-bind", MS_NOSUID, true},
  };
  const ChildReport report = InMountNamespace([&](bool* unsupported) {
    sys::Sys& sys = sys::LinuxSys();
    std::vector<std::string> lines;
    for (const Case& c : cases) {
      const std::string path = Path(c.name);
      absl::Status step = sys.Mkdir(path, 0755);
      if (step.ok()) step = sys.Mount(c.name, path, "tmpfs", c.flags, "");
      // MS_NOSYMFOLLOW is Linux 5.10: a kernel without it is not this
      // test's business, and the line says so.
      if (!step.ok() && c.name == "nosymfollow" && GetErrno(step) == EINVAL) {
        lines.push_back(absl::StrCat(c.name, " skipped"));
        continue;
      }
      if (step.ok() && c.read_only_bind) {
        step = sys.Mount(path, path, "", MS_BIND, "");
        if (step.ok()) {
          step = sys.Mount("none", path, "",
                           MS_BIND | MS_REMOUNT | MS_RDONLY | c.flags, "");
        }
      }
      if (!step.ok()) return step.ToString();
      const absl::StatusOr<sys::MountAttr> attr = sys.StatMount(path);
      std::string why;
      if (Unsupported(attr, &why)) {
        *unsupported = true;
        return why;
      }
      if (!attr.ok()) return attr.status().ToString();
      absl::StatusOr<std::string> text = sys.ReadFile("/proc/self/mountinfo");
      if (!text.ok()) return text.status().ToString();
      absl::StatusOr<std::vector<sys::MountInfoEntry>> entries =
          sys::ParseMountInfo(*text);
      if (!entries.ok()) return entries.status().ToString();
      // The last line at the path is the mount on top, the one statx sees.
      std::string from_mountinfo = "no line";
      for (const sys::MountInfoEntry& entry : *entries) {
        if (entry.target == path) {
          from_mountinfo = sys::MountFlagsToString(entry.Flags());
        }
      }
      lines.push_back(absl::StrCat(c.name, " ",
                                   sys::MountFlagsToString(attr->flags), " ",
                                   from_mountinfo));
    }
    return absl::StrJoin(lines, "\n");
  });
  KEKKAI_EXPECT_CHILD_DONE(report);
  const std::vector<std::string> lines = absl::StrSplit(report.text, '\n');
  ASSERT_EQ(lines.size(), cases.size()) << report.text;
  for (size_t i = 0; i < cases.size(); ++i) {
    const std::vector<std::string> f = absl::StrSplit(lines[i], ' ');
    ASSERT_GE(f.size(), 2u) << lines[i];
    ASSERT_EQ(f[0], cases[i].name) << lines[i];
    if (f[1] == "skipped") continue;
    ASSERT_EQ(f.size(), 3u) << lines[i];
    EXPECT_EQ(f[1], f[2]) << cases[i].name << ": statmount vs mountinfo";
  }
  // Not vacuous: the flags are the ones mounted (MS_STRICTATIME shows as no
  // atime flag at all, in both).
  EXPECT_THAT(lines, ::testing::Contains(absl::StrCat(
                         "relatime ", sys::MountFlagsToString(MS_RELATIME),
                         " ", sys::MountFlagsToString(MS_RELATIME))));
  EXPECT_THAT(lines, ::testing::Contains("strictatime 0 0"));
  const std::string ro =
      sys::MountFlagsToString(MS_RDONLY | MS_NOSUID | MS_RELATIME);
  EXPECT_THAT(lines, ::testing::Contains(
                         absl::StrCat("ro-bind ", ro, " ", ro)));
  const std::string noatime =
      sys::MountFlagsToString(MS_NOEXEC | MS_NOATIME);
  EXPECT_THAT(lines, ::testing::Contains(
                         absl::StrCat("noatime ", noatime, " ", noatime)));
}

}  // namespace
}  // namespace kekkai::testing
