// TmpfileOp, AutoEtcOp and AutoRootOp in init: the five sections of
// STYLE.md §4.12.
#include <errno.h>
#include <sys/mount.h>

#include <string>
#include <vector>

#include "common/ops.h"
#include "common/ops_builder.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "init/ops/op.h"
#include "tests/init/op_script.h"
#include "tests/init/op_test_util.h"

namespace kekkai::testing {
namespace {

using ::testing::_;
using ::testing::HasSubstr;
using ::testing::Return;

// ---- tmpfile (Place) ---------------------------------------------------

ScriptCall MakeTemp(const std::string& step) {
  return {step, [](MockSys& sys, const absl::Status& result) {
            EXPECT_CALL(sys, MakeTempFile("/", "tmp."))
                .WillOnce([result]() -> absl::StatusOr<sys::TempFile> {
                  if (!result.ok()) return result;
                  return sys::TempFile{NullFd(), "/tmp.abc123"};
                });
          }};
}

TEST(TmpfileOpTest, WritesBindsReadOnlyAndRemovesTheTemporaryName) {
  Params params;
  params.parent_perm = 0711;
  OpsBuilder b;
  b.Place("/etc/hostname", std::string("box\n\0x", 6));
  const std::string step = "place file /etc/hostname";
  RunOpScript(
      FactoryFor(OnlyOp(b)), StateFor(params), {},
      {MakeTemp(step),
       Call(step, SYS(WriteAll(_, std::string("box\n\0x", 6)))),
       Call(step, SYS(EnsureFile("/sysroot/etc/hostname", 0444, 0711))),
       Call(step, SYS(BindMount("/tmp.abc123", "/sysroot/etc/hostname",
                                MS_RDONLY | MS_NODEV))),
       Call(step, SYS(Unlink("/tmp.abc123")))});
}

TEST(TmpfileOpTest, ValidateDescribeBuilder) {
  EXPECT_THAT(ValidateOp(TmpfileOp{}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("path")));
  OpsBuilder b;
  b.Place("/etc/passwd", "root:x:0:0\n");
  const Op op = OnlyOp(b);
  EXPECT_EQ(Describe(op), "tmpfile \"/etc/passwd\" (11 bytes)");
  EXPECT_EQ(std::get<TmpfileOp>(op).data, "root:x:0:0\n");
}

// ---- auto-etc --------------------------------------------------------------

AutoEtcOp EtcOp(const char* prefix) {
  absl::StatusOr<OpList> list = OpsBuilder().Etc("/etc", prefix).Build();
  EXPECT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->size(), 3u);
  return std::get<AutoEtcOp>(*(*list)[2]);
}

TEST(AutoEtcOpTest, LinksEveryEntryButPasswdGroupAndHost) {
  Params params;
  const std::string step = "set up /etc from /etc/.host/abc";
  RunOpScript(
      [] { return std::make_unique<init::AutoEtc>(EtcOp("abc")); },
      StateFor(params), {},
      {Call(step, SYS(MkdirAll("/sysroot/etc", 0755))),
       CallOr(step, SYS(ReadDir("/sysroot/etc/.host/abc")),
              std::vector<std::string>{".host", "group", "hosts", "mtab",
                                       "passwd", "resolv.conf"}),
       Call(step, SYS(Symlink(".host/abc/hosts", "/sysroot/etc/hosts"))),
       Call(step, SYS(Symlink("/proc/mounts", "/sysroot/etc/mtab"))),
       Call(step, SYS(Symlink(".host/abc/resolv.conf",
                              "/sysroot/etc/resolv.conf")))});
}

TEST(AutoEtcOpTest, RunsOnceOnly) {
  StrictMockSys sys;
  Params params;
  init::SetupState state = StateFor(params);
  state.nonrepeatable = init::kOnceAutoEtc;
  init::AutoEtc op(EtcOp("abc"));
  const absl::Status status = op.Apply(state, sys);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("auto-etc is not repeatable")));
  EXPECT_EQ(init::DescribeFailure(status).Line(),
            "cannot set up /etc from /etc/.host/abc: auto-etc is not "
            "repeatable");
}

TEST(AutoEtcOpTest, FirstRunMarksTheState) {
  StrictMockSys sys;
  EXPECT_CALL(sys, MkdirAll("/sysroot/etc", 0755))
      .WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(sys, ReadDir("/sysroot/etc/.host/p"))
      .WillOnce(Return(std::vector<std::string>{}));
  Params params;
  init::SetupState state = StateFor(params);
  init::AutoEtc op(EtcOp("p"));
  ASSERT_THAT(op.Apply(state, sys), IsOk());
  EXPECT_EQ(state.nonrepeatable, init::kOnceAutoEtc);
}

