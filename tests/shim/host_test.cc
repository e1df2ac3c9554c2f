// Finding kekkai-init (shim/host.h), the overflow ids, and the small
// helpers of the spawn path that need no namespaces.
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status.h"
#include "common/version.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "shim/host.h"
#include "shim/landlock.h"
#include "shim/spawn.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_paths.h"

namespace kekkai::shim::internal {
namespace {

using ::kekkai::testing::IsOk;
using ::kekkai::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

class InitPathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/kekkai-host-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    for (const char* name : {"kekkai-init", "other-init", "plain", "sub"}) {
      const std::string path = dir_ + "/" + name;
      unlink(path.c_str());
      rmdir(path.c_str());
    }
    rmdir(dir_.c_str());
  }
  // Creates dir_/name with `mode`.
  std::string Make(const std::string& name, mode_t mode) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << "#!/bin/sh\n";
    chmod(path.c_str(), mode);
    return path;
  }
  std::string dir_;
};

TEST_F(InitPathTest, ExplicitPathWins) {
  InitSearch search;
  search.explicit_path = Make("other-init", 0755);
  search.env_path = Make("kekkai-init", 0755);
  search.self_dir = dir_;
  search.install_path = "/nonexistent/kekkai-init";
  EXPECT_THAT(ResolveInitPath(search), IsOk());
  EXPECT_EQ(ResolveInitPath(search).value(), search.explicit_path);
}

TEST_F(InitPathTest, MissingExplicitPathFailsWithoutFallback) {
  InitSearch search;
  search.explicit_path = dir_ + "/missing";
  search.self_dir = dir_;
  Make("kekkai-init", 0755);
  const absl::StatusOr<std::string> path = ResolveInitPath(search);
  EXPECT_THAT(path, StatusIs(absl::StatusCode::kNotFound,
                             AllOf(HasSubstr("LaunchOptions.init_path"),
                                   HasSubstr(dir_ + "/missing"))));
  EXPECT_EQ(GetErrno(path.status()), ENOENT);
  EXPECT_EQ(StepOf(path.status()), "find kekkai-init");
}

TEST_F(InitPathTest, EnvironmentComesBeforeTheProgramDirectory) {
  InitSearch search;
  search.env_path = Make("other-init", 0755);
  search.self_dir = dir_;
  Make("kekkai-init", 0755);
  EXPECT_EQ(ResolveInitPath(search).value(), search.env_path);
}

TEST_F(InitPathTest, NonExecutableEnvPathIsRefused) {
  // Even root fails X_OK on a file without any x bit.
  InitSearch search;
  search.env_path = Make("other-init", 0644);
  const absl::StatusOr<std::string> path = ResolveInitPath(search);
  EXPECT_THAT(path, StatusIs(absl::StatusCode::kPermissionDenied,
                             HasSubstr("$KEKKAI_INIT")));
  EXPECT_EQ(GetErrno(path.status()), EACCES);
}

TEST_F(InitPathTest, DirectoryIsNotAnInit) {
  InitSearch search;
  search.explicit_path = dir_ + "/sub";
  ASSERT_EQ(mkdir(search.explicit_path.c_str(), 0755), 0);
  EXPECT_THAT(ResolveInitPath(search),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("not a regular file")));
}

TEST_F(InitPathTest, RelativePathIsMadeAbsolute) {
  // The child calls execve after chdir("/"): a relative path would break.
  char cwd[4096];
  ASSERT_NE(getcwd(cwd, sizeof(cwd)), nullptr);
  ASSERT_EQ(chdir(dir_.c_str()), 0);
  Make("other-init", 0755);
  InitSearch search;
  search.explicit_path = "other-init";
  const absl::StatusOr<std::string> path = ResolveInitPath(search);
  ASSERT_EQ(chdir(cwd), 0);
  ASSERT_THAT(path, IsOk());
  EXPECT_EQ(*path, dir_ + "/other-init");
}

TEST_F(InitPathTest, NextToTheProgramThenInstallPath) {
  InitSearch search;
  search.self_dir = dir_;
  search.install_path = Make("other-init", 0755);
  // Nothing beside the program yet: the install path.
  EXPECT_EQ(ResolveInitPath(search).value(), search.install_path);
  const std::string beside = Make("kekkai-init", 0755);
  EXPECT_EQ(ResolveInitPath(search).value(), beside);
}

TEST_F(InitPathTest, NotFoundNamesEveryPlaceTried) {
  InitSearch search;
  search.self_dir = dir_;
  search.install_path = dir_ + "/plain";
  Make("plain", 0644);  // not executable
  const absl::StatusOr<std::string> path = ResolveInitPath(search);
  EXPECT_THAT(path, StatusIs(absl::StatusCode::kNotFound,
                             AllOf(HasSubstr(dir_ + "/kekkai-init"),
                                   HasSubstr(dir_ + "/plain"),
                                   HasSubstr("KEKKAI_INIT"))));
}

