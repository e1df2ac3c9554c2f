// MountDevOp in init: the five sections of STYLE.md §4.12.
#include <sys/mount.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
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

struct DevCase {
  bool write = false;
  bool mqueue = false;
  bool retain_session = false;
  bool tty = false;
};

// The whole expected script of a dev op on /dev with parent perm 0750.
std::vector<ScriptCall> DevScript(const DevCase& c) {
  constexpr mode_t kPerm = 0750;
  std::vector<ScriptCall> calls;
  calls.push_back(Call("mount dev on /dev",
                       SYS(MountTmpfs("devtmpfs", "/sysroot/dev",
                                      MS_NOSUID | MS_NODEV, 0, kPerm))));
  for (const char* name : {"null", "zero", "full", "random", "urandom", "tty"}) {
    const std::string step = absl::StrCat("bind /dev/", name, " on /dev/", name);
    const std::string target = absl::StrCat("/sysroot/dev/", name);
    const std::string source = absl::StrCat("/host/dev/", name);
    calls.push_back(Call(step, SYS(EnsureFile(target, 0444, kPerm))));
    calls.push_back(Call(step, SYS(BindMount(source, target, 0))));
  }
  const std::vector<std::pair<std::string, std::string>> links = {
      {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"},
      {"/proc/self/fd/2", "stderr"}, {"/proc/self/fd", "fd"},
      {"/proc/kcore", "core"},       {"pts/ptmx", "ptmx"}};
  for (const auto& [to, name] : links) {
    const std::string path = absl::StrCat("/sysroot/dev/", name);
    calls.push_back(Call(absl::StrCat("create symlink /dev/", name),
                         SYS(Symlink(to, path))));
  }
  calls.push_back(Call("create directory /dev/shm",
                       SYS(Mkdir("/sysroot/dev/shm", kPerm))));
  calls.push_back(Call("create directory /dev/pts",
                       SYS(Mkdir("/sysroot/dev/pts", kPerm))));
  calls.push_back(Call("mount devpts on /dev/pts",
                       SYS(Mount("devpts", "/sysroot/dev/pts", "devpts",
                                 MS_NOSUID | MS_NOEXEC,
                                 "newinstance,ptmxmode=0666,mode=620"))));
  if (c.retain_session) {
    calls.push_back(Always(SYS(Isatty(1)), c.tty));
    if (c.tty) {
      const std::string step = "bind the terminal on /dev/console";
      calls.push_back(
          Call(step, SYS(EnsureFile("/sysroot/dev/console", 0444, kPerm))));
      calls.push_back(CallOr(step, SYS(Readlink("/host/proc/self/fd/1")),
                             std::string("/dev/pts/3")));
      calls.push_back(Call(step, SYS(BindMount("/host/dev/pts/3",
                                               "/sysroot/dev/console", 0))));
    }
  }
  if (c.mqueue) {
    const std::string step = "mount mqueue on /dev/mqueue";
    calls.push_back(Call(step, SYS(Mkdir("/sysroot/dev/mqueue", kPerm))));
    calls.push_back(Call(step, SYS(Mount("mqueue", "/sysroot/dev/mqueue",
                                         "mqueue",
                                         MS_NOSUID | MS_NOEXEC | MS_NODEV,
                                         ""))));
  }
  if (!c.write) {
    calls.push_back(Call("remount /dev read-only",
                         SYS(Remount("/sysroot/dev", MS_RDONLY))));
    calls.push_back(Call("mount tmpfs on /dev/shm",
                         SYS(MountTmpfs("tmpfs", "/sysroot/dev/shm",
                                        MS_NOSUID | MS_NODEV, 0, 01777))));
  }
  return calls;
}

void RunDev(const DevCase& c) {
  Params params;
  params.parent_perm = 0750;
  params.retain_session = c.retain_session;
  OpsBuilder b;
  if (c.write) {
    b.DevWritable("/dev", c.mqueue);
  } else {
    b.Dev("/dev", c.mqueue);
  }
  RunOpScript(FactoryFor(OnlyOp(b)), StateFor(params), {}, DevScript(c));
}

TEST(DevOpTest, ReadOnlyDevWithMqueue) { RunDev({false, true, false, false}); }
TEST(DevOpTest, ReadOnlyDevWithoutMqueue) { RunDev({false, false, false, false}); }
TEST(DevOpTest, WritableDevStopsBeforeTheRemount) {
  RunDev({true, true, false, false});
}
TEST(DevOpTest, RetainedSessionOnATerminalBindsTheConsole) {
  RunDev({false, false, true, true});
}
TEST(DevOpTest, RetainedSessionWithoutATerminalHasNoConsole) {
  RunDev({true, false, true, false});
}

TEST(DevOpTest, DevElsewhereNamesItsOwnPaths) {
  Params params;
  OpsBuilder b;
  b.DevWritable("/x/dev");
  const std::vector<ScriptCall> apply = {
      Call("mount dev on /x/dev",
           SYS(MountTmpfs("devtmpfs", "/sysroot/x/dev", MS_NOSUID | MS_NODEV,
                          0, 0755))),
      Call("bind /dev/null on /x/dev/null",
           SYS(EnsureFile("/sysroot/x/dev/null", 0444, 0755)))};
  // Only the first two calls: check the failure steps name /x/dev.
  StrictMockSys sys;
  ::testing::InSequence seq;
  const absl::Status injected = Injected(1);
  ExpectScript(sys, apply, 1, injected);
  init::SetupState state = StateFor(params);
  auto op = init::MakeInitOp(OnlyOp(b));
  EXPECT_THAT(op->Apply(state, sys),
              IsStepError(injected, "bind /dev/null on /x/dev/null"));
}

TEST(DevOpTest, ValidateDescribeBuilder) {
  EXPECT_THAT(ValidateOp(MountDevOp{}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("target")));
  OpsBuilder b;
  b.Dev("/dev", true);
  const Op op = OnlyOp(b);
  EXPECT_EQ(Describe(op), "dev on \"/dev\" ro with mqueue");
  EXPECT_FALSE(std::get<MountDevOp>(op).write);
  OpsBuilder w;
  w.DevWritable("/dev");
  EXPECT_TRUE(std::get<MountDevOp>(OnlyOp(w)).write);
}

}  // namespace
}  // namespace kekkai::testing
