// The privilege drop (init/privileges.h) and the error line grammar
// (init/failure.h).
#include <errno.h>
#include <linux/capability.h>

#include "common/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "init/failure.h"
#include "init/privileges.h"
#include "tests/init/mock_sys.h"
#include "tests/init/op_script.h"
#include "tests/testing/status_matchers.h"

namespace kekkai::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::InSequence;
using ::testing::Return;

std::vector<ScriptCall> DropScript(int last_cap, bool privileged) {
  std::vector<ScriptCall> calls;
  calls.push_back(Call("clear the ambient capability set",
                       SYS(CapAmbientClearAll())));
  for (int cap = 0; cap <= last_cap; ++cap) {
    if (privileged && cap == CAP_SYS_ADMIN) continue;
    calls.push_back(Call(absl::StrCat("drop capability ", cap,
                                      " from the bounding set"),
                         SYS(CapBoundingSetDrop(cap))));
  }
  const uint64_t keep = privileged ? uint64_t{1} << CAP_SYS_ADMIN : 0;
  if (privileged) {
    calls.push_back(Call("raise CAP_SYS_ADMIN as ambient",
                         SYS(CapAmbientRaise(CAP_SYS_ADMIN))));
  }
  calls.push_back(Call("drop capabilities (capset)", SYS(Capset(0, keep, keep))));
  return calls;
}

void RunDrop(int last_cap, bool privileged) {
  const std::vector<ScriptCall> calls = DropScript(last_cap, privileged);
  {
    StrictMockSys sys;
    InSequence seq;
    ExpectScript(sys, calls, calls.size(), absl::OkStatus());
    EXPECT_THAT(init::DropPrivileges(sys, last_cap, privileged), IsOk());
  }
  for (size_t k = 0; k < calls.size(); ++k) {
    SCOPED_TRACE(k);
    StrictMockSys sys;
    InSequence seq;
    const absl::Status injected = Injected(static_cast<int>(k) + 1);
    ExpectScript(sys, calls, k, injected);
    EXPECT_THAT(init::DropPrivileges(sys, last_cap, privileged),
                IsStepError(injected, calls[k].step));
  }
}

TEST(DropPrivilegesTest, EmptiesEverything) { RunDrop(40, false); }
TEST(DropPrivilegesTest, PrivilegedKeepsSysAdmin) { RunDrop(40, true); }
TEST(DropPrivilegesTest, FollowsCapLastCap) { RunDrop(35, false); }

TEST(ParseLastCapTest, AcceptsTheSysctlAndRefusesNonsense) {
  EXPECT_EQ(*init::ParseLastCap("40\n"), 40);
  EXPECT_EQ(*init::ParseLastCap("0"), 0);
  EXPECT_THAT(init::ParseLastCap("64"), StatusIs(absl::StatusCode::kInvalidArgument,
                                                 HasSubstr("\"64\"")));
  EXPECT_FALSE(init::ParseLastCap("-1").ok());
  EXPECT_FALSE(init::ParseLastCap("").ok());
  EXPECT_FALSE(init::ParseLastCap("4x").ok());
}

TEST(FailureTest, ErrnoFailuresReadLikeHakurei) {
  absl::Status status = init::WithOpIndex(
      init::WithStep(ErrnoStatus(EPERM, "mount(\"proc\", ...)"),
                     "mount proc on /proc"),
      2);
  init::Failure failure = init::DescribeFailure(status);
  failure.op_type = "proc";
  EXPECT_EQ(failure.Line(),
            "cannot mount proc on /proc (op 2: proc): operation not permitted");
  EXPECT_EQ(failure.step, "mount proc on /proc");
  EXPECT_EQ(failure.op_index, 2);
  EXPECT_EQ(failure.err, EPERM);
  EXPECT_THAT(failure.detail, HasSubstr("mount(\"proc\", ...)"));
}

TEST(FailureTest, TheInnermostStepAndOpIndexWin) {
  absl::Status status = init::WithStep(Injected(1), "bind /a on /a");
  status = init::WithStep(status, "outer step");
  status = init::WithOpIndex(init::WithOpIndex(status, 3), 9);
  const init::Failure failure = init::DescribeFailure(status);
  EXPECT_EQ(failure.step, "bind /a on /a");
  EXPECT_EQ(failure.op_index, 3);
  EXPECT_EQ(failure.Line(), "cannot bind /a on /a (op 3): operation not permitted");
}

TEST(FailureTest, NonErrnoFailuresUseTheirMessage) {
  const absl::Status status = init::WithStep(
      absl::InvalidArgumentError("auto-etc is not repeatable"), "set up /etc");
  EXPECT_EQ(init::DescribeFailure(status).Line(),
            "cannot set up /etc: auto-etc is not repeatable");
  EXPECT_EQ(init::DescribeFailure(status).err, 0);
}

TEST(FailureTest, GivenReasonAndFatal) {
  EXPECT_EQ(init::DescribeFailure(init::WithStep(ErrnoStatus(ENOENT, "execve"),
                                                 "start program",
                                                 "/x: no such file"))
                .Line(),
            "cannot start program: /x: no such file");
  const init::Failure fatal = init::DescribeFailure(
      init::Fatal("HAKUREI_SETUP not set"));
  EXPECT_EQ(fatal.Line(), "HAKUREI_SETUP not set");
  EXPECT_EQ(fatal.step, "");
  const init::Failure with_step = init::DescribeFailure(
      init::Fatal("invalid setup parameters: x", "validate setup parameters",
                  absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(with_step.Line(), "invalid setup parameters: x");
  EXPECT_EQ(with_step.step, "validate setup parameters");
  EXPECT_THAT(init::WithStep(absl::OkStatus(), "x"), IsOk());
}

}  // namespace
}  // namespace kekkai::testing
