// kekkai-init in real namespaces, started the way hakurei's Go launcher
// starts it (init_launcher.h), with kekkai-init-probe as the payload
// reporting what it sees from inside. Every test also runs as uid 65534
// (kekkai_test's .unprivileged variant).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/ops_builder.h"
#include "common/params.h"
#include "common/setup_report.h"
#include "common/sys/mountinfo.h"
#include "common/unique_fd.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/init_launcher.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_paths.h"
#include "tests/testing/userns.h"

namespace kekkai::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

int64_t ReadSysctl(const char* path) {
  std::ifstream in(path);
  int64_t value = -1;
  in >> value;
  return value;
}

// What the probe printed for one command: every "<key>: <value>" line.
std::vector<std::string> Values(const std::string& out, const std::string& key) {
  std::vector<std::string> values;
  const std::string prefix = key + ": ";
  for (absl::string_view line : absl::StrSplit(out, '\n')) {
    if (absl::StartsWith(line, prefix)) {
      values.emplace_back(line.substr(prefix.size()));
    }
  }
  return values;
}

std::string Value(const std::string& out, const std::string& key) {
  std::vector<std::string> values = Values(out, key);
  return values.empty() ? "<missing>" : values.front();
}

std::vector<sys::MountInfoEntry> Mounts(const std::string& out) {
  std::string text;
  for (const std::string& line : Values(out, "mountinfo")) {
    absl::StrAppend(&text, line, "\n");
  }
  absl::StatusOr<std::vector<sys::MountInfoEntry>> entries =
      sys::ParseMountInfo(text);
  EXPECT_TRUE(entries.ok()) << entries.status();
  return entries.ok() ? *entries : std::vector<sys::MountInfoEntry>{};
}

// The last (visible) mount at `target`.
const sys::MountInfoEntry* MountAt(const std::vector<sys::MountInfoEntry>& all,
                                   const std::string& target) {
  const sys::MountInfoEntry* found = nullptr;
  for (const sys::MountInfoEntry& e : all) {
    if (e.target == target) found = &e;
  }
  return found;
}

std::string OptionsAt(const std::vector<sys::MountInfoEntry>& all,
                      const std::string& target) {
  const sys::MountInfoEntry* e = MountAt(all, target);
  return e == nullptr ? "<no mount>" : e->vfs_options;
}

bool HasOption(const std::string& options, const std::string& option) {
  for (absl::string_view o : absl::StrSplit(options, ',')) {
    if (o == option) return true;
  }
  return false;
}

MATCHER_P(HasOpt, option, absl::StrCat("has mount option ", option)) {
  return HasOption(arg, option);
}

// A scratch directory for host-side files, removed at the end.
class TempDir {
 public:
  TempDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = absl::StrCat(tmp != nullptr ? tmp : "/tmp",
                                    "/kekkai-init-test.XXXXXX");
    path_ = ::mkdtemp(tmpl.data()) != nullptr ? tmpl : "";
    EXPECT_FALSE(path_.empty()) << "mkdtemp";
    ::chmod(path_.c_str(), 0755);
  }
  ~TempDir() {
    if (!path_.empty()) {
      std::string command = absl::StrCat("rm -rf '", path_, "'");
      int unused = std::system(command.c_str());
      (void)unused;
    }
  }
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const {
    return absl::StrCat(path_, "/", name);
  }
  void Write(const std::string& name, const std::string& data) const {
    std::ofstream(Sub(name)) << data;
  }
  void Mkdir(const std::string& name) const {
    ::mkdir(Sub(name).c_str(), 0755);
  }

 private:
  std::string path_;
};

std::string ReadHostFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class InitIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override { KEKKAI_REQUIRE_USERNS(); }

  // The ops every container here needs for the probe to run: its shared
  // libraries and itself, plus proc.
  static OpsBuilder BaseOps() {
    OpsBuilder ops;
    ops.Bind("/usr", "/usr")
        .Bind("/lib", "/lib", kBindOptional)
        .Bind("/lib64", "/lib64", kBindOptional)
        .Bind(BinaryPath("kekkai-init-probe"), "/probe")
        .Proc("/proc");
    return ops;
  }

  // Params as a hakurei launcher sends them after its normalisation.
  static InitParams ParamsFor(OpsBuilder& ops,
                              std::vector<std::string> probe_args) {
    InitParams init;
    Params& p = init.params;
    p.path = AbsolutePath::Literal("/probe");
    p.args = {"probe"};
    p.args.insert(p.args.end(), probe_args.begin(), probe_args.end());
    p.env = {"PATH=/usr/bin:/bin", "KEKKAI_TEST=1"};
    p.hostname = "kekkai-test";
    p.seccomp_presets = kPresetExt | kPresetDenyNS | kPresetDenyDevel;
    absl::StatusOr<OpList> list = ops.Build();
    EXPECT_TRUE(list.ok()) << list.status();
    if (list.ok()) p.ops = *std::move(list);
    ApplyLauncherDefaults(p, ReadSysctl("/proc/sys/kernel/overflowuid"),
                          ReadSysctl("/proc/sys/kernel/overflowgid"));
    init.host_uid = ::getuid();
    init.host_gid = ::getgid();
    return init;
  }

  static LaunchResult Run(OpsBuilder ops, std::vector<std::string> args) {
    LaunchSpec spec;
    spec.params = ParamsFor(ops, std::move(args));
    return RunInit(std::move(spec));
  }
};

// ---- identity ------------------------------------------------------------

