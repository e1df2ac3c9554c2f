// Randomized exact round trips of the JSON form: many generated Params,
// InitParams, rule lists and single ops, with all eleven op kinds, nil ops,
// empty vs nil lists, arbitrary bytes in every string (NUL, control
// characters, invalid UTF-8, 100 kB), and the extremes of every integer.
// The seed is fixed so a failure reproduces; the failing value is printed.
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/json.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/test_util.h"
#include "tests/testing/status_matchers.h"

namespace kekkai {
namespace {

using ::kekkai::testing::IsOk;

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  uint64_t Bits() { return rng_(); }
  bool Coin() { return rng_() & 1; }
  size_t Below(size_t n) { return static_cast<size_t>(rng_() % n); }

  // Integers that favour the edges: 0, ±1, the type's limits, small values,
  // and anything at all.
  template <typename T>
  T Int() {
    using L = std::numeric_limits<T>;
    switch (Below(8)) {
      case 0: return T{0};
      case 1: return static_cast<T>(1);
      case 2: return L::max();
      case 3: return L::min();
      case 4: return static_cast<T>(L::is_signed ? -1 : 2);
      case 5: return static_cast<T>(Below(4096));
      default: return static_cast<T>(Bits());
    }
  }

  std::string Bytes() {
    switch (Below(10)) {
      case 0: return "";
      case 1: {
        // Long: up to 100 kB, any bytes.
        std::string s(Below(100 * 1024) + 1, '\0');
        for (char& c : s) c = static_cast<char>(Bits());
        return s;
      }
      case 2: {
        // Valid UTF-8 of every width.
        static const char* const kPieces[] = {"a", "\xc2\xb5", "\xe4\xb8\xad",
                                              "\xf0\x9f\x98\x80", "\x7f", " "};
        std::string s;
        for (size_t n = Below(20); n > 0; --n) s += kPieces[Below(6)];
        return s;
      }
      case 3: {
        // Awkward for JSON: quotes, backslashes, controls, NUL, surrogates
        // encoded as UTF-8, lone continuation and lead bytes.
        static const char* const kPieces[] = {
            "\"", "\\", "\\u0000", "\n", "\t", "\x01", "\x1f", "/",
            "\xed\xa0\x80", "\x80", "\xc3", "\xff", "\xf4\x90\x80\x80"};
        std::string s;
        for (size_t n = Below(12); n > 0; --n) s += kPieces[Below(13)];
        s.insert(Below(s.size() + 1), 1, '\0');
        return s;
      }
      default: {
        std::string s(Below(24), '\0');
        for (char& c : s) c = static_cast<char>(Bits());
        return s;
      }
    }
  }

  AbsolutePath Path() {
    return AbsolutePath::Literal(absl::StrCat("/", Bytes()));
  }
  OptionalPath MaybePath() {
    if (Below(4) == 0) return std::nullopt;
    return Path();
  }
  std::vector<std::string> Strings() {
    std::vector<std::string> out(Below(5));
    for (std::string& s : out) s = Bytes();
    return out;
  }

  Op AnyOp(size_t kind) {
    switch (kind) {
      case 0: return BindMountOp{MaybePath(), MaybePath(), Int<int64_t>()};
      case 1: return MountProcOp{MaybePath()};
      case 2: return MountDevOp{MaybePath(), Coin(), Coin()};
      case 3:
        return MountTmpfsOp{Bytes(), MaybePath(), Int<uint64_t>(),
                            Int<int64_t>(), Int<uint32_t>()};
      case 4: {
        MountOverlayOp op{MaybePath(), {}, MaybePath(), MaybePath()};
        for (size_t n = Below(4); n > 0; --n) op.lower.push_back(Path());
        return op;
      }
      case 5: return MkdirOp{MaybePath(), Int<uint32_t>()};
      case 6: return TmpfileOp{MaybePath(), Bytes()};
      case 7: return RemountOp{MaybePath(), Int<uint64_t>()};
      case 8: return SymlinkOp{MaybePath(), Bytes(), Coin()};
      case 9: return AutoEtcOp{Bytes()};
      default: return AutoRootOp{MaybePath(), Int<int64_t>()};
    }
  }

  NativeRule Rule() {
    NativeRule rule;
    // Real syscall numbers (named in JSON) as well as arbitrary ones.
    rule.syscall = Coin() ? static_cast<int32_t>(Below(450))
                          : Int<int32_t>();
    rule.errno_value = Coin() ? static_cast<int32_t>(Below(140))
                              : Int<int32_t>();
    if (Coin()) {
      rule.arg = ScmpArgCmp{Int<uint32_t>(),
                            Coin() ? static_cast<uint32_t>(Below(9))
                                   : Int<uint32_t>(),
                            Int<uint64_t>(), Int<uint64_t>()};
    }
    return rule;
  }

