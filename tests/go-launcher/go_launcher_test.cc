// kekkai-init driven by a Go launcher that uses encoding/gob
// (kekkai-go-launcher, main.go): the params are decoded and re-encoded by
// Go's own gob package, and init is started the way hakurei's launcher
// starts it. A container with all eleven ops must work, as root and as an
// unprivileged user (kekkai_test's .unprivileged variant).
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/gob/gob.h"
#include "common/ops_builder.h"
#include "common/params.h"
#include "common/sys/mountinfo.h"
#include "common/unique_fd.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/test_paths.h"
#include "tests/testing/userns.h"

namespace kekkai::testing {
namespace {

using ::testing::HasSubstr;

struct Outcome {
  int status = -1;  // wait status of the launcher
  std::string out;
  std::string err;
  int exit_code() const {
    return status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::string Describe() const {
    return absl::StrCat("status ", status, "\n--- stdout ---\n", out,
                        "--- stderr ---\n", err);
  }
};

std::string ReadFd(int fd) {
  std::string data;
  char buffer[8192];
  off_t offset = 0;
  for (ssize_t n; (n = ::pread(fd, buffer, sizeof(buffer), offset)) > 0;
       offset += n) {
    data.append(buffer, static_cast<size_t>(n));
  }
  return data;
}

// Runs the Go launcher with `input` on stdin.
Outcome RunLauncher(const std::string& input, std::vector<std::string> args) {
  UniqueFd in(::memfd_create("stdin", MFD_CLOEXEC));
  UniqueFd out(::memfd_create("stdout", MFD_CLOEXEC));
  UniqueFd err(::memfd_create("stderr", MFD_CLOEXEC));
  EXPECT_EQ(::write(in.get(), input.data(), input.size()),
            static_cast<ssize_t>(input.size()));
  ::lseek(in.get(), 0, SEEK_SET);
  std::vector<std::string> argv_strings = {BinaryPath("kekkai-go-launcher"),
                                           "-init", BinaryPath("kekkai-init")};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::string path_env = "PATH=/usr/bin:/bin";
  char* envp[] = {path_env.data(), nullptr};

  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::dup2(in.get(), 0) < 0 || ::dup2(out.get(), 1) < 0 ||
        ::dup2(err.get(), 2) < 0) {
      _exit(126);
    }
    ::execve(argv[0], argv.data(), envp);
    _exit(127);
  }
  Outcome outcome;
  ::waitpid(pid, &outcome.status, 0);
  outcome.out = ReadFd(out.get());
  outcome.err = ReadFd(err.get());
  return outcome;
}

std::string Value(const std::string& out, const std::string& key) {
  const std::string prefix = key + ": ";
  for (absl::string_view line : absl::StrSplit(out, '\n')) {
    if (absl::StartsWith(line, prefix)) {
      return std::string(line.substr(prefix.size()));
    }
  }
  return "<missing>";
}

int64_t ReadSysctl(const char* path) {
  std::ifstream in(path);
  int64_t value = -1;
  in >> value;
  return value;
}

class TempDir {
 public:
  TempDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = absl::StrCat(tmp != nullptr ? tmp : "/tmp",
                                    "/kekkai-go-launcher-test.XXXXXX");
    if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
    ::chmod(path_.c_str(), 0755);
  }
  ~TempDir() {
    int unused = std::system(absl::StrCat("rm -rf '", path_, "'").c_str());
    (void)unused;
  }
  std::string Sub(const std::string& name) const {
    return absl::StrCat(path_, "/", name);
  }
  void Mkdir(const std::string& name) const { ::mkdir(Sub(name).c_str(), 0755); }
  void Write(const std::string& name, const std::string& data) const {
    std::ofstream(Sub(name)) << data;
  }

 private:
  std::string path_;
};

class GoLauncherTest : public ::testing::Test {
 protected:
  void SetUp() override { KEKKAI_REQUIRE_USERNS(); }

  static OpsBuilder BaseOps() {
    OpsBuilder ops;
    ops.Bind("/usr", "/usr")
        .Bind("/lib", "/lib", kBindOptional)
        .Bind("/lib64", "/lib64", kBindOptional)
        .Bind(BinaryPath("kekkai-init-probe"), "/probe");
    return ops;
  }

