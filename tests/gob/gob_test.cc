// Unit tests of the gob codec against the shared vectors (produced by Go's
// encoding/gob and go/wire), plus truncation, corruption, limits and round
// trips. The live comparison with Go's own encoder and decoder is in
// tests/go/.
#include "common/gob/gob.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/params.h"
#include "common/unique_fd.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/gob/canonical.h"
#include "tests/gob/crafted.h"
#include "tests/testing/status_matchers.h"

namespace kekkai::gob {
namespace {

using ::kekkai::gobtest::AsGoDecodes;
using ::kekkai::gobtest::FromCanonicalJson;
using ::kekkai::gobtest::LoadManifest;
using ::kekkai::gobtest::RandomInitParams;
using ::kekkai::gobtest::ReadVectorFile;
using ::kekkai::gobtest::Vector;
using ::kekkai::testing::IsOk;
using ::kekkai::testing::StatusIs;
using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::vector<Vector> Cases(absl::string_view kind) {
  std::vector<Vector> out;
  for (const Vector& v : LoadManifest()) {
    if (v.kind == kind) out.push_back(v);
  }
  return out;
}

InitParams Expected(const Vector& v) {
  auto expected = FromCanonicalJson(ReadVectorFile(v.name, ".json"));
  EXPECT_THAT(expected, IsOk()) << v.name;
  return expected.ok() ? *expected : InitParams();
}

// The payloads of a stream's messages, and back (shortest length prefixes).
std::vector<std::string> SplitMessages(absl::string_view stream) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < stream.size()) {
    const auto first = static_cast<uint8_t>(stream[pos]);
    uint64_t length = first;
    size_t width = 1;
    if (first >= 0x80) {
      width += 256 - first;
      length = 0;
      for (size_t i = 1; i < width; ++i) {
        length = (length << 8) | static_cast<uint8_t>(stream[pos + i]);
      }
    }
    out.emplace_back(stream.substr(pos + width, length));
    pos += width + length;
  }
  return out;
}
std::string JoinMessages(const std::vector<std::string>& messages) {
  std::string out;
  for (const std::string& m : messages) {
    uint64_t n = m.size();
    if (n < 0x80) {
      out.push_back(static_cast<char>(n));
    } else {
      std::string bytes;
      for (; n != 0; n >>= 8) bytes.insert(bytes.begin(), static_cast<char>(n));
      out.push_back(static_cast<char>(256 - bytes.size()));
      out += bytes;
    }
    out += m;
  }
  return out;
}

bool IsCodecError(const absl::Status& status) {
  return (status.code() == absl::StatusCode::kDataLoss ||
          status.code() == absl::StatusCode::kInvalidArgument) &&
         absl::StartsWith(status.message(), "gob: ");
}

TEST(GobVectorsTest, ManifestHasEveryCase) {
  EXPECT_EQ(LoadManifest().size(), 46u);
  EXPECT_EQ(Cases("valid").size(), 22u);
  EXPECT_EQ(Cases("compat").size(), 6u);
  EXPECT_EQ(Cases("invalid").size(), 18u);
}

TEST(GobVectorsTest, ValidAndCompatStreamsDecodeToTheirJson) {
  for (const absl::string_view kind : {"valid", "compat"}) {
    for (const Vector& v : Cases(kind)) {
      SCOPED_TRACE(v.name);
      const InitParams expected = Expected(v);
      auto decoded = Decode(ReadVectorFile(v.name, ".hex"));
      ASSERT_THAT(decoded, IsOk());
      EXPECT_EQ(*decoded, expected);
      EXPECT_EQ(decoded->kekkai_report, 0);
    }
  }
}

TEST(GobVectorsTest, SimpleFramingDecodesToTheSameValue) {
  for (const Vector& v : Cases("valid")) {
    SCOPED_TRACE(v.name);
    auto decoded = Decode(ReadVectorFile(v.name, ".simple.hex"));
    ASSERT_THAT(decoded, IsOk());
    EXPECT_EQ(*decoded, Expected(v));
  }
}

TEST(GobVectorsTest, EncoderWritesTheSimpleHexBytes) {
  for (const Vector& v : Cases("valid")) {
    SCOPED_TRACE(v.name);
    auto encoded = Encode(Expected(v));
    ASSERT_THAT(encoded, IsOk());
    const std::string want = ReadVectorFile(v.name, ".simple.hex");
    EXPECT_EQ(gobtest::HexEncode(*encoded), gobtest::HexEncode(want));
  }
}

