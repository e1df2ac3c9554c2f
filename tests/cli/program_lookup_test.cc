// Unit tests of PROGRAM's PATH search through the container's ops
// (shim/cli/program_lookup.h): which host file shows at a container path.
#include "shim/cli/program_lookup.h"

#include <sys/mount.h>

#include <cerrno>
#include <optional>
#include <string>

#include "common/ops_builder.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "shim/cli/default_sandbox.h"
#include "tests/cli/fake_host.h"
#include "tests/testing/status_matchers.h"

namespace kekkai::cli {
namespace {

using ::kekkai::cli::testing::FakeHost;
using ::kekkai::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Optional;

OpList Build(OpsBuilder& builder) {
  absl::StatusOr<OpList> ops = builder.Build();
  EXPECT_TRUE(ops.ok()) << ops.status();
  return ops.ok() ? *std::move(ops) : OpList{};
}

TEST(HostPathOfTest, DefaultSandboxMapsSystemPathsToThemselves) {
  FakeHost host;
  KEKKAI_ASSERT_OK_AND_ASSIGN(OpList ops, DefaultSandboxOps(host));
  EXPECT_THAT(HostPathOf(ops, "/usr/bin/sh", host), Optional(std::string("/usr/bin/sh")));
  // /bin is the symlink usr/bin, then the bind of /usr.
  EXPECT_THAT(HostPathOf(ops, "/bin/sh", host), Optional(std::string("/usr/bin/sh")));
  EXPECT_THAT(HostPathOf(ops, "/bin/../etc/passwd", host),
              Optional(std::string("/etc/passwd")));
  EXPECT_EQ(HostPathOf(ops, "/tmp/x", host), std::nullopt);       // tmpfs
  EXPECT_EQ(HostPathOf(ops, "/proc/self/exe", host), std::nullopt);
  EXPECT_EQ(HostPathOf(ops, "/dev/null", host), std::nullopt);
  EXPECT_EQ(HostPathOf(ops, "/home/u/.local/bin/x", host), std::nullopt);
  EXPECT_EQ(HostPathOf(ops, "/", host), std::nullopt);
}

TEST(HostPathOfTest, LaterOpsCoverEarlierOnes) {
  FakeHost host;
  host.existing.insert({"/a", "/b"});
  OpsBuilder builder;
  builder.Bind("/a", "/x").Bind("/b", "/x/y").Tmpfs("/x/y/t", 0, 0755).Bind(
      "/b", "/z");
  OpList ops = Build(builder);
  EXPECT_THAT(HostPathOf(ops, "/x/f", host), Optional(std::string("/a/f")));
  EXPECT_THAT(HostPathOf(ops, "/x/y/f", host), Optional(std::string("/b/f")));
  EXPECT_EQ(HostPathOf(ops, "/x/y/t/f", host), std::nullopt);
  EXPECT_THAT(HostPathOf(ops, "/z", host), Optional(std::string("/b")));
  // A bind over a later-created deeper path hides it.
  OpsBuilder over;
  over.Tmpfs("/x/t", 0, 0755).Bind("/a", "/x");
  ops = Build(over);
  EXPECT_THAT(HostPathOf(ops, "/x/t/f", host), Optional(std::string("/a/t/f")));
}

TEST(HostPathOfTest, MissingOptionalBindFallsThrough) {
  FakeHost host;
  host.existing.insert("/a");
  OpsBuilder builder;
  builder.Bind("/a", "/x").Bind("/missing", "/x", kBindOptional);
  OpList ops = Build(builder);
  EXPECT_THAT(HostPathOf(ops, "/x/f", host), Optional(std::string("/a/f")));
  host.existing.insert("/missing");
  EXPECT_THAT(HostPathOf(ops, "/x/f", host),
              Optional(std::string("/missing/f")));
}

TEST(HostPathOfTest, SymlinksAreFollowedAndLoopsEnd) {
  FakeHost host;
  host.existing.insert("/usr");
  OpsBuilder builder;
  builder.Bind("/usr", "/usr")
      .Link("/opt/bin", "/usr/bin")
      .Link("/rel/dir/link", "../../usr/lib")
      .Link("/loop1", "/loop2")
      .Link("/loop2", "loop1");
  OpList ops = Build(builder);
  EXPECT_THAT(HostPathOf(ops, "/opt/bin/env", host),
              Optional(std::string("/usr/bin/env")));
  EXPECT_THAT(HostPathOf(ops, "/rel/dir/link/x.so", host),
              Optional(std::string("/usr/lib/x.so")));
  EXPECT_EQ(HostPathOf(ops, "/loop1/x", host), std::nullopt);
}

TEST(HostPathOfTest, OverlaysLookThroughUpperThenLowersTopFirst) {
  FakeHost host;
  host.existing.insert({"/up", "/wk", "/top", "/bottom", "/bottom/only",
                        "/top/both", "/bottom/both", "/up/new"});
  OpsBuilder builder;
  builder.Overlay("/o", "/up", "/wk", {"/top", "/bottom"})
      .OverlayEphemeral("/e", {"/top", "/bottom"});
  OpList ops = Build(builder);
  EXPECT_THAT(HostPathOf(ops, "/o/new", host), Optional(std::string("/up/new")));
  EXPECT_THAT(HostPathOf(ops, "/o/both", host),
              Optional(std::string("/top/both")));
  EXPECT_THAT(HostPathOf(ops, "/o/only", host),
              Optional(std::string("/bottom/only")));
  EXPECT_EQ(HostPathOf(ops, "/o/none", host), std::nullopt);
  // The ephemeral upper "/" is not a host directory.
  EXPECT_THAT(HostPathOf(ops, "/e/both", host),
              Optional(std::string("/top/both")));
  EXPECT_EQ(HostPathOf(ops, "/e/new", host), std::nullopt);
}

TEST(HostPathOfTest, AutoRootCoversTheHostsTopLevelEntries) {
  FakeHost host;
  host.existing.insert({"/r", "/r/usr", "/r/tmp", "/r/etc"});
  OpsBuilder builder;
  builder.Root("/r", 0);
  OpList ops = Build(builder);
  EXPECT_THAT(HostPathOf(ops, "/usr/bin/sh", host),
              Optional(std::string("/r/usr/bin/sh")));
  EXPECT_EQ(HostPathOf(ops, "/tmp/x", host), std::nullopt);  // never bound
  EXPECT_EQ(HostPathOf(ops, "/etc/x", host), std::nullopt);
  EXPECT_EQ(HostPathOf(ops, "/opt/x", host), std::nullopt);  // not on host
}

TEST(FindInPathTest, FirstExecutableMatchInPathOrder) {
  FakeHost host;
  host.executables["/usr/local/bin/tool"] = EACCES;
  host.executables["/usr/bin/tool"] = 0;
  KEKKAI_ASSERT_OK_AND_ASSIGN(OpList ops, DefaultSandboxOps(host));
  KEKKAI_ASSERT_OK_AND_ASSIGN(
      AbsolutePath found,
      FindInPath(ops, "::relative:/usr/local/bin:/bin:/usr/bin", "tool", host));
  EXPECT_EQ(found.str(), "/bin/tool");
  EXPECT_THAT(FindInPath(ops, "/usr/local/bin", "tool", host),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       "cannot run PROGRAM \"tool\": /usr/local/bin/tool is "
                       "not executable"));
  EXPECT_THAT(FindInPath(ops, "/opt:/usr/sbin", "tool", host),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("not found in PATH \"/opt:/usr/sbin\"")));
}

}  // namespace
}  // namespace kekkai::cli
