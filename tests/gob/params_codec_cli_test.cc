// `kekkai params decode|encode` (shim/cli/params_codec_cmd.cc), run as the
// real binary on the shared vectors: decode prints the JSON of what Go's
// decoder would see, encode writes it back, and decode | encode reproduces
// every valid vector's value (byte for byte in the simple framing).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/gob/gob.h"
#include "common/json.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/gob/canonical.h"
#include "tests/gob/run_tool.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_paths.h"

namespace kekkai::gobtest {
namespace {

using ::kekkai::testing::IsOk;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

ToolResult Kekkai(const std::vector<std::string>& args,
                  absl::string_view input) {
  auto result = RunTool(::kekkai::testing::BinaryPath("kekkai"), args, input);
  EXPECT_THAT(result, IsOk());
  return result.ok() ? *result : ToolResult();
}

InitParams Expected(absl::string_view name) {
  auto expected = FromCanonicalJson(ReadVectorFile(name, ".json"));
  EXPECT_THAT(expected, IsOk()) << name;
  return expected.ok() ? *expected : InitParams();
}

TEST(ParamsCodecCliTest, DecodeThenEncodeReproducesEveryValidVector) {
  for (const Vector& v : LoadManifest()) {
    if (v.kind == "invalid") continue;
    SCOPED_TRACE(v.name);
    const InitParams expected = Expected(v.name);
    const ToolResult decoded =
        Kekkai({"params", "decode"}, ReadVectorFile(v.name, ".hex"));
    ASSERT_EQ(decoded.exit_code, 0) << decoded.err;
    auto json_value = InitParamsFromJson(decoded.out);
    ASSERT_THAT(json_value, IsOk()) << decoded.out;
    EXPECT_EQ(*json_value, expected);

    const ToolResult encoded = Kekkai({"params", "encode"}, decoded.out);
    ASSERT_EQ(encoded.exit_code, 0) << encoded.err;
    EXPECT_THAT(encoded.err, IsEmpty());
    auto again = gob::Decode(encoded.out);
    ASSERT_THAT(again, IsOk());
    EXPECT_EQ(*again, expected);
    if (v.kind == "valid") {
      EXPECT_EQ(HexEncode(encoded.out),
                HexEncode(ReadVectorFile(v.name, ".simple.hex")));
    }
  }
}

TEST(ParamsCodecCliTest, HexInputAndOutput) {
  const std::string stream = ReadVectorFile("typical", ".hex");
  const ToolResult decoded =
      Kekkai({"params", "decode", "--hex"}, HexEncode(stream) + "\n");
  ASSERT_EQ(decoded.exit_code, 0) << decoded.err;
  const ToolResult encoded = Kekkai({"params", "encode", "--hex"}, decoded.out);
  ASSERT_EQ(encoded.exit_code, 0) << encoded.err;
  EXPECT_EQ(HexDecode(encoded.out), ReadVectorFile("typical", ".simple.hex"));
  // 32 bytes (64 digits) a line, as in the vectors.
  EXPECT_EQ(encoded.out.find('\n'), 64u);
}

TEST(ParamsCodecCliTest, InvalidStreamsFailAndSayWhere) {
  for (const Vector& v : LoadManifest()) {
    if (v.kind != "invalid") continue;
    SCOPED_TRACE(v.name);
    const ToolResult decoded =
        Kekkai({"params", "decode"}, ReadVectorFile(v.name, ".hex"));
    EXPECT_EQ(decoded.exit_code, 1);
    EXPECT_THAT(decoded.out, IsEmpty());
    EXPECT_THAT(decoded.err, StartsWith("kekkai: params decode: gob: "));
  }
  const ToolResult relative =
      Kekkai({"params", "decode"}, ReadVectorFile("bad-relative-path", ".hex"));
  EXPECT_THAT(relative.err,
              HasSubstr("Params.Dir: path \"home/chronos\" is not absolute"));
}

TEST(ParamsCodecCliTest, DecodeWarnsAboutWhatInitRefuses) {
  const ToolResult zero =
      Kekkai({"params", "decode"}, ReadVectorFile("zero", ".hex"));
  EXPECT_EQ(zero.exit_code, 0);
  EXPECT_THAT(zero.err, HasSubstr("warning: Params.Ops is nil"));
  EXPECT_THAT(zero.err, HasSubstr("warning: Params.Path is not set"));

  const ToolResult nil_op =
      Kekkai({"params", "decode"}, ReadVectorFile("nil-op", ".hex"));
  EXPECT_EQ(nil_op.exit_code, 0);
  EXPECT_THAT(nil_op.err, HasSubstr("is a nil op"));
  EXPECT_THAT(nil_op.err, ::testing::Not(HasSubstr("Params.Ops is nil")));

  const ToolResult empty_ops =
      Kekkai({"params", "decode"}, ReadVectorFile("empty-ops", ".hex"));
  EXPECT_EQ(empty_ops.exit_code, 0);
  EXPECT_THAT(empty_ops.err, HasSubstr("warning: Params.Ops is nil"));
}

TEST(ParamsCodecCliTest, BadInputsAndUsage) {
  const ToolResult bad_json = Kekkai({"params", "encode"}, "{\"params\": 3");
  EXPECT_EQ(bad_json.exit_code, 1);
  EXPECT_THAT(bad_json.err, StartsWith("kekkai: params encode: stdin: "));
  EXPECT_THAT(bad_json.out, IsEmpty());

  const ToolResult bad_hex = Kekkai({"params", "decode", "--hex"}, "0g");
  EXPECT_EQ(bad_hex.exit_code, 1);
  EXPECT_THAT(bad_hex.err, HasSubstr("not a hex digit"));

  const ToolResult empty = Kekkai({"params", "decode"}, "");
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_THAT(empty.err, HasSubstr("empty stream"));

  const ToolResult usage = Kekkai({"params", "decode", "--bogus"}, "");
  EXPECT_EQ(usage.exit_code, 125);
  EXPECT_THAT(usage.err, HasSubstr("unknown argument \"--bogus\""));
}

}  // namespace
}  // namespace kekkai::gobtest
