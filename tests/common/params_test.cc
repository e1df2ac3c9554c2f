// Params and InitParams (params.h): the launcher's normalisation, the
// effective parent permission, and every rule of ValidateParams and
// ValidateInitParams, with the field (and for ops the index and type) that
// the message names.
#include "common/params.h"

#include <errno.h>

#include <cstdint>
#include <limits>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/test_util.h"
#include "tests/testing/status_matchers.h"

namespace kekkai {
namespace {

using ::kekkai::testing::IsOk;
using ::kekkai::testing::StatusIs;
using ::testing::Eq;

AbsolutePath P(absl::string_view path) { return AbsolutePath::Literal(path); }

// The smallest Params that passes ValidateParams.
Params Minimal() {
  Params p;
  p.path = P("/bin/sh");
  p.args = {"sh"};
  p.ops = OpList{Op(MountProcOp{P("/proc")})};
  return p;
}

void ExpectInvalid(const Params& p, absl::string_view message) {
  EXPECT_THAT(ValidateParams(p),
              StatusIs(absl::StatusCode::kInvalidArgument, Eq(message)));
}

TEST(ApplyLauncherDefaultsTest, ZeroValues) {
  Params p;
  ApplyLauncherDefaults(p, 65534, 65533);
  EXPECT_EQ(p.uid, 65534);
  EXPECT_EQ(p.gid, 65533);
  EXPECT_EQ(p.seccomp_presets, kPresetDenyTTY);
  EXPECT_EQ(p.adopt_wait_delay, 5 * kSecond);
  EXPECT_EQ(p.dir, P("/"));
}

TEST(ApplyLauncherDefaultsTest, KeepsSetValuesAndNormalisesNegatives) {
  Params p;
  p.uid = 1000;
  p.gid = 100;
  p.dir = P("/home");
  p.adopt_wait_delay = 7;
  p.seccomp_presets = kPresetExt;
  ApplyLauncherDefaults(p, 65534, 65534);
  EXPECT_EQ(p.uid, 1000);
  EXPECT_EQ(p.gid, 100);
  EXPECT_EQ(p.dir, P("/home"));
  EXPECT_EQ(p.adopt_wait_delay, 7);
  EXPECT_EQ(p.seccomp_presets, kPresetExt | kPresetDenyTTY);

  Params q;
  q.uid = -3;  // uid 0 or below cannot be requested: overflow uid
  q.gid = 0;
  q.adopt_wait_delay = -1;  // negative means no wait
  ApplyLauncherDefaults(q, 65534, 65534);
  EXPECT_EQ(q.uid, 65534);
  EXPECT_EQ(q.gid, 65534);
  EXPECT_EQ(q.adopt_wait_delay, 0);
}

TEST(ApplyLauncherDefaultsTest, RetainSessionKeepsTty) {
  Params p;
  p.retain_session = true;
  ApplyLauncherDefaults(p, 65534, 65534);
  EXPECT_EQ(p.seccomp_presets, 0);
}

TEST(EffectiveParentPermTest, ZeroMeans0755) {
  Params p;
  EXPECT_EQ(EffectiveParentPerm(p), 0755u);
  p.parent_perm = 0700;
  EXPECT_EQ(EffectiveParentPerm(p), 0700u);
}

TEST(ValidateParamsTest, AcceptsMinimalAndFull) {
  EXPECT_THAT(ValidateParams(Minimal()), IsOk());
  Params p = Minimal();
  p.dir = P("/");
  p.env = {"A=1", ""};
  p.hostname = std::string(64, 'h');
  p.uid = 4294967294;
  p.gid = 4294967294;
  p.parent_perm = 07777;
  p.seccomp_rules = {
      NativeRule{101, EPERM, std::nullopt},
      NativeRule{1, ENOSYS, ScmpArgCmp{5, 7, 1, 1}},
      NativeRule{-10101, EPERM, ScmpArgCmp{0, 1, 0, 0}},
  };
  EXPECT_THAT(ValidateParams(p), IsOk());
}

TEST(ValidateParamsTest, ProgramAndStrings) {
  Params p = Minimal();
  p.path.reset();
  ExpectInvalid(p, "path: not set (the program to run)");
  p = Minimal();
  p.path = P(std::string("/bin\0sh", 7));
  ExpectInvalid(p, "path: contains a NUL byte");
  p = Minimal();
  p.dir = P(std::string("/\0", 2));
  ExpectInvalid(p, "dir: contains a NUL byte");
  p = Minimal();
  p.args = {"sh", std::string("-c\0x", 4)};
  ExpectInvalid(p, "args[1]: \"-c\\x00x\" contains a NUL byte");
  p = Minimal();
  p.env = {"A=1", "B=2", std::string("NUL=a\0b", 7)};
  ExpectInvalid(p, "env[2]: \"NUL=a\\x00\\x62\" contains a NUL byte");
  p = Minimal();
  p.hostname = std::string("h\0", 2);
  ExpectInvalid(p, "hostname: \"h\\x00\" contains a NUL byte");
  p = Minimal();
  p.hostname = std::string(65, 'h');
  ExpectInvalid(p, "hostname: 65 bytes is longer than 64");
}

TEST(ValidateParamsTest, IdsAndPermissions) {
  Params p = Minimal();
  p.uid = 4294967295;
  ExpectInvalid(p, "uid: 4294967295 is out of range");
  p = Minimal();
  p.gid = std::numeric_limits<int64_t>::max();
  ExpectInvalid(p, "gid: 9223372036854775807 is out of range");
  p = Minimal();
  p.uid = -1;  // the launcher turns it into the overflow uid
  EXPECT_THAT(ValidateParams(p), IsOk());
  p = Minimal();
  p.parent_perm = 010000;
  ExpectInvalid(p, "parent_perm: 010000 has bits outside 07777");
}

TEST(ValidateParamsTest, OpsNameIndexTypeAndField) {
  Params p = Minimal();
  p.ops.reset();
  ExpectInvalid(p, "ops: no ops (a container needs at least one)");
  p.ops = OpList{};
  ExpectInvalid(p, "ops: no ops (a container needs at least one)");
  p.ops = OpList{Op(MountProcOp{P("/proc")}), std::nullopt};
  ExpectInvalid(p, "op 1: nil op");
  p.ops = OpList{Op(MountProcOp{P("/proc")}), Op(MountDevOp{P("/dev")}),
                 Op(MkdirOp{P("/tmp"), 0755}),
                 Op(BindMountOp{std::nullopt, P("/usr"), 0})};
  ExpectInvalid(p, "op 3 (bind): source: not set");
  p.ops = OpList{Op(SymlinkOp{P("/a"), "", false})};
  ExpectInvalid(p, "op 0 (symlink): linkname: empty");
  p.ops = OpList{Op(MountTmpfsOp{"t", P("/t"), 0, -5, 0})};
  ExpectInvalid(p, "op 0 (tmpfs): size: -5 is negative");
  p.ops = OpList{Op(AutoEtcOp{"a/b"})};
  ExpectInvalid(p, "op 0 (auto-etc): prefix: \"a/b\" is not a single path element");
}

TEST(ValidateParamsTest, SeccompRules) {
  Params p = Minimal();
  p.seccomp_rules = {NativeRule{101, EPERM, std::nullopt},
                     NativeRule{101, EACCES, std::nullopt}};
  ExpectInvalid(p, "seccomp rule 1: errno 13 is not EPERM or ENOSYS");
  p.seccomp_rules = {NativeRule{101, 0, std::nullopt}};
  ExpectInvalid(p, "seccomp rule 0: errno 0 is not EPERM or ENOSYS");
  p.seccomp_rules = {NativeRule{101, EPERM, ScmpArgCmp{6, 4, 0, 0}}};
  ExpectInvalid(p, "seccomp rule 0: argument index 6 is not 0..5");
  p.seccomp_rules = {NativeRule{101, EPERM, ScmpArgCmp{0, 0, 0, 0}}};
  ExpectInvalid(p, "seccomp rule 0: comparison 0 is not 1..7");
  p.seccomp_rules = {NativeRule{101, EPERM, ScmpArgCmp{0, 8, 0, 0}}};
  ExpectInvalid(p, "seccomp rule 0: comparison 8 is not 1..7");
}

InitParams MinimalInit() {
  InitParams ip;
  ip.params = Minimal();
  ip.params.uid = 1000;
  ip.params.gid = 1000;
  ip.host_uid = 1000;
  ip.host_gid = 1000;
  return ip;
}

void ExpectInvalidInit(const InitParams& ip, absl::string_view message) {
  EXPECT_THAT(ValidateInitParams(ip),
              StatusIs(absl::StatusCode::kInvalidArgument, Eq(message)));
}

TEST(ValidateInitParamsTest, Envelope) {
  EXPECT_THAT(ValidateInitParams(MinimalInit()), IsOk());
  InitParams ip = MinimalInit();
  ip.count = kMaxExtraFiles;
  ip.kekkai_report = kSetupReportVersion;
  ip.params.uid = 0;
  EXPECT_THAT(ValidateInitParams(ip), IsOk());

  ip = MinimalInit();
  ip.params.path.reset();  // the Params rules apply first
  ExpectInvalidInit(ip, "path: not set (the program to run)");
  ip = MinimalInit();
  ip.params.uid = -1;
  ExpectInvalidInit(ip, "uid: -1 is negative");
  ip = MinimalInit();
  ip.params.gid = -2;
  ExpectInvalidInit(ip, "gid: -2 is negative");
  ip = MinimalInit();
  ip.host_uid = -1;
  ExpectInvalidInit(ip, "host_uid: -1 is out of range");
  ip = MinimalInit();
  ip.host_uid = 4294967295;
  ExpectInvalidInit(ip, "host_uid: 4294967295 is out of range");
  ip = MinimalInit();
  ip.host_gid = -1;
  ExpectInvalidInit(ip, "host_gid: -1 is out of range");
  ip = MinimalInit();
  ip.host_gid = 4294967295;
  ExpectInvalidInit(ip, "host_gid: 4294967295 is out of range");
  ip = MinimalInit();
  ip.count = -1;
  ExpectInvalidInit(ip, "count: -1 is not within 0..1024");
  ip.count = kMaxExtraFiles + 1;
  ExpectInvalidInit(ip, "count: 1025 is not within 0..1024");
  ip = MinimalInit();
  ip.kekkai_report = -1;
  ExpectInvalidInit(ip, "kekkai_report: negative");
}

TEST(DescribeParamsTest, HakureiContainerString) {
  Params p = Minimal();
  p.args = {"sh", "-c", "echo \"hi\""};
  p.seccomp_presets = kPresetStrict;
  p.seccomp_flags = 1;
  p.seccomp_rules = {NativeRule{101, EPERM, std::nullopt}};
  EXPECT_EQ(DescribeParams(p),
            "argv: [\"sh\" \"-c\" \"echo \\\"hi\\\"\"], filter: true, "
            "rules: 1, flags: 0x1, presets: 0xf");
  p.seccomp_disable = true;
  p.seccomp_presets = 0;
  p.seccomp_flags = 0;
  EXPECT_THAT(DescribeParams(p), ::testing::HasSubstr("filter: false"));
  EXPECT_THAT(DescribeParams(p), ::testing::HasSubstr("flags: 0, presets: 0"));
}

}  // namespace
}  // namespace kekkai
