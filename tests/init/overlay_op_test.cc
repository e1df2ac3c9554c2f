// MountOverlayOp in init: the five sections of STYLE.md §4.12.
#include <sys/mount.h>

#include <string>

#include "common/ops.h"
#include "common/ops_builder.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "init/ops/op.h"
#include "tests/init/op_script.h"
#include "tests/init/op_test_util.h"

namespace kekkai::testing {
namespace {

using ::testing::HasSubstr;

TEST(OverlayOpTest, PersistentUpperResolvesAndEscapesEveryPath) {
  Params params;
  params.parent_perm = 0700;
  OpsBuilder b;
  b.Overlay("/mnt", "/up", "/wk", {"/l1", "/l2"});
  RunOpScript(
      FactoryFor(OnlyOp(b)), StateFor(params),
      {CallOr("resolve overlay upper directory /up", SYS(RealPath("/up")),
              std::string("/data/up")),
       CallOr("resolve overlay work directory /wk", SYS(RealPath("/wk")),
              std::string("/data/w,k")),
       CallOr("resolve overlay lower layer /l1", SYS(RealPath("/l1")),
              std::string("/a:b")),
       CallOr("resolve overlay lower layer /l2", SYS(RealPath("/l2")),
              std::string("/back\\slash"))},
      {Call("mount overlay on /mnt", SYS(MkdirAll("/sysroot/mnt", 0700))),
       Call("mount overlay on /mnt",
            SYS(Mount("overlay", "/sysroot/mnt", "overlay", 0,
                      "upperdir=/host/data/up,workdir=/host/data/w\\,k,"
                      "lowerdir=/host/a\\:b:/host/back\\\\slash,"
                      "userxattr")))});
}

TEST(OverlayOpTest, EphemeralMakesUpperAndWorkInTheIntermediateRoot) {
  Params params;
  OpsBuilder b;
  b.OverlayEphemeral("/usr", {"/usr"});
  const std::string step = "mount overlay on /usr";
  RunOpScript(
      FactoryFor(OnlyOp(b)), StateFor(params),
      {CallOr("resolve overlay lower layer /usr", SYS(RealPath("/usr")),
              std::string("/usr"))},
      {Call(step, SYS(MkdirAll("/sysroot/usr", 0755))),
       CallOr(step, SYS(MakeTempDir("/", "overlay.upper.")),
              std::string("/overlay.upper.abc")),
       CallOr(step, SYS(MakeTempDir("/", "overlay.work.")),
              std::string("/overlay.work.def")),
       Call(step, SYS(Mount("overlay", "/sysroot/usr", "overlay", 0,
                            "upperdir=/overlay.upper.abc,workdir=/overlay.work."
                            "def,lowerdir=/host/usr,userxattr")))});
}

TEST(OverlayOpTest, ReadonlyHasNoUpperOrWork) {
  Params params;
  OpsBuilder b;
  b.OverlayReadonly("/x", {"/a", "/b"});
  const std::string step = "mount overlay on /x";
  RunOpScript(
      FactoryFor(OnlyOp(b)), StateFor(params),
      {CallOr("resolve overlay lower layer /a", SYS(RealPath("/a")),
              std::string("/a")),
       CallOr("resolve overlay lower layer /b", SYS(RealPath("/b")),
              std::string("/b"))},
      {Call(step, SYS(MkdirAll("/sysroot/x", 0755))),
       Call(step, SYS(Mount("overlay", "/sysroot/x", "overlay", 0,
                            "lowerdir=/host/a:/host/b,userxattr")))});
}

TEST(OverlayOpTest, ArgumentErrorsThatValidateAlsoRefuses) {
  Params params;
  // A read-only overlay with one lower: refused by Validate, and by Apply.
  {
    MountOverlayOp op;
    op.target = AbsolutePath::Literal("/x");
    op.lower = {AbsolutePath::Literal("/a")};
    EXPECT_THAT(ValidateOp(op), StatusIs(absl::StatusCode::kInvalidArgument,
                                         HasSubstr("at least two")));
    StrictMockSys sys;
    ::testing::InSequence seq;
    EXPECT_CALL(sys, RealPath("/a")).WillOnce(::testing::Return("/a"));
    EXPECT_CALL(sys, MkdirAll("/sysroot/x", 0755))
        .WillOnce(::testing::Return(absl::OkStatus()));
    init::SetupState state = StateFor(params);
    init::MountOverlay overlay(op);
    ASSERT_THAT(overlay.Early(state, sys), IsOk());
    const absl::Status status = overlay.Apply(state, sys);
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr("at least two lower layers")));
    EXPECT_EQ(init::StepOf(status), "mount overlay on /x");
  }
  // Upper without work must be "/".
  {
    MountOverlayOp op;
    op.target = AbsolutePath::Literal("/x");
    op.lower = {AbsolutePath::Literal("/a")};
    op.upper = AbsolutePath::Literal("/up");
    EXPECT_THAT(ValidateOp(op), StatusIs(absl::StatusCode::kInvalidArgument,
                                         HasSubstr("upper")));
    StrictMockSys sys;
    init::SetupState state = StateFor(params);
    init::MountOverlay overlay(op);
    EXPECT_THAT(overlay.Early(state, sys),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("upperdir has unexpected value \"/up\"")));
  }
  // Persistent with no lower layer.
  {
    MountOverlayOp op;
    op.target = AbsolutePath::Literal("/x");
    op.upper = AbsolutePath::Literal("/up");
    op.work = AbsolutePath::Literal("/wk");
    EXPECT_THAT(ValidateOp(op), StatusIs(absl::StatusCode::kInvalidArgument,
                                         HasSubstr("at least one")));
  }
}

TEST(OverlayOpTest, EscapeOverlayDataSegment) {
  EXPECT_EQ(init::EscapeOverlayDataSegment("/plain"), "/plain");
  EXPECT_EQ(init::EscapeOverlayDataSegment("a\\b,c:d"), "a\\\\b\\,c\\:d");
  EXPECT_EQ(init::EscapeOverlayDataSegment(std::string("/a\0,b", 5)), "/a");
  EXPECT_EQ(init::EscapeOverlayDataSegment(""), "");
}

TEST(OverlayOpTest, DescribeAndBuilder) {
  OpsBuilder b;
  b.OverlayEphemeral("/usr", {"/usr", "/opt"});
  const Op op = OnlyOp(b);
  EXPECT_EQ(Describe(op),
            "overlay on \"/usr\" lower [\"/usr\", \"/opt\"] ephemeral");
  EXPECT_TRUE(IsEphemeralOverlay(std::get<MountOverlayOp>(op)));
}

}  // namespace
}  // namespace kekkai::testing
