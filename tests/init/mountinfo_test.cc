// mountinfo parsing and unfolding (common/sys/mountinfo.h).
#include "common/sys/mountinfo.h"

#include <sys/mount.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace kekkai::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(MountInfoTest, ParsesTheManPageExample) {
  KEKKAI_ASSERT_OK_AND_ASSIGN(
      std::vector<sys::MountInfoEntry> entries,
      sys::ParseMountInfo("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 "
                          "/dev/root rw,errors=continue\n"));
  ASSERT_EQ(entries.size(), 1u);
  const sys::MountInfoEntry& e = entries[0];
  EXPECT_EQ(e.id, 36);
  EXPECT_EQ(e.parent, 35);
  EXPECT_EQ(e.major, 98);
  EXPECT_EQ(e.minor, 0);
  EXPECT_EQ(e.root, "/mnt1");
  EXPECT_EQ(e.target, "/mnt2");
  EXPECT_EQ(e.vfs_options, "rw,noatime");
  EXPECT_THAT(e.optional, ElementsAre("master:1"));
  EXPECT_EQ(e.fstype, "ext3");
  EXPECT_EQ(e.source, "/dev/root");
  EXPECT_EQ(e.fs_options, "rw,errors=continue");
  EXPECT_EQ(e.Flags(), static_cast<unsigned long>(MS_NOATIME));
}

TEST(MountInfoTest, OptionalFieldsMayBeAbsentOrSeveral) {
  KEKKAI_ASSERT_OK_AND_ASSIGN(
      std::vector<sys::MountInfoEntry> entries,
      sys::ParseMountInfo(
          "1 0 0:1 / / rw - tmpfs rootfs rw\n"
          "2 1 0:2 / /a ro,nosuid shared:3 master:4 - tmpfs  rw\n"));
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_TRUE(entries[0].optional.empty());
  EXPECT_THAT(entries[1].optional, ElementsAre("shared:3", "master:4"));
  EXPECT_EQ(entries[1].source, "");  // an empty source stays empty
  EXPECT_EQ(entries[1].Flags(),
            static_cast<unsigned long>(MS_RDONLY | MS_NOSUID));
}

TEST(MountInfoTest, FieldsAreUnmangled) {
  KEKKAI_ASSERT_OK_AND_ASSIGN(
      std::vector<sys::MountInfoEntry> entries,
      sys::ParseMountInfo("1 0 0:1 / /a\\040b\\011c\\134 rw - tmpfs x\\040y rw\n"));
  EXPECT_EQ(entries[0].target, "/a b\tc\\");
  EXPECT_EQ(entries[0].source, "x y");
  EXPECT_EQ(sys::Unmangle("a\\9999"), "a\\9999");  // not octal: kept
  EXPECT_EQ(sys::Unmangle("end\\04"), "end\\04");  // too short: kept
}

TEST(MountInfoTest, FlagsKnowTheVfsOptionsAndReportTheRest) {
  sys::MountInfoEntry e;
  e.vfs_options = "ro,nosuid,nodev,noexec,nosymfollow,noatime,nodiratime,"
                  "relatime,idmapped";
  std::vector<std::string> unmatched;
  EXPECT_EQ(e.Flags(&unmatched),
            static_cast<unsigned long>(MS_RDONLY | MS_NOSUID | MS_NODEV |
                                       MS_NOEXEC | 256 | MS_NOATIME |
                                       MS_NODIRATIME | MS_RELATIME));
  EXPECT_THAT(unmatched, ElementsAre("idmapped"));
}

