// Unit tests of the kekkai run/params command line (shim/cli/options.h):
// every option's op or field, the order rules, the default sandbox choice,
// the environment, PROGRAM lookup, --config merging and every usage error.
#include "shim/cli/options.h"

#include <sys/mount.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/ops.h"
#include "common/params.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cli/fake_host.h"
#include "tests/testing/status_matchers.h"

namespace kekkai::cli {
namespace {

using ::kekkai::cli::testing::FakeHost;
using ::kekkai::testing::IsOk;
using ::kekkai::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

AbsolutePath P(absl::string_view path) { return AbsolutePath::Literal(path); }

absl::StatusOr<RunSpec> Parse(FakeHost& host, std::vector<std::string> args,
                              Command command = Command::kRun) {
  return ParseRunArgs(command, args, host);
}

// Parses `options` followed by "-- /bin/true" and returns the ops.
std::vector<Op> OpsOf(FakeHost& host, std::vector<std::string> options) {
  options.push_back("--");
  options.push_back("/bin/true");
  absl::StatusOr<RunSpec> spec = Parse(host, options);
  EXPECT_THAT(spec, IsOk()) << absl::StrJoin(options, " ");
  std::vector<Op> ops;
  if (!spec.ok() || !spec->params.ops.has_value()) return ops;
  for (const std::optional<Op>& op : *spec->params.ops) {
    EXPECT_TRUE(op.has_value());
    if (op.has_value()) ops.push_back(*op);
  }
  return ops;
}

// The usage error for `options` (followed by a program).
absl::Status ErrorOf(FakeHost& host, std::vector<std::string> options) {
  options.push_back("/bin/true");
  absl::StatusOr<RunSpec> spec = Parse(host, options);
  EXPECT_FALSE(spec.ok()) << absl::StrJoin(options, " ");
  return spec.status();
}

std::string Show(const std::vector<Op>& ops) {
  std::vector<std::string> lines;
  for (const Op& op : ops) lines.push_back(Describe(op));
  return absl::StrJoin(lines, "\n");
}

#define EXPECT_OPS(actual, ...)                                   \
  do {                                                            \
    const std::vector<Op> expected_ops_ = {__VA_ARGS__};          \
    const std::vector<Op> actual_ops_ = (actual);                 \
    EXPECT_TRUE(actual_ops_ == expected_ops_)                     \
        << "actual:\n" << Show(actual_ops_) << "\nexpected:\n"    \
        << Show(expected_ops_);                                   \
  } while (0)

BindMountOp Bind(absl::string_view source, absl::string_view target,
                 int64_t flags) {
  return BindMountOp{P(source), P(target), flags};
}

// ---------------------------------------------------------------------------
// Filesystem options -> ops.

TEST(OptionsTest, BindOptionsMapToBindFlags) {
  FakeHost host;
  host.existing.insert({"/a", "/b", "/c", "/d"});
  EXPECT_OPS(OpsOf(host, {"--bind", "/a", "/x1", "--bind-try", "/a", "/x2",
                          "--ro-bind", "/b", "/x3", "--ro-bind-try", "/b",
                          "/x4", "--dev-bind", "/c", "/x5", "--dev-bind-try",
                          "/c", "/x6", "--bind-ensure", "/d", "/x7"}),
             Bind("/a", "/x1", kBindWritable),
             Bind("/a", "/x2", kBindWritable | kBindOptional),
             Bind("/b", "/x3", 0), Bind("/b", "/x4", kBindOptional),
             Bind("/c", "/x5", kBindWritable | kBindDevice),
             Bind("/c", "/x6", kBindWritable | kBindDevice | kBindOptional),
             Bind("/d", "/x7", kBindWritable | kBindEnsure));
}

TEST(OptionsTest, RelativeSourcesAreMadeAbsoluteAgainstTheCwd) {
  FakeHost host;
  host.existing.insert({"/home/u/work/data", "/home/u/lower"});
  EXPECT_OPS(OpsOf(host, {"--ro-bind", "data", "/data", "--bind-try",
                          "./x/../missing", "/m", "--overlay-src", "../lower",
                          "--tmp-overlay", "/o"}),
             Bind("/home/u/work/data", "/data", 0),
             Bind("/home/u/work/missing", "/m",
                  kBindWritable | kBindOptional),
             MountOverlayOp{P("/o"), {P("/home/u/lower")}, P("/"),
                            std::nullopt});
}

TEST(OptionsTest, RelativeDestinationsAreRefusedNamingTheOption) {
  FakeHost host;
  host.existing.insert("/a");
  EXPECT_THAT(ErrorOf(host, {"--bind", "/a", "usr"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--bind: DEST \"usr\" is not absolute"));
  EXPECT_THAT(ErrorOf(host, {"--proc", "proc"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--proc: DEST \"proc\" is not absolute"));
  EXPECT_THAT(ErrorOf(host, {"--symlink", "usr/bin", "bin"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--symlink: LINKNAME \"bin\" is not absolute"));
  EXPECT_THAT(ErrorOf(host, {"--chdir", "tmp"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--chdir: DIR \"tmp\" is not absolute"));
  EXPECT_THAT(ErrorOf(host, {"--tmpfs", ""}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--tmpfs: DEST is empty"));
}

TEST(OptionsTest, MissingSourcesAreRefusedEarlyUnlessOptional) {
  FakeHost host;
  EXPECT_THAT(ErrorOf(host, {"--ro-bind", "/nonexistent", "/x"}),
              StatusIs(absl::StatusCode::kNotFound,
                       "--ro-bind: cannot use SRC \"/nonexistent\": no such "
                       "file or directory"));
  EXPECT_THAT(ErrorOf(host, {"--overlay-src", "/nope", "--tmp-overlay", "/o"}),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("--overlay-src: cannot use SRC \"/nope\"")));
  EXPECT_THAT(ErrorOf(host, {"--auto-root", "/nope"}),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("--auto-root: cannot use HOSTDIR")));
  // -try and --bind-ensure do not need the source to exist.
  EXPECT_OPS(OpsOf(host, {"--ro-bind-try", "/nope", "/x", "--bind-ensure",
                          "/new", "/y"}),
             Bind("/nope", "/x", kBindOptional),
             Bind("/new", "/y", kBindWritable | kBindEnsure));
}

TEST(OptionsTest, ProcDevTmpfsDirSymlinkRemount) {
  FakeHost host;
  MountTmpfsOp tmpfs{"ephemeral", P("/tmp"), MS_NOSUID | MS_NODEV, 0, 0755};
  EXPECT_OPS(OpsOf(host, {"--proc", "/proc", "--dev", "/dev", "--tmpfs",
                          "/tmp", "--dir", "/var", "--symlink", "usr/bin",
                          "/bin", "--remount-ro", "/"}),
             MountProcOp{P("/proc")}, MountDevOp{P("/dev"), false, false},
             tmpfs, MkdirOp{P("/var"), 0755},
             SymlinkOp{P("/bin"), "usr/bin", false},
             RemountOp{P("/"), MS_RDONLY});
}

TEST(OptionsTest, SizeAndPermsApplyToTheNextOpThatTakesThem) {
  FakeHost host;
  MountTmpfsOp sized{"ephemeral", P("/t1"), MS_NOSUID | MS_NODEV, 1048576,
                     01777};
  MountTmpfsOp plain{"ephemeral", P("/t2"), MS_NOSUID | MS_NODEV, 0, 0755};
  EXPECT_OPS(OpsOf(host, {"--size", "1048576", "--perms", "1777", "--tmpfs",
                          "/t1", "--tmpfs", "/t2", "--perms", "0700", "--dir",
                          "/d1", "--dir", "/d2"}),
             sized, plain, MkdirOp{P("/d1"), 0700}, MkdirOp{P("/d2"), 0755});
}

TEST(OptionsTest, UnusedSizeOrPermsIsAnError) {
  FakeHost host;
  host.existing.insert("/a");
  EXPECT_THAT(ErrorOf(host, {"--size", "10"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--size: not followed by --tmpfs"));
  EXPECT_THAT(ErrorOf(host, {"--perms", "0700"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--perms: not followed by --tmpfs or --dir"));
  EXPECT_THAT(ErrorOf(host, {"--size", "10", "--dir", "/d"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--size: must be followed by --tmpfs, not --dir"));
  EXPECT_THAT(
      ErrorOf(host, {"--perms", "0700", "--bind", "/a", "/b"}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               "--perms: must be followed by --tmpfs or --dir, not --bind"));
  // Options that add no op may come in between.
  EXPECT_OPS(OpsOf(host, {"--perms", "0700", "--setenv", "A", "B", "--dir",
                          "/d"}),
             MkdirOp{P("/d"), 0700});
}

TEST(OptionsTest, BadSizeAndPermsValues) {
  FakeHost host;
  EXPECT_THAT(ErrorOf(host, {"--size", "10k", "--tmpfs", "/t"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--size: BYTES \"10k\" is not a number"));
  EXPECT_THAT(ErrorOf(host, {"--size", " 10", "--tmpfs", "/t"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("is not a number")));
  EXPECT_THAT(ErrorOf(host, {"--size", "-1", "--tmpfs", "/t"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--size: BYTES -1 is not in [0, ")));
  EXPECT_THAT(ErrorOf(host, {"--perms", "0789", "--dir", "/d"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--perms: OCTAL \"0789\" is not an octal mode"));
  EXPECT_THAT(ErrorOf(host, {"--perms", "17777", "--dir", "/d"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--perms: mode 017777 has bits outside 07777"));
}

TEST(OptionsTest, MqueueSetsTheMqueueOfAnEarlierDev) {
  FakeHost host;
  EXPECT_OPS(OpsOf(host, {"--dev", "/dev", "--proc", "/proc", "--mqueue",
                          "/dev//mqueue/"}),
             MountDevOp{P("/dev"), true, false}, MountProcOp{P("/proc")});
  EXPECT_THAT(ErrorOf(host, {"--mqueue", "/dev/mqueue"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--mqueue: DEST \"/dev/mqueue\" is not "
                                 "<dev>/mqueue of an earlier --dev")));
  EXPECT_THAT(ErrorOf(host, {"--dev", "/dev", "--mqueue", "/mq"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("kekkai mounts mqueue only inside a --dev")));
}

TEST(OptionsTest, OverlaySourcesAreReversedIntoKernelOrder) {
  FakeHost host;
  host.existing.insert({"/l1", "/l2", "/l3", "/up", "/wk"});
  EXPECT_OPS(
      OpsOf(host, {"--overlay-src", "/l1", "--overlay-src", "/l2",
                   "--overlay-src", "/l3", "--overlay", "/up", "/wk", "/o1",
                   "--overlay-src", "/l1", "--tmp-overlay", "/o2",
                   "--overlay-src", "/l1", "--overlay-src", "/l2",
                   "--ro-overlay", "/o3"}),
      MountOverlayOp{P("/o1"), {P("/l3"), P("/l2"), P("/l1")}, P("/up"),
                     P("/wk")},
      MountOverlayOp{P("/o2"), {P("/l1")}, P("/"), std::nullopt},
      MountOverlayOp{P("/o3"), {P("/l2"), P("/l1")}, std::nullopt,
                     std::nullopt});
}

TEST(OptionsTest, OverlayErrors) {
  FakeHost host;
  host.existing.insert({"/l1", "/up", "/wk"});
  EXPECT_THAT(ErrorOf(host, {"--overlay-src", "/l1", "--ro-overlay", "/o"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--ro-overlay: needs at least two --overlay-src before "
                       "it"));
  EXPECT_THAT(ErrorOf(host, {"--tmp-overlay", "/o"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--tmp-overlay: needs at least one --overlay-src "
                       "before it"));
  EXPECT_THAT(ErrorOf(host, {"--overlay-src", "/l1"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--overlay-src: not followed by --overlay")));
  EXPECT_THAT(ErrorOf(host, {"--overlay-src", "/l1", "--proc", "/proc"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--ro-overlay, not --proc")));
  EXPECT_THAT(ErrorOf(host, {"--overlay-src", "/l1", "--overlay", "/up",
                             "/missing", "/o"}),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("--overlay: cannot use WORK \"/missing\"")));
}

TEST(OptionsTest, RoBindDataReadsTheFdToEof) {
  FakeHost host;
  host.fd_data[7] = std::string("line\n\0bytes", 11);
  EXPECT_OPS(OpsOf(host, {"--ro-bind-data", "7", "/etc/motd"}),
             TmpfileOp{P("/etc/motd"), std::string("line\n\0bytes", 11)});
  EXPECT_THAT(ErrorOf(host, {"--ro-bind-data", "8", "/x"}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("--ro-bind-data: cannot read fd 8")));
  EXPECT_THAT(ErrorOf(host, {"--ro-bind-data", "x", "/x"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--ro-bind-data: FD \"x\" is not a number"));
}

TEST(OptionsTest, AutoEtcAndAutoRoot) {
  FakeHost host;
  host.existing.insert({"/home/u/work/root", "/srv/etc"});
  EXPECT_OPS(OpsOf(host, {"--auto-root", "root", "--auto-etc", "/srv/etc"}),
             AutoRootOp{P("/home/u/work/root"), 0}, MkdirOp{P("/etc"), 0755},
             Bind("/srv/etc", "/etc/.host/host", 0), AutoEtcOp{"host"});
}

// ---------------------------------------------------------------------------
// The default sandbox.

TEST(OptionsTest, NoFilesystemOptionGivesTheDefaultSandbox) {
  FakeHost host;
  KEKKAI_ASSERT_OK_AND_ASSIGN(RunSpec spec, Parse(host, {"--", "sh"}));
  ASSERT_TRUE(spec.params.ops.has_value());
  std::vector<Op> ops;
  for (const auto& op : *spec.params.ops) ops.push_back(*op);
  EXPECT_OPS(ops, Bind("/usr", "/usr", 0),
             SymlinkOp{P("/bin"), "usr/bin", false},
             SymlinkOp{P("/sbin"), "usr/sbin", false},
             SymlinkOp{P("/lib"), "usr/lib", false},
             SymlinkOp{P("/lib64"), "usr/lib64", false},
             Bind("/etc", "/etc", 0), MountProcOp{P("/proc")},
             MountDevOp{P("/dev"), false, false},
             MountTmpfsOp{"ephemeral", P("/tmp"), MS_NOSUID | MS_NODEV, 0,
                          01777});
  EXPECT_EQ(spec.params.seccomp_presets, kPresetStrict);
  EXPECT_FALSE(spec.params.host_net);
  EXPECT_FALSE(spec.params.dir.has_value());  // "/" after the defaults
  EXPECT_EQ(spec.params.env, host.env);
}

TEST(OptionsTest, NonFilesystemOptionsKeepTheDefaultSandbox) {
  FakeHost host;
  KEKKAI_ASSERT_OK_AND_ASSIGN(
      RunSpec spec, Parse(host, {"--hostname", "box", "--setenv", "A", "1",
                                 "sh"}));
  ASSERT_TRUE(spec.params.ops.has_value());
  EXPECT_EQ(spec.params.ops->size(), 9u);
  // Any filesystem option replaces it entirely.
  EXPECT_OPS(OpsOf(host, {"--proc", "/proc"}), MountProcOp{P("/proc")});
}

// ---------------------------------------------------------------------------
// Process options.

TEST(OptionsTest, EnvironmentIsTheCallersEditedInOrder) {
  FakeHost host;
  KEKKAI_ASSERT_OK_AND_ASSIGN(
      RunSpec spec,
      Parse(host, {"--setenv", "LANG", "C", "--unsetenv", "HOME", "--setenv",
                   "NEW", "a=b", "sh"}));
  EXPECT_THAT(spec.params.env,
              ElementsAre("PATH=/usr/bin:/bin", "LANG=C", "NEW=a=b"));
  KEKKAI_ASSERT_OK_AND_ASSIGN(
      spec, Parse(host, {"--setenv", "A", "1", "--clearenv", "--setenv", "B",
                         "2", "/bin/sh"}));
  EXPECT_THAT(spec.params.env, ElementsAre("B=2"));
  EXPECT_THAT(ErrorOf(host, {"--setenv", "A=B", "C"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--setenv: VAR \"A=B\" contains '='"));
  EXPECT_THAT(ErrorOf(host, {"--unsetenv", ""}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--unsetenv: VAR is empty"));
}

TEST(OptionsTest, ChdirArgv0AndPassFd) {
  FakeHost host;
  host.open_fds.insert({5, 9});
  KEKKAI_ASSERT_OK_AND_ASSIGN(
      RunSpec spec, Parse(host, {"--chdir", "/tmp", "--argv0", "login-sh",
                                 "--pass-fd", "9", "--pass-fd", "5", "sh",
                                 "-c", "x"}));
  EXPECT_EQ(spec.params.dir, P("/tmp"));
  EXPECT_EQ(spec.params.path, P("/usr/bin/sh"));
  EXPECT_THAT(spec.params.args, ElementsAre("login-sh", "-c", "x"));
  EXPECT_THAT(spec.launch.extra_files, ElementsAre(9, 5));
  EXPECT_THAT(ErrorOf(host, {"--pass-fd", "6"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--pass-fd: fd 6 is not open"));
  EXPECT_THAT(ErrorOf(host, {"--pass-fd", "-1"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--pass-fd: FD -1 is not in [0, ")));
}

TEST(OptionsTest, ProgramIsLookedUpInThePayloadsPath) {
  FakeHost host;
  host.existing.insert({"/opt/tools", "/home/u/.local/bin"});
  host.executables["/opt/tools/tool"] = 0;
  host.executables["/usr/bin/tool"] = 0;
  host.executables["/home/u/.local/bin/tool"] = 0;
  KEKKAI_ASSERT_OK_AND_ASSIGN(RunSpec spec, Parse(host, {"tool", "a"}));
  EXPECT_EQ(spec.params.path, P("/usr/bin/tool"));
  EXPECT_THAT(spec.params.args, ElementsAre("tool", "a"));
  // The payload's PATH, not kekkai's; entries the default sandbox does not
  // show are skipped.
  KEKKAI_ASSERT_OK_AND_ASSIGN(
      spec, Parse(host, {"--setenv", "PATH",
                         "rel:/home/u/.local/bin:/opt/tools:/bin", "tool"}));
  EXPECT_EQ(spec.params.path, P("/bin/tool"));  // /bin -> usr/bin inside
  // With /opt/tools in the container, it is found there.
  KEKKAI_ASSERT_OK_AND_ASSIGN(
      spec, Parse(host, {"--setenv", "PATH", "/opt/tools:/usr/bin",
                         "--ro-bind", "/opt/tools", "/opt/tools", "--ro-bind",
                         "/usr", "/usr", "tool"}));
  EXPECT_EQ(spec.params.path, P("/opt/tools/tool"));
  // Without PATH: /usr/local/bin:/usr/bin:/bin.
  KEKKAI_ASSERT_OK_AND_ASSIGN(spec, Parse(host, {"--clearenv", "tool"}));
  EXPECT_EQ(spec.params.path, P("/usr/bin/tool"));
}

TEST(OptionsTest, ProgramLookupFailuresCarry127And126) {
  FakeHost host;
  absl::StatusOr<RunSpec> spec = Parse(host, {"nosuchprogram"});
  EXPECT_THAT(spec, StatusIs(absl::StatusCode::kNotFound,
                             HasSubstr("cannot run PROGRAM \"nosuchprogram\": "
                                       "not found in PATH \"/usr/bin:/bin\"")));
  EXPECT_EQ(ExitStatusOf(spec.status()), 127);
  host.executables["/usr/bin/noexec"] = EACCES;
  spec = Parse(host, {"noexec"});
  EXPECT_THAT(spec, StatusIs(absl::StatusCode::kPermissionDenied,
                             HasSubstr("/usr/bin/noexec is not executable")));
  EXPECT_EQ(ExitStatusOf(spec.status()), 126);
  // Other errors are kekkai's: 125.
  EXPECT_EQ(ExitStatusOf(ErrorOf(host, {"--bogus"})), 125);
}

TEST(OptionsTest, RelativeProgramWithSlashIsRelativeToTheWorkingDirectory) {
  FakeHost host;
  KEKKAI_ASSERT_OK_AND_ASSIGN(
      RunSpec spec, Parse(host, {"--chdir", "/srv/app", "./bin/run", "x"}));
  EXPECT_EQ(spec.params.path, P("/srv/app/bin/run"));
  EXPECT_THAT(spec.params.args, ElementsAre("./bin/run", "x"));
  KEKKAI_ASSERT_OK_AND_ASSIGN(spec, Parse(host, {"bin/true"}));
  EXPECT_EQ(spec.params.path, P("/bin/true"));
}

TEST(OptionsTest, ArgumentsAfterProgramAreNotOptions) {
  FakeHost host;
  KEKKAI_ASSERT_OK_AND_ASSIGN(
      RunSpec spec, Parse(host, {"--hostname", "h", "/bin/ls", "--bind",
                                 "-la", "--"}));
  EXPECT_THAT(spec.params.args, ElementsAre("/bin/ls", "--bind", "-la", "--"));
  KEKKAI_ASSERT_OK_AND_ASSIGN(spec, Parse(host, {"--", "/bin/x", "--help"}));
  EXPECT_FALSE(spec.settings.help);
  EXPECT_THAT(spec.params.args, ElementsAre("/bin/x", "--help"));
}

// ---------------------------------------------------------------------------
// Identity, namespaces, seccomp, init.

TEST(OptionsTest, IdentityAndNamespaceFlags) {
  FakeHost host;
  KEKKAI_ASSERT_OK_AND_ASSIGN(
      RunSpec spec,
      Parse(host, {"--uid", "1000", "--gid", "100", "--hostname", "box",
                   "--share-net", "--host-abstract", "--retain-session",
                   "--privileged", "--forward-cancel", "--adopt-wait",
                   "1m30s", "sh"}));
  const Params& p = spec.params;
  EXPECT_EQ(p.uid, 1000);
  EXPECT_EQ(p.gid, 100);
  EXPECT_EQ(p.hostname, "box");
  EXPECT_TRUE(p.host_net);
  EXPECT_TRUE(p.host_abstract);
  EXPECT_TRUE(p.retain_session);
  EXPECT_TRUE(p.privileged);
  EXPECT_TRUE(p.forward_cancel);
  EXPECT_EQ(p.adopt_wait_delay, 90 * kSecond);

  KEKKAI_ASSERT_OK_AND_ASSIGN(spec, Parse(host, {"sh"}));
  EXPECT_FALSE(spec.params.host_net || spec.params.host_abstract ||
               spec.params.retain_session || spec.params.privileged ||
               spec.params.forward_cancel);
  EXPECT_EQ(spec.params.uid, 0);  // the overflow uid after the defaults
}

TEST(OptionsTest, IdentityErrors) {
  FakeHost host;
  EXPECT_THAT(ErrorOf(host, {"--uid", "4294967295"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--uid: UID 4294967295 is not in [0, 4294967294]"));
  EXPECT_THAT(ErrorOf(host, {"--gid", "root"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--gid: GID \"root\" is not a number"));
  EXPECT_THAT(ErrorOf(host, {"--hostname", std::string(65, 'h')}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--hostname: NAME is 65 bytes, longer than 64"));
  EXPECT_THAT(ErrorOf(host, {"--adopt-wait", "5"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--adopt-wait: ")));
}

TEST(OptionsTest, SeccompPresetsDefaultToStrictAndOptionsReplaceIt) {
  FakeHost host;
  KEKKAI_ASSERT_OK_AND_ASSIGN(RunSpec spec, Parse(host, {"sh"}));
  EXPECT_EQ(spec.params.seccomp_presets, kPresetStrict);
  EXPECT_EQ(spec.params.seccomp_flags, 0u);
  EXPECT_FALSE(spec.params.seccomp_disable);

  KEKKAI_ASSERT_OK_AND_ASSIGN(
      spec, Parse(host, {"--seccomp-preset", "ext", "--seccomp-preset",
                         "deny-devel,linux32", "--seccomp-flags",
                         "multiarch,can", "sh"}));
  EXPECT_EQ(spec.params.seccomp_presets,
            kPresetExt | kPresetDenyDevel | kPresetLinux32);
  EXPECT_EQ(spec.params.seccomp_flags, kAllowMultiarch | kAllowCAN);

  // An empty list: no preset (the base filter only).
  KEKKAI_ASSERT_OK_AND_ASSIGN(spec, Parse(host, {"--seccomp-preset", "",
                                                 "sh"}));
  EXPECT_EQ(spec.params.seccomp_presets, 0);

  KEKKAI_ASSERT_OK_AND_ASSIGN(spec, Parse(host, {"--no-seccomp", "sh"}));
  EXPECT_TRUE(spec.params.seccomp_disable);

  EXPECT_THAT(ErrorOf(host, {"--seccomp-preset", "strict,bogus"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--seccomp-preset: unknown preset "
                                 "\"bogus\"")));
  EXPECT_THAT(ErrorOf(host, {"--seccomp-flags", "tcp"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--seccomp-flags: unknown flag \"tcp\"")));
}

TEST(OptionsTest, SeccompRulesComeFromAJsonFile) {
  FakeHost host;
  host.files["/r.json"] =
      R"([{"syscall": "uname", "errno": "EPERM"},
          {"syscall": "ptrace", "errno": "ENOSYS",
           "arg": {"arg": 0, "op": "eq", "a": 16, "b": 0}}])";
  host.files["/bad.json"] = R"([{"syscall": "unamee", "errno": "EPERM"}])";
  KEKKAI_ASSERT_OK_AND_ASSIGN(
      RunSpec spec, Parse(host, {"--seccomp-rules", "/r.json", "sh"}));
  ASSERT_EQ(spec.params.seccomp_rules.size(), 2u);
  EXPECT_EQ(spec.params.seccomp_rules[0].syscall, 63);   // uname
  EXPECT_EQ(spec.params.seccomp_rules[0].errno_value, EPERM);
  EXPECT_EQ(spec.params.seccomp_rules[1].syscall, 101);  // ptrace
  ASSERT_TRUE(spec.params.seccomp_rules[1].arg.has_value());
  EXPECT_EQ(spec.params.seccomp_rules[1].arg->datum_a, 16u);

  EXPECT_THAT(ErrorOf(host, {"--seccomp-rules", "/bad.json"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--seccomp-rules \"/bad.json\": ")));
  EXPECT_THAT(ErrorOf(host, {"--seccomp-rules", "/missing.json"}),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("--seccomp-rules \"/missing.json\": open")));
}

TEST(OptionsTest, VerboseAndFormat) {
  FakeHost host;
  KEKKAI_ASSERT_OK_AND_ASSIGN(RunSpec spec, Parse(host, {"-v", "sh"}));
  EXPECT_TRUE(spec.settings.verbose);
  EXPECT_TRUE(spec.launch.verbose);
  KEKKAI_ASSERT_OK_AND_ASSIGN(
      spec, Parse(host, {"--format", "gob", "sh"}, Command::kParams));
  EXPECT_EQ(spec.settings.format, OutputFormat::kGob);
  EXPECT_THAT(Parse(host, {"--format", "xml", "sh"}, Command::kParams),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--format: unknown format \"xml\" (json, gob)"));
  // run has no --format.
  EXPECT_THAT(Parse(host, {"--format", "gob", "sh"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "unknown option \"--format\""));
}

// ---------------------------------------------------------------------------
// --config.

constexpr char kConfig[] = R"({
  "path": "/usr/bin/python3", "args": ["python3", "-V"],
  "env": ["PATH=/usr/bin", "A=1"], "dir": "/srv", "hostname": "cfg",
  "ops": [{"type": "bind", "source": "/usr", "target": "/usr"},
          {"type": "dev", "target": "/dev"}],
  "seccomp": {"presets": ["ext"]}
})";

TEST(OptionsTest, ConfigIsTheBaseAndOptionsAddToIt) {
  FakeHost host;
  host.files["/c.json"] = kConfig;
  KEKKAI_ASSERT_OK_AND_ASSIGN(
      RunSpec spec, Parse(host, {"-v", "--config", "/c.json", "--setenv", "B",
                                 "2", "--proc", "/proc", "--mqueue",
                                 "/dev/mqueue"}));
  const Params& p = spec.params;
  EXPECT_EQ(p.path, P("/usr/bin/python3"));
  EXPECT_THAT(p.args, ElementsAre("python3", "-V"));
  // The config's environment replaces the caller's.
  EXPECT_THAT(p.env, ElementsAre("PATH=/usr/bin", "A=1", "B=2"));
  EXPECT_EQ(p.dir, P("/srv"));
  EXPECT_EQ(p.hostname, "cfg");
  EXPECT_EQ(p.seccomp_presets, kPresetExt);
  std::vector<Op> ops;
  for (const auto& op : *p.ops) ops.push_back(*op);
  EXPECT_OPS(ops, Bind("/usr", "/usr", 0), MountDevOp{P("/dev"), true, false},
             MountProcOp{P("/proc")});
}

TEST(OptionsTest, ConfigProgramIsReplacedByTheCommandLine) {
  FakeHost host;
  host.files["/c.json"] = kConfig;
  KEKKAI_ASSERT_OK_AND_ASSIGN(
      RunSpec spec, Parse(host, {"--config", "/c.json", "--argv0", "py",
                                 "--seccomp-preset", "strict"}));
  EXPECT_THAT(spec.params.args, ElementsAre("py", "-V"));
  EXPECT_EQ(spec.params.seccomp_presets, kPresetStrict);
  KEKKAI_ASSERT_OK_AND_ASSIGN(spec,
                              Parse(host, {"--config", "/c.json", "sh", "x"}));
  // Looked up in the config's PATH.
  EXPECT_EQ(spec.params.path, P("/usr/bin/sh"));
  EXPECT_THAT(spec.params.args, ElementsAre("sh", "x"));
}

TEST(OptionsTest, ConfigWithoutOpsGetsTheDefaultSandbox) {
  FakeHost host;
  host.files["/c.json"] = R"({"path": "/bin/true", "ops": []})";
  KEKKAI_ASSERT_OK_AND_ASSIGN(RunSpec spec,
                              Parse(host, {"--config", "/c.json"}));
  EXPECT_EQ(spec.params.ops->size(), 9u);
  EXPECT_THAT(spec.params.args, ElementsAre("/bin/true"));
  // A config is the whole Params: no presets means none.
  EXPECT_EQ(spec.params.seccomp_presets, 0);
  EXPECT_TRUE(spec.params.env.empty());
}

TEST(OptionsTest, ConfigErrors) {
  FakeHost host;
  host.files["/c.json"] = kConfig;
  host.files["/bad.json"] = "{\"path\": \"/bin/true\",\n \"ops\": [}";
  host.files["/typo.json"] = R"({"pth": "/bin/true"})";
  host.files["/noprog.json"] = R"({"hostname": "x"})";
  EXPECT_THAT(Parse(host, {"--config", "/bad.json"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--config \"/bad.json\": line ")));
  EXPECT_THAT(Parse(host, {"--config", "/typo.json"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("pth")));
  EXPECT_THAT(Parse(host, {"--config", "/missing.json"}),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("--config \"/missing.json\"")));
  EXPECT_THAT(Parse(host, {"--config", "/noprog.json"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("missing PROGRAM")));
  EXPECT_THAT(Parse(host, {"--config", "/c.json", "--config", "/c.json"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--config: given twice"));
  EXPECT_THAT(Parse(host, {"--hostname", "x", "--config", "/c.json"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--config: must come before the options")));
}

// ---------------------------------------------------------------------------
// Usage errors and help.

TEST(OptionsTest, UnknownOptionsAndMissingArguments) {
  FakeHost host;
  EXPECT_THAT(Parse(host, {"--bnd", "/a", "/b", "sh"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "unknown option \"--bnd\""));
  EXPECT_THAT(Parse(host, {"--bind", "/usr"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--bind: needs 2 arguments (SRC DEST)"));
  EXPECT_THAT(Parse(host, {"--chdir"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--chdir: needs an argument (DIR)"));
  EXPECT_THAT(Parse(host, {"--hostname", "x"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("missing PROGRAM")));
  EXPECT_THAT(Parse(host, {}), StatusIs(absl::StatusCode::kInvalidArgument,
                                        HasSubstr("missing PROGRAM")));
  EXPECT_THAT(Parse(host, {"--", ""}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "PROGRAM is empty"));
}

TEST(OptionsTest, HelpNeedsNothingElse) {
  FakeHost host;
  KEKKAI_ASSERT_OK_AND_ASSIGN(RunSpec spec, Parse(host, {"--help"}));
  EXPECT_TRUE(spec.settings.help);
  KEKKAI_ASSERT_OK_AND_ASSIGN(spec, Parse(host, {"-h", "--bogus"}));
  EXPECT_TRUE(spec.settings.help);
}

TEST(OptionsTest, UsageListsEveryOptionOnOneLine) {
  const std::string run = RunUsage(Command::kRun);
  const std::string params = RunUsage(Command::kParams);
  for (const char* option :
       {"--bind SRC DEST", "--bind-try SRC DEST", "--ro-bind SRC DEST",
        "--ro-bind-try SRC DEST", "--dev-bind SRC DEST",
        "--dev-bind-try SRC DEST", "--bind-ensure SRC DEST", "--proc DEST",
        "--dev DEST", "--mqueue DEST", "--tmpfs DEST", "--size BYTES",
        "--perms OCTAL", "--dir DEST", "--symlink TARGET LINKNAME",
        "--remount-ro DEST", "--ro-bind-data FD DEST", "--overlay-src SRC",
        "--overlay UPPER WORK DEST", "--tmp-overlay DEST", "--ro-overlay DEST",
        "--auto-etc HOSTDIR", "--auto-root HOSTDIR", "--chdir DIR",
        "--setenv VAR VALUE", "--unsetenv VAR", "--clearenv", "--argv0 NAME",
        "--pass-fd FD", "--uid UID", "--gid GID", "--hostname NAME",
        "--share-net", "--host-abstract", "--retain-session", "--privileged",
        "--seccomp-preset NAMES", "--seccomp-flags NAMES",
        "--seccomp-rules FILE.json", "--no-seccomp", "--forward-cancel",
        "--adopt-wait DURATION", "--config FILE.json", "-v, --verbose",
        "-h, --help"}) {
    EXPECT_THAT(run, HasSubstr(absl::StrCat("  ", option, " "))) << option;
    EXPECT_THAT(params, HasSubstr(absl::StrCat("  ", option, " ")))
        << option;
  }
  EXPECT_THAT(run, ::testing::Not(HasSubstr("--format")));
  EXPECT_THAT(params, HasSubstr("--format json|gob"));
  // One line per option: no line is wider than a terminal.
  for (absl::string_view line : absl::StrSplit(run, '\n')) {
    EXPECT_LE(line.size(), 80u) << line;
  }
}

// ---------------------------------------------------------------------------
// What `params` prints and `run` sends.

TEST(OptionsTest, MakeInitParamsAppliesTheLauncherDefaults) {
  FakeHost host;
  host.open_fds.insert({4, 5});
  KEKKAI_ASSERT_OK_AND_ASSIGN(
      RunSpec spec, Parse(host, {"-v", "--pass-fd", "4", "--pass-fd", "5",
                                 "--adopt-wait", "-1s", "sh"}));
  const InitParams init = MakeInitParams(spec, 65534, 65533, 1000, 1001);
  EXPECT_EQ(init.params.uid, 65534);
  EXPECT_EQ(init.params.gid, 65533);
  EXPECT_EQ(init.params.dir, P("/"));
  EXPECT_EQ(init.params.adopt_wait_delay, 0);
  EXPECT_EQ(init.params.seccomp_presets, kPresetStrict);  // has deny-tty
  EXPECT_EQ(init.host_uid, 1000);
  EXPECT_EQ(init.host_gid, 1001);
  EXPECT_EQ(init.count, 2);
  EXPECT_TRUE(init.verbose);
  EXPECT_EQ(init.kekkai_report, kSetupReportVersion);
  EXPECT_THAT(ValidateInitParams(init), IsOk());

  KEKKAI_ASSERT_OK_AND_ASSIGN(
      spec, Parse(host, {"--retain-session", "--seccomp-preset", "ext",
                         "--uid", "7", "sh"}));
  const InitParams retained = MakeInitParams(spec, 65534, 65534, 0, 0);
  EXPECT_EQ(retained.params.seccomp_presets, kPresetExt);  // no deny-tty
  EXPECT_EQ(retained.params.uid, 7);
  EXPECT_EQ(retained.params.adopt_wait_delay, kDefaultAdoptWaitDelay);
  EXPECT_EQ(retained.count, 0);
  EXPECT_FALSE(retained.verbose);
}

}  // namespace
}  // namespace kekkai::cli
