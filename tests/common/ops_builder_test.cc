// OpsBuilder (ops_builder.h): the op each method appends, the first error
// kept with its op index and field, Etc's three ops, and Build() once.
#include "common/ops_builder.h"

#include <sys/mount.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/test_util.h"
#include "tests/testing/status_matchers.h"

namespace kekkai {
namespace {

using ::kekkai::testing::IsOk;
using ::kekkai::testing::IsOkAndHolds;
using ::kekkai::testing::StatusIs;
using ::testing::Eq;

AbsolutePath P(absl::string_view path) { return AbsolutePath::Literal(path); }

TEST(OpsBuilderTest, EachMethodAppendsItsOp) {
  absl::StatusOr<OpList> ops =
      OpsBuilder()
          .Bind("/usr", "/usr")
          .Bind("/etc/resolv.conf", "/etc/resolv.conf", kBindOptional)
          .Proc("/proc")
          .Dev("/dev", true)
          .DevWritable("/dev2")
          .Tmpfs("/tmp", 4096, 01777)
          .Readonly("/ro", 0755)
          .Overlay("/o", "/up", "/work", {"/l1", "/l2"})
          .OverlayEphemeral("/e", {"/l"})
          .OverlayReadonly("/r", {"/a", "/b"})
          .Mkdir("/m", 0700)
          .Place("/etc/hostname", std::string("box\0", 4))
          .Remount("/", MS_RDONLY)
          .Link("/bin", "usr/bin")
          .Link("/x", "/y", true)
          .Root("/host", kBindWritable)
          .Add(AutoEtcOp{"p"})
          .Build();
  const OpList expected = {
      Op(BindMountOp{P("/usr"), P("/usr"), 0}),
      Op(BindMountOp{P("/etc/resolv.conf"), P("/etc/resolv.conf"),
                     kBindOptional}),
      Op(MountProcOp{P("/proc")}),
      Op(MountDevOp{P("/dev"), true, false}),
      Op(MountDevOp{P("/dev2"), false, true}),
      Op(MountTmpfsOp{"ephemeral", P("/tmp"), MS_NOSUID | MS_NODEV, 4096,
                      01777}),
      Op(MountTmpfsOp{"readonly", P("/ro"), MS_RDONLY | MS_NOSUID | MS_NODEV,
                      0, 0755}),
      Op(MountOverlayOp{P("/o"), {P("/l1"), P("/l2")}, P("/up"), P("/work")}),
      Op(MountOverlayOp{P("/e"), {P("/l")}, P("/"), std::nullopt}),
      Op(MountOverlayOp{P("/r"), {P("/a"), P("/b")}, std::nullopt,
                        std::nullopt}),
      Op(MkdirOp{P("/m"), 0700}),
      Op(TmpfileOp{P("/etc/hostname"), std::string("box\0", 4)}),
      Op(RemountOp{P("/"), MS_RDONLY}),
      Op(SymlinkOp{P("/bin"), "usr/bin", false}),
      Op(SymlinkOp{P("/x"), "/y", true}),
      Op(AutoRootOp{P("/host"), kBindWritable}),
      Op(AutoEtcOp{"p"}),
  };
  EXPECT_THAT(ops, IsOkAndHolds(expected));
}

TEST(OpsBuilderTest, EtcAppendsThreeOps) {
  EXPECT_THAT(OpsBuilder().Etc("/etc", "host").Build(),
              IsOkAndHolds(OpList{
                  Op(MkdirOp{P("/etc"), 0755}),
                  Op(BindMountOp{P("/etc"), P("/etc/.host/host"), 0}),
                  Op(AutoEtcOp{"host"}),
              }));
}

TEST(OpsBuilderTest, EtcRefusesABadPrefixBeforeAddingAnything) {
  OpsBuilder builder;
  builder.Proc("/proc").Etc("/etc", "a/b");
  EXPECT_THAT(builder.status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("op 3 (auto-etc): prefix: \"a/b\" is not a single "
                          "path element")));
  EXPECT_THAT(OpsBuilder().Etc("etc", "host").Build(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("op 1 (bind): source: path \"etc\" is not "
                          "absolute")));
}

TEST(OpsBuilderTest, FirstErrorIsKeptWithIndexAndField) {
  OpsBuilder builder;
  builder.Proc("/proc")
      .Bind("/usr", "usr")       // op 1: the first error
      .Mkdir("relative", 0755)   // later errors are ignored
      .Proc("/proc2");
  EXPECT_THAT(builder.status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("op 1 (bind): target: path \"usr\" is not "
                          "absolute")));
  EXPECT_THAT(builder.Build(), StatusIs(absl::StatusCode::kInvalidArgument,
                                        Eq("op 1 (bind): target: path "
                                           "\"usr\" is not absolute")));
}

TEST(OpsBuilderTest, ValidationErrorsNameTheOp) {
  EXPECT_THAT(
      OpsBuilder().Proc("/p").Bind("/a", "/b", kBindOptional | kBindEnsure)
          .Build(),
      StatusIs(absl::StatusCode::kInvalidArgument,
               Eq("op 1 (bind): flags: optional and ensure cannot be "
                  "combined")));
  EXPECT_THAT(OpsBuilder().OverlayReadonly("/o", {"/only"}).Build(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("op 0 (overlay): lower: a read-only overlay needs at "
                          "least two lower layers")));
  EXPECT_THAT(OpsBuilder().Overlay("/o", "/u", "/w", {"/l", "rel"}).Build(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("op 0 (overlay): lower[1]: path \"rel\" is not "
                          "absolute")));
  EXPECT_THAT(OpsBuilder().Link("/bin", "").Build(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("op 0 (symlink): linkname: empty")));
  EXPECT_THAT(OpsBuilder().Tmpfs("/t", -1, 0755).Build(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("op 0 (tmpfs): size: -1 is negative")));
  EXPECT_THAT(OpsBuilder().Add(MountProcOp{}).Build(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("op 0 (proc): target: not set")));
  EXPECT_THAT(OpsBuilder().Root("host", 0).Build(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("op 0 (auto-root): host: path \"host\" is not "
                          "absolute")));
}

TEST(OpsBuilderTest, BuildTwiceFails) {
  OpsBuilder builder;
  builder.Proc("/proc");
  EXPECT_THAT(builder.Build(), IsOk());
  EXPECT_THAT(builder.Build(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       Eq("OpsBuilder::Build called twice")));
}

TEST(OpsBuilderTest, EmptyBuildIsAnEmptyList) {
  EXPECT_THAT(OpsBuilder().Build(), IsOkAndHolds(OpList{}));
}

}  // namespace
}  // namespace kekkai