TEST(GobVectorsTest, InvalidStreamsAreRefusedWithAMessage) {
  for (const Vector& v : Cases("invalid")) {
    SCOPED_TRACE(v.name);
    auto decoded = Decode(ReadVectorFile(v.name, ".hex"));
    ASSERT_FALSE(decoded.ok());
    EXPECT_TRUE(IsCodecError(decoded.status())) << decoded.status();
  }
}

struct RefusalCase {
  const char* vector;
  absl::StatusCode code;
  std::vector<std::string> substrings;
};

TEST(GobVectorsTest, RefusalsSayWhereAndWhy) {
  const RefusalCase cases[] = {
      {"bad-relative-path",
       absl::StatusCode::kInvalidArgument,
       {"Params.Dir: path \"home/chronos\" is not absolute"}},
      {"bad-empty-path",
       absl::StatusCode::kInvalidArgument,
       {"Params.Path: path \"\" is not absolute"}},
      {"bad-unregistered-op",
       absl::StatusCode::kInvalidArgument,
       {"Params.Ops[", "name not registered for interface",
        "*container.EvilOp"}},
      {"bad-syscall-range",
       absl::StatusCode::kInvalidArgument,
       {"Params.SeccompRules[0].Syscall: value 2147483648 out of range"}},
      {"bad-perm-range",
       absl::StatusCode::kInvalidArgument,
       {"Params.ParentPerm: value 4294967296 out of range"}},
      {"bad-signedness",
       absl::StatusCode::kInvalidArgument,
       {"Params.Uid: wrong type", "uint", "ours is int"}},
      {"bad-abs-as-string",
       absl::StatusCode::kInvalidArgument,
       {"Params.Dir: wrong type", "string", "*check.Absolute"}},
      {"bad-field-out-of-range",
       absl::StatusCode::kDataLoss,
       {"Params: field numbers out of bounds"}},
      {"bad-duplicate-type",
       absl::StatusCode::kDataLoss,
       {"duplicate type received"}},
      {"bad-reserved-type-id",
       absl::StatusCode::kDataLoss,
       {"id 10 is reserved"}},
      {"bad-uint-too-long",
       absl::StatusCode::kDataLoss,
       {"encoded unsigned integer out of range"}},
      {"bad-undefined-type",
       absl::StatusCode::kDataLoss,
       {"unknown type id 999"}},
      {"bad-string-overrun",
       absl::StatusCode::kDataLoss,
       {"Params.Hostname: string of 127 bytes runs past the end of the "
        "message"}},
      {"bad-message-overrun",
       absl::StatusCode::kDataLoss,
       {"gob: truncated stream: message", "needs 16777216 bytes"}},
      {"bad-truncated",
       absl::StatusCode::kDataLoss,
       {"gob: truncated stream: message 21 needs 114 bytes, 111 remain"}},
      {"bad-extra-data", absl::StatusCode::kDataLoss, {"extra data in buffer"}},
      {"bad-no-fields-matched",
       absl::StatusCode::kInvalidArgument,
       {"no fields matched"}},
      {"bad-top-level-int",
       absl::StatusCode::kInvalidArgument,
       {"want struct type container.initParams, got int"}},
  };
  for (const RefusalCase& c : cases) {
    SCOPED_TRACE(c.vector);
    auto decoded = Decode(ReadVectorFile(c.vector, ".hex"));
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.status().code(), c.code) << decoded.status();
    for (const std::string& s : c.substrings) {
      EXPECT_THAT(std::string(decoded.status().message()), HasSubstr(s));
    }
  }
}

// "message N at byte B": B is the stream offset of the token that broke.
TEST(GobVectorsTest, ErrorOffsetPointsAtTheBadToken) {
  const std::string stream = ReadVectorFile("bad-relative-path", ".hex");
  auto decoded = Decode(stream);
  ASSERT_FALSE(decoded.ok());
  const std::string message(decoded.status().message());
  int index = 0;
  size_t offset = 0;
  ASSERT_EQ(std::sscanf(message.c_str(), "gob: message %d at byte %zu:", &index,
                        &offset),
            2)
      << message;
  ASSERT_LT(offset + 13, stream.size());
  // The payload's length byte, then "home/chronos".
  EXPECT_EQ(stream[offset], 12);
  EXPECT_EQ(stream.substr(offset + 1, 12), "home/chronos");
}

