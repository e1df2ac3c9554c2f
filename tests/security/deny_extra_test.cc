// seccomp::DenyExtra and its parts: the library half of `kekkai run
// --seccomp-deny-extra` (the kernel half is in security_test.cc).
#include <errno.h>
#include <seccomp.h>

#include <vector>

#include "common/params.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "seccomp/seccomp.h"
#include "tests/testing/status_matchers.h"

namespace kekkai::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

NativeRule Enosys(int syscall) {
  return NativeRule{.syscall = syscall, .errno_value = ENOSYS, .arg = {}};
}

uint32_t Parsed(absl::string_view names) {
  absl::StatusOr<uint32_t> extra = seccomp::ParseExtraDenials(names);
  EXPECT_TRUE(extra.ok()) << extra.status();
  return extra.value_or(~0u);
}

TEST(DenyExtraTest, ParsesNames) {
  EXPECT_EQ(Parsed("io_uring"), seccomp::kDenyIoUring);
  EXPECT_EQ(Parsed("userfaultfd,io_uring"),
            seccomp::kDenyIoUring | seccomp::kDenyUserfaultfd);
  EXPECT_EQ(Parsed(""), 0u);
  EXPECT_THAT(seccomp::ParseExtraDenials("io_uring,ptrace"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown call group \"ptrace\"")));
}

TEST(DenyExtraTest, RulesAnswerEnosys) {
  EXPECT_THAT(seccomp::ExtraDenialRules(seccomp::kDenyIoUring),
              ElementsAre(Enosys(SCMP_SYS(io_uring_setup)),
                          Enosys(SCMP_SYS(io_uring_enter)),
                          Enosys(SCMP_SYS(io_uring_register))));
  EXPECT_THAT(seccomp::ExtraDenialRules(seccomp::kDenyUserfaultfd),
              ElementsAre(Enosys(SCMP_SYS(userfaultfd))));
  EXPECT_TRUE(seccomp::ExtraDenialRules(0).empty());
}

// The presets become explicit rules (deny-tty added as the launcher adds
// it), the extra denials follow, and the result is a valid filter.
TEST(DenyExtraTest, PresetsBecomeExplicitRulesPlusTheDenials) {
  Params params;
  params.seccomp_presets = kPresetStrict;
  params.seccomp_presets &= ~kPresetDenyTTY;
  seccomp::DenyExtra(params, seccomp::kDenyIoUring | seccomp::kDenyUserfaultfd);
  std::vector<NativeRule> want =
      seccomp::Preset(kPresetStrict | kPresetDenyTTY, 0);
  for (const NativeRule& r : seccomp::ExtraDenialRules(
           seccomp::kDenyIoUring | seccomp::kDenyUserfaultfd)) {
    want.push_back(r);
  }
  EXPECT_EQ(params.seccomp_rules, want);
  EXPECT_EQ(seccomp::RulesFor(params), want);
  EXPECT_THAT(seccomp::ValidateRules(params.seccomp_rules), IsOk());
  EXPECT_THAT(seccomp::Export(params.seccomp_rules, 0), IsOk());
}

TEST(DenyExtraTest, RetainSessionKeepsTtyOut) {
  Params params;
  params.retain_session = true;
  params.seccomp_presets = kPresetDenyNS;
  seccomp::DenyExtra(params, seccomp::kDenyUserfaultfd);
  std::vector<NativeRule> want = seccomp::Preset(kPresetDenyNS, 0);
  want.push_back(Enosys(SCMP_SYS(userfaultfd)));
  EXPECT_EQ(params.seccomp_rules, want);
}

TEST(DenyExtraTest, ExplicitRulesAreKeptAndExtended) {
  Params params;
  params.seccomp_rules = {
      NativeRule{.syscall = SCMP_SYS(uname), .errno_value = EPERM, .arg = {}}};
  seccomp::DenyExtra(params, seccomp::kDenyUserfaultfd);
  EXPECT_THAT(params.seccomp_rules,
              ElementsAre(NativeRule{.syscall = SCMP_SYS(uname),
                                     .errno_value = EPERM,
                                     .arg = {}},
                          Enosys(SCMP_SYS(userfaultfd))));
}

TEST(DenyExtraTest, NothingChangesWithoutDenials) {
  Params params;
  params.seccomp_presets = kPresetStrict;
  seccomp::DenyExtra(params, 0);
  EXPECT_TRUE(params.seccomp_rules.empty());
}

}  // namespace
}  // namespace kekkai::testing
