// Export(): hakurei's SHA-512 oracle for each (flags, presets) pair, the
// composition of the presets, and the errors (ValidateRules, LibraryError).
#include <linux/filter.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/syscall.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <vector>

#include "common/params.h"
#include "common/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "seccomp/seccomp.h"
#include "seccomp/syscalls.h"
#include "tests/seccomp/hakurei_hashes.h"
#include "tests/seccomp/sha512.h"
#include "tests/testing/status_matchers.h"

namespace kekkai::seccomp {
namespace {

using ::kekkai::testing::IsOk;
using ::kekkai::testing::Sha512Hex;
using ::kekkai::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// --- the oracle -------------------------------------------------------------

using ::kekkai::testing::HakureiHash;
using ::kekkai::testing::kHakureiHashes;

class ExportHashTest : public ::testing::TestWithParam<HakureiHash> {};

TEST_P(ExportHashTest, MatchesHakureisProgram) {
  const HakureiHash& c = GetParam();
  const std::vector<NativeRule> rules = Preset(c.presets, c.flags);
  EXPECT_EQ(rules.size(), c.rule_count);
  KEKKAI_ASSERT_OK_AND_ASSIGN(std::string program, Export(rules, c.flags));
  EXPECT_EQ(program.size() % sizeof(sock_filter), 0u);
  EXPECT_EQ(Sha512Hex(program), c.sha512);
}

INSTANTIATE_TEST_SUITE_P(
    Amd64, ExportHashTest, ::testing::ValuesIn(kHakureiHashes),
    [](const ::testing::TestParamInfo<HakureiHash>& param) {
      return std::string(param.param.name);
    });

TEST(Sha512Test, KnownVectors) {
  // FIPS 180-4 examples, so a wrong hash above cannot be the helper's fault.
  EXPECT_EQ(Sha512Hex("abc"),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
  EXPECT_EQ(Sha512Hex(""),
            "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
            "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e");
  EXPECT_EQ(Sha512Hex(std::string(1000, 'a')).substr(0, 16),
            "67ba5535a46e3f86");
}

// --- composition ------------------------------------------------------------

std::vector<std::string> Names(const std::vector<NativeRule>& rules) {
  std::vector<std::string> names;
  for (const NativeRule& rule : rules) {
    absl::StatusOr<std::string> name = SyscallName(rule.syscall);
    names.push_back(name.ok() ? *name : "?");
  }
  return names;
}

TEST(PresetTest, NoPresetsIsCommonThenEmu) {
  EXPECT_THAT(
      Names(Preset(0, 0)),
      ElementsAre("syslog", "uselib", "acct", "quotactl", "add_key", "keyctl",
                  "request_key", "move_pages", "mbind", "get_mempolicy",
                  "set_mempolicy", "migrate_pages", "modify_ldt"));
  for (const NativeRule& rule : Preset(0, 0)) {
    EXPECT_EQ(rule.errno_value, EPERM);
    EXPECT_FALSE(rule.arg.has_value());
  }
  // Multiarch allows modify_ldt: only the common group is left.
  EXPECT_EQ(Preset(0, kAllowMultiarch).size(), 12u);
}

TEST(PresetTest, GroupsFollowHakureisOrder) {
  // deny-ns, deny-tty, deny-devel, emu, then the extension groups.
  const std::vector<std::string> names = Names(Preset(kPresetStrict, 0));
  ASSERT_EQ(names.size(), 73u);
  EXPECT_EQ(names[12], "unshare");  // namespace starts after common
  EXPECT_EQ(names[15], "umount");   // a pseudo-number on x86_64
  EXPECT_EQ(names[19], "clone");
  EXPECT_EQ(names[20], "clone3");
  EXPECT_EQ(names[27], "mount_setattr");  // namespace ends
  EXPECT_EQ(names[28], "ioctl");          // tty
  EXPECT_EQ(names[29], "ioctl");
  EXPECT_EQ(names[30], "perf_event_open");  // devel
  EXPECT_EQ(names[31], "personality");
  EXPECT_EQ(names[32], "ptrace");
  EXPECT_EQ(names[33], "modify_ldt");  // emu
  EXPECT_EQ(names[34], "adjtimex");    // commonExt
  EXPECT_EQ(names[47], "swapon");
  EXPECT_EQ(names[48], "chown");  // namespaceExt
  EXPECT_EQ(names[68], "setuid32");
  EXPECT_EQ(names[69], "subpage_prot");  // emuExt
  EXPECT_EQ(names[72], "vm86old");
}

TEST(PresetTest, RuleCountsMatchHakurei) {
  // hakurei's String test also pins ext + deny-ns + deny-tty with multiarch.
  EXPECT_EQ(Preset(kPresetExt | kPresetDenyNS | kPresetDenyTTY, kAllowMultiarch)
                .size(),
            65u);
  // can/bluetooth change the socket filter, never the rule list.
  EXPECT_EQ(Preset(kPresetStrict, kAllowCAN | kAllowBluetooth),
            Preset(kPresetStrict, 0));
  // Unknown preset bits are ignored.
  EXPECT_EQ(Preset(kPresetStrict | (int64_t{1} << 40), 0),
            Preset(kPresetStrict, 0));
}

TEST(PresetTest, ArgumentComparisons) {
  const std::vector<NativeRule> rules = Preset(kPresetStrict, 0);
  const NativeRule& clone = rules[19];
  EXPECT_EQ(clone.syscall, SYS_clone);
  ASSERT_TRUE(clone.arg.has_value());
  EXPECT_EQ(*clone.arg, (ScmpArgCmp{0, 7, CLONE_NEWUSER, CLONE_NEWUSER}));
  EXPECT_EQ(rules[20].errno_value, ENOSYS);  // clone3: libc falls back

  ASSERT_TRUE(rules[28].arg.has_value());
  EXPECT_EQ(*rules[28].arg, (ScmpArgCmp{1, 7, 0xFFFFFFFFu, TIOCSTI}));
  ASSERT_TRUE(rules[29].arg.has_value());
  EXPECT_EQ(*rules[29].arg, (ScmpArgCmp{1, 7, 0xFFFFFFFFu, TIOCLINUX}));

  ASSERT_TRUE(rules[31].arg.has_value());
  EXPECT_EQ(*rules[31].arg, (ScmpArgCmp{0, 1, PER_LINUX, 0}));
  const std::vector<NativeRule> linux32 =
      Preset(kPresetDenyDevel | kPresetLinux32, 0);
  ASSERT_EQ(linux32.size(), 16u);
  ASSERT_TRUE(linux32[13].arg.has_value());
  EXPECT_EQ(*linux32[13].arg, (ScmpArgCmp{0, 1, PER_LINUX32, 0}));
}

TEST(RulesForTest, ExplicitRulesReplaceThePresets) {
  Params params;
  params.seccomp_presets = kPresetStrict;
  params.seccomp_flags = kAllowMultiarch;
  EXPECT_EQ(RulesFor(params), Preset(kPresetStrict, kAllowMultiarch));

  params.seccomp_rules = {NativeRule{SYS_ptrace, EPERM, {}}};
  EXPECT_THAT(RulesFor(params), ElementsAre(NativeRule{SYS_ptrace, EPERM, {}}));
}

// --- explicit rules ---------------------------------------------------------

TEST(ExportTest, ExplicitRulesProduceTheirOwnProgram) {
  const std::vector<NativeRule> one = {NativeRule{SYS_ptrace, EPERM, {}}};
  const std::vector<NativeRule> two = {
      NativeRule{SYS_ptrace, EPERM, {}},
      NativeRule{SYS_personality, ENOSYS, ScmpArgCmp{0, 1, 0, 0}}};
  KEKKAI_ASSERT_OK_AND_ASSIGN(std::string a, Export(one, 0));
  KEKKAI_ASSERT_OK_AND_ASSIGN(std::string again, Export(one, 0));
  KEKKAI_ASSERT_OK_AND_ASSIGN(std::string b, Export(two, 0));
  EXPECT_EQ(a, again);  // deterministic
  EXPECT_NE(a, b);
  EXPECT_GT(b.size(), a.size());
}

TEST(ExportTest, FlagsChangeTheSocketFilterAndArchitectures) {
  const std::vector<NativeRule> rules = Preset(0, 0);
  KEKKAI_ASSERT_OK_AND_ASSIGN(std::string none, Export(rules, 0));
  KEKKAI_ASSERT_OK_AND_ASSIGN(std::string can, Export(rules, kAllowCAN));
  KEKKAI_ASSERT_OK_AND_ASSIGN(std::string bt, Export(rules, kAllowBluetooth));
  KEKKAI_ASSERT_OK_AND_ASSIGN(std::string multi,
                              Export(rules, kAllowMultiarch));
  EXPECT_NE(none, can);
  EXPECT_NE(none, bt);
  EXPECT_NE(can, bt);
  // With multiarch the program checks for AUDIT_ARCH_I386 (0x40000003).
  const std::string i386("\x03\x00\x00\x40", 4);
  EXPECT_EQ(none.find(i386), std::string::npos);
  EXPECT_NE(multi.find(i386), std::string::npos);
}

TEST(ExportTest, NewerSyscallsCanBeFiltered) {
  // mseal is newer than libseccomp 2.5.4's table but still a valid number.
  KEKKAI_ASSERT_OK_AND_ASSIGN(int32_t mseal, SyscallNumber("mseal"));
  EXPECT_THAT(Export({NativeRule{mseal, EPERM, {}}}, 0), IsOk());
}

// --- errors -----------------------------------------------------------------

TEST(ExportErrorTest, EmptyRuleListIsInvalid) {
  EXPECT_THAT(Export({}, 0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       StartsWith("invalid native rules slice")));
  EXPECT_THAT(Load({}, 0), StatusIs(absl::StatusCode::kInvalidArgument,
                                    StartsWith("invalid native rules slice")));
}

TEST(ExportErrorTest, OnlyEpermAndEnosysAreAccepted) {
  const std::vector<NativeRule> rules = {
      NativeRule{SYS_ptrace, EPERM, {}},
      NativeRule{SYS_mount, EACCES, {}},
  };
  EXPECT_THAT(Export(rules, 0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "rule 1 (mount): errno 13 (EACCES) is not EPERM or "
                       "ENOSYS"));
  EXPECT_THAT(
      Export({NativeRule{SYS_mount, 0, {}}}, 0),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("errno 0")));
  EXPECT_THAT(Export({NativeRule{SYS_mount, ENOSYS, {}}}, 0), IsOk());
}

TEST(ExportErrorTest, ArgumentComparisonIsChecked) {
  EXPECT_THAT(
      Export({NativeRule{SYS_ioctl, EPERM, ScmpArgCmp{6, 4, 0, 0}}}, 0),
      StatusIs(absl::StatusCode::kInvalidArgument,
               "rule 0 (ioctl (arg6 == 0)): argument index 6 is not 0..5"));
  EXPECT_THAT(Export({NativeRule{SYS_ioctl, EPERM, ScmpArgCmp{1, 0, 0, 0}}}, 0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("comparison 0 is not 1..7")));
  EXPECT_THAT(Export({NativeRule{SYS_ioctl, EPERM, ScmpArgCmp{1, 8, 0, 0}}}, 0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("comparison 8 is not 1..7")));
}

TEST(ExportErrorTest, LibseccompRefusalIsALibraryError) {
  // -5 is neither a syscall nor one of libseccomp's pseudo-numbers.
  const absl::Status status =
      Export({NativeRule{SYS_ptrace, EPERM, {}}, NativeRule{-5, EPERM, {}}}, 0)
          .status();
  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "rule 1 (syscall -5): seccomp_rule_add failed: invalid "
                       "argument (libseccomp error -22, errno 0)"));
  EXPECT_EQ(GetErrno(status), EINVAL);
  // Load fails the same way, before anything is loaded.
  EXPECT_THAT(Load({NativeRule{-5, EPERM, {}}}, 0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("seccomp_rule_add failed")));
}

