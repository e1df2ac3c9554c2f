// Flag names (flags.h): the tables, the exact round trip through names, the
// aliases and number forms accepted on input, and the errors.
#include "common/flags.h"

#include <sys/mount.h>

#include <random>
#include <string>
#include <vector>

#include "common/ops.h"
#include "common/params.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/test_util.h"
#include "tests/testing/status_matchers.h"

namespace kekkai {
namespace {

using ::kekkai::testing::IsOk;
using ::kekkai::testing::IsOkAndHolds;
using ::kekkai::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<absl::Span<const FlagName>> AllTables() {
  return {BindFlagNames(), MountFlagNames(), PresetNames(), ExportFlagNames()};
}

TEST(FlagsTest, TablesHaveDistinctNonZeroSingleUseBits) {
  for (absl::Span<const FlagName> table : AllTables()) {
    uint64_t seen = 0;
    for (const FlagName& flag : table) {
      EXPECT_NE(flag.bits, 0u) << flag.name;  // would always be "set"
      EXPECT_EQ(seen & flag.bits, 0u) << flag.name << " overlaps";
      seen |= flag.bits;
      EXPECT_FALSE(flag.name.empty());
    }
  }
}

TEST(FlagsTest, KnownValues) {
  EXPECT_THAT(FlagsToNames(BindFlagNames(), kBindAllFlags),
              ElementsAre("optional", "writable", "device", "ensure"));
  EXPECT_THAT(FlagsToNames(MountFlagNames(), MS_RDONLY | MS_NOSUID | MS_NODEV),
              ElementsAre("rdonly", "nosuid", "nodev"));
  EXPECT_THAT(FlagsToNames(PresetNames(), kPresetStrict | kPresetLinux32),
              ElementsAre("ext", "deny-ns", "deny-tty", "deny-devel",
                          "linux32"));
  EXPECT_THAT(FlagsToNames(ExportFlagNames(), 7),
              ElementsAre("multiarch", "can", "bluetooth"));
  EXPECT_THAT(FlagsToNames(BindFlagNames(), 0), IsEmpty());
  EXPECT_EQ(FlagsToString(MountFlagNames(), MS_REC | MS_BIND), "bind,rec");
  EXPECT_EQ(FlagsToString(MountFlagNames(), 0), "");
}

TEST(FlagsTest, UnknownBitsBecomeOneHexEntry) {
  EXPECT_THAT(FlagsToNames(BindFlagNames(), 0x100 | 0x30 | kBindWritable),
              ElementsAre("writable", "0x130"));
  EXPECT_THAT(FlagsToNames(ExportFlagNames(), uint64_t{1} << 63),
              ElementsAre("0x8000000000000000"));
  // A negative int (Go's int) keeps every bit.
  EXPECT_THAT(FlagsToNames(BindFlagNames(), static_cast<uint64_t>(int64_t{-1})),
              ElementsAre("optional", "writable", "device", "ensure",
                          "0xfffffffffffffff0"));
}

TEST(FlagsTest, NamesRoundTripExactlyForEveryValue) {
  std::mt19937_64 rng(7);
  for (absl::Span<const FlagName> table : AllTables()) {
    for (int i = 0; i < 2000; ++i) {
      uint64_t value = rng();
      if (i % 3 == 0) value &= 0x3f;  // mostly named bits
      if (i == 0) value = 0;
      if (i == 1) value = ~uint64_t{0};
      absl::StatusOr<uint64_t> back =
          FlagsFromNames(table, FlagsToNames(table, value), "flag");
      ASSERT_THAT(back, IsOk());
      EXPECT_EQ(*back, value);
      absl::StatusOr<uint64_t> from_list =
          FlagsFromList(table, FlagsToString(table, value), "flag");
      ASSERT_THAT(from_list, IsOk());
      EXPECT_EQ(*from_list, value);
    }
  }
}

TEST(FlagsTest, InputAcceptsCaseSpacesNumbersAndStrict) {
  EXPECT_THAT(FlagsFromNames(BindFlagNames(), {" Optional ", "WRITABLE"}, "b"),
              IsOkAndHolds(static_cast<uint64_t>(kBindOptional | kBindWritable)));
  EXPECT_THAT(FlagsFromNames(MountFlagNames(), {"0x100", "2"}, "m"),
              IsOkAndHolds(uint64_t{0x102}));
  EXPECT_THAT(FlagsFromNames(PresetNames(), {"strict"}, "p"),
              IsOkAndHolds(static_cast<uint64_t>(kPresetStrict)));
  EXPECT_THAT(FlagsFromList(PresetNames(), "strict, linux32,,", "p"),
              IsOkAndHolds(
                  static_cast<uint64_t>(kPresetStrict | kPresetLinux32)));
  EXPECT_THAT(FlagsFromList(PresetNames(), "", "p"),
              IsOkAndHolds(uint64_t{0}));
}

TEST(FlagsTest, BadNamesAreRefusedWithTheKnownList) {
  EXPECT_THAT(
      FlagsFromNames(BindFlagNames(), {"optional", "bogus"}, "bind flag"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               Eq("unknown bind flag \"bogus\" (known: optional, writable, "
                  "device, ensure)")));
  // "strict" is a preset alias only.
  EXPECT_THAT(FlagsFromNames(BindFlagNames(), {"strict"}, "bind flag"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown bind flag \"strict\"")));
  EXPECT_THAT(FlagsFromList(PresetNames(), "ext,nope", "seccomp preset"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("(known: ext, deny-ns, deny-tty, deny-devel, "
                                 "linux32, strict)")));
  for (const std::string& bad :
       {std::string("0x"), std::string("-1"), std::string("0xzz"),
        std::string(""), std::string("1.5"), std::string("a\0b", 3)}) {
    EXPECT_THAT(FlagsFromNames(MountFlagNames(), {bad}, "mount flag"),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("unknown mount flag")))
        << bad;
  }
  // The name is escaped in the message.
  EXPECT_THAT(FlagsFromNames(ExportFlagNames(), {std::string("a\0b", 3)}, "f"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("\"a\\x00\\x62\"")));
}

TEST(FlagsTest, CompareOperators) {
  const char* const kNames[] = {"ne", "lt", "le", "eq", "ge", "gt",
                                "masked_eq"};
  for (uint32_t op = 1; op <= 7; ++op) {
    EXPECT_EQ(CompareOpName(op), kNames[op - 1]);
    EXPECT_THAT(CompareOpFromName(kNames[op - 1]), IsOkAndHolds(op));
  }
  EXPECT_EQ(CompareOpName(0), "");
  EXPECT_EQ(CompareOpName(8), "");
  EXPECT_THAT(CompareOpFromName("MASKED_EQ"), IsOkAndHolds(7u));
  EXPECT_THAT(CompareOpFromName("equals"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("unknown comparison \"equals\" (known: ne, lt, le, "
                          "eq, ge, gt, masked_eq)")));
  EXPECT_THAT(CompareOpFromName(""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("\"\"")));
}

}  // namespace
}  // namespace kekkai