TEST_F(InitIntegrationTest, PayloadRunsAsPid2WithTheSentIdentity) {
  OpsBuilder ops = BaseOps();
  LaunchSpec spec;
  spec.params = ParamsFor(ops, {"pid", "ids", "hostname", "lines=/proc/self/uid_map",
                                "lines=/proc/self/gid_map",
                                "cat=/proc/self/setgroups", "argv0"});
  spec.params.params.uid = 1000;
  spec.params.params.gid = 100;
  spec.params.params.args[0] = "custom-argv0";
  const LaunchResult r = RunInit(std::move(spec));
  ASSERT_EQ(r.exit_code(), 0) << r.Describe();
  EXPECT_EQ(Value(r.out, "pid"), "2");
  EXPECT_EQ(Value(r.out, "ids"), "1000 100");
  EXPECT_EQ(Value(r.out, "hostname"), "kekkai-test");
  EXPECT_EQ(Value(r.out, "argv0"), "custom-argv0");
  const std::vector<std::string> uid_map =
      absl::StrSplit(Value(r.out, "lines=/proc/self/uid_map"), ' ',
                     absl::SkipEmpty());
  EXPECT_THAT(uid_map, ElementsAre("1000", absl::StrCat(::getuid()), "1"));
  const std::vector<std::string> gid_map =
      absl::StrSplit(Value(r.out, "lines=/proc/self/gid_map"), ' ',
                     absl::SkipEmpty());
  EXPECT_THAT(gid_map, ElementsAre("100", absl::StrCat(::getgid()), "1"));
  EXPECT_EQ(Value(r.out, "cat=/proc/self/setgroups"), "deny\\n");
  EXPECT_THAT(r.err, IsEmpty());
}

TEST_F(InitIntegrationTest, OverflowIdsByDefault) {
  const LaunchResult r = Run(BaseOps(), {"ids"});
  ASSERT_EQ(r.exit_code(), 0) << r.Describe();
  EXPECT_EQ(Value(r.out, "ids"),
            absl::StrCat(ReadSysctl("/proc/sys/kernel/overflowuid"), " ",
                         ReadSysctl("/proc/sys/kernel/overflowgid")));
}

// ---- privileges ------------------------------------------------------------

std::map<std::string, std::string> Status(const std::string& out) {
  std::map<std::string, std::string> status;
  for (const std::string& line : Values(out, "status")) {
    std::vector<std::string> kv =
        absl::StrSplit(line, absl::MaxSplits(':', 1));
    if (kv.size() == 2) {
      status[kv[0]] = std::string(absl::StripAsciiWhitespace(kv[1]));
    }
  }
  return status;
}

