// Live interop with Go's encoding/gob: the tools built from
// ../shared/gob-vectors/go decode our bytes (`gobdec -strict`, exactly as
// hakurei's init does, and failing on trailing bytes) and encode values for
// our decoder (`gobenc`, Go's encoder with its mid-value type definitions).
// Values are compared structurally through the vectors' canonical JSON.
#include <cstdlib>
#include <random>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/gob/gob.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/gob/canonical.h"
#include "tests/gob/crafted.h"
#include "tests/gob/run_tool.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_paths.h"

namespace kekkai::gobtest {
namespace {

using ::kekkai::testing::IsOk;
using ::testing::HasSubstr;

std::string Tool(absl::string_view name) {
  return absl::StrCat(KEKKAI_GO_TOOLS_DIR, "/", name);
}

InitParams Expected(absl::string_view name) {
  auto expected = FromCanonicalJson(ReadVectorFile(name, ".json"));
  EXPECT_THAT(expected, IsOk()) << name;
  return expected.ok() ? *expected : InitParams();
}

// Go's strict decoder on `stream`: the value it decoded.
absl::StatusOr<InitParams> GoDecode(absl::string_view stream) {
  auto result = RunTool(Tool("gobdec"), {"-strict"}, stream);
  if (!result.ok()) return result.status();
  if (result->exit_code != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "gobdec -strict exited with ", result->exit_code, ": ", result->err));
  }
  return FromCanonicalJson(result->out);
}

// Go's encoder (a fresh Encoder, one Encode of *initParams, as hakurei's
// launcher) on the canonical JSON `json`.
absl::StatusOr<std::string> GoEncode(absl::string_view json) {
  auto result = RunTool(Tool("gobenc"), {}, json);
  if (!result.ok()) return result.status();
  if (result->exit_code != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "gobenc exited with ", result->exit_code, ": ", result->err));
  }
  return result->out;
}

std::vector<Vector> ValidAndCompat() {
  std::vector<Vector> out;
  for (const Vector& v : LoadManifest()) {
    if (v.kind != "invalid") out.push_back(v);
  }
  return out;
}

TEST(GobInteropTest, GoStrictDecoderReadsOurEncodingOfEveryVector) {
  for (const Vector& v : ValidAndCompat()) {
    SCOPED_TRACE(v.name);
    const InitParams expected = Expected(v.name);
    auto ours = gob::Encode(expected);
    ASSERT_THAT(ours, IsOk());
    auto go = GoDecode(*ours);
    ASSERT_THAT(go, IsOk());
    EXPECT_EQ(*go, AsGoDecodes(expected));
  }
}

TEST(GobInteropTest, OurDecoderReadsGoEncodingOfEveryVector) {
  for (const Vector& v : ValidAndCompat()) {
    SCOPED_TRACE(v.name);
    auto go = GoEncode(ReadVectorFile(v.name, ".json"));
    ASSERT_THAT(go, IsOk());
    auto ours = gob::Decode(*go);
    ASSERT_THAT(ours, IsOk());
    EXPECT_EQ(*ours, AsGoDecodes(Expected(v.name)));
  }
}

TEST(GobInteropTest, RandomParamsTravelBothWays) {
  std::mt19937_64 rng(1119);
  for (int i = 0; i < 300; ++i) {
    SCOPED_TRACE(i);
    const InitParams params = RandomInitParams(rng);
    const InitParams want = AsGoDecodes(params);

    auto ours = gob::Encode(params);
    ASSERT_THAT(ours, IsOk());
    auto go_decoded = GoDecode(*ours);
    ASSERT_THAT(go_decoded, IsOk());
    EXPECT_EQ(*go_decoded, want);

    auto go_encoded = GoEncode(ToCanonicalJson(params));
    ASSERT_THAT(go_encoded, IsOk());
    auto our_decoded = gob::Decode(*go_encoded);
    ASSERT_THAT(our_decoded, IsOk());
    EXPECT_EQ(*our_decoded, want);
  }
}