  static std::string Stream(OpsBuilder& ops, std::vector<std::string> args) {
    InitParams init;
    Params& p = init.params;
    p.path = AbsolutePath::Literal("/probe");
    p.args = {"probe"};
    p.args.insert(p.args.end(), args.begin(), args.end());
    p.env = {"PATH=/usr/bin"};
    p.hostname = "kekkai-go";
    p.seccomp_presets = kPresetExt | kPresetDenyNS | kPresetDenyDevel;
    absl::StatusOr<OpList> list = ops.Build();
    EXPECT_TRUE(list.ok()) << list.status();
    if (list.ok()) p.ops = *std::move(list);
    ApplyLauncherDefaults(p, ReadSysctl("/proc/sys/kernel/overflowuid"),
                          ReadSysctl("/proc/sys/kernel/overflowgid"));
    absl::StatusOr<std::string> stream = gob::Encode(init);
    EXPECT_TRUE(stream.ok()) << stream.status();
    return stream.ok() ? *stream : "";
  }
};

TEST_F(GoLauncherTest, AContainerWithAllElevenOps) {
  TempDir dir;
  for (const char* d : {"lower", "upper", "work", "a", "b", "etc", "root",
                        "root/data"}) {
    dir.Mkdir(d);
  }
  dir.Write("lower/file", "lower");
  dir.Write("a/top", "a");
  dir.Write("b/top", "b");
  dir.Write("etc/hosts", "127.0.0.1 localhost");
  dir.Write("root/data/file", "auto-root");
  dir.Write("extra", "extra file");
  ::symlink("/target/of/link", dir.Sub("etc/link").c_str());

  OpsBuilder ops = BaseOps();  // bind
  ops.Proc("/proc")                                        // proc
      .Dev("/dev", true)                                   // dev
      .Tmpfs("/tmp", 0, 01777)                             // tmpfs
      .OverlayEphemeral("/ephemeral", {dir.Sub("lower")})  // overlay
      .Overlay("/persistent", dir.Sub("upper"), dir.Sub("work"),
               {dir.Sub("lower")})
      .OverlayReadonly("/layers", {dir.Sub("a"), dir.Sub("b")})
      .Mkdir("/var/empty", 0700)                           // mkdir
      .Place("/etc/hostname", "kekkai-go")                 // tmpfile
      .Link("/link", dir.Sub("etc/link"), true)            // symlink
      .Etc(dir.Sub("etc"), "go")                           // auto-etc
      .Root(dir.Sub("root"), 0)                            // auto-root
      .Remount("/", MS_RDONLY);                            // remount
  const Outcome r = RunLauncher(
      Stream(ops, {"ids", "hostname", "pid", "cat=/etc/hostname",
                   "readlink=/link", "cat=/etc/hosts", "cat=/data/file",
                   "write=/ephemeral/new", "write=/persistent/new",
                   "cat=/layers/top", "write=/layers/x", "mode=/var/empty",
                   "write=/tmp/x", "write=/x", "cat=/dev/null", "fd=3",
                   "status", "mountinfo", "exit=7"}),
      {"-extra", dir.Sub("extra")});
  ASSERT_EQ(r.exit_code(), 7) << r.Describe();
  EXPECT_EQ(Value(r.out, "ids"),
            absl::StrCat(ReadSysctl("/proc/sys/kernel/overflowuid"), " ",
                         ReadSysctl("/proc/sys/kernel/overflowgid")));
  EXPECT_EQ(Value(r.out, "hostname"), "kekkai-go");
  EXPECT_EQ(Value(r.out, "pid"), "2");
  EXPECT_EQ(Value(r.out, "cat=/etc/hostname"), "kekkai-go");
  EXPECT_EQ(Value(r.out, "readlink=/link"), "/target/of/link");
  EXPECT_EQ(Value(r.out, "cat=/etc/hosts"), "127.0.0.1 localhost");
  EXPECT_EQ(Value(r.out, "cat=/data/file"), "auto-root");
  EXPECT_EQ(Value(r.out, "write=/ephemeral/new"), "ok");
  EXPECT_EQ(Value(r.out, "write=/persistent/new"), "ok");
  EXPECT_EQ(Value(r.out, "cat=/layers/top"), "a");
  EXPECT_EQ(Value(r.out, "write=/layers/x"), "error EROFS");
  EXPECT_EQ(Value(r.out, "mode=/var/empty"), "40700");
  EXPECT_EQ(Value(r.out, "write=/tmp/x"), "ok");
  EXPECT_EQ(Value(r.out, "write=/x"), "error EROFS");  // the remount
  EXPECT_EQ(Value(r.out, "cat=/dev/null"), "");
  EXPECT_EQ(Value(r.out, "fd=3"), "extra file");
  EXPECT_THAT(r.out, HasSubstr("status: CapEff:\t0000000000000000"));
  EXPECT_THAT(r.out, HasSubstr("status: CapBnd:\t0000000000000000"));
  EXPECT_THAT(r.out, HasSubstr("status: NoNewPrivs:\t1"));
  EXPECT_THAT(r.out, HasSubstr("status: Seccomp:\t2"));
  EXPECT_THAT(r.out, HasSubstr(" /dev/mqueue "));
  EXPECT_THAT(r.out, HasSubstr(" - overlay overlay "));
  // The persistent upper layer got the write; the lower one did not.
  std::ifstream upper(dir.Sub("upper/new"));
  EXPECT_TRUE(upper.good());
  std::ifstream lower(dir.Sub("lower/new"));
  EXPECT_FALSE(lower.good());
  EXPECT_EQ(r.err, "");
}