TEST_F(InitIntegrationTest, NoCapabilitiesNoNewPrivsAndAFilter) {
  const LaunchResult r =
      Run(BaseOps(), {"status", "try=unshare", "try=mount", "try=personality",
                      "try=bluetooth"});
  ASSERT_EQ(r.exit_code(), 0) << r.Describe();
  std::map<std::string, std::string> status = Status(r.out);
  for (const char* set : {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"}) {
    EXPECT_EQ(status[set], "0000000000000000") << set;
  }
  EXPECT_EQ(status["NoNewPrivs"], "1");
  EXPECT_EQ(status["Seccomp"], "2");
  EXPECT_EQ(Value(r.out, "try=unshare"), "error EPERM");
  EXPECT_EQ(Value(r.out, "try=mount"), "error EPERM");
  EXPECT_EQ(Value(r.out, "try=personality"), "error EPERM");
  EXPECT_EQ(Value(r.out, "try=bluetooth"), "error EAFNOSUPPORT");
}

TEST_F(InitIntegrationTest, PrivilegedKeepsOnlySysAdmin) {
  OpsBuilder ops = BaseOps();
  LaunchSpec spec;
  spec.params = ParamsFor(ops, {"status"});
  spec.params.params.privileged = true;
  const LaunchResult r = RunInit(std::move(spec));
  ASSERT_EQ(r.exit_code(), 0) << r.Describe();
  std::map<std::string, std::string> status = Status(r.out);
  for (const char* set : {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"}) {
    EXPECT_EQ(status[set], "0000000000200000") << set;  // CAP_SYS_ADMIN
  }
}

TEST_F(InitIntegrationTest, SeccompDisableLoadsNoFilter) {
  OpsBuilder ops = BaseOps();
  LaunchSpec spec;
  spec.params = ParamsFor(ops, {"status", "try=unshare"});
  spec.params.params.seccomp_disable = true;
  const LaunchResult r = RunInit(std::move(spec));
  ASSERT_EQ(r.exit_code(), 0) << r.Describe();
  EXPECT_EQ(Status(r.out)["Seccomp"], "0");
  EXPECT_EQ(Status(r.out)["NoNewPrivs"], "1");  // from the launcher
  // A nested user namespace is allowed without the namespace preset.
  EXPECT_EQ(Value(r.out, "try=unshare"), "ok");
}

TEST_F(InitIntegrationTest, ExplicitRulesReplaceThePresets) {
  OpsBuilder ops = BaseOps();
  LaunchSpec spec;
  spec.params = ParamsFor(ops, {"try=personality", "try=unshare"});
  // Only personality(2) (x86_64 number 135) denied.
  spec.params.params.seccomp_rules = {NativeRule{135, EPERM, std::nullopt}};
  const LaunchResult r = RunInit(std::move(spec));
  ASSERT_EQ(r.exit_code(), 0) << r.Describe();
  EXPECT_EQ(Value(r.out, "try=personality"), "error EPERM");
  // unshare(CLONE_NEWUSER) is not filtered any more.
  EXPECT_EQ(Value(r.out, "try=unshare"), "ok");
}

// ---- the filesystem, op by op ----------------------------------------------

TEST_F(InitIntegrationTest, MountinfoShowsEveryOpWithItsFlags) {
  TempDir dir;
  dir.Mkdir("rw");
  dir.Mkdir("ro");
  dir.Mkdir("ro/sub");
  OpsBuilder ops = BaseOps();
  ops.Bind(dir.Sub("rw"), "/mnt/rw", kBindWritable)
      .Bind(dir.Sub("ro"), "/mnt/ro")
      .Bind("/dev", "/mnt/devbind", kBindWritable | kBindDevice)
      .Dev("/dev", true)
      .Tmpfs("/tmp", 1 << 20, 0750)
      .Readonly("/mnt/readonly", 0755)
      .Place("/etc/hostname", "kekkai-test\n")
      .Mkdir("/var/lib/empty", 0700)
      .Link("/etc/mtab", "/proc/mounts");
  const LaunchResult r = Run(std::move(ops), {"mountinfo"});
  ASSERT_EQ(r.exit_code(), 0) << r.Describe();
  const std::vector<sys::MountInfoEntry> m = Mounts(r.out);

  // Read-only binds: ro, nosuid, nodev.
  for (const char* target : {"/usr", "/probe", "/mnt/ro"}) {
    const std::string options = OptionsAt(m, target);
    EXPECT_THAT(options, HasOpt("ro")) << target;
    EXPECT_THAT(options, HasOpt("nosuid")) << target;
    EXPECT_THAT(options, HasOpt("nodev")) << target;
  }
  EXPECT_THAT(OptionsAt(m, "/mnt/rw"), HasOpt("rw"));
  EXPECT_THAT(OptionsAt(m, "/mnt/rw"), HasOpt("nosuid"));
  EXPECT_THAT(OptionsAt(m, "/mnt/rw"), HasOpt("nodev"));
  // A device bind keeps devices usable (no nodev) but is still nosuid.
  EXPECT_THAT(OptionsAt(m, "/mnt/devbind"), Not(HasOpt("nodev")));
  EXPECT_THAT(OptionsAt(m, "/mnt/devbind"), HasOpt("nosuid"));

  const sys::MountInfoEntry* proc = MountAt(m, "/proc");
  ASSERT_NE(proc, nullptr);
  EXPECT_EQ(proc->fstype, "proc");
  for (const char* o : {"nosuid", "nodev", "noexec", "rw"}) {
    EXPECT_THAT(proc->vfs_options, HasOpt(o));
  }

  // dev: a read-only tmpfs named devtmpfs, device binds without nodev, a
  // fresh devpts, a writable shm, an mqueue.
  const sys::MountInfoEntry* dev = MountAt(m, "/dev");
  ASSERT_NE(dev, nullptr);
  EXPECT_EQ(dev->fstype, "tmpfs");
  EXPECT_EQ(dev->source, "devtmpfs");
  EXPECT_THAT(dev->vfs_options, HasOpt("ro"));
  EXPECT_THAT(dev->vfs_options, HasOpt("nosuid"));
  EXPECT_THAT(dev->vfs_options, HasOpt("nodev"));
  for (const char* node : {"null", "zero", "full", "random", "urandom", "tty"}) {
    const std::string options = OptionsAt(m, absl::StrCat("/dev/", node));
    EXPECT_THAT(options, HasOpt("rw")) << node;
    EXPECT_THAT(options, HasOpt("nosuid")) << node;
    EXPECT_THAT(options, Not(HasOpt("nodev"))) << node;
  }
  const sys::MountInfoEntry* pts = MountAt(m, "/dev/pts");
  ASSERT_NE(pts, nullptr);
  EXPECT_EQ(pts->fstype, "devpts");
  EXPECT_THAT(pts->vfs_options, HasOpt("noexec"));
  EXPECT_THAT(pts->fs_options, HasSubstr("ptmxmode=666"));
  const sys::MountInfoEntry* shm = MountAt(m, "/dev/shm");
  ASSERT_NE(shm, nullptr);
  EXPECT_EQ(shm->fstype, "tmpfs");
  EXPECT_THAT(shm->vfs_options, HasOpt("rw"));
  // mode=1777 is tmpfs's default, which mountinfo leaves out.
  EXPECT_THAT(shm->fs_options, Not(HasSubstr("mode=")));
  const sys::MountInfoEntry* mqueue = MountAt(m, "/dev/mqueue");
  ASSERT_NE(mqueue, nullptr);
  EXPECT_EQ(mqueue->fstype, "mqueue");

  const sys::MountInfoEntry* tmp = MountAt(m, "/tmp");
  ASSERT_NE(tmp, nullptr);
  EXPECT_EQ(tmp->source, "ephemeral");
  EXPECT_THAT(tmp->vfs_options, HasOpt("rw"));
  EXPECT_THAT(tmp->fs_options, HasSubstr("size=1024k"));
  EXPECT_THAT(tmp->fs_options, HasSubstr("mode=750"));
  const sys::MountInfoEntry* ro = MountAt(m, "/mnt/readonly");
  ASSERT_NE(ro, nullptr);
  EXPECT_EQ(ro->source, "readonly");
  EXPECT_THAT(ro->vfs_options, HasOpt("ro"));

  const sys::MountInfoEntry* placed = MountAt(m, "/etc/hostname");
  ASSERT_NE(placed, nullptr);
  EXPECT_EQ(placed->source, "rootfs");  // the intermediate root's tmpfs
  EXPECT_THAT(placed->vfs_options, HasOpt("ro"));
  EXPECT_THAT(placed->vfs_options, HasOpt("nodev"));
  EXPECT_THAT(placed->vfs_options, HasOpt("nosuid"));
}

TEST_F(InitIntegrationTest, ReadOnlyBindsRefuseWritesAndRemounts) {
  TempDir dir;
  dir.Mkdir("ro");
  dir.Mkdir("rw");
  OpsBuilder ops = BaseOps();
  ops.Bind(dir.Sub("ro"), "/ro")
      .Bind(dir.Sub("rw"), "/rw", kBindWritable)
      .Readonly("/readonly", 0755);
  const LaunchResult r =
      Run(std::move(ops), {"write=/ro/x", "write=/usr/x", "write=/readonly/x",
                           "remount=/ro", "remount=/usr", "write=/rw/x"});
  ASSERT_EQ(r.exit_code(), 0) << r.Describe();
  EXPECT_EQ(Value(r.out, "write=/ro/x"), "error EROFS");
  EXPECT_EQ(Value(r.out, "write=/usr/x"), "error EROFS");
  EXPECT_EQ(Value(r.out, "write=/readonly/x"), "error EROFS");
  // Filtered (the namespace preset) or refused by the kernel: never ok.
  EXPECT_THAT(Value(r.out, "remount=/ro"), StartsWith("error"));
  EXPECT_THAT(Value(r.out, "remount=/usr"), StartsWith("error"));
  EXPECT_EQ(Value(r.out, "write=/rw/x"), "ok");
  EXPECT_EQ(ReadHostFile(dir.Sub("rw/x")), "written\n");
}

TEST_F(InitIntegrationTest, WithoutAFilterTheKernelStillRefusesRemounts) {
  TempDir dir;
  dir.Mkdir("ro");
  OpsBuilder ops = BaseOps();
  ops.Bind(dir.Sub("ro"), "/ro");
  LaunchSpec spec;
  spec.params = ParamsFor(ops, {"remount=/ro", "write=/ro/x"});
  spec.params.params.seccomp_disable = true;
  const LaunchResult r = RunInit(std::move(spec));
  ASSERT_EQ(r.exit_code(), 0) << r.Describe();
  // No capability is left to remount with.
  EXPECT_EQ(Value(r.out, "remount=/ro"), "error EPERM");
  EXPECT_EQ(Value(r.out, "write=/ro/x"), "error EROFS");
}

TEST_F(InitIntegrationTest, RecursiveRemountReachesSubmounts) {
  TempDir dir;
  for (const char* d : {"a", "b", "c", "d"}) dir.Mkdir(d);
  OpsBuilder ops = BaseOps();
  ops.Bind(dir.Sub("a"), "/rec", kBindWritable | kBindDevice)
      .Bind(dir.Sub("b"), "/rec/sub", kBindWritable | kBindDevice)
      .Bind(dir.Sub("c"), "/flat", kBindWritable | kBindDevice)
      .Bind(dir.Sub("d"), "/flat/sub", kBindWritable | kBindDevice)
      .Remount("/rec", MS_REC | MS_RDONLY | MS_NODEV)
      .Remount("/flat", MS_RDONLY);
  const LaunchResult r =
      Run(std::move(ops), {"mountinfo", "write=/rec/sub/x", "write=/flat/x",
                           "write=/flat/sub/x"});
  ASSERT_EQ(r.exit_code(), 0) << r.Describe();
  const std::vector<sys::MountInfoEntry> m = Mounts(r.out);
  for (const char* target : {"/rec", "/rec/sub"}) {
    EXPECT_THAT(OptionsAt(m, target), HasOpt("ro")) << target;
    EXPECT_THAT(OptionsAt(m, target), HasOpt("nodev")) << target;
    EXPECT_THAT(OptionsAt(m, target), HasOpt("nosuid")) << target;
  }
  EXPECT_EQ(Value(r.out, "write=/rec/sub/x"), "error EROFS");
  // Without MS_REC only the mount itself; nodev was not asked for.
  EXPECT_THAT(OptionsAt(m, "/flat"), HasOpt("ro"));
  EXPECT_THAT(OptionsAt(m, "/flat"), Not(HasOpt("nodev")));
  EXPECT_THAT(OptionsAt(m, "/flat/sub"), HasOpt("rw"));
  EXPECT_EQ(Value(r.out, "write=/flat/x"), "error EROFS");
  EXPECT_EQ(Value(r.out, "write=/flat/sub/x"), "ok");
}

TEST_F(InitIntegrationTest, RemountOpMakesTheRootReadOnly) {
  OpsBuilder ops = BaseOps();
  ops.Mkdir("/data", 0755).Remount("/", MS_RDONLY);
  const LaunchResult r = Run(std::move(ops), {"write=/x", "mountinfo"});
  ASSERT_EQ(r.exit_code(), 0) << r.Describe();
  EXPECT_EQ(Value(r.out, "write=/x"), "error EROFS");
  const std::vector<sys::MountInfoEntry> m = Mounts(r.out);
  EXPECT_THAT(OptionsAt(m, "/"), HasOpt("ro"));
  EXPECT_THAT(OptionsAt(m, "/"), HasOpt("nosuid"));
}

TEST_F(InitIntegrationTest, PlacedFilesSymlinksAndDirectories) {
  OpsBuilder ops = BaseOps();
  ops.Place("/etc/hostname", "kekkai-test\n")
      .Place("/etc/empty", "")
      .Link("/etc/mtab", "/proc/mounts")
      .Mkdir("/var/lib/empty", 0700)
      .Mkdir("/srv/open", 01777);
  const LaunchResult r =
      Run(std::move(ops),
          {"cat=/etc/hostname", "cat=/etc/empty", "readlink=/etc/mtab",
           "mode=/var/lib/empty", "mode=/srv/open", "write=/etc/hostname"});
  ASSERT_EQ(r.exit_code(), 0) << r.Describe();
  EXPECT_EQ(Value(r.out, "cat=/etc/hostname"), "kekkai-test\\n");
  EXPECT_EQ(Value(r.out, "cat=/etc/empty"), "");
  EXPECT_EQ(Value(r.out, "readlink=/etc/mtab"), "/proc/mounts");
  EXPECT_EQ(Value(r.out, "mode=/var/lib/empty"), "40700");
  EXPECT_EQ(Value(r.out, "mode=/srv/open"), "41777");
  EXPECT_EQ(Value(r.out, "write=/etc/hostname"), "error EROFS");
}

TEST_F(InitIntegrationTest, DereferencedSymlinkAndAutoEtcAndAutoRoot) {
  TempDir dir;
  dir.Mkdir("etc");
  dir.Write("etc/hosts", "127.0.0.1 localhost\n");
  dir.Write("etc/passwd", "root:x:0:0::/:/bin/sh\n");
  dir.Write("etc/mtab", "host mtab\n");
  ::symlink("/some/where/else", dir.Sub("etc/link").c_str());
  dir.Mkdir("root");
  for (const char* d : {"bin", "proc", "etc", "data", "tmp"}) {
    dir.Mkdir(absl::StrCat("root/", d));
  }
  dir.Write("root/data/file", "data\n");
  OpsBuilder ops = BaseOps();
  ops.Link("/dereferenced", dir.Sub("etc/link"), true)
      .Etc(dir.Sub("etc"), "abc")
      .Root(dir.Sub("root"), 0);
  const LaunchResult r = Run(
      std::move(ops),
      {"readlink=/dereferenced", "readlink=/etc/hosts", "cat=/etc/hosts",
       "readlink=/etc/mtab", "exists=/etc/passwd", "cat=/data/file",
       "exists=/bin", "exists=/etc/.host/abc/passwd", "exists=/tmp"});
  ASSERT_EQ(r.exit_code(), 0) << r.Describe();
  EXPECT_EQ(Value(r.out, "readlink=/dereferenced"), "/some/where/else");
  EXPECT_EQ(Value(r.out, "readlink=/etc/hosts"), ".host/abc/hosts");
  EXPECT_EQ(Value(r.out, "cat=/etc/hosts"), "127.0.0.1 localhost\\n");
  EXPECT_EQ(Value(r.out, "readlink=/etc/mtab"), "/proc/mounts");
  EXPECT_EQ(Value(r.out, "exists=/etc/passwd"), "no ENOENT");
  EXPECT_EQ(Value(r.out, "exists=/etc/.host/abc/passwd"), "yes");
  EXPECT_EQ(Value(r.out, "cat=/data/file"), "data\\n");
  EXPECT_EQ(Value(r.out, "exists=/bin"), "yes");
  EXPECT_EQ(Value(r.out, "exists=/tmp"), "no ENOENT");  // not auto-bound
}

TEST_F(InitIntegrationTest, OverlayEphemeralWritesVanish) {
  TempDir dir;
  dir.Mkdir("lower");
  dir.Write("lower/file", "lower\n");
  OpsBuilder ops = BaseOps();
  ops.OverlayEphemeral("/overlay", {dir.Sub("lower")});
  const LaunchResult r =
      Run(std::move(ops), {"write=/overlay/new", "write=/overlay/file",
                           "cat=/overlay/file", "mountinfo"});
  ASSERT_EQ(r.exit_code(), 0) << r.Describe();
  EXPECT_EQ(Value(r.out, "write=/overlay/new"), "ok");
  EXPECT_EQ(Value(r.out, "cat=/overlay/file"), "written\\n");
  const std::vector<sys::MountInfoEntry> mounts = Mounts(r.out);
  const sys::MountInfoEntry* overlay = MountAt(mounts, "/overlay");
  ASSERT_NE(overlay, nullptr);
  EXPECT_EQ(overlay->fstype, "overlay");
  EXPECT_THAT(overlay->fs_options, HasSubstr("userxattr"));
  // The host saw nothing.
  EXPECT_EQ(ReadHostFile(dir.Sub("lower/file")), "lower\n");
  struct stat st;
  EXPECT_NE(::stat(dir.Sub("lower/new").c_str(), &st), 0);
}

TEST_F(InitIntegrationTest, OverlayWithUpperPersists) {
  TempDir dir;
  dir.Mkdir("lower");
  dir.Mkdir("upper");
  dir.Mkdir("work");
  dir.Write("lower/file", "lower\n");
  OpsBuilder ops = BaseOps();
  ops.Overlay("/overlay", dir.Sub("upper"), dir.Sub("work"), {dir.Sub("lower")});
  const LaunchResult r =
      Run(std::move(ops), {"write=/overlay/new", "cat=/overlay/file"});
  ASSERT_EQ(r.exit_code(), 0) << r.Describe();
  EXPECT_EQ(Value(r.out, "write=/overlay/new"), "ok");
  EXPECT_EQ(Value(r.out, "cat=/overlay/file"), "lower\\n");
  EXPECT_EQ(ReadHostFile(dir.Sub("upper/new")), "written\n");
  struct stat st;
  EXPECT_NE(::stat(dir.Sub("lower/new").c_str(), &st), 0);
}

TEST_F(InitIntegrationTest, OverlayReadonlyRefusesWrites) {
  TempDir dir;
  // Names with overlay's separators: the option string escapes them.
  dir.Mkdir("a,b:c\\d");
  dir.Mkdir("b");
  dir.Write("a,b:c\\d/top", "a\n");
  dir.Write("b/top", "b\n");
  dir.Write("b/bottom", "b\n");
  OpsBuilder ops = BaseOps();
  ops.OverlayReadonly("/overlay", {dir.Sub("a,b:c\\d"), dir.Sub("b")});
  const LaunchResult r = Run(std::move(ops), {"cat=/overlay/top",
                                              "cat=/overlay/bottom",
                                              "write=/overlay/new"});
  ASSERT_EQ(r.exit_code(), 0) << r.Describe();
  EXPECT_EQ(Value(r.out, "cat=/overlay/top"), "a\\n");  // Lower[0] on top
  EXPECT_EQ(Value(r.out, "cat=/overlay/bottom"), "b\\n");
  EXPECT_EQ(Value(r.out, "write=/overlay/new"), "error EROFS");
}

TEST_F(InitIntegrationTest, TheHostRootIsUnreachable) {
  const LaunchResult r = Run(BaseOps(), {"mountinfo", "exists=/host",
                                         "exists=/sysroot", "ls=/"});
  ASSERT_EQ(r.exit_code(), 0) << r.Describe();
  const std::vector<sys::MountInfoEntry> m = Mounts(r.out);
  std::vector<std::string> targets;
  for (const sys::MountInfoEntry& e : m) targets.push_back(e.target);
  // Exactly the container's own mounts, starting at its root; the proc op
  // covers /proc/sys (and /proc/sysrq-trigger where the kernel has it).
  std::vector<std::string> want = {"/",      "/usr",  "/lib",     "/lib64",
                                   "/probe", "/proc", "/proc/sys"};
  if (access("/proc/sysrq-trigger", F_OK) == 0) {
    want.push_back("/proc/sysrq-trigger");
  }
  EXPECT_THAT(targets, ::testing::ElementsAreArray(want));
  EXPECT_EQ(Value(r.out, "exists=/host"), "no ENOENT");
  EXPECT_EQ(Value(r.out, "exists=/sysroot"), "no ENOENT");
  EXPECT_THAT(Values(r.out, "ls=/"),
              ::testing::UnorderedElementsAre("usr", "lib", "lib64", "probe",
                                              "proc"));
}

// ---- the payload's environment -----------------------------------------------

TEST_F(InitIntegrationTest, EnvDirAndExtraFiles) {
  TempDir dir;
  dir.Write("one", "first file\n");
  dir.Write("two", "second file\n");
  UniqueFd one(::open(dir.Sub("one").c_str(), O_RDONLY | O_CLOEXEC));
  UniqueFd two(::open(dir.Sub("two").c_str(), O_RDONLY | O_CLOEXEC));
  OpsBuilder ops = BaseOps();
  ops.Mkdir("/work", 0755);
  LaunchSpec spec;
  spec.params = ParamsFor(ops, {"env", "cwd", "fds", "fd=3", "fd=4"});
  spec.params.params.dir = AbsolutePath::Literal("/work");
  spec.extra_files = {one.get(), two.get()};
  const LaunchResult r = RunInit(std::move(spec));
  ASSERT_EQ(r.exit_code(), 0) << r.Describe();
  EXPECT_THAT(Values(r.out, "env"), ElementsAre("PATH=/usr/bin:/bin",
                                                "KEKKAI_TEST=1"));
  EXPECT_EQ(Value(r.out, "cwd"), "/work");
  // stdio and the two files: the setup pipe and everything of init's are
  // gone.
  EXPECT_EQ(Value(r.out, "fds"), "0 1 2 3 4");
  EXPECT_EQ(Value(r.out, "fd=3"), "first file\\n");
  EXPECT_EQ(Value(r.out, "fd=4"), "second file\\n");
}

TEST_F(InitIntegrationTest, EmptyEnvIsEmptyNotInits) {
  OpsBuilder ops = BaseOps();
  LaunchSpec spec;
  spec.params = ParamsFor(ops, {"env", "fds"});
  spec.params.params.env.clear();
  const LaunchResult r = RunInit(std::move(spec));
  ASSERT_EQ(r.exit_code(), 0) << r.Describe();
  EXPECT_THAT(Values(r.out, "env"), IsEmpty());
  EXPECT_EQ(Value(r.out, "envcount"), "0");
  EXPECT_EQ(Value(r.out, "fds"), "0 1 2");
}

TEST_F(InitIntegrationTest, LoopbackIsUpWhenInitMayConfigureIt) {
  OpsBuilder with_ops = BaseOps();
  LaunchSpec with;
  with.params = ParamsFor(with_ops, {"loopback"});
  with.net_admin = true;
  const LaunchResult up = RunInit(std::move(with));
  ASSERT_EQ(up.exit_code(), 0) << up.Describe();
  EXPECT_EQ(Value(up.out, "loopback"), "ok");

  // hakurei's launcher grants no CAP_NET_ADMIN: lo stays down, and init
  // still works.
  const LaunchResult down = Run(BaseOps(), {"loopback"});
  ASSERT_EQ(down.exit_code(), 0) << down.Describe();
  EXPECT_THAT(Value(down.out, "loopback"), StartsWith("error"));
}

// ---- exit statuses and supervision -----------------------------------------

TEST_F(InitIntegrationTest, ExitStatusesAreThePayloads) {
  {
    const LaunchResult r = Run(BaseOps(), {"exit=3"});
    EXPECT_EQ(r.exit_code(), 3) << r.Describe();
  }
  {
    const LaunchResult r = Run(BaseOps(), {"raise=9"});
    EXPECT_EQ(r.exit_code(), 128 + SIGKILL) << r.Describe();
  }
  {
    const LaunchResult r = Run(BaseOps(), {"raise=15"});
    EXPECT_EQ(r.exit_code(), 128 + SIGTERM) << r.Describe();
  }
}

TEST_F(InitIntegrationTest, OrphansAreReapedBeforeExit) {
  OpsBuilder ops = BaseOps();
  LaunchSpec spec;
  spec.params = ParamsFor(ops, {"orphan=300", "exit=7"});
  spec.params.params.adopt_wait_delay = 5 * kSecond;
  const auto start = std::chrono::steady_clock::now();
  const LaunchResult r = RunInit(std::move(spec));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.exit_code(), 7) << r.Describe();
  // init waited for the orphan (300 ms), not for AdoptWaitDelay (5 s).
  EXPECT_GE(elapsed, std::chrono::milliseconds(250));
  EXPECT_LT(elapsed, std::chrono::milliseconds(4000));
}

TEST_F(InitIntegrationTest, LingeringProcessesAreKilledAfterAdoptWaitDelay) {
  OpsBuilder ops = BaseOps();
  LaunchSpec spec;
  spec.params = ParamsFor(ops, {"orphan=60000", "exit=5"});
  spec.params.params.adopt_wait_delay = 200 * kMillisecond;
  const auto start = std::chrono::steady_clock::now();
  const LaunchResult r = RunInit(std::move(spec));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.exit_code(), 5) << r.Describe();
  EXPECT_LT(elapsed, std::chrono::milliseconds(10000));
}

