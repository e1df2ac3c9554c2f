#include "common/duration.h"

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"

namespace kekkai {
namespace {

constexpr uint64_t kNs = 1;
constexpr uint64_t kUs = 1000 * kNs;
constexpr uint64_t kMs = 1000 * kUs;
constexpr uint64_t kS = 1000 * kMs;
constexpr uint64_t kMin = 60 * kS;
constexpr uint64_t kHour = 60 * kMin;
constexpr uint64_t kTwo63 = uint64_t{1} << 63;

// Go builds the text backwards in a fixed buffer; so does this. 32 bytes
// hold the longest duration, "-2562047h47m16.854775808s".
class Backwards {
 public:
  void Put(char c) { buf_[--w_] = c; }
  void Put(absl::string_view text) {
    for (size_t i = text.size(); i > 0; --i) Put(text[i - 1]);
  }
  // Go's fmtInt: the decimal digits of v.
  void Int(uint64_t v) {
    if (v == 0) {
      Put('0');
      return;
    }
    for (; v > 0; v /= 10) Put(static_cast<char>('0' + v % 10));
  }
  // Go's fmtFrac: the fraction of v/10^prec (".12345") without trailing
  // zeros, and without the point when the fraction is zero. Returns
  // v/10^prec.
  uint64_t Frac(uint64_t v, int prec) {
    bool print = false;
    for (int i = 0; i < prec; ++i) {
      const uint64_t digit = v % 10;
      print = print || digit != 0;
      if (print) Put(static_cast<char>('0' + digit));
      v /= 10;
    }
    if (print) Put('.');
    return v;
  }
  std::string str() const { return std::string(buf_ + w_, sizeof(buf_) - w_); }

 private:
  char buf_[32];
  size_t w_ = sizeof(buf_);
};

// Go's time.quote: `"` and `\` escaped, control and non-ASCII bytes as \xNN.
std::string GoQuote(absl::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (const char ch : text) {
    const auto byte = static_cast<unsigned char>(ch);
    if (byte >= 0x80 || byte < 0x20) {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
  }
  out += '"';
  return out;
}

absl::Status Invalid(absl::string_view orig) {
  return absl::InvalidArgumentError(
      absl::StrCat("invalid duration ", GoQuote(orig)));
}

// Go's leadingInt: consumes [0-9]*; false on overflow past 2^63.
bool LeadingInt(absl::string_view& s, uint64_t& x) {
  x = 0;
  size_t i = 0;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c < '0' || c > '9') break;
    if (x > kTwo63 / 10) return false;
    x = x * 10 + static_cast<uint64_t>(c - '0');
    if (x > kTwo63) return false;
  }
  s.remove_prefix(i);
  return true;
}

// Go's leadingFraction: consumes [0-9]*, keeping as many digits as fit.
void LeadingFraction(absl::string_view& s, uint64_t& x, double& scale) {
  x = 0;
  scale = 1;
  bool overflow = false;
  size_t i = 0;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c < '0' || c > '9') break;
    if (overflow) continue;
    if (x > (kTwo63 - 1) / 10) {
      overflow = true;
      continue;
    }
    const uint64_t y = x * 10 + static_cast<uint64_t>(c - '0');
    if (y > kTwo63) {
      overflow = true;
      continue;
    }
    x = y;
    scale *= 10;
  }
  s.remove_prefix(i);
}

uint64_t UnitValue(absl::string_view unit) {
  if (unit == "ns") return kNs;
  // "us", U+00B5 MICRO SIGN and U+03BC GREEK SMALL LETTER MU.
  if (unit == "us" || unit == "\xc2\xb5s" || unit == "\xce\xbcs") return kUs;
  if (unit == "ms") return kMs;
  if (unit == "s") return kS;
  if (unit == "m") return kMin;
  if (unit == "h") return kHour;
  return 0;
}

}  // namespace

std::string FormatDuration(int64_t nanoseconds) {
  // The magnitude as uint64: -MinInt64 does not fit in int64.
  const bool neg = nanoseconds < 0;
  uint64_t u = static_cast<uint64_t>(nanoseconds);
  if (neg) u = ~u + 1;
  Backwards out;
  if (u < kS) {
    // Below a second: one smaller unit with a fraction, like "1.2ms".
    if (u == 0) return "0s";
    int prec;
    out.Put('s');
    if (u < kUs) {
      prec = 0;
      out.Put('n');
    } else if (u < kMs) {
      prec = 3;
      out.Put("\xc2\xb5");  // U+00B5 MICRO SIGN, as Go writes it
    } else {
      prec = 6;
      out.Put('m');
    }
    u = out.Frac(u, prec);
    out.Int(u);
  } else {
    out.Put('s');
    u = out.Frac(u, 9);  // u is now whole seconds
    out.Int(u % 60);
    u /= 60;  // minutes
    if (u > 0) {
      out.Put('m');
      out.Int(u % 60);
      u /= 60;  // hours; days vary in length, so Go stops here
      if (u > 0) {
        out.Put('h');
        out.Int(u);
      }
    }
  }
  if (neg) out.Put('-');
  return out.str();
}

absl::StatusOr<int64_t> ParseDuration(absl::string_view text) {
  // [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+
  const absl::string_view orig = text;
  absl::string_view s = text;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return 0;
  if (s.empty()) return Invalid(orig);
  uint64_t d = 0;
  while (!s.empty()) {
    if (!(s[0] == '.' || (s[0] >= '0' && s[0] <= '9'))) return Invalid(orig);
    const size_t before_int = s.size();
    uint64_t v = 0;
    if (!LeadingInt(s, v)) return Invalid(orig);
    const bool pre = before_int != s.size();
    uint64_t f = 0;
    double scale = 1;
    bool post = false;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      const size_t before_frac = s.size();
      LeadingFraction(s, f, scale);
      post = before_frac != s.size();
    }
    if (!pre && !post) return Invalid(orig);  // ".s", "-.s"
    size_t i = 0;
    while (i < s.size() && s[i] != '.' && !(s[i] >= '0' && s[i] <= '9')) ++i;
    if (i == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("missing unit in duration ", GoQuote(orig)));
    }
    const absl::string_view unit_name = s.substr(0, i);
    s.remove_prefix(i);
    const uint64_t unit = UnitValue(unit_name);
    if (unit == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown unit ", GoQuote(unit_name), " in duration ",
                       GoQuote(orig)));
    }
    if (v > kTwo63 / unit) return Invalid(orig);
    v *= unit;
    if (f > 0) {
      // As Go: float64 is exact enough for a fraction of the largest unit.
      v += static_cast<uint64_t>(static_cast<double>(f) *
                                 (static_cast<double>(unit) / scale));
      if (v > kTwo63) return Invalid(orig);
    }
    d += v;
    if (d > kTwo63) return Invalid(orig);
  }
  if (neg) return static_cast<int64_t>(~d + 1);  // 2^63 -> MinInt64
  if (d > kTwo63 - 1) return Invalid(orig);
  return static_cast<int64_t>(d);
}

}  // namespace kekkai