void ExpectEveryProperPrefixRefused(const std::string& stream) {
  for (size_t n = 0; n < stream.size(); ++n) {
    auto decoded = Decode(absl::string_view(stream).substr(0, n));
    ASSERT_FALSE(decoded.ok()) << "prefix of " << n << " bytes";
    ASSERT_TRUE(IsCodecError(decoded.status())) << decoded.status();
  }
  EXPECT_THAT(Decode(stream), IsOk());
}

TEST(GobVectorsTest, EveryProperPrefixIsRefused) {
  for (const Vector& v : Cases("valid")) {
    if (v.name == "long-strings") continue;  // its own test (the slowest)
    for (const char* suffix : {".hex", ".simple.hex"}) {
      SCOPED_TRACE(absl::StrCat(v.name, suffix));
      ExpectEveryProperPrefixRefused(ReadVectorFile(v.name, suffix));
    }
  }
}

TEST(GobVectorsTest, EveryProperPrefixOfLongStringsIsRefused) {
  for (const char* suffix : {".hex", ".simple.hex"}) {
    SCOPED_TRACE(absl::StrCat("long-strings", suffix));
    ExpectEveryProperPrefixRefused(ReadVectorFile("long-strings", suffix));
  }
}

TEST(GobVectorsTest, TrailingBytesAreIgnoredAsGoDoes) {
  const std::string stream = ReadVectorFile("typical", ".hex");
  auto decoded = Decode(stream + std::string("\x05garbage", 8));
  ASSERT_THAT(decoded, IsOk());
  EXPECT_EQ(*decoded, Expected({"typical", "valid"}));
}

// Random corruption never crashes (the sanitizer build runs this too), and
// whatever decodes survives our own encode/decode round trip.
TEST(GobCorruptionTest, RandomByteFlipsNeverCrash) {
  std::mt19937_64 rng(20251123);
  size_t accepted = 0;
  size_t refused = 0;
  for (const Vector& v : LoadManifest()) {
    if (v.name == "long-strings") continue;
    const std::string original = ReadVectorFile(v.name, ".hex");
    for (int round = 0; round < 300; ++round) {
      std::string stream = original;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int i = 0; i < flips; ++i) {
        const size_t at = rng() % stream.size();
        switch (rng() % 3) {
          case 0:
            stream[at] = static_cast<char>(rng());
            break;
          case 1:
            stream[at] ^= static_cast<char>(1u << (rng() % 8));
            break;
          default:
            stream.insert(at, 1, static_cast<char>(rng()));
        }
      }
      auto decoded = Decode(stream);
      if (!decoded.ok()) {
        ASSERT_TRUE(IsCodecError(decoded.status()))
            << v.name << ": " << decoded.status();
        ++refused;
        continue;
      }
      ++accepted;
      auto encoded = Encode(*decoded);
      ASSERT_THAT(encoded, IsOk());
      auto again = Decode(*encoded);
      ASSERT_THAT(again, IsOk());
      EXPECT_EQ(*again, AsGoDecodes(*decoded)) << v.name;
    }
  }
  EXPECT_GT(refused, 0u);
  EXPECT_GT(accepted, 0u);
}

TEST(GobRoundTripTest, RandomParamsSurviveEncodeDecode) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 500; ++i) {
    InitParams params = RandomInitParams(rng);
    if (i % 3 == 0) params.kekkai_report = static_cast<int64_t>(rng());
    auto encoded = Encode(params);
    ASSERT_THAT(encoded, IsOk());
    auto decoded = Decode(*encoded);
    ASSERT_THAT(decoded, IsOk()) << i;
    EXPECT_EQ(*decoded, AsGoDecodes(params)) << i;
  }
}

TEST(GobRoundTripTest, ZeroValueIsJustTheTypesAndAnEmptyParams) {
  auto encoded = Encode(InitParams());
  ASSERT_THAT(encoded, IsOk());
  EXPECT_EQ(*encoded, ReadVectorFile("zero", ".simple.hex"));
  auto decoded = Decode(*encoded);
  ASSERT_THAT(decoded, IsOk());
  EXPECT_EQ(*decoded, InitParams());
}