TEST(DefaultInitSearchTest, UsesEnvironmentProgramDirAndInstallPath) {
  setenv("KEKKAI_INIT", "/some/where/init", 1);
  const InitSearch search = DefaultInitSearch("");
  unsetenv("KEKKAI_INIT");
  EXPECT_EQ(search.env_path, "/some/where/init");
  EXPECT_EQ(search.self_dir, kekkai::testing::SelfDir());
  EXPECT_EQ(search.install_path, std::string(kInitInstallPath));
  EXPECT_TRUE(DefaultInitSearch("").env_path.empty());
  EXPECT_EQ(DefaultInitSearch("/x").explicit_path, "/x");
}

TEST(OverflowIdsTest, MatchTheKernel) {
  const absl::StatusOr<OverflowIds> ids = ReadOverflowIds();
  ASSERT_THAT(ids, IsOk());
  std::ifstream uid_file("/proc/sys/kernel/overflowuid");
  std::ifstream gid_file("/proc/sys/kernel/overflowgid");
  int64_t uid = -1;
  int64_t gid = -1;
  uid_file >> uid;
  gid_file >> gid;
  EXPECT_EQ(ids->uid, uid);
  EXPECT_EQ(ids->gid, gid);
}

TEST(CloneFlagsTest, NamesEveryFlagAndTheRest) {
  EXPECT_EQ(CloneFlagsToString(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET),
            "CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET");
  EXPECT_EQ(CloneFlagsToString(0x200000000ULL | CLONE_NEWNS),
            "CLONE_NEWNS|CLONE_INTO_CGROUP");
  EXPECT_EQ(CloneFlagsToString(CLONE_NEWIPC | 0x1), "CLONE_NEWIPC|0x1");
  EXPECT_EQ(CloneFlagsToString(0), "0");
}

TEST(ChildStepTest, EveryStepHasAName) {
  for (uint32_t step = 0; step < kChildStepCount; ++step) {
    const absl::string_view name = ChildStepName(static_cast<ChildStep>(step));
    EXPECT_NE(name, "unknown step") << step;
    EXPECT_FALSE(name.empty());
  }
  EXPECT_EQ(ChildStepName(ChildStep::kExec), "execute init");
  EXPECT_EQ(ChildStepName(static_cast<ChildStep>(kChildStepCount)),
            "unknown step");
}

TEST(WithStepTest, StepSurvivesAnnotation) {
  const absl::Status status =
      Annotate(WithStep(ErrnoStatus(EPERM, "setsid()"), "create session"),
               "start");
  EXPECT_EQ(StepOf(status), "create session");
  EXPECT_EQ(GetErrno(status), EPERM);
  EXPECT_EQ(StepOf(absl::InternalError("x")), "");
  EXPECT_THAT(WithStep(absl::OkStatus(), "x"), IsOk());
}

TEST(LandlockTest, ScopesFollowHostAbstract) {
  EXPECT_EQ(LandlockScopes(false),
            kLandlockScopeSignal | kLandlockScopeAbstractUnixSocket);
  EXPECT_EQ(LandlockScopes(true), kLandlockScopeSignal);
  EXPECT_EQ(sizeof(LandlockRulesetAttr), 24u);
}

TEST(LandlockTest, RulesetPerLaunchOrSkippedWithHostAbstract) {
  const absl::StatusOr<int> abi = LandlockAbi();
  if (!abi.ok() || *abi < kLandlockScopeAbi) {
    // host_abstract makes Landlock optional; without it the launch fails.
    const absl::StatusOr<UniqueFd> skipped = CreateLandlockRuleset(true);
    ASSERT_THAT(skipped, IsOk());
    EXPECT_FALSE(skipped->valid());
    EXPECT_THAT(CreateLandlockRuleset(false).status(),
                StatusIs(absl::StatusCode::kFailedPrecondition,
                         HasSubstr("LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET")));
    GTEST_SKIP() << "no Landlock scopes here: "
                 << (abi.ok() ? absl::StrCat("ABI ", *abi)
                              : abi.status().ToString());
  }
  for (bool host_abstract : {false, true}) {
    absl::StatusOr<UniqueFd> ruleset = CreateLandlockRuleset(host_abstract);
    ASSERT_THAT(ruleset, IsOk());
    ASSERT_TRUE(ruleset->valid());
    EXPECT_EQ(fcntl(ruleset->get(), F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    char link[64] = {};
    ASSERT_GT(readlink(absl::StrCat("/proc/self/fd/", ruleset->get()).c_str(),
                       link, sizeof(link) - 1),
              0);
    EXPECT_STREQ(link, "anon_inode:[landlock-ruleset]");
  }
}

}  // namespace
}  // namespace kekkai::shim::internal