TEST_F(GoLauncherTest, StatusesAndFailuresComeThrough) {
  {
    OpsBuilder ops = BaseOps();
    const Outcome r = RunLauncher(Stream(ops, {"raise=9"}), {});
    EXPECT_EQ(r.exit_code(), 128 + SIGKILL) << r.Describe();
  }
  {
    OpsBuilder ops = BaseOps();
    ops.Bind("/nonexistent/go", "/x");
    const Outcome r = RunLauncher(Stream(ops, {}), {});
    EXPECT_EQ(r.exit_code(), 1) << r.Describe();
    EXPECT_EQ(r.err,
              "kekkai-init: cannot bind /nonexistent/go on /x (op 4: bind): "
              "no such file or directory\n");
  }
}

TEST_F(GoLauncherTest, ParamsWrittenInGoFromJson) {
  // The canonical JSON of ../shared/gob-vectors, turned into Go values and
  // encoded by Go alone.
  const std::string json = absl::StrCat(R"({
  "Params": {
    "Path": "/probe",
    "Args": ["probe", "env", "hostname", "exit=3"],
    "Env": ["FROM=go"],
    "Hostname": "from-json",
    "Uid": 1000, "Gid": 1000,
    "AdoptWaitDelay": 5000000000,
    "SeccompPresets": 15,
    "Ops": [
      {"type": "*container.BindMountOp", "value": {"Source": "/usr", "Target": "/usr", "Flags": 0}},
      {"type": "*container.BindMountOp", "value": {"Source": "/lib", "Target": "/lib", "Flags": 1}},
      {"type": "*container.BindMountOp", "value": {"Source": "/lib64", "Target": "/lib64", "Flags": 1}},
      {"type": "*container.BindMountOp", "value": {"Source": ")",
                                        BinaryPath("kekkai-init-probe"),
                                        R"(", "Target": "/probe", "Flags": 0}},
      {"type": "*container.MountProcOp", "value": {"Target": "/proc"}}
    ]
  }
})");
  const Outcome r = RunLauncher(json, {"-json"});
  ASSERT_EQ(r.exit_code(), 3) << r.Describe();
  EXPECT_EQ(Value(r.out, "env"), "FROM=go");
  EXPECT_EQ(Value(r.out, "envcount"), "1");
  EXPECT_EQ(Value(r.out, "hostname"), "from-json");
}

}  // namespace
}  // namespace kekkai::testing