// Starts a payload that reports on a pipe once it runs and then waits for a
// signal; returns init and the read end of that pipe.
struct Waiting {
  std::unique_ptr<InitProcess> init;
  UniqueFd ready;
};

Waiting StartWaiting(InitParams params) {
  int pipe_fds[2];
  EXPECT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  UniqueFd read_end(pipe_fds[0]);
  UniqueFd write_end(pipe_fds[1]);
  LaunchSpec spec;
  spec.params = std::move(params);
  spec.extra_files = {write_end.get()};
  absl::StatusOr<std::unique_ptr<InitProcess>> init =
      InitProcess::Start(std::move(spec));
  EXPECT_TRUE(init.ok()) << init.status();
  write_end.reset();
  if (!init.ok()) return {};
  // Wait for the payload's byte (or EOF if it died first).
  struct pollfd pfd = {read_end.get(), POLLIN, 0};
  EXPECT_EQ(::poll(&pfd, 1, 15000), 1) << "payload never became ready";
  char byte = 0;
  EXPECT_EQ(::read(read_end.get(), &byte, 1), 1) << "payload died early";
  return {*std::move(init), std::move(read_end)};
}

TEST_F(InitIntegrationTest, SigtermAndSigquitAreForwarded) {
  for (int sig : {SIGTERM, SIGQUIT}) {
    SCOPED_TRACE(sig);
    OpsBuilder ops = BaseOps();
    Waiting w = StartWaiting(ParamsFor(ops, {"catch=3"}));
    ASSERT_NE(w.init, nullptr);
    ASSERT_THAT(w.init->Signal(sig), IsOk());
    const LaunchResult r = w.init->Wait();
    EXPECT_EQ(r.exit_code(), 100 + sig) << r.Describe();
    EXPECT_EQ(Value(r.out, "catch"), absl::StrCat("SIG", sigabbrev_np(sig)));
  }
}

