// The ops with a short script: proc, tmpfs, mkdir, remount, symlink. Each
// has the five sections of STYLE.md §4.12.
#include <errno.h>
#include <sys/mount.h>

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
using ::testing::Return;

// ---- proc ----------------------------------------------------------------

TEST(ProcOpTest, CreatesTheTargetAndMountsANewProc) {
  Params params;
  params.parent_perm = 0750;
  OpsBuilder b;
  b.Proc("/proc");
  const std::string step = "mount proc on /proc";
  RunOpScript(FactoryFor(OnlyOp(b)), StateFor(params), {},
              {Call(step, SYS(MkdirAll("/sysroot/proc", 0750))),
               Call(step, SYS(Mount("proc", "/sysroot/proc", "proc",
                                    MS_NOSUID | MS_NOEXEC | MS_NODEV, ""))),
               Call(step, SYS(BindMount("/sysroot/proc/sys", "/sysroot/proc/sys",
                                        MS_RDONLY))),
               CallOr(step, SYS(Lstat("/sysroot/proc/sysrq-trigger")),
                      sys::FileType::kRegular),
               Call(step, SYS(BindMount("/sysroot/proc/sysrq-trigger",
                                        "/sysroot/proc/sysrq-trigger", MS_RDONLY)))});
}

TEST(ProcOpTest, ParentPermZeroMeans0755) {
  Params params;  // parent_perm 0
  OpsBuilder b;
  b.Proc("/a/proc");
  const std::string step = "mount proc on /a/proc";
  RunOpScript(FactoryFor(OnlyOp(b)), StateFor(params), {},
              {Call(step, SYS(MkdirAll("/sysroot/a/proc", 0755))),
               Call(step, SYS(Mount("proc", "/sysroot/a/proc", "proc",
                                    MS_NOSUID | MS_NOEXEC | MS_NODEV, ""))),
               Call(step, SYS(BindMount("/sysroot/a/proc/sys", "/sysroot/a/proc/sys",
                                        MS_RDONLY))),
               CallOr(step, SYS(Lstat("/sysroot/a/proc/sysrq-trigger")),
                      sys::FileType::kRegular),
               Call(step, SYS(BindMount("/sysroot/a/proc/sysrq-trigger",
                                        "/sysroot/a/proc/sysrq-trigger", MS_RDONLY)))});
}

// Without CONFIG_MAGIC_SYSRQ there is no sysrq-trigger to cover; any other
// error looking for it is a failure (the script above injects EPERM/EIO).
TEST(ProcOpTest, NoSysrqTriggerIsFine) {
  Params params;
  OpsBuilder b;
  b.Proc("/proc");
  StrictMockSys sys;
  ::testing::InSequence seq;
  EXPECT_CALL(sys, MkdirAll("/sysroot/proc", 0755))
      .WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, Mount("proc", "/sysroot/proc", "proc",
                         MS_NOSUID | MS_NOEXEC | MS_NODEV, ""))
      .WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, BindMount("/sysroot/proc/sys", "/sysroot/proc/sys",
                             MS_RDONLY))
      .WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, Lstat("/sysroot/proc/sysrq-trigger"))
      .WillOnce(Return(ErrnoStatus(ENOENT, "lstat")));
  init::SetupState state = StateFor(params);
  std::unique_ptr<init::InitOp> op = FactoryFor(OnlyOp(b))();
  EXPECT_THAT(op->Apply(state, sys), IsOk());
}

TEST(ProcOpTest, ValidateDescribeBuilder) {
  EXPECT_THAT(ValidateOp(MountProcOp{}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("target")));
  OpsBuilder b;
  b.Proc("/proc");
  const Op op = OnlyOp(b);
  EXPECT_THAT(ValidateOp(op), IsOk());
  EXPECT_EQ(Describe(op), "proc on \"/proc\"");
  EXPECT_EQ(std::get<MountProcOp>(op).target->str(), "/proc");
}

// ---- tmpfs ---------------------------------------------------------------

TEST(TmpfsOpTest, MountsWithFsnameFlagsSizeAndPerm) {
  Params params;
  OpsBuilder b;
  b.Tmpfs("/tmp", 1 << 20, 01777);
  RunOpScript(FactoryFor(OnlyOp(b)), StateFor(params), {},
              {Call("mount tmpfs on /tmp",
                    SYS(MountTmpfs("ephemeral", "/sysroot/tmp",
                                   MS_NOSUID | MS_NODEV, 1 << 20, 01777)))});
}

TEST(TmpfsOpTest, ReadonlyVariant) {
  Params params;
  OpsBuilder b;
  b.Readonly("/etc/ro", 0755);
  RunOpScript(FactoryFor(OnlyOp(b)), StateFor(params), {},
              {Call("mount tmpfs on /etc/ro",
                    SYS(MountTmpfs("readonly", "/sysroot/etc/ro",
                                   MS_RDONLY | MS_NOSUID | MS_NODEV, 0,
                                   0755)))});
}

TEST(TmpfsOpTest, NegativeSizeIsRefusedWithoutAnyCall) {
  StrictMockSys sys;
  Params params;
  init::SetupState state = StateFor(params);
  MountTmpfsOp op{"ephemeral", AbsolutePath::Literal("/tmp"), 0, -1, 0755};
  EXPECT_THAT(ValidateOp(op), StatusIs(absl::StatusCode::kInvalidArgument,
                                       HasSubstr("negative")));
  init::MountTmpfs tmpfs(op);
  const absl::Status status = tmpfs.Apply(state, sys);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("size -1 out of bounds")));
  EXPECT_EQ(init::StepOf(status), "mount tmpfs on /tmp");
}