TEST(AutoEtcOpTest, ValidateDescribeBuilder) {
  EXPECT_THAT(ValidateOp(AutoEtcOp{"a/b"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("prefix")));
  absl::StatusOr<OpList> list = OpsBuilder().Etc("/etc", "abc").Build();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(Describe(*(*list)[0]), "mkdir \"/etc\" mode 0755");
  EXPECT_EQ(Describe(*(*list)[1]),
            "bind \"/etc\" on \"/etc/.host/abc\" ro,nodev");
  EXPECT_EQ(Describe(*(*list)[2]), "auto-etc from /etc/.host/abc");
}

// ---- auto-root -------------------------------------------------------------

AutoRootOp RootOp(int64_t flags) {
  OpsBuilder b;
  b.Root("/", flags);
  return std::get<AutoRootOp>(OnlyOp(b));
}

TEST(AutoRootOpTest, BindsEveryBindableEntryInOrder) {
  Params params;
  std::vector<ScriptCall> early = {
      CallOr("read directory /", SYS(ReadDir("/")),
             std::vector<std::string>{"bin", "dev", "etc", "home", "mnt",
                                      "proc", "tmp", "usr"}),
      CallOr("bind /bin on /bin", SYS(RealPath("/bin")),
             std::string("/usr/bin")),
      CallOr("bind /home on /home", SYS(RealPath("/home")),
             std::string("/home")),
      CallOr("bind /usr on /usr", SYS(RealPath("/usr")), std::string("/usr")),
  };
  std::vector<ScriptCall> apply;
  for (const auto& [name, resolved] :
       std::vector<std::pair<std::string, std::string>>{
           {"bin", "/usr/bin"}, {"home", "/home"}, {"usr", "/usr"}}) {
    const std::string step = "bind /" + name + " on /" + name;
    apply.push_back(CallOr(step, SYS(Stat("/host" + resolved)),
                           sys::FileType::kDirectory));
    apply.push_back(Call(step, SYS(MkdirAll("/sysroot/" + name, 0700))));
    apply.push_back(Call(step, SYS(BindMount("/host" + resolved,
                                             "/sysroot/" + name,
                                             MS_REC | MS_NODEV))));
  }
  RunOpScript([] { return std::make_unique<init::AutoRoot>(RootOp(kBindWritable)); },
              StateFor(params), early, apply);
}

TEST(AutoRootOpTest, OptionalEntriesThatVanishAreSkipped) {
  StrictMockSys sys;
  ::testing::InSequence seq;
  EXPECT_CALL(sys, ReadDir("/")).WillOnce(Return(std::vector<std::string>{"x"}));
  EXPECT_CALL(sys, RealPath("/x")).WillOnce(Return(ErrnoStatus(ENOENT, "x")));
  Params params;
  init::SetupState state = StateFor(params);
  init::AutoRoot op(RootOp(kBindOptional));
  ASSERT_THAT(op.Early(state, sys), IsOk());
  EXPECT_THAT(op.Apply(state, sys), IsOk());
  EXPECT_EQ(state.nonrepeatable, init::kOnceAutoRoot);
}

TEST(AutoRootOpTest, RunsOnceOnly) {
  StrictMockSys sys;
  Params params;
  init::SetupState state = StateFor(params);
  state.nonrepeatable = init::kOnceAutoRoot;
  init::AutoRoot op(RootOp(0));
  EXPECT_THAT(op.Apply(state, sys),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("auto-root is not repeatable")));
}

TEST(AutoRootOpTest, BindableNames) {
  for (const char* name : {"proc", "dev", "tmp", "mnt", "etc", ""}) {
    EXPECT_FALSE(init::IsAutoRootBindable(name)) << name;
  }
  for (const char* name : {"usr", "bin", "home", "lib64", ".hidden"}) {
    EXPECT_TRUE(init::IsAutoRootBindable(name)) << name;
  }
}

TEST(AutoRootOpTest, ValidateDescribeBuilder) {
  EXPECT_THAT(ValidateOp(AutoRootOp{}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("host")));
  EXPECT_THAT(ValidateOp(AutoRootOp{AbsolutePath::Literal("/"), 64}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("flags")));
  OpsBuilder b;
  b.Root("/", kBindWritable);
  EXPECT_EQ(Describe(OnlyOp(b)), "auto-root from \"/\" rw,nodev");
}

}  // namespace
}  // namespace kekkai::testing