  Params AnyParams(size_t index) {
    Params p;
    p.dir = MaybePath();
    p.env = Strings();
    p.path = MaybePath();
    p.args = Strings();
    p.forward_cancel = Coin();
    p.adopt_wait_delay = Int<int64_t>();
    p.uid = Int<int64_t>();
    p.gid = Int<int64_t>();
    p.hostname = Bytes();
    if (Below(5) != 0) {
      OpList ops;
      // Every kind in every list once in a while, else a random few.
      if (index % 4 == 0) {
        for (size_t kind = 0; kind < kOpKindCount; ++kind) {
          ops.emplace_back(AnyOp(kind));
        }
      }
      for (size_t n = Below(6); n > 0; --n) {
        if (Below(8) == 0) {
          ops.emplace_back(std::nullopt);
        } else {
          ops.emplace_back(AnyOp(Below(kOpKindCount)));
        }
      }
      p.ops = std::move(ops);  // possibly empty: not the same as nil
    }
    for (size_t n = Below(4); n > 0; --n) p.seccomp_rules.push_back(Rule());
    p.seccomp_flags = Int<uint32_t>();
    p.seccomp_presets = Int<int64_t>();
    p.seccomp_disable = Coin();
    p.parent_perm = Int<uint32_t>();
    p.retain_session = Coin();
    p.host_net = Coin();
    p.host_abstract = Coin();
    p.privileged = Coin();
    return p;
  }

 private:
  std::mt19937_64 rng_;
};

constexpr uint64_t kSeed = 0x6b656b6b6169;  // "kekkai"
constexpr int kIterations = 1000;

TEST(JsonRoundTripTest, ParamsAreExact) {
  Generator gen(kSeed);
  std::vector<int> kinds(kOpKindCount, 0);
  size_t nil_lists = 0, empty_lists = 0, nil_ops = 0;
  for (int i = 0; i < kIterations; ++i) {
    const Params p = gen.AnyParams(static_cast<size_t>(i));
    if (!p.ops.has_value()) ++nil_lists;
    if (p.ops.has_value() && p.ops->empty()) ++empty_lists;
    if (p.ops.has_value()) {
      for (const std::optional<Op>& op : *p.ops) {
        if (op.has_value()) {
          ++kinds[op->index()];
        } else {
          ++nil_ops;
        }
      }
    }
    const std::string json = ParamsToJson(p);
    absl::StatusOr<Params> back = ParamsFromJson(json);
    ASSERT_THAT(back, IsOk()) << "iteration " << i << ": " << json;
    ASSERT_TRUE(*back == p) << "iteration " << i << ": " << json;
    // Writing again gives the same text: the form is canonical.
    ASSERT_EQ(ParamsToJson(*back), json) << "iteration " << i;
  }
  // The generator really covered what the test claims.
  for (int kind = 0; kind < kOpKindCount; ++kind) {
    EXPECT_GT(kinds[kind], 100) << GetOpInfo(static_cast<OpKind>(kind)).json_name;
  }
  EXPECT_GT(nil_lists, 100u);
  EXPECT_GT(empty_lists, 10u);
  EXPECT_GT(nil_ops, 100u);
}

TEST(JsonRoundTripTest, InitParamsAreExact) {
  Generator gen(kSeed + 1);
  for (int i = 0; i < kIterations / 3; ++i) {
    InitParams ip;
    ip.params = gen.AnyParams(static_cast<size_t>(i));
    ip.host_uid = gen.Int<int64_t>();
    ip.host_gid = gen.Int<int64_t>();
    ip.count = gen.Int<int64_t>();
    ip.verbose = gen.Coin();
    ip.kekkai_report = gen.Int<int64_t>();
    const std::string json = InitParamsToJson(ip);
    absl::StatusOr<InitParams> back = InitParamsFromJson(json);
    ASSERT_THAT(back, IsOk()) << "iteration " << i << ": " << json;
    ASSERT_TRUE(*back == ip) << "iteration " << i << ": " << json;
  }
}

TEST(JsonRoundTripTest, RuleListsAreExact) {
  Generator gen(kSeed + 2);
  for (int i = 0; i < kIterations; ++i) {
    std::vector<NativeRule> rules(gen.Below(6));
    for (NativeRule& rule : rules) rule = gen.Rule();
    const std::string json = RulesToJson(rules);
    absl::StatusOr<std::vector<NativeRule>> back = RulesFromJson(json);
    ASSERT_THAT(back, IsOk()) << "iteration " << i << ": " << json;
    ASSERT_TRUE(*back == rules) << "iteration " << i << ": " << json;
  }
}

TEST(JsonRoundTripTest, SingleOpsAreExact) {
  Generator gen(kSeed + 3);
  for (int i = 0; i < kIterations; ++i) {
    const Op op = gen.AnyOp(static_cast<size_t>(i) % kOpKindCount);
    const std::string json = OpToJson(op);
    absl::StatusOr<Op> back = OpFromJson(json);
    ASSERT_THAT(back, IsOk()) << "iteration " << i << ": " << json;
    ASSERT_TRUE(*back == op) << "iteration " << i << ": " << json;
  }
}

TEST(JsonRoundTripTest, ValidUtf8TextStaysText) {
  // A document whose strings are all valid UTF-8 is valid UTF-8 JSON: no
  // raw byte above 0x7f appears that is not part of a well-formed sequence,
  // and tmpfile data is written as text, not base64.
  Params p;
  p.args = {"\xc2\xb5", "\xe4\xb8\xad\xe6\x96\x87", "\xf0\x9f\x98\x80"};
  p.ops = OpList{Op(TmpfileOp{AbsolutePath::Literal("/etc/motd"),
                              "caf\xc3\xa9\n"})};
  const std::string json = ParamsToJson(p);
  EXPECT_THAT(json, ::testing::HasSubstr("\"data\": \"caf\xc3\xa9\\n\""));
  EXPECT_THAT(ParamsFromJson(json), ::kekkai::testing::IsOkAndHolds(p));
}

}  // namespace
}  // namespace kekkai