TEST(LibraryErrorTest, NamesTheCallAndBothCodes) {
  // hakurei's TestLibraryError cases, in kekkai's wording.
  absl::Status full =
      LibraryError("seccomp_export_bpf failed", -ECANCELED, EBADF);
  EXPECT_THAT(full, StatusIs(absl::StatusCode::kCancelled,
                             "seccomp_export_bpf failed: operation canceled "
                             "(libseccomp error -125, errno 9)"));
  EXPECT_EQ(GetErrno(full), ECANCELED);

  absl::Status errno_only = LibraryError("seccomp_init failed", 0, ENOMEM);
  EXPECT_THAT(errno_only,
              StatusIs(absl::StatusCode::kResourceExhausted,
                       "seccomp_init failed: cannot allocate memory (errno "
                       "12)"));
  EXPECT_EQ(GetErrno(errno_only), ENOMEM);

  absl::Status seccomp_only =
      LibraryError("internal libseccomp failure", -EFAULT, 0);
  EXPECT_THAT(seccomp_only.message(),
              "internal libseccomp failure: bad address (libseccomp error "
              "-14, errno 0)");
  EXPECT_EQ(GetErrno(seccomp_only), EFAULT);

  // hakurei panics on an error with neither code; kekkai says so instead.
  EXPECT_THAT(LibraryError("seccomp_load failed", 0, 0),
              StatusIs(absl::StatusCode::kInternal,
                       HasSubstr("seccomp_load failed: unknown error")));
}

TEST(DescribeRuleTest, NamesSyscallAndComparison) {
  EXPECT_EQ(DescribeRule({SYS_ptrace, EPERM, {}}), "ptrace");
  EXPECT_EQ(DescribeRule({-5, EPERM, {}}), "syscall -5");
  EXPECT_EQ(
      DescribeRule({SYS_ioctl, EPERM, ScmpArgCmp{1, 7, 0xFFFFFFFFu, TIOCSTI}}),
      "ioctl (arg1 & 0xffffffff == 0x5412)");
  EXPECT_EQ(DescribeRule({SYS_personality, EPERM, ScmpArgCmp{0, 1, 8, 0}}),
            "personality (arg0 != 0x8)");
}

}  // namespace
}  // namespace kekkai::seccomp
