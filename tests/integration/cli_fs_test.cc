// End-to-end tests of `kekkai run`'s filesystem options in real namespaces:
// each option's effect observed from inside the container (and, for
// writable binds and overlays, on the host).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/cli_harness.h"
#include "tests/testing/userns.h"

namespace kekkai::cli::testing {
namespace {

using ::testing::HasSubstr;

class CliFsTest : public ::testing::Test {
 protected:
  void SetUp() override { KEKKAI_REQUIRE_USERNS(); }

  // kekkai run <system options> <options> -- sh -c <script>
  static Outcome Sh(const std::vector<std::string>& options,
                    const std::string& script,
                    const SpawnOptions& spawn = {}) {
    std::vector<std::string> args = {"run"};
    for (const std::string& option : SystemOptions()) args.push_back(option);
    args.insert(args.end(), options.begin(), options.end());
    args.insert(args.end(), {"--", "/bin/sh", "-c", script});
    return RunKekkai(args, spawn);
  }
};

TEST_F(CliFsTest, BindIsWritableAndRoBindIsNot) {
  TempDir dir;
  dir.WriteFile("in", "from host\n");
  Outcome outcome =
      Sh({"--bind", dir.path(), "/w", "--ro-bind", dir.path(), "/r"},
         "cat /w/in; echo written > /w/out && echo w-ok;"
         "echo x 2>/dev/null > /r/out2 && echo r-rw || echo r-ro");
  EXPECT_EQ(outcome.exit_code, 0) << outcome.Describe();
  EXPECT_EQ(outcome.out, "from host\nw-ok\nr-ro\n");
  EXPECT_EQ(ReadFile(dir.Sub("out")).value_or(""), "written\n");
  EXPECT_FALSE(ReadFile(dir.Sub("out2")).has_value());
}

TEST_F(CliFsTest, RelativeSourcesAreTakenFromTheCallersCwd) {
  TempDir dir;
  dir.MakeDir("sub");
  dir.WriteFile("sub/f", "relative\n");
  SpawnOptions spawn;
  spawn.cwd = dir.path();
  Outcome outcome = Sh({"--ro-bind", "sub", "/s"}, "cat /s/f", spawn);
  EXPECT_EQ(outcome.exit_code, 0) << outcome.Describe();
  EXPECT_EQ(outcome.out, "relative\n");
}

TEST_F(CliFsTest, TryVariantsSkipMissingSources) {
  TempDir dir;
  dir.WriteFile("f", "present\n");
  Outcome outcome =
      Sh({"--bind-try", dir.Sub("missing"), "/a", "--ro-bind-try",
          dir.Sub("missing"), "/b", "--dev-bind-try", dir.Sub("missing"),
          "/c", "--ro-bind-try", dir.Sub("f"), "/d"},
         "for p in /a /b /c; do test -e $p && echo $p || echo no$p; done;"
         "cat /d");
  EXPECT_EQ(outcome.exit_code, 0) << outcome.Describe();
  EXPECT_EQ(outcome.out, "no/a\nno/b\nno/c\npresent\n");
}

TEST_F(CliFsTest, DevBindKeepsDevicesUsableAndBindDoesNot) {
  Outcome outcome =
      Sh({"--dev-bind", "/dev/null", "/devnull", "--bind", "/dev/null",
          "/nodevnull"},
         "echo x > /devnull && echo dev-ok;"
         "echo x 2>/dev/null > /nodevnull && echo nodev-rw || echo nodev-denied");
  EXPECT_EQ(outcome.exit_code, 0) << outcome.Describe();
  EXPECT_EQ(outcome.out, "dev-ok\nnodev-denied\n");
}

TEST_F(CliFsTest, BindEnsureCreatesTheSource) {
  TempDir dir;
  const std::string source = dir.Sub("made/by/kekkai");
  Outcome outcome =
      Sh({"--bind-ensure", source, "/e"}, "echo kept > /e/f && echo ok");
  EXPECT_EQ(outcome.exit_code, 0) << outcome.Describe();
  EXPECT_EQ(outcome.out, "ok\n");
  EXPECT_EQ(ReadFile(source + "/f").value_or(""), "kept\n");
  struct stat st;
  ASSERT_EQ(stat(source.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
}

TEST_F(CliFsTest, ProcShowsTheContainersPidNamespace) {
  Outcome outcome = Sh({"--proc", "/proc2"},
                       "cut -d' ' -f1 /proc2/self/stat; test -d /proc2/1 && "
                       "echo has-init; test -d /proc2/4 || echo no-pid-4");
  EXPECT_EQ(outcome.exit_code, 0) << outcome.Describe();
  // cut is the shell's child: pid 3 (init is 1, the shell 2).
  EXPECT_EQ(outcome.out, "3\nhas-init\nno-pid-4\n");
}

TEST_F(CliFsTest, DevIsMinimalAndReadOnlyWithMqueueOnRequest) {
  Outcome outcome =
      Sh({"--dev", "/dev2", "--mqueue", "/dev2/mqueue"},
         "ls /dev2 | tr '\\n' ' '; echo;"
         "echo x > /dev2/null && echo null-ok;"
         "touch /dev2/new 2>/dev/null && echo dev-rw || echo dev-ro;"
         "touch /dev2/shm/f && echo shm-ok;"
         "grep -c ' /dev2/mqueue .* mqueue ' /proc/self/mountinfo");
  EXPECT_EQ(outcome.exit_code, 0) << outcome.Describe();
  EXPECT_EQ(outcome.out,
            "core fd full mqueue null ptmx pts random shm stderr stdin "
            "stdout tty urandom zero \nnull-ok\ndev-ro\nshm-ok\n1\n");
}

TEST_F(CliFsTest, TmpfsTakesSizeAndPerms) {
  Outcome outcome =
      Sh({"--size", "1048576", "--perms", "0750", "--tmpfs", "/t",
          "--tmpfs", "/u"},
         "stat -c %a /t /u; grep ' /t ' /proc/self/mountinfo;"
         "touch /t/f && echo rw");
  EXPECT_EQ(outcome.exit_code, 0) << outcome.Describe();
  EXPECT_THAT(outcome.out, HasSubstr("750\n755\n"));
  EXPECT_THAT(outcome.out, HasSubstr("size=1024k"));
  EXPECT_THAT(outcome.out, HasSubstr("\nrw\n"));
}

TEST_F(CliFsTest, DirTakesPerms) {
  Outcome outcome = Sh({"--perms", "0711", "--dir", "/d/e", "--dir", "/f"},
                       "stat -c %a /d/e /f");
  EXPECT_EQ(outcome.exit_code, 0) << outcome.Describe();
  EXPECT_EQ(outcome.out, "711\n755\n");
}

TEST_F(CliFsTest, SymlinkCreatesLinknamePointingAtTarget) {
  Outcome outcome = Sh({"--symlink", "usr/share", "/share", "--symlink",
                        "/nowhere", "/dangling"},
                       "readlink /share /dangling; test -d /share/. && "
                       "echo resolves");
  EXPECT_EQ(outcome.exit_code, 0) << outcome.Describe();
  EXPECT_EQ(outcome.out, "usr/share\n/nowhere\nresolves\n");
}

TEST_F(CliFsTest, RemountRoMakesAWritableBindReadOnly) {
  TempDir dir;
  Outcome outcome =
      Sh({"--bind", dir.path(), "/w", "--remount-ro", "/w"},
         "echo x 2>/dev/null > /w/f && echo rw || echo ro");
  EXPECT_EQ(outcome.exit_code, 0) << outcome.Describe();
  EXPECT_EQ(outcome.out, "ro\n");
  EXPECT_FALSE(ReadFile(dir.Sub("f")).has_value());
}

TEST_F(CliFsTest, RoBindDataPlacesWhatTheFdHolds) {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  const std::string data = "line one\nline two\n";
  ASSERT_EQ(write(fds[1], data.data(), data.size()),
            static_cast<ssize_t>(data.size()));
  close(fds[1]);
  SpawnOptions spawn;
  spawn.fds = {{7, fds[0]}};
  Outcome outcome =
      Sh({"--ro-bind-data", "7", "/etc2/motd"},
         "cat /etc2/motd; echo x 2>/dev/null > /etc2/motd && echo rw || "
         "echo ro",
         spawn);
  close(fds[0]);
  EXPECT_EQ(outcome.exit_code, 0) << outcome.Describe();
  EXPECT_EQ(outcome.out, data + "ro\n");
}

class CliOverlayTest : public CliFsTest {
 protected:
  void SetUp() override {
    CliFsTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    dir_.MakeDir("bottom");
    dir_.MakeDir("top");
    dir_.WriteFile("bottom/a", "bottom-a\n");
    dir_.WriteFile("bottom/b", "bottom-b\n");
    dir_.WriteFile("top/b", "top-b\n");
  }
  TempDir dir_;
};

TEST_F(CliOverlayTest, TmpOverlayStacksInBwrapOrderAndKeepsWritesInside) {
  // bwrap order: the first --overlay-src is the bottom layer.
  Outcome outcome =
      Sh({"--overlay-src", dir_.Sub("bottom"), "--overlay-src",
          dir_.Sub("top"), "--tmp-overlay", "/o"},
         "cat /o/a /o/b; echo new > /o/c && cat /o/c");
  EXPECT_EQ(outcome.exit_code, 0) << outcome.Describe();
  EXPECT_EQ(outcome.out, "bottom-a\ntop-b\nnew\n");
  EXPECT_FALSE(ReadFile(dir_.Sub("top/c")).has_value());
  EXPECT_FALSE(ReadFile(dir_.Sub("bottom/c")).has_value());
}

TEST_F(CliOverlayTest, OverlayWritesGoToUpper) {
  dir_.MakeDir("upper");
  dir_.MakeDir("work");
  Outcome outcome =
      Sh({"--overlay-src", dir_.Sub("bottom"), "--overlay", dir_.Sub("upper"),
          dir_.Sub("work"), "/o"},
         "cat /o/a; echo persisted > /o/c && echo ok");
  EXPECT_EQ(outcome.exit_code, 0) << outcome.Describe();
  EXPECT_EQ(outcome.out, "bottom-a\nok\n");
  EXPECT_EQ(ReadFile(dir_.Sub("upper/c")).value_or(""), "persisted\n");
  // overlayfs leaves work/work with mode 0; make it removable.
  chmod(dir_.Sub("work/work").c_str(), 0700);
}

TEST_F(CliOverlayTest, RoOverlayIsReadOnly) {
  Outcome outcome =
      Sh({"--overlay-src", dir_.Sub("bottom"), "--overlay-src",
          dir_.Sub("top"), "--ro-overlay", "/o"},
         "cat /o/b; echo x 2>/dev/null > /o/c && echo rw || echo ro");
  EXPECT_EQ(outcome.exit_code, 0) << outcome.Describe();
  EXPECT_EQ(outcome.out, "top-b\nro\n");
}

TEST_F(CliFsTest, AutoEtcMirrorsTheHostDirectoryWithSymlinks) {
  TempDir dir;
  dir.MakeDir("etc");
  dir.WriteFile("etc/os-release", "NAME=test\n");
  dir.WriteFile("etc/passwd", "host users\n");
  // The system options without the bind of the host's /etc, then the mirror.
  std::vector<std::string> args = {"run"};
  const std::vector<std::string> system = SystemOptions();
  for (size_t i = 0; i < system.size(); ++i) {
    if (system[i] == "--ro-bind" && system[i + 1] == "/etc") {
      i += 2;
      continue;
    }
    args.push_back(system[i]);
  }
  args.insert(args.end(),
              {"--auto-etc", dir.Sub("etc"), "--", "/bin/sh", "-c",
               "readlink /etc/os-release; cat /etc/os-release;"
               "test -e /etc/passwd && echo passwd || echo no-passwd"});
  Outcome outcome = RunKekkai(args);
  EXPECT_EQ(outcome.exit_code, 0) << outcome.Describe();
  EXPECT_EQ(outcome.out, ".host/host/os-release\nNAME=test\nno-passwd\n");
}

TEST_F(CliFsTest, AutoRootBindsTopLevelEntriesButTheSpecialOnes) {
  TempDir dir;
  dir.MakeDir("data");
  dir.WriteFile("data/f", "root data\n");
  dir.MakeDir("tmp");
  dir.WriteFile("tmp/f", "must not appear\n");
  Outcome outcome = Sh({"--auto-root", dir.path()},
                       "cat /data/f; test -e /tmp/f && echo tmp || echo no-tmp");
  EXPECT_EQ(outcome.exit_code, 0) << outcome.Describe();
  EXPECT_EQ(outcome.out, "root data\nno-tmp\n");
}

}  // namespace
}  // namespace kekkai::cli::testing