TEST(GobRoundTripTest, EmptyOpsArriveAsNilAndNilOpsStayNil) {
  InitParams params;
  params.params.ops.emplace();
  auto decoded = Decode(*Encode(params));
  ASSERT_THAT(decoded, IsOk());
  EXPECT_FALSE(decoded->params.ops.has_value());

  params.params.ops->emplace_back(std::nullopt);
  params.params.ops->emplace_back(MountProcOp{});
  decoded = Decode(*Encode(params));
  ASSERT_THAT(decoded, IsOk());
  ASSERT_TRUE(decoded->params.ops.has_value());
  ASSERT_EQ(decoded->params.ops->size(), 2u);
  EXPECT_FALSE((*decoded->params.ops)[0].has_value());
  EXPECT_EQ((*decoded->params.ops)[1], Op(MountProcOp{}));
}

TEST(GobRoundTripTest, ZeroArgCmpStaysDistinctFromNilArg) {
  InitParams params;
  params.params.seccomp_rules = {NativeRule{1, 2, ScmpArgCmp{}},
                                 NativeRule{1, 2, std::nullopt}};
  auto decoded = Decode(*Encode(params));
  ASSERT_THAT(decoded, IsOk());
  EXPECT_EQ(decoded->params.seccomp_rules, params.params.seccomp_rules);
}

// KekkaiReport is sent only when non-zero, so hakurei's bytes are unchanged
// for a zero value and a kekkai launcher's extra field is a field Go skips.
TEST(GobKekkaiReportTest, OnlyANonZeroReportChangesTheBytes) {
  const InitParams typical = Expected({"typical", "valid"});
  InitParams with_report = typical;
  with_report.kekkai_report = kSetupReportVersion;

  auto plain = Encode(typical);
  auto extended = Encode(with_report);
  ASSERT_THAT(plain, IsOk());
  ASSERT_THAT(extended, IsOk());
  EXPECT_EQ(*plain, ReadVectorFile("typical", ".simple.hex"));
  EXPECT_NE(*extended, *plain);
  EXPECT_THAT(*extended, HasSubstr("KekkaiReport"));
  EXPECT_THAT(*plain, ::testing::Not(HasSubstr("KekkaiReport")));

  auto decoded = Decode(*extended);
  ASSERT_THAT(decoded, IsOk());
  EXPECT_EQ(decoded->kekkai_report, kSetupReportVersion);
  EXPECT_EQ(*decoded, with_report);
}

// Hand-built streams for Go decoder rules the vectors do not reach; the
// interop test checks each expectation against Go itself.
TEST(GobCraftedTest, DecodesAsGoDoes) {
  for (const gobtest::CraftedCase& c : gobtest::CraftedCases()) {
    SCOPED_TRACE(c.name + ": " + c.what);
    auto decoded = Decode(c.stream);
    if (c.expected.has_value()) {
      ASSERT_THAT(decoded, IsOk());
      EXPECT_EQ(*decoded, *c.expected);
    } else {
      ASSERT_FALSE(decoded.ok());
      EXPECT_TRUE(IsCodecError(decoded.status())) << decoded.status();
    }
  }
}

// ---- limits -----------------------------------------------------------------

absl::Status DecodeWith(absl::string_view vector, const Limits& limits,
                        absl::string_view suffix = ".hex") {
  return Decode(ReadVectorFile(vector, suffix), limits).status();
}

TEST(GobLimitsTest, DefaultsAcceptEveryValidVector) {
  for (const Vector& v : Cases("valid")) {
    EXPECT_THAT(DecodeWith(v.name, Limits()), IsOk()) << v.name;
  }
}

