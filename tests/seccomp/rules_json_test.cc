// Seccomp rules in their JSON form (common/json.h) as the filter sees them:
// names round-trip to the same rules and the same BPF bytes, hakurei's own
// JSON spelling (numbers) is read as the same rules, and bad names and bad
// errnos are refused with errors that say where and why.
#include <sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include <cerrno>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/params.h"
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
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(RulesJsonTest, PresetsRoundTripByName) {
  const std::vector<NativeRule> rules =
      Preset(kPresetStrict | kPresetLinux32, 0);
  const std::string json = RulesToJson(rules);
  // Syscalls and errnos are written by name, including the pseudo-numbered
  // calls x86_64 lacks.
  EXPECT_THAT(json, AllOf(HasSubstr("\"ptrace\""), HasSubstr("\"umount\""),
                          HasSubstr("\"chown32\""), HasSubstr("\"vm86old\""),
                          HasSubstr("\"EPERM\""), HasSubstr("\"ENOSYS\"")));
  KEKKAI_ASSERT_OK_AND_ASSIGN(std::vector<NativeRule> back,
                              RulesFromJson(json));
  EXPECT_EQ(back, rules);
}

TEST(RulesJsonTest, RulesThroughJsonGiveHakureisBytes) {
  for (const testing::HakureiHash& c : testing::kHakureiHashes) {
    KEKKAI_ASSERT_OK_AND_ASSIGN(
        std::vector<NativeRule> rules,
        RulesFromJson(RulesToJson(Preset(c.presets, c.flags))));
    KEKKAI_ASSERT_OK_AND_ASSIGN(std::string program, Export(rules, c.flags));
    EXPECT_EQ(Sha512Hex(program), c.sha512) << c.name;
  }
}

TEST(RulesJsonTest, HakureisNumericSpellingIsAccepted) {
  // hakurei's std.NativeRule JSON: errno and comparison as numbers.
  KEKKAI_ASSERT_OK_AND_ASSIGN(std::vector<NativeRule> rules, RulesFromJson(R"([
        {"syscall": "ioctl", "errno": 1,
         "arg": {"arg": 1, "op": 7, "a": 4294967295, "b": 21522}},
        {"syscall": "clone3", "errno": 38}
      ])"));
  EXPECT_THAT(rules,
              ElementsAre(NativeRule{SYS_ioctl, EPERM,
                                     ScmpArgCmp{1, 7, 0xFFFFFFFFu, TIOCSTI}},
                          NativeRule{SYS_clone3, ENOSYS, {}}));
  // The same TIOCSTI rule deny-tty uses.
  EXPECT_EQ(rules[0], Preset(kPresetDenyTTY, 0)[12]);
}

TEST(RulesJsonTest, NewerAndPseudoNumberedCallsByName) {
  KEKKAI_ASSERT_OK_AND_ASSIGN(
      std::vector<NativeRule> rules,
      RulesFromJson(R"([{"syscall": "mseal", "errno": "EPERM"},
                         {"syscall": "umount", "errno": "EPERM"}])"));
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0].syscall, 462);
  EXPECT_EQ(rules[1].syscall, __PNR_umount);
  EXPECT_THAT(RulesToJson(rules), HasSubstr("\"mseal\""));
  EXPECT_THAT(Export(rules, 0), IsOk());
}

TEST(RulesJsonTest, UnknownSyscallNameIsRefused) {
  EXPECT_THAT(RulesFromJson(R"([{"syscall": "ptrace", "errno": "EPERM"},
                        {"syscall": "ptrac", "errno": "EPERM"}])"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("[1].syscall"),
                             HasSubstr("unknown syscall \"ptrac\""))));
}

TEST(RulesJsonTest, BadErrnosAreRefused) {
  // Not an errno at all: the JSON layer says so.
  EXPECT_THAT(RulesFromJson(R"([{"syscall": "ptrace", "errno": "EWHAT"}])"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("[0].errno"),
                             HasSubstr("unknown errno \"EWHAT\""))));
  // A real errno that hakurei's filter cannot return: the filter says so.
  KEKKAI_ASSERT_OK_AND_ASSIGN(
      std::vector<NativeRule> rules,
      RulesFromJson(R"([{"syscall": "ptrace", "errno": "EACCES"}])"));
  EXPECT_THAT(Export(rules, 0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "rule 0 (ptrace): errno 13 (EACCES) is not EPERM or "
                       "ENOSYS"));
  EXPECT_THAT(Load(rules, 0), StatusIs(absl::StatusCode::kInvalidArgument,
                                       HasSubstr("is not EPERM or ENOSYS")));
}

}  // namespace
}  // namespace kekkai::seccomp
