// BindMountOp in init: the five sections of STYLE.md §4.12.
#include <errno.h>
#include <sys/mount.h>

#include "common/ops.h"
#include "common/ops_builder.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "init/ops/op.h"
#include "tests/init/op_script.h"

namespace kekkai::testing {
namespace {

using ::testing::InSequence;
using ::testing::Return;

Op BuildBind(const char* source, const char* target, int64_t flags) {
  absl::StatusOr<OpList> list = OpsBuilder().Bind(source, target, flags).Build();
  EXPECT_TRUE(list.ok()) << list.status();
  return *(*list)[0];
}

init::SetupState State() {
  static const Params params;
  init::SetupState state;
  state.params = &params;
  return state;
}

// 1 + 2: the exact calls, and an injected error at each.
TEST(BindOpTest, ReadOnlyDirectoryIsCreatedThenBound) {
  const std::string step = "bind /usr on /usr";
  RunOpScript(FactoryFor(BuildBind("/usr", "/usr", 0)), State(),
              {CallOr(step, SYS(RealPath("/usr")), std::string("/usr"))},
              {CallOr(step, SYS(Stat("/host/usr")), sys::FileType::kDirectory),
               Call(step, SYS(MkdirAll("/sysroot/usr", 0700))),
               Call(step, SYS(BindMount("/host/usr", "/sysroot/usr",
                                        MS_REC | MS_RDONLY | MS_NODEV)))});
}

TEST(BindOpTest, FileSourceEnsuresAFileAtTheResolvedTarget) {
  const std::string step = "bind /etc/hosts on /etc/hosts";
  RunOpScript(FactoryFor(BuildBind("/etc/hosts", "/etc/hosts", 0)), State(),
              {CallOr(step, SYS(RealPath("/etc/hosts")),
                      std::string("/run/hosts"))},
              {CallOr(step, SYS(Stat("/host/run/hosts")),
                      sys::FileType::kRegular),
               Call(step, SYS(EnsureFile("/sysroot/etc/hosts", 0444, 0700))),
               Call(step, SYS(BindMount("/host/run/hosts", "/sysroot/etc/hosts",
                                        MS_REC | MS_RDONLY | MS_NODEV)))});
}

TEST(BindOpTest, EnsureCreatesTheSourceOnTheHostFirst) {
  const std::string step = "bind /var/lib/x on /x";
  RunOpScript(
      FactoryFor(BuildBind("/var/lib/x", "/x", kBindEnsure | kBindWritable)),
      State(),
      {Call("create bind source /var/lib/x", SYS(MkdirAll("/var/lib/x", 0700))),
       CallOr(step, SYS(RealPath("/var/lib/x")), std::string("/var/lib/x"))},
      {CallOr(step, SYS(Stat("/host/var/lib/x")), sys::FileType::kDirectory),
       Call(step, SYS(MkdirAll("/sysroot/x", 0700))),
       Call(step, SYS(BindMount("/host/var/lib/x", "/sysroot/x",
                                MS_REC | MS_NODEV)))});
}

// 3: branches.
TEST(BindOpTest, WritableAndDeviceDropReadOnlyAndNodev) {
  const std::string step = "bind /dev/dri on /dev/dri";
  RunOpScript(
      FactoryFor(BuildBind("/dev/dri", "/dev/dri", kBindWritable | kBindDevice)),
      State(), {CallOr(step, SYS(RealPath("/dev/dri")), std::string("/dev/dri"))},
      {CallOr(step, SYS(Stat("/host/dev/dri")), sys::FileType::kDirectory),
       Call(step, SYS(MkdirAll("/sysroot/dev/dri", 0700))),
       Call(step, SYS(BindMount("/host/dev/dri", "/sysroot/dev/dri", MS_REC)))});
}

TEST(BindOpTest, OptionalMissingSourceIsSkipped) {
  StrictMockSys sys;
  EXPECT_CALL(sys, RealPath("/nonexistent"))
      .WillOnce(Return(ErrnoStatus(ENOENT, "realpath")));
  init::SetupState state = State();
  auto op = init::MakeInitOp(BuildBind("/nonexistent", "/x", kBindOptional));
  ASSERT_THAT(op->Early(state, sys), IsOk());
  EXPECT_THAT(op->Apply(state, sys), IsOk());  // no calls at all
}

TEST(BindOpTest, OptionalSourceFailingOtherwiseIsAnError) {
  StrictMockSys sys;
  const absl::Status injected = Injected(1, EACCES);
  EXPECT_CALL(sys, RealPath("/secret")).WillOnce(Return(injected));
  init::SetupState state = State();
  auto op = init::MakeInitOp(BuildBind("/secret", "/x", kBindOptional));
  EXPECT_THAT(op->Early(state, sys), IsStepError(injected, "bind /secret on /x"));
}

TEST(BindOpTest, MissingSourceWithoutOptionalFails) {
  StrictMockSys sys;
  const absl::Status enoent = ErrnoStatus(ENOENT, "realpath(\"/nonexistent\")");
  EXPECT_CALL(sys, RealPath("/nonexistent")).WillOnce(Return(enoent));
  init::SetupState state = State();
  auto op = init::MakeInitOp(BuildBind("/nonexistent", "/x", 0));
  const absl::Status status = op->Early(state, sys);
  EXPECT_THAT(status, IsStepError(enoent, "bind /nonexistent on /x"));
  const init::Failure failure = init::DescribeFailure(status);
  EXPECT_EQ(failure.reason, "no such file or directory");
}

TEST(BindOpTest, ApplyBeforeEarlyIsAnImpossibleState) {
  StrictMockSys sys;
  init::SetupState state = State();
  auto op = init::MakeInitOp(BuildBind("/usr", "/usr", 0));
  const absl::Status status = op->Apply(state, sys);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition,
                               ::testing::HasSubstr("impossible bind state")));
  EXPECT_EQ(init::StepOf(status), "bind /usr on /usr");
}