TEST(GobLimitsTest, EachLimitIsEnforced) {
  Limits ops;
  ops.max_ops = 329;  // many-ops has 330
  EXPECT_THAT(DecodeWith("many-ops", ops),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("Params.Ops: Ops of 330 elements"),
                             HasSubstr("limit of 329"))));
  ops.max_ops = 330;
  EXPECT_THAT(DecodeWith("many-ops", ops), IsOk());

  Limits message;
  message.max_message_bytes = 200;
  EXPECT_THAT(DecodeWith("typical", message),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("over the limit of 200")));

  Limits stream;
  stream.max_stream_bytes = 1000;  // typical is 1168 bytes
  EXPECT_THAT(DecodeWith("typical", stream),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("the stream limit")));

  Limits types;
  types.max_types = 5;
  EXPECT_THAT(DecodeWith("full", types),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("more than 5 type definitions")));

  Limits depth;
  depth.max_depth = 3;  // Params.Ops[0] (op).Target is 4 deep
  EXPECT_THAT(DecodeWith("op-BindMountOp", depth),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("nested more than 3 deep")));

  Limits strings;
  strings.max_string_bytes = 1000;  // long-strings has a 70000-byte entry
  EXPECT_THAT(DecodeWith("long-strings", strings),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("over the limit of 1000")));

  Limits slices;
  slices.max_slice_elements = 3;
  EXPECT_THAT(DecodeWith("full", slices),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("Params.Env: []string of 4 elements")));

  Limits names;
  names.max_name_bytes = 10;
  EXPECT_THAT(DecodeWith("op-MkdirOp", names),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("interface type name of 18 bytes")));

  Limits total;
  total.max_total_elements = 10;  // full: Env 4, Args 4, then 21 Ops
  EXPECT_THAT(DecodeWith("full", total),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("Params.Ops: Ops of 21 elements"),
                             HasSubstr("limit of 10 elements in all"))));

  Limits plans;
  plans.max_plan_fields = 20;  // initParams has 5 fields, Params 19
  EXPECT_THAT(DecodeWith("zero", plans),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("decoding plans for more than 20 fields")));

  Limits fields;
  fields.max_fields = 18;  // Params has 19
  EXPECT_THAT(DecodeWith("zero", fields),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("field list of 19 elements")));
}

// A count that claims more elements than there are bytes fails before any
// allocation (the sanitizer build would notice a huge one).
TEST(GobLimitsTest, HugeCountsAreRefusedBeforeAllocating) {
  std::vector<std::string> messages =
      SplitMessages(*Encode(Expected({"op-BindMountOp", "valid"})));
  ASSERT_FALSE(messages.empty());
  // The value is the last message: the Ops count (1), then the op's name.
  std::string& value = messages.back();
  const size_t at = value.find("\x01\x16*container.BindMountOp");
  ASSERT_NE(at, std::string::npos);
  // A count of 2^32 (fb 01 00 00 00 00).
  value.replace(at, 1, std::string("\xfb\x01\x00\x00\x00\x00", 6));
  EXPECT_THAT(Decode(JoinMessages(messages)).status(),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("Params.Ops: Ops of 4294967296 elements "
                                 "is longer than the rest of the stream")));
}

TEST(GobLimitsTest, EmptyAndGarbageStreamsAreErrors) {
  EXPECT_THAT(Decode("").status(),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("empty stream: no value")));
  EXPECT_THAT(Decode(std::string("\x00", 1)).status(),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("message 1 at byte 0: empty message")));
  EXPECT_THAT(Decode("\x80").status(),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("encoded unsigned integer out of range")));
  EXPECT_THAT(Decode("\xfe\x01").status(),
              StatusIs(absl::StatusCode::kDataLoss,
                       HasSubstr("truncated stream: the length of message 1")));
}

// ---- ReadFrom ---------------------------------------------------------------

TEST(GobReadFromTest, ReadsAPipeToEndOfFile) {
  const std::string stream = ReadVectorFile("full", ".hex");
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  UniqueFd read_end(fds[0]);
  {
    UniqueFd write_end(fds[1]);
    ASSERT_EQ(write(write_end.get(), stream.data(), stream.size()),
              static_cast<ssize_t>(stream.size()));
  }
  auto decoded = ReadFrom(read_end.get());
  ASSERT_THAT(decoded, IsOk());
  EXPECT_EQ(*decoded, Expected({"full", "valid"}));
}

TEST(GobReadFromTest, RefusesAStreamOverTheLimit) {
  const std::string stream = ReadVectorFile("full", ".hex");
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  UniqueFd read_end(fds[0]);
  {
    UniqueFd write_end(fds[1]);
    ASSERT_EQ(write(write_end.get(), stream.data(), stream.size()),
              static_cast<ssize_t>(stream.size()));
  }
  Limits limits;
  limits.max_stream_bytes = 1000;
  EXPECT_THAT(ReadFrom(read_end.get(), limits).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("longer than the limit of 1000 bytes")));
}

TEST(GobReadFromTest, ReadErrorNamesTheCall) {
  EXPECT_THAT(ReadFrom(-1).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("read(fd -1)")));
}

}  // namespace
}  // namespace kekkai::gob