// The debugging tools between Go's encoder and Go's decoder: a stream from
// Go, `kekkai params decode`, `kekkai params encode`, and Go's strict
// decoder gets the value back.
TEST(GobInteropTest, GoThroughTheKekkaiParamsToolsAndBackToGo) {
  const std::string kekkai = ::kekkai::testing::BinaryPath("kekkai");
  for (const Vector& v : LoadManifest()) {
    if (v.kind != "valid") continue;
    SCOPED_TRACE(v.name);
    auto go = GoEncode(ReadVectorFile(v.name, ".json"));
    ASSERT_THAT(go, IsOk());
    auto json = RunTool(kekkai, {"params", "decode"}, *go);
    ASSERT_THAT(json, IsOk());
    ASSERT_EQ(json->exit_code, 0) << json->err;
    auto stream = RunTool(kekkai, {"params", "encode"}, json->out);
    ASSERT_THAT(stream, IsOk());
    ASSERT_EQ(stream->exit_code, 0) << stream->err;
    auto back = GoDecode(stream->out);
    ASSERT_THAT(back, IsOk());
    EXPECT_EQ(*back, AsGoDecodes(Expected(v.name)));
  }
}

// kekkai's extra initParams field travels as a field hakurei's decoder does
// not know: Go skips it and decodes everything else.
TEST(GobInteropTest, GoSkipsKekkaiReport) {
  InitParams params = Expected("full");
  params.kekkai_report = kSetupReportVersion;
  auto ours = gob::Encode(params);
  ASSERT_THAT(ours, IsOk());
  auto go = GoDecode(*ours);
  ASSERT_THAT(go, IsOk());
  params.kekkai_report = 0;
  EXPECT_EQ(*go, params);
}

// Go and we agree on the invalid vectors, and on what the canonical JSON
// form cannot even express: Go refuses a non-absolute path we would never
// encode, and so do we.
TEST(GobInteropTest, GoRefusesTheInvalidVectorsToo) {
  for (const Vector& v : LoadManifest()) {
    if (v.kind != "invalid") continue;
    SCOPED_TRACE(v.name);
    const std::string stream = ReadVectorFile(v.name, ".hex");
    auto result = RunTool(Tool("gobdec"), {}, stream);
    ASSERT_THAT(result, IsOk());
    EXPECT_EQ(result->exit_code, 1) << result->out;
    EXPECT_FALSE(gob::Decode(stream).ok());
  }
}

}  // namespace
}  // namespace kekkai::gobtest

namespace kekkai::gobtest {
namespace {

// What Go's encoding/json does to a string: every byte that does not start
// a valid UTF-8 sequence becomes U+FFFD.
std::string GoJsonString(absl::string_view s) {
  std::string out;
  size_t i = 0;
  auto cont = [&](size_t at) {
    return at < s.size() && (static_cast<unsigned char>(s[at]) & 0xc0) == 0x80;
  };
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    if (c < 0x80) {
      n = 1;
    } else if (c >= 0xc2 && c <= 0xdf && cont(i + 1)) {
      n = 2;
    } else if (c >= 0xe0 && c <= 0xef && cont(i + 1) && cont(i + 2)) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 > 0x9f)) {
        n = 0;
      } else {
        n = 3;
      }
    } else if (c >= 0xf0 && c <= 0xf4 && cont(i + 1) && cont(i + 2) &&
               cont(i + 3)) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      if ((c == 0xf0 && c1 < 0x90) || (c == 0xf4 && c1 > 0x8f)) {
        n = 0;
      } else {
        n = 4;
      }
    }
    if (n == 0) {
      out += "\xef\xbf\xbd";
      ++i;
    } else {
      out.append(s.data() + i, n);
      i += n;
    }
  }
  return out;
}

void Sanitize(std::string& s) { s = GoJsonString(s); }
void Sanitize(OptionalPath& p) {
  if (p.has_value()) p = *AbsolutePath::Parse(GoJsonString(p->str()));
}
void Sanitize(AbsolutePath& p) {
  p = *AbsolutePath::Parse(GoJsonString(p.str()));
}