TEST_F(InitIntegrationTest, CancelExitsZeroWithoutForwardCancel) {
  OpsBuilder ops = BaseOps();
  Waiting w = StartWaiting(ParamsFor(ops, {"catch=3"}));
  ASSERT_NE(w.init, nullptr);
  ASSERT_THAT(w.init->Signal(SIGUSR2), IsOk());
  const LaunchResult r = w.init->Wait();
  EXPECT_EQ(r.exit_code(), 0) << r.Describe();
  EXPECT_THAT(Values(r.out, "catch"), IsEmpty());  // killed, never saw it
}

TEST_F(InitIntegrationTest, CancelWithForwardCancelInterruptsThePayload) {
  OpsBuilder ops = BaseOps();
  InitParams params = ParamsFor(ops, {"catch=3"});
  params.params.forward_cancel = true;
  Waiting w = StartWaiting(std::move(params));
  ASSERT_NE(w.init, nullptr);
  ASSERT_THAT(w.init->Signal(SIGUSR2), IsOk());
  const LaunchResult r = w.init->Wait();
  EXPECT_EQ(r.exit_code(), 100 + SIGINT) << r.Describe();
  EXPECT_EQ(Value(r.out, "catch"), "SIGINT");
}

TEST_F(InitIntegrationTest, SigintToInitExitsZero) {
  OpsBuilder ops = BaseOps();
  Waiting w = StartWaiting(ParamsFor(ops, {"catch=3"}));
  ASSERT_NE(w.init, nullptr);
  ASSERT_THAT(w.init->Signal(SIGINT), IsOk());
  const LaunchResult r = w.init->Wait();
  EXPECT_EQ(r.exit_code(), 0) << r.Describe();
}

