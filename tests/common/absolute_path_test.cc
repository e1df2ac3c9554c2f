// AbsolutePath and CleanPath. The expected values for Clean, Dir, Base and
// Join come from Go's path package (go1.19.8), which hakurei uses.
#include "common/absolute_path.h"

#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace kekkai {
namespace {

using ::kekkai::testing::IsOk;
using ::kekkai::testing::StatusIs;
using ::testing::Eq;

TEST(AbsolutePathTest, ParseAcceptsAbsoluteAndKeepsBytes) {
  for (const std::string& path :
       {std::string("/"), std::string("/usr/bin"), std::string("//a/./b/../"),
        std::string("/with\0nul", 9), std::string("/\xff\xfe")}) {
    absl::StatusOr<AbsolutePath> parsed = AbsolutePath::Parse(path);
    ASSERT_THAT(parsed, IsOk()) << path;
    EXPECT_EQ(parsed->str(), path);  // never cleaned
  }
}

TEST(AbsolutePathTest, ParseRefusesRelativeWithHakureiWording) {
  EXPECT_THAT(AbsolutePath::Parse("usr"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("path \"usr\" is not absolute")));
  EXPECT_THAT(AbsolutePath::Parse(""),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("path \"\" is not absolute")));
  EXPECT_THAT(AbsolutePath::Parse("./a"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("path \"./a\" is not absolute")));
  // Unprintable bytes are escaped in the message.
  EXPECT_THAT(AbsolutePath::Parse("a\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("path \"a\\n\" is not absolute")));
}

TEST(AbsolutePathTest, LiteralAndHasNul) {
  EXPECT_EQ(AbsolutePath::Literal("/proc").str(), "/proc");
  EXPECT_STREQ(AbsolutePath::Literal("/proc").c_str(), "/proc");
  EXPECT_FALSE(AbsolutePath::Literal("/proc").HasNul());
  EXPECT_TRUE(AbsolutePath::Literal(std::string("/a\0b", 4)).HasNul());
  EXPECT_EQ(AbsolutePath::Literal("/a"), AbsolutePath::Literal("/a"));
  EXPECT_NE(AbsolutePath::Literal("/a"), AbsolutePath::Literal("/a/"));
}

TEST(AbsolutePathDeathTest, LiteralAbortsOnRelative) {
  EXPECT_DEATH(AbsolutePath::Literal("relative"), "");
}

struct PathCase {
  const char* path;
  const char* clean;
  const char* dir;
  const char* base;
};

// From Go: path.Clean(p), path.Dir(p), path.Base(p).
constexpr PathCase kGoPaths[] = {
    {"/", "/", "/", "/"},
    {"//", "/", "/", "/"},
    {"/a", "/a", "/", "a"},
    {"/a/", "/a", "/a", "a"},
    {"/a/b", "/a/b", "/a", "b"},
    {"/a/b/", "/a/b", "/a/b", "b"},
    {"/a//b", "/a/b", "/a", "b"},
    {"/a/./b", "/a/b", "/a", "b"},
    {"/a/../b", "/b", "/", "b"},
    {"/a/..", "/", "/a", ".."},
    {"/..", "/", "/", ".."},
    {"/../a", "/a", "/", "a"},
    {"/a/b/../../..", "/", "/", ".."},
    {"/.", "/", "/", "."},
    {"/./", "/", "/", "."},
    {"/a/.", "/a", "/a", "."},
    {"/a/b/.", "/a/b", "/a/b", "."},
    {"/abc/def/../ghi/./jkl//", "/abc/ghi/jkl", "/abc/ghi/jkl", "jkl"},
    {"///a///b///", "/a/b", "/a/b", "b"},
};

TEST(AbsolutePathTest, CleanDirBaseMatchGo) {
  for (const PathCase& c : kGoPaths) {
    const AbsolutePath path = AbsolutePath::Literal(c.path);
    EXPECT_EQ(path.Clean().str(), c.clean) << c.path;
    EXPECT_EQ(CleanPath(c.path), c.clean) << c.path;
    EXPECT_EQ(path.Dir().str(), c.dir) << c.path;
    EXPECT_EQ(path.Base(), c.base) << c.path;
  }
}

TEST(AbsolutePathTest, CleanPathRelativeLikeGo) {
  EXPECT_EQ(CleanPath(""), ".");
  EXPECT_EQ(CleanPath("."), ".");
  EXPECT_EQ(CleanPath("a/../.."), "..");
  EXPECT_EQ(CleanPath("../../a/b/.."), "../../a");
  EXPECT_EQ(CleanPath("a//b/./c/"), "a/b/c");
}

TEST(AbsolutePathTest, AppendIsGoJoin) {
  // From Go: path.Join(base, elem).
  struct JoinCase {
    const char* base;
    const char* elem;
    const char* joined;
  };
  constexpr JoinCase kCases[] = {
      {"/etc", "x/y", "/etc/x/y"}, {"/etc", "", "/etc"},
      {"/etc", "/abs", "/etc/abs"}, {"/etc", "../..", "/"},
      {"/", "a", "/a"},           {"/a/", "./b/", "/a/b"},
      {"/a", "..", "/"},           {"/a/b", "../c/../d", "/a/d"},
  };
  for (const JoinCase& c : kCases) {
    EXPECT_EQ(AbsolutePath::Literal(c.base).Append(c.elem).str(), c.joined)
        << c.base << " + " << c.elem;
  }
}

TEST(AbsolutePathTest, StreamsItsBytes) {
  std::ostringstream out;
  out << AbsolutePath::Literal("/a b");
  EXPECT_EQ(out.str(), "/a b");
}

}  // namespace
}  // namespace kekkai
