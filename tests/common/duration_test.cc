// FormatDuration / ParseDuration against Go's time package. The expected
// values below were produced by Go 1.19.8's time.Duration.String and
// time.ParseDuration, so they pin the behaviour byte for byte.
#include "common/duration.h"

#include <cstdint>
#include <limits>
#include <random>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace kekkai {
namespace {

using ::kekkai::testing::IsOk;
using ::kekkai::testing::StatusIs;
using ::testing::Eq;

struct FormatCase {
  int64_t ns;
  const char* text;
};

// From Go: fmt.Print(time.Duration(ns).String()).
constexpr FormatCase kGoFormat[] = {
    {0LL, "0s"},
    {1LL, "1ns"},
    {-1LL, "-1ns"},
    {999LL, "999ns"},
    {1000LL, "1\xc2\xb5s"},
    {1001LL, "1.001\xc2\xb5s"},
    {1500LL, "1.5\xc2\xb5s"},
    {999999LL, "999.999\xc2\xb5s"},
    {1000000LL, "1ms"},
    {1234567LL, "1.234567ms"},
    {999999999LL, "999.999999ms"},
    {1000000000LL, "1s"},
    {1000000001LL, "1.000000001s"},
    {1500000000LL, "1.5s"},
    {60000000000LL, "1m0s"},
    {90000000000LL, "1m30s"},
    {3600000000000LL, "1h0m0s"},
    {3661000000001LL, "1h1m1.000000001s"},
    {5000000000LL, "5s"},
    {-5000000000LL, "-5s"},
    {9223372036854775807LL, "2562047h47m16.854775807s"},
    {-9223372036854775807LL - 1, "-2562047h47m16.854775808s"},
    {-9223372036854775807LL, "-2562047h47m16.854775807s"},
    {360000000000000LL, "100h0m0s"},
    {7200000000000LL, "2h0m0s"},
    {3600000000001LL, "1h0m0.000000001s"},
    {59999999999LL, "59.999999999s"},
};

TEST(DurationTest, FormatMatchesGo) {
  for (const FormatCase& c : kGoFormat) {
    EXPECT_EQ(FormatDuration(c.ns), c.text) << c.ns;
  }
}

struct ParseCase {
  const char* text;
  int64_t ns;
};

// From Go: time.ParseDuration(text) with a nil error.
constexpr ParseCase kGoParse[] = {
    {"0", 0},
    {"-0", 0},
    {"+0", 0},
    {"5s", 5000000000},
    {"1m30s", 90000000000},
    {"-1ns", -1},
    {"1.5h", 5400000000000},
    {"300ms", 300000000},
    {"2h45m", 9900000000000},
    {".5s", 500000000},
    {"5.s", 5000000000},
    {"1\xc2\xb5s", 1000},  // U+00B5 MICRO SIGN
    {"1\xce\xbcs", 1000},  // U+03BC GREEK SMALL LETTER MU
    {"1us", 1000},
    {"-2562047h47m16.854775808s", std::numeric_limits<int64_t>::min()},
    {"2562047h47m16.854775807s", std::numeric_limits<int64_t>::max()},
    {"-9223372036854775808ns", std::numeric_limits<int64_t>::min()},
    {"9223372036854775807ns", std::numeric_limits<int64_t>::max()},
    {"0.000000001s", 1},
    {"0.0000000001s", 0},
    {"1.0000000001s", 1000000000},
    {"1.9999999999999999999s", 2000000000},
    // Go's own wrap-around: two halves of 2^64 add up to zero.
    {"9223372036854775808ns9223372036854775808ns", 0},
    {"-9223372036854775808ns9223372036854775808ns", 0},
    {"0.5ns", 0},
    {"1.5ns", 1},
    {"0s", 0},
    {"00s", 0},
    {"1h1h1h", 10800000000000},
};

TEST(DurationTest, ParseMatchesGo) {
  for (const ParseCase& c : kGoParse) {
    absl::StatusOr<int64_t> parsed = ParseDuration(c.text);
    ASSERT_THAT(parsed, IsOk()) << c.text;
    EXPECT_EQ(*parsed, c.ns) << c.text;
  }
}

struct ErrorCase {
  const char* text;
  const char* message;  // Go's error text without its "time: " prefix
};

constexpr ErrorCase kGoErrors[] = {
    {"2562047h47m16.854775808s",
     "invalid duration \"2562047h47m16.854775808s\""},
    {"9223372036854775808ns", "invalid duration \"9223372036854775808ns\""},
    {"100000000000000000000ns",
     "invalid duration \"100000000000000000000ns\""},
    {"", "invalid duration \"\""},
    {"-", "invalid duration \"-\""},
    {"+", "invalid duration \"+\""},
    {"s", "invalid duration \"s\""},
    {".s", "invalid duration \".s\""},
    {"5", "missing unit in duration \"5\""},
    {"1d", "unknown unit \"d\" in duration \"1d\""},
    {"5x", "unknown unit \"x\" in duration \"5x\""},
    {"1.2.3s", "missing unit in duration \"1.2.3s\""},
    {"3m2", "missing unit in duration \"3m2\""},
    {"\"", "invalid duration \"\\\"\""},
    {"1h-1m", "unknown unit \"h-\" in duration \"1h-1m\""},
    {" 1s", "invalid duration \" 1s\""},
    {"1s ", "unknown unit \"s \" in duration \"1s \""},
    {"1\xc3\x9f", "unknown unit \"\\xc3\\x9f\" in duration \"1\\xc3\\x9f\""},
    {"1e3s", "unknown unit \"e\" in duration \"1e3s\""},
    {"-9223372036854775808ns-9223372036854775808ns",
     "unknown unit \"ns-\" in duration "
     "\"-9223372036854775808ns-9223372036854775808ns\""},
};

TEST(DurationTest, ParseErrorsMatchGo) {
  for (const ErrorCase& c : kGoErrors) {
    EXPECT_THAT(ParseDuration(c.text),
                StatusIs(absl::StatusCode::kInvalidArgument, Eq(c.message)))
        << c.text;
  }
}

TEST(DurationTest, ParseRefusesNulAndControlBytes) {
  EXPECT_THAT(ParseDuration(std::string("1s\0", 3)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("unknown unit \"s\\x00\" in duration \"1s\\x00\"")));
  EXPECT_THAT(ParseDuration("\n5s"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("invalid duration \"\\x0a5s\"")));
}

TEST(DurationTest, EveryValueRoundTrips) {
  std::mt19937_64 rng(20240601);
  std::vector<int64_t> values = {0,
                                 1,
                                 -1,
                                 std::numeric_limits<int64_t>::max(),
                                 std::numeric_limits<int64_t>::min(),
                                 std::numeric_limits<int64_t>::min() + 1};
  for (int shift = 0; shift < 63; ++shift) {
    values.push_back(int64_t{1} << shift);
    values.push_back(-(int64_t{1} << shift));
    values.push_back((int64_t{1} << shift) - 1);
  }
  for (int i = 0; i < 20000; ++i) {
    // Random magnitudes on every scale, not just huge ones.
    const int bits = static_cast<int>(rng() % 64);
    values.push_back(static_cast<int64_t>(rng() >> bits));
  }
  for (const int64_t ns : values) {
    const std::string text = FormatDuration(ns);
    absl::StatusOr<int64_t> back = ParseDuration(text);
    ASSERT_THAT(back, IsOk()) << ns << " -> " << text;
    EXPECT_EQ(*back, ns) << text;
  }
}

}  // namespace
}  // namespace kekkai