// The value as Go's canonical JSON can show it.
InitParams GoJsonView(InitParams v) {
  Params& p = v.params;
  Sanitize(p.dir);
  Sanitize(p.path);
  Sanitize(p.hostname);
  for (std::string& e : p.env) Sanitize(e);
  for (std::string& a : p.args) Sanitize(a);
  if (p.ops.has_value()) {
    for (std::optional<Op>& op : *p.ops) {
      if (!op.has_value()) continue;
      std::visit(
          [](auto& o) {
            using T = std::decay_t<decltype(o)>;
            if constexpr (std::is_same_v<T, BindMountOp>) {
              Sanitize(o.source);
              Sanitize(o.target);
            } else if constexpr (std::is_same_v<T, MountTmpfsOp>) {
              Sanitize(o.fsname);
              Sanitize(o.path);
            } else if constexpr (std::is_same_v<T, MountOverlayOp>) {
              Sanitize(o.target);
              for (AbsolutePath& l : o.lower) Sanitize(l);
              Sanitize(o.upper);
              Sanitize(o.work);
            } else if constexpr (std::is_same_v<T, MkdirOp> ||
                                 std::is_same_v<T, TmpfileOp>) {
              Sanitize(o.path);
            } else if constexpr (std::is_same_v<T, SymlinkOp>) {
              Sanitize(o.target);
              Sanitize(o.link_name);
            } else if constexpr (std::is_same_v<T, AutoEtcOp>) {
              Sanitize(o.prefix);
            } else if constexpr (std::is_same_v<T, AutoRootOp>) {
              Sanitize(o.host);
            } else {
              Sanitize(o.target);
            }
          },
          *op);
    }
  }
  return v;
}

// The hand-built streams' expectations are Go's behaviour.
TEST(GobInteropTest, CraftedStreamsDecodeAsTheTestsClaim) {
  for (const CraftedCase& c : CraftedCases()) {
    SCOPED_TRACE(c.name + ": " + c.what);
    auto go = RunTool(Tool("gobdec"), {}, c.stream);
    ASSERT_THAT(go, IsOk());
    if (!c.expected.has_value()) {
      EXPECT_EQ(go->exit_code, 1) << go->out;
      continue;
    }
    ASSERT_EQ(go->exit_code, 0) << go->err;
    auto value = FromCanonicalJson(go->out);
    ASSERT_THAT(value, IsOk());
    EXPECT_EQ(*value, *c.expected) << go->out;
  }
}

// Randomly corrupted vectors: Go's decoder and ours accept exactly the same
// streams, and decode the accepted ones to the same value.
TEST(GobInteropTest, GoAndWeAgreeOnCorruptedStreams) {
  std::mt19937_64 rng(4242);
  int both_accept = 0;
  int both_refuse = 0;
  for (const Vector& v : LoadManifest()) {
    if (v.name == "long-strings") continue;
    const std::string original = ReadVectorFile(v.name, ".hex");
    for (int round = 0; round < 40; ++round) {
      std::string stream = original;
      const int flips = 1 + static_cast<int>(rng() % 3);
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
      auto go = RunTool(Tool("gobdec"), {}, stream);
      ASSERT_THAT(go, IsOk());
      auto ours = gob::Decode(stream);
      const bool go_accepts = go->exit_code == 0;
      if (go_accepts != ours.ok()) {
        ADD_FAILURE() << v.name << " round " << round << ": Go "
                      << (go_accepts ? "accepts" : "refuses: " + go->err)
                      << ", we "
                      << (ours.ok() ? "accept" : ours.status().ToString())
                      << "; stream " << HexEncode(stream);
        continue;
      }
      if (!go_accepts) {
        ++both_refuse;
        continue;
      }
      ++both_accept;
      auto go_value = FromCanonicalJson(go->out);
      ASSERT_THAT(go_value, IsOk());
      EXPECT_EQ(*go_value, GoJsonView(*ours))
          << v.name << " round " << round << "; stream " << HexEncode(stream);
    }
  }
  EXPECT_GT(both_accept, 50);
  EXPECT_GT(both_refuse, 50);
}

}  // namespace
}  // namespace kekkai::gobtest