// ---- setup reports (kekkai launchers) -------------------------------------

TEST_F(InitIntegrationTest, ReportsStartAndExit) {
  OpsBuilder ops = BaseOps();
  LaunchSpec spec;
  spec.params = ParamsFor(ops, {"fds", "exit=4"});
  spec.report = true;
  const LaunchResult r = RunInit(std::move(spec));
  ASSERT_EQ(r.exit_code(), 4) << r.Describe();
  ASSERT_THAT(r.reports_status, IsOk());
  ASSERT_EQ(r.reports.size(), 2u);
  EXPECT_EQ(r.reports[0].kind, SetupReportKind::kStarted);
  EXPECT_EQ(r.reports[0].pid, 2);
  EXPECT_EQ(r.reports[1].kind, SetupReportKind::kPayloadExited);
  EXPECT_TRUE(WIFEXITED(r.reports[1].wait_status));
  EXPECT_EQ(WEXITSTATUS(r.reports[1].wait_status), 4);
  // The report socket is init's, never the payload's.
  EXPECT_EQ(Value(r.out, "fds"), "0 1 2");
}

TEST_F(InitIntegrationTest, AMissingProgramIsAnExecFailure) {
  OpsBuilder ops = BaseOps();
  LaunchSpec spec;
  spec.params = ParamsFor(ops, {});
  spec.params.params.path = AbsolutePath::Literal("/nonexistent");
  spec.report = true;
  const LaunchResult r = RunInit(std::move(spec));
  EXPECT_EQ(r.exit_code(), 1) << r.Describe();
  EXPECT_EQ(r.err,
            "kekkai-init: cannot start program: /nonexistent: no such file "
            "or directory\n");
  ASSERT_EQ(r.reports.size(), 1u);
  EXPECT_EQ(r.reports[0].kind, SetupReportKind::kExecFailed);
  EXPECT_EQ(r.reports[0].step, "start program");
  EXPECT_EQ(r.reports[0].err, ENOENT);
}