TEST(TmpfsOpTest, ValidateDescribeBuilder) {
  MountTmpfsOp op;
  EXPECT_THAT(ValidateOp(op), StatusIs(absl::StatusCode::kInvalidArgument,
                                       HasSubstr("path")));
  op.path = AbsolutePath::Literal("/t");
  EXPECT_THAT(ValidateOp(op), StatusIs(absl::StatusCode::kInvalidArgument,
                                       HasSubstr("fsname")));
  op.fsname = "x";
  op.perm = 010000;
  EXPECT_THAT(ValidateOp(op), StatusIs(absl::StatusCode::kInvalidArgument,
                                       HasSubstr("perm")));
  OpsBuilder b;
  b.Tmpfs("/tmp", 4096, 0700);
  const Op built = OnlyOp(b);
  EXPECT_EQ(Describe(built),
            "tmpfs \"ephemeral\" on \"/tmp\" mode 0700 size 4096 nosuid,nodev");
  EXPECT_EQ(std::get<MountTmpfsOp>(built).flags,
            static_cast<uint64_t>(MS_NOSUID | MS_NODEV));
}

// ---- mkdir -----------------------------------------------------------------

TEST(MkdirOpTest, MkdirAllWithExactlyPerm) {
  Params params;
  OpsBuilder b;
  b.Mkdir("/var/x", 0701);
  RunOpScript(FactoryFor(OnlyOp(b)), StateFor(params), {},
              {Call("create directory /var/x",
                    SYS(MkdirAll("/sysroot/var/x", 0701)))});
}

TEST(MkdirOpTest, ValidateDescribeBuilder) {
  EXPECT_THAT(ValidateOp(MkdirOp{}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("path")));
  OpsBuilder b;
  b.Mkdir("/etc", 0755);
  const Op op = OnlyOp(b);
  EXPECT_EQ(Describe(op), "mkdir \"/etc\" mode 0755");
  EXPECT_EQ(std::get<MkdirOp>(op).perm, 0755u);
}

// ---- remount ---------------------------------------------------------------

TEST(RemountOpTest, RemountsTheSysrootPathWithTheFlags) {
  Params params;
  OpsBuilder b;
  b.Remount("/", MS_RDONLY);
  RunOpScript(FactoryFor(OnlyOp(b)), StateFor(params), {},
              {Call("remount /", SYS(Remount("/sysroot", MS_RDONLY)))});
}

TEST(RemountOpTest, RecursiveNodev) {
  Params params;
  OpsBuilder b;
  b.Remount("/home/", MS_REC | MS_NODEV);
  RunOpScript(FactoryFor(OnlyOp(b)), StateFor(params), {},
              {Call("remount /home/",
                    SYS(Remount("/sysroot/home", MS_REC | MS_NODEV)))});
}

TEST(RemountOpTest, ValidateDescribeBuilder) {
  EXPECT_THAT(ValidateOp(RemountOp{}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("target")));
  OpsBuilder b;
  b.Remount("/dev", MS_RDONLY);
  const Op op = OnlyOp(b);
  EXPECT_EQ(Describe(op), "remount \"/dev\" rdonly");
}

// ---- symlink ---------------------------------------------------------------

TEST(SymlinkOpTest, CreatesParentsThenTheLink) {
  Params params;
  params.parent_perm = 0700;
  OpsBuilder b;
  b.Link("/run/current/bin", "../x/bin");
  const std::string step = "create symlink /run/current/bin";
  RunOpScript(FactoryFor(OnlyOp(b)), StateFor(params), {},
              {Call(step, SYS(MkdirAll("/sysroot/run/current", 0700))),
               Call(step, SYS(Symlink("../x/bin", "/sysroot/run/current/bin")))});
}

TEST(SymlinkOpTest, DereferenceReadsTheHostLinkEarly) {
  Params params;
  OpsBuilder b;
  b.Link("/etc/localtime", "/etc/localtime", true);
  const std::string step = "create symlink /etc/localtime";
  RunOpScript(
      FactoryFor(OnlyOp(b)), StateFor(params),
      {CallOr("read symlink /etc/localtime", SYS(Readlink("/etc/localtime")),
              std::string("/usr/share/zoneinfo/UTC"))},
      {Call(step, SYS(MkdirAll("/sysroot/etc", 0755))),
       Call(step, SYS(Symlink("/usr/share/zoneinfo/UTC",
                              "/sysroot/etc/localtime")))});
}

TEST(SymlinkOpTest, ValidateDescribeBuilder) {
  SymlinkOp op;
  op.target = AbsolutePath::Literal("/a");
  EXPECT_THAT(ValidateOp(op), StatusIs(absl::StatusCode::kInvalidArgument,
                                       HasSubstr("linkname")));
  op.link_name = "rel";
  op.dereference = true;
  EXPECT_THAT(ValidateOp(op), StatusIs(absl::StatusCode::kInvalidArgument,
                                       HasSubstr("not absolute")));
  op.dereference = false;
  EXPECT_THAT(ValidateOp(op), IsOk());
  EXPECT_EQ(Describe(op), "symlink \"/a\" -> \"rel\"");
}

}  // namespace
}  // namespace kekkai::testing