TEST(BindOpTest, TargetPathsAreCleanedUnderSysroot) {
  const std::string step = "bind / on /";
  RunOpScript(FactoryFor(BuildBind("/", "/", 0)), State(),
              {CallOr(step, SYS(RealPath("/")), std::string("/"))},
              {CallOr(step, SYS(Stat("/host")), sys::FileType::kDirectory),
               Call(step, SYS(MkdirAll("/sysroot", 0700))),
               Call(step, SYS(BindMount("/host", "/sysroot",
                                        MS_REC | MS_RDONLY | MS_NODEV)))});
}

// 4: Validate.
TEST(BindOpTest, ValidateRefusesWhatInitCannotRun) {
  BindMountOp op;
  EXPECT_THAT(ValidateOp(op), StatusIs(absl::StatusCode::kInvalidArgument,
                                       ::testing::HasSubstr("source")));
  op.source = AbsolutePath::Literal("/a");
  EXPECT_THAT(ValidateOp(op), StatusIs(absl::StatusCode::kInvalidArgument,
                                       ::testing::HasSubstr("target")));
  op.target = AbsolutePath::Literal("/b");
  EXPECT_THAT(ValidateOp(op), IsOk());
  op.flags = kBindOptional | kBindEnsure;
  EXPECT_THAT(ValidateOp(op), StatusIs(absl::StatusCode::kInvalidArgument,
                                       ::testing::HasSubstr("optional")));
}

// 5: Describe and builder.
TEST(BindOpTest, DescribeAndBuilder) {
  const Op op = BuildBind("/usr", "/usr", kBindWritable);
  EXPECT_EQ(Describe(op), "bind \"/usr\" on \"/usr\" rw,nodev");
  const BindMountOp& bind = std::get<BindMountOp>(op);
  EXPECT_EQ(bind.flags, kBindWritable);
  EXPECT_EQ(bind.source->str(), "/usr");
}

}  // namespace
}  // namespace kekkai::testing