TEST_F(InitIntegrationTest, AMissingWorkingDirectoryIsNamed) {
  OpsBuilder ops = BaseOps();
  LaunchSpec spec;
  spec.params = ParamsFor(ops, {});
  spec.params.params.dir = AbsolutePath::Literal("/nowhere");
  const LaunchResult r = RunInit(std::move(spec));
  EXPECT_EQ(r.exit_code(), 1) << r.Describe();
  EXPECT_EQ(r.err,
            "kekkai-init: cannot start program: working directory /nowhere: "
            "no such file or directory\n");
}

TEST_F(InitIntegrationTest, AFailingOpNamesItsStepAndIndex) {
  OpsBuilder ops = BaseOps();  // ops 0..4
  ops.Bind("/nonexistent/kekkai", "/x");
  LaunchSpec spec;
  spec.params = ParamsFor(ops, {});
  spec.report = true;
  const LaunchResult r = RunInit(std::move(spec));
  EXPECT_EQ(r.exit_code(), 1) << r.Describe();
  EXPECT_EQ(r.err,
            "kekkai-init: cannot bind /nonexistent/kekkai on /x (op 5: bind): "
            "no such file or directory\n");
  ASSERT_EQ(r.reports.size(), 1u);
  EXPECT_EQ(r.reports[0].kind, SetupReportKind::kSetupFailed);
  EXPECT_EQ(r.reports[0].op_index, 5);
  EXPECT_EQ(r.reports[0].err, ENOENT);
  EXPECT_EQ(r.reports[0].step, "bind /nonexistent/kekkai on /x");
  EXPECT_EQ(r.reports[0].message,
            "cannot bind /nonexistent/kekkai on /x (op 5: bind): no such file "
            "or directory");
}