TEST(MountInfoTest, MalformedLinesNameTheLine) {
  EXPECT_THAT(sys::ParseMountInfo("1 0 0:1 / / rw - tmpfs rootfs rw\n1 2 3\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("mountinfo line 2: expected at least 10")));
  EXPECT_THAT(sys::ParseMountInfo("x 0 0:1 / / rw - tmpfs rootfs rw"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("bad mount ID")));
  EXPECT_THAT(sys::ParseMountInfo("1 -1 0:1 / / rw - tmpfs rootfs rw"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("bad parent ID")));
  EXPECT_THAT(sys::ParseMountInfo("1 0 01 / / rw - tmpfs rootfs rw"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("bad maj:min")));
  EXPECT_THAT(sys::ParseMountInfo("1 0 0:1 / / rw x tmpfs rootfs rw"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("separator")));
  EXPECT_THAT(sys::ParseMountInfo("1 0 0:1  / rw - tmpfs rootfs rw"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("empty field")));
  EXPECT_THAT(sys::ParseMountInfo(""), IsOk());
}

std::vector<std::string> Paths(const std::vector<sys::VisibleMount>& mounts) {
  std::vector<std::string> out;
  for (const auto& m : mounts) out.push_back(m.path);
  return out;
}

// A tree with a stacked (covered) mount and the submount it hid, a mount
// hidden by a later sibling mounted above it, and a sibling whose name only
// shares a string prefix with the target. Mounting on a mount point stacks:
// the new mount's parent is the one it covers (5 on 4).
constexpr char kTree[] =
    "1 0 0:1 / / rw - tmpfs rootfs rw\n"
    "2 1 0:2 / /sysroot rw - tmpfs rootfs rw\n"
    "3 2 8:1 /usr /sysroot/usr ro,nosuid,nodev,relatime - ext4 /dev/sda rw\n"
    "4 3 0:3 / /sysroot/usr/lib rw - tmpfs a rw\n"
    "10 4 0:9 / /sysroot/usr/lib/hidden rw - tmpfs g rw\n"
    "5 4 0:4 / /sysroot/usr/lib rw,nodev - tmpfs b rw\n"
    "6 3 0:5 / /sysroot/usr/share/x rw - tmpfs c rw\n"
    "7 3 0:6 / /sysroot/usr/share rw - tmpfs d rw\n"
    "8 2 0:7 / /sysroot/usr2 rw - tmpfs e rw\n"
    "9 7 0:8 / /sysroot/usr/share/y rw,noexec - tmpfs f rw\n";

TEST(UnfoldTest, VisibleMountsUnderTheTargetInTreeOrder) {
  KEKKAI_ASSERT_OK_AND_ASSIGN(std::vector<sys::MountInfoEntry> entries,
                              sys::ParseMountInfo(kTree));
  KEKKAI_ASSERT_OK_AND_ASSIGN(std::vector<sys::VisibleMount> mounts,
                              sys::UnfoldMounts(entries, "/sysroot/usr/"));
  // 4 is covered by 5 (stacked on it) and takes 10 with it; 6 is hidden by
  // 7 (a later sibling above it); /sysroot/usr2 is not under /sysroot/usr.
  EXPECT_THAT(Paths(mounts),
              ElementsAre("/sysroot/usr", "/sysroot/usr/lib",
                          "/sysroot/usr/share", "/sysroot/usr/share/y"));
  EXPECT_EQ(mounts[0].flags,
            static_cast<unsigned long>(MS_RDONLY | MS_NOSUID | MS_NODEV |
                                       MS_RELATIME));
  EXPECT_EQ(mounts[1].flags, static_cast<unsigned long>(MS_NODEV));
  EXPECT_EQ(mounts[3].flags, static_cast<unsigned long>(MS_NOEXEC));
}

TEST(UnfoldTest, TheLastMountAtTheTargetIsTheTarget) {
  KEKKAI_ASSERT_OK_AND_ASSIGN(std::vector<sys::MountInfoEntry> entries,
                              sys::ParseMountInfo(kTree));
  KEKKAI_ASSERT_OK_AND_ASSIGN(std::vector<sys::VisibleMount> mounts,
                              sys::UnfoldMounts(entries, "/sysroot/usr/lib"));
  ASSERT_EQ(mounts.size(), 1u);
  EXPECT_EQ(mounts[0].flags, static_cast<unsigned long>(MS_NODEV));
}

TEST(UnfoldTest, RootSeesEverythingVisible) {
  KEKKAI_ASSERT_OK_AND_ASSIGN(std::vector<sys::MountInfoEntry> entries,
                              sys::ParseMountInfo(kTree));
  KEKKAI_ASSERT_OK_AND_ASSIGN(std::vector<sys::VisibleMount> mounts,
                              sys::UnfoldMounts(entries, "/"));
  EXPECT_THAT(Paths(mounts),
              ElementsAre("/", "/sysroot", "/sysroot/usr", "/sysroot/usr/lib",
                          "/sysroot/usr/share", "/sysroot/usr/share/y",
                          "/sysroot/usr2"));
}

TEST(UnfoldTest, AMissingTargetIsNotFound) {
  KEKKAI_ASSERT_OK_AND_ASSIGN(std::vector<sys::MountInfoEntry> entries,
                              sys::ParseMountInfo(kTree));
  EXPECT_THAT(sys::UnfoldMounts(entries, "/sysroot/opt"),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("mount point /sysroot/opt never appeared")));
}

TEST(UnfoldTest, PathPrefixesCompareWholeComponents) {
  EXPECT_TRUE(sys::HasPathPrefix("/a/b", "/a/b"));
  EXPECT_TRUE(sys::HasPathPrefix("/a/b/c", "/a/b"));
  EXPECT_FALSE(sys::HasPathPrefix("/a/b2", "/a/b"));
  EXPECT_FALSE(sys::HasPathPrefix("/a", "/a/b"));
  EXPECT_TRUE(sys::HasPathPrefix("/anything", "/"));
}

}  // namespace
}  // namespace kekkai::testing