TEST_F(InitIntegrationTest, AnApplyFailureNamesItsOp) {
  OpsBuilder ops = BaseOps();
  // /probe is a file: a directory cannot be made under it.
  ops.Mkdir("/probe/sub", 0755);
  const LaunchResult r = Run(std::move(ops), {});
  EXPECT_EQ(r.exit_code(), 1) << r.Describe();
  EXPECT_EQ(r.err,
            "kekkai-init: cannot create directory /probe/sub (op 5: mkdir): "
            "not a directory\n");
}

// ---- receiving -------------------------------------------------------------

TEST_F(InitIntegrationTest, SetupVariableAndDescriptorErrors) {
  struct Case {
    std::vector<std::string> env;
    std::string err;
  };
  const Case cases[] = {
      {{}, "kekkai-init: HAKUREI_SETUP not set\n"},
      {{"HAKUREI_SETUP=three"},
       "kekkai-init: invalid setup descriptor \"three\" in HAKUREI_SETUP\n"},
      {{"HAKUREI_SETUP=1"},
       "kekkai-init: invalid setup descriptor \"1\" in HAKUREI_SETUP\n"},
      {{"HAKUREI_SETUP=9"},
       "kekkai-init: cannot read setup parameters from fd 9: bad file "
       "descriptor\n"},
  };
  for (const Case& c : cases) {
    OpsBuilder ops = BaseOps();
    LaunchSpec spec;
    spec.params = ParamsFor(ops, {});
    spec.env = c.env;
    const LaunchResult r = RunInit(std::move(spec));
    EXPECT_EQ(r.exit_code(), 1) << r.Describe();
    EXPECT_EQ(r.err, c.err);
  }
}

TEST_F(InitIntegrationTest, UndecodableAndInvalidParameters) {
  {
    LaunchSpec spec;
    spec.raw_setup = std::string("\x05garbage", 8);
    const LaunchResult r = RunInit(std::move(spec));
    EXPECT_EQ(r.exit_code(), 1) << r.Describe();
    EXPECT_THAT(r.err, StartsWith("kekkai-init: cannot decode setup "
                                  "parameters: gob: "));
  }
  {
    LaunchSpec spec;
    spec.send_nothing = true;  // EOF at once
    const LaunchResult r = RunInit(std::move(spec));
    EXPECT_EQ(r.exit_code(), 1) << r.Describe();
    EXPECT_THAT(r.err, StartsWith("kekkai-init: cannot decode setup "
                                  "parameters: "));
  }
  {
    OpsBuilder ops = BaseOps();
    LaunchSpec spec;
    spec.params = ParamsFor(ops, {});
    spec.params.params.ops.reset();  // nil *Ops
    const LaunchResult r = RunInit(std::move(spec));
    EXPECT_EQ(r.exit_code(), 1) << r.Describe();
    EXPECT_THAT(r.err, StartsWith("kekkai-init: invalid setup parameters: "));
  }
  {
    OpsBuilder ops = BaseOps();
    LaunchSpec spec;
    spec.params = ParamsFor(ops, {});
    spec.params.params.ops->push_back(std::nullopt);  // a nil op
    spec.report = true;
    const LaunchResult r = RunInit(std::move(spec));
    EXPECT_EQ(r.exit_code(), 1) << r.Describe();
    EXPECT_THAT(r.err, StartsWith("kekkai-init: invalid setup parameters: "
                                  "op 5"));
    ASSERT_EQ(r.reports.size(), 1u);
    EXPECT_EQ(r.reports[0].kind, SetupReportKind::kSetupFailed);
    EXPECT_EQ(r.reports[0].step, "validate setup parameters");
  }
}

TEST_F(InitIntegrationTest, NotPid1) {
  // Run by hand, outside any namespace.
  const std::string command =
      absl::StrCat("HAKUREI_SETUP=3 '", BinaryPath("kekkai-init"),
                   "' 2>&1 3</dev/null");
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buffer[256];
  while (size_t n = ::fread(buffer, 1, sizeof(buffer), pipe)) out.append(buffer, n);
  const int status = ::pclose(pipe);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1);
  EXPECT_EQ(out, "kekkai-init: this process must run as pid 1\n");
}

}  // namespace
}  // namespace kekkai::testing
