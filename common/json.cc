#include "common/json.h"

// cereal's JSON archive first: it configures RapidJSON (RAPIDJSON_ASSERT
// throws cereal::RapidJSONException instead of aborting) before any RapidJSON
// header is read, so every translation unit sees the same configuration.
#include "cereal/archives/json.hpp"

// The RapidJSON that cereal uses: upstream cereal bundles it under its own
// namespace, Debian's cereal uses the system copy.
#if __has_include("cereal/external/rapidjson/document.h")
#include "cereal/external/rapidjson/document.h"
#include "cereal/external/rapidjson/error/en.h"
#include "cereal/external/rapidjson/memorystream.h"
#include "cereal/external/rapidjson/reader.h"
namespace rj = CEREAL_RAPIDJSON_NAMESPACE;
#else
#include "rapidjson/document.h"
#include "rapidjson/error/en.h"
#include "rapidjson/memorystream.h"
#include "rapidjson/reader.h"
namespace rj = RAPIDJSON_NAMESPACE;
#endif

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <initializer_list>
#include <limits>
#include <new>
#include <optional>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/duration.h"
#include "common/flags.h"
#include "common/status.h"
#include "seccomp/syscalls.h"

namespace kekkai {
namespace {

// ---------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------

// How a piece of the document appears in an error message: escaped, and cut
// short, so that a huge bad value cannot make a huge message.
constexpr size_t kShownBytes = 80;
std::string Shown(absl::string_view text) {
  if (text.size() <= kShownBytes) return absl::CHexEscape(text);
  return absl::StrCat(absl::CHexEscape(text.substr(0, kShownBytes)), "...");
}
std::string Quote(absl::string_view text) {
  return absl::StrCat("\"", Shown(text), "\"");
}

// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or
// code points above U+10FFFF).
bool IsUtf8(absl::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    size_t extra;
    uint32_t cp;
    if ((lead & 0xe0) == 0xc0) {
      extra = 1;
      cp = lead & 0x1f;
    } else if ((lead & 0xf0) == 0xe0) {
      extra = 2;
      cp = lead & 0x0f;
    } else if ((lead & 0xf8) == 0xf0) {
      extra = 3;
      cp = lead & 0x07;
    } else {
      return false;
    }
    if (text.size() - i - 1 < extra) return false;
    for (size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (next & 0x3f);
    }
    static constexpr uint32_t kMinForLength[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[extra] || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

std::string FormatPerm(uint32_t perm) { return absl::StrFormat("%#o", perm); }

// The name of a syscall number when the name maps back to the same number;
// otherwise nullopt (the number is written as an integer).
std::optional<std::string> SyscallNameFor(int32_t number) {
  absl::StatusOr<std::string> name = seccomp::SyscallName(number);
  if (!name.ok()) return std::nullopt;
  absl::StatusOr<int32_t> back = seccomp::SyscallNumber(*name);
  if (!back.ok() || *back != number) return std::nullopt;
  return *std::move(name);
}

std::optional<std::string> ErrnoNameFor(int32_t err) {
  if (err <= 0) return std::nullopt;
  std::string name = ErrnoName(err);
  std::optional<int> back = ErrnoFromName(name);
  if (!back.has_value() || *back != err || name.rfind("errno ", 0) == 0) {
    return std::nullopt;
  }
  return name;
}

// ---------------------------------------------------------------------------
// Output: cereal's JSONOutputArchive, driven node by node so that zero
// values can be left out and every key has the schema's name.
// ---------------------------------------------------------------------------

class Writer {
 public:
  explicit Writer(cereal::JSONOutputArchive& archive) : ar_(archive) {}

  // Named values inside an object; zero values are left out.
  void String(const char* name, const std::string& value) {
    if (!value.empty()) ar_(cereal::make_nvp(name, value));
  }
  void Bool(const char* name, bool value) {
    if (value) ar_(cereal::make_nvp(name, value));
  }
  void Int(const char* name, int64_t value) {
    if (value != 0) ar_(cereal::make_nvp(name, value));
  }
  void Uint(const char* name, uint64_t value) {
    if (value != 0) ar_(cereal::make_nvp(name, value));
  }
  void Path(const char* name, const OptionalPath& path) {
    if (path.has_value()) ar_(cereal::make_nvp(name, path->str()));
  }
  void Perm(const char* name, uint32_t perm) {
    if (perm != 0) ar_(cereal::make_nvp(name, FormatPerm(perm)));
  }
  void Strings(const char* name, const std::vector<std::string>& values) {
    if (values.empty()) return;
    BeginArray(name);
    for (const std::string& value : values) ar_(value);
    End();
  }
  void Flags(const char* name, absl::Span<const FlagName> table,
             uint64_t value) {
    if (value != 0) Strings(name, FlagsToNames(table, value));
  }
  // A value that is written as a name when it has one, else as an integer.
  void NameOrInt(const char* name, const std::optional<std::string>& text,
                 int64_t value) {
    if (text.has_value()) {
      ar_(cereal::make_nvp(name, *text));
    } else {
      ar_(cereal::make_nvp(name, value));
    }
  }
  // Always written, even when zero (the "type" of an op).
  void Raw(const char* name, const std::string& value) {
    ar_(cereal::make_nvp(name, value));
  }

  void BeginObject(const char* name) {
    ar_.setNextName(name);
    ar_.startNode();
  }
  void BeginArray(const char* name) {
    ar_.setNextName(name);
    ar_.startNode();
    ar_.makeArray();
  }
  // An object element of the current array.
  void BeginElement() { ar_.startNode(); }
  void NullElement() { ar_(nullptr); }
  void End() { ar_.finishNode(); }
  // Makes the document's root an array instead of an object.
  void RootIsArray() { ar_.makeArray(); }

 private:
  cereal::JSONOutputArchive& ar_;
};

void WriteOpFields(Writer& w, const BindMountOp& op) {
  w.Path("source", op.source);
  w.Path("target", op.target);
  w.Flags("flags", BindFlagNames(), static_cast<uint64_t>(op.flags));
}
void WriteOpFields(Writer& w, const MountProcOp& op) {
  w.Path("target", op.target);
}
void WriteOpFields(Writer& w, const MountDevOp& op) {
  w.Path("target", op.target);
  w.Bool("mqueue", op.mqueue);
  w.Bool("write", op.write);
}
void WriteOpFields(Writer& w, const MountTmpfsOp& op) {
  w.String("fsname", op.fsname);
  w.Path("path", op.path);
  w.Flags("flags", MountFlagNames(), op.flags);
  w.Int("size", op.size);
  w.Perm("perm", op.perm);
}
void WriteOpFields(Writer& w, const MountOverlayOp& op) {
  w.Path("target", op.target);
  std::vector<std::string> lowers;
  lowers.reserve(op.lower.size());
  for (const AbsolutePath& lower : op.lower) lowers.push_back(lower.str());
  w.Strings("lower", lowers);
  w.Path("upper", op.upper);
  w.Path("work", op.work);
}
void WriteOpFields(Writer& w, const MkdirOp& op) {
  w.Path("path", op.path);
  w.Perm("perm", op.perm);
}
void WriteOpFields(Writer& w, const TmpfileOp& op) {
  w.Path("path", op.path);
  if (IsUtf8(op.data)) {
    w.String("data", op.data);
  } else {
    w.String("data_base64", absl::Base64Escape(op.data));
  }
}
void WriteOpFields(Writer& w, const RemountOp& op) {
  w.Path("target", op.target);
  w.Flags("flags", MountFlagNames(), op.flags);
}
void WriteOpFields(Writer& w, const SymlinkOp& op) {
  w.Path("target", op.target);
  w.String("linkname", op.link_name);
  w.Bool("dereference", op.dereference);
}
void WriteOpFields(Writer& w, const AutoEtcOp& op) {
  w.String("prefix", op.prefix);
}
void WriteOpFields(Writer& w, const AutoRootOp& op) {
  w.Path("host", op.host);
  w.Flags("flags", BindFlagNames(), static_cast<uint64_t>(op.flags));
}

// The members of an op object (the caller opened it).
void WriteOp(Writer& w, const Op& op) {
  w.Raw("type", std::string(GetOpInfo(op).json_name));
  std::visit([&w](const auto& typed) { WriteOpFields(w, typed); }, op);
}

// The members of a rule object.
void WriteRule(Writer& w, const NativeRule& rule) {
  w.NameOrInt("syscall", SyscallNameFor(rule.syscall), rule.syscall);
  w.NameOrInt("errno", ErrnoNameFor(rule.errno_value), rule.errno_value);
  if (rule.arg.has_value()) {
    const ScmpArgCmp& arg = *rule.arg;
    w.BeginObject("arg");
    w.Uint("arg", arg.arg);
    if (arg.op != 0) {
      std::optional<std::string> op_name;
      if (!CompareOpName(arg.op).empty()) {
        op_name = std::string(CompareOpName(arg.op));
      }
      w.NameOrInt("op", op_name, arg.op);
    }
    w.Uint("a", arg.datum_a);
    w.Uint("b", arg.datum_b);
    w.End();
  }
}

void WriteRules(Writer& w, const std::vector<NativeRule>& rules) {
  for (const NativeRule& rule : rules) {
    w.BeginElement();
    WriteRule(w, rule);
    w.End();
  }
}

// The members of a Params object.
void WriteParams(Writer& w, const Params& p) {
  w.Path("path", p.path);
  w.Strings("args", p.args);
  w.Strings("env", p.env);
  w.Path("dir", p.dir);
  w.Int("uid", p.uid);
  w.Int("gid", p.gid);
  w.String("hostname", p.hostname);
  w.Bool("forward_cancel", p.forward_cancel);
  if (p.adopt_wait_delay != 0) {
    w.Raw("adopt_wait_delay", FormatDuration(p.adopt_wait_delay));
  }
  w.Bool("retain_session", p.retain_session);
  w.Bool("host_net", p.host_net);
  w.Bool("host_abstract", p.host_abstract);
  w.Bool("privileged", p.privileged);
  w.Perm("parent_perm", p.parent_perm);
  if (p.ops.has_value()) {
    w.BeginArray("ops");
    for (const std::optional<Op>& op : *p.ops) {
      if (op.has_value()) {
        w.BeginElement();
        WriteOp(w, *op);
        w.End();
      } else {
        w.NullElement();
      }
    }
    w.End();
  }
  if (p.seccomp_presets != 0 || p.seccomp_flags != 0 || p.seccomp_disable ||
      !p.seccomp_rules.empty()) {
    w.BeginObject("seccomp");
    w.Flags("presets", PresetNames(),
            static_cast<uint64_t>(p.seccomp_presets));
    w.Flags("flags", ExportFlagNames(), p.seccomp_flags);
    w.Bool("disable", p.seccomp_disable);
    if (!p.seccomp_rules.empty()) {
      w.BeginArray("rules");
      WriteRules(w, p.seccomp_rules);
      w.End();
    }
    w.End();
  }
}

// Runs `fill` on a fresh archive and returns the document. cereal only
// finishes the root when the archive is destroyed; a root with no members
// produces nothing, hence `empty`.
std::string WriteDocument(absl::FunctionRef<void(Writer&)> fill,
                          absl::string_view empty) {
  std::ostringstream out;
  try {
    cereal::JSONOutputArchive archive(
        out, cereal::JSONOutputArchive::Options(
                 rj::PrettyWriter<rj::OStreamWrapper>::kDefaultMaxDecimalPlaces,
                 cereal::JSONOutputArchive::Options::IndentChar::space, 2));
    Writer writer(archive);
    fill(writer);
  } catch (const cereal::Exception& e) {
    // Only a misuse of the archive in this file can get here (the values
    // themselves cannot make RapidJSON's writer fail): a bug, not input.
    std::fprintf(stderr, "kekkai: internal error writing JSON: %s\n",
                 e.what());
    std::abort();
  }
  std::string text = out.str();
  if (text.empty()) return std::string(empty);
  return text;
}

// ---------------------------------------------------------------------------
// Input: RapidJSON parses into a DOM under the document limits; a typed
// walker turns it into the structs, naming the location of every error.
// ---------------------------------------------------------------------------

using Value = rj::Value;

// Where a value sits in the document, for error messages. `sep` goes between
// this path and a member key: "." in general, ": " inside an op, so errors
// read `seccomp.rules[0].syscall` and `ops[3] (bind): source`.
struct Where {
  std::string path;
  absl::string_view sep = ".";

  std::string Key(absl::string_view key) const {
    if (path.empty()) return std::string(key);
    return absl::StrCat(path, sep, key);
  }
  std::string Index(size_t index) const {
    return absl::StrCat(path, "[", index, "]");
  }
};

absl::Status At(absl::string_view path, absl::string_view problem) {
  if (path.empty()) return absl::InvalidArgumentError(problem);
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", problem));
}

absl::Status AnnotateAt(const absl::Status& status, absl::string_view path) {
  if (path.empty()) return status;
  return Annotate(status, path);
}

absl::string_view KindName(const Value& v) {
  if (v.IsNull()) return "null";
  if (v.IsBool()) return "a bool";
  if (v.IsString()) return "a string";
  if (v.IsArray()) return "an array";
  if (v.IsObject()) return "an object";
  if (v.IsInt64() || v.IsUint64()) return "an integer";
  return "a floating-point number";
}

absl::Status Expected(absl::string_view path, absl::string_view what,
                      const Value& v) {
  return At(path, absl::StrCat("expected ", what, ", got ", KindName(v)));
}

std::string StringOf(const Value& v) {
  return std::string(v.GetString(), v.GetStringLength());
}

// Reads every member of an object. Each key must be one of `keys` (a typo
// is an error, with the known keys listed) and appear once; null members
// are skipped (null = absent). `fn` gets the key's index in `keys`, the
// value and the value's path.
absl::Status ReadObject(
    const Value& v, const Where& where,
    std::initializer_list<absl::string_view> keys,
    absl::FunctionRef<absl::Status(size_t, const Value&, const std::string&)>
        fn) {
  if (!v.IsObject()) return Expected(where.path, "an object", v);
  std::vector<bool> seen(keys.size(), false);
  for (auto member = v.MemberBegin(); member != v.MemberEnd(); ++member) {
    const std::string key = StringOf(member->name);
    if (key.find('\0') != std::string::npos) {
      return At(where.path,
                absl::StrCat("key ", Quote(key), " contains a NUL byte"));
    }
    size_t index = 0;
    for (const absl::string_view known : keys) {
      if (known == key) break;
      ++index;
    }
    const std::string path = where.Key(Shown(key));
    if (index == keys.size()) {
      return At(path, absl::StrCat("unknown key (known: ",
                                   absl::StrJoin(keys, ", "), ")"));
    }
    if (seen[index]) return At(path, "duplicate key");
    seen[index] = true;
    if (member->value.IsNull()) continue;
    KEKKAI_RETURN_IF_ERROR(fn(index, member->value, path));
  }
  return absl::OkStatus();
}

absl::Status ReadString(const Value& v, const std::string& path,
                        std::string& out) {
  if (!v.IsString()) return Expected(path, "a string", v);
  out = StringOf(v);
  return absl::OkStatus();
}

absl::Status ReadBool(const Value& v, const std::string& path, bool& out) {
  if (!v.IsBool()) return Expected(path, "a bool", v);
  out = v.GetBool();
  return absl::OkStatus();
}

// An integer in [min, max]. RapidJSON keeps integers that fit 64 bits
// exactly and turns anything else (fractions, exponents, huge values) into a
// double, which is refused here rather than rounded.
absl::Status ReadIntegerIn(const Value& v, const std::string& path,
                           int64_t min, uint64_t max, bool& negative,
                           uint64_t& magnitude) {
  if (v.IsUint64()) {
    negative = false;
    magnitude = v.GetUint64();
    if (magnitude > max) {
      return At(path, absl::StrFormat("%u is out of range (%d..%u)", magnitude,
                                      min, max));
    }
    return absl::OkStatus();
  }
  if (v.IsInt64()) {
    const int64_t value = v.GetInt64();  // negative here
    if (value < min) {
      return At(path, absl::StrFormat("%d is out of range (%d..%u)", value,
                                      min, max));
    }
    negative = true;
    magnitude = static_cast<uint64_t>(value);
    return absl::OkStatus();
  }
  if (v.IsDouble()) {
    const double d = v.GetDouble();
    // (double)max + 1 is exact or rounds to the next power of two, which is
    // out of range either way.
    if (std::isfinite(d) && d == std::trunc(d) &&
        (d < static_cast<double>(min) ||
         d >= static_cast<double>(max) + 1.0)) {
      return At(path, absl::StrFormat("%g is out of range (%d..%u)", d, min,
                                      max));
    }
    return At(path, absl::StrFormat(
                        "expected an integer, got a floating-point number (%g)",
                        d));
  }
  return Expected(path, "an integer", v);
}

template <typename T>
absl::Status ReadInt(const Value& v, const std::string& path, T& out) {
  static_assert(std::is_integral_v<T>);
  bool negative = false;
  uint64_t magnitude = 0;
  KEKKAI_RETURN_IF_ERROR(ReadIntegerIn(
      v, path, static_cast<int64_t>(std::numeric_limits<T>::min()),
      static_cast<uint64_t>(std::numeric_limits<T>::max()), negative,
      magnitude));
  // In range, so the two's complement conversion is exact.
  out = negative ? static_cast<T>(static_cast<int64_t>(magnitude))
                 : static_cast<T>(magnitude);
  return absl::OkStatus();
}

absl::Status ReadPath(const Value& v, const std::string& path,
                      OptionalPath& out) {
  if (!v.IsString()) return Expected(path, "a path string", v);
  absl::StatusOr<AbsolutePath> parsed = AbsolutePath::Parse(StringOf(v));
  if (!parsed.ok()) return AnnotateAt(parsed.status(), path);
  out = *std::move(parsed);
  return absl::OkStatus();
}

absl::Status ReadStrings(const Value& v, const std::string& path,
                         std::vector<std::string>& out) {
  if (!v.IsArray()) return Expected(path, "an array of strings", v);
  out.clear();
  out.reserve(v.Size());
  for (rj::SizeType i = 0; i < v.Size(); ++i) {
    const Value& element = v[i];
    if (!element.IsString()) {
      return Expected(absl::StrCat(path, "[", i, "]"), "a string", element);
    }
    out.push_back(StringOf(element));
  }
  return absl::OkStatus();
}

absl::Status ReadFlags(const Value& v, const std::string& path,
                       absl::Span<const FlagName> table,
                       absl::string_view what, uint64_t max, uint64_t& out) {
  std::vector<std::string> names;
  KEKKAI_RETURN_IF_ERROR(ReadStrings(v, path, names));
  absl::StatusOr<uint64_t> value = FlagsFromNames(table, names, what);
  if (!value.ok()) return AnnotateAt(value.status(), path);
  if (*value > max) {
    return At(path, absl::StrFormat("%#x is out of range (at most %#x)",
                                    *value, max));
  }
  out = *value;
  return absl::OkStatus();
}

// A permission: an octal string ("0755", "755", "0o755") or an integer.
absl::Status ReadPerm(const Value& v, const std::string& path,
                      uint32_t& out) {
  if (!v.IsString()) {
    if (v.IsNumber()) return ReadInt(v, path, out);
    return Expected(path, "an octal string such as \"0755\"", v);
  }
  const std::string text = StringOf(v);
  absl::string_view digits = text;
  if (digits.size() > 2 && digits[0] == '0' &&
      (digits[1] == 'o' || digits[1] == 'O')) {
    digits.remove_prefix(2);
  }
  uint64_t value = 0;
  bool ok = !digits.empty();
  for (const char c : digits) {
    if (c < '0' || c > '7') {
      ok = false;
      break;
    }
    value = value * 8 + static_cast<uint64_t>(c - '0');
    if (value > std::numeric_limits<uint32_t>::max()) {
      return At(path, absl::StrCat(Quote(text), " is out of range"));
    }
  }
  if (!ok) {
    return At(path, absl::StrCat(Quote(text), " is not an octal number"));
  }
  out = static_cast<uint32_t>(value);
  return absl::OkStatus();
}

// A duration: Go's text form ("5s", "1m30s", "-1ns") or an integer count of
// nanoseconds.
absl::Status ReadDuration(const Value& v, const std::string& path,
                          int64_t& out) {
  if (!v.IsString()) {
    if (v.IsNumber()) return ReadInt(v, path, out);
    return Expected(path, "a duration string such as \"5s\"", v);
  }
  absl::StatusOr<int64_t> parsed = ParseDuration(StringOf(v));
  if (!parsed.ok()) return AnnotateAt(parsed.status(), path);
  out = *parsed;
  return absl::OkStatus();
}

// An overlay's lower layers: an array of path strings.
absl::Status ReadPaths(const Value& v, const std::string& path,
                       std::vector<AbsolutePath>& out) {
  if (!v.IsArray()) return Expected(path, "an array of paths", v);
  out.clear();
  out.reserve(v.Size());
  for (rj::SizeType i = 0; i < v.Size(); ++i) {
    OptionalPath element;
    KEKKAI_RETURN_IF_ERROR(
        ReadPath(v[i], absl::StrCat(path, "[", i, "]"), element));
    out.push_back(*std::move(element));
  }
  return absl::OkStatus();
}

// ----- ops -----------------------------------------------------------------

absl::Status ReadOpFields(const Value& v, const Where& w, BindMountOp& op) {
  return ReadObject(v, w, {"type", "source", "target", "flags"},
                    [&](size_t key, const Value& value,
                        const std::string& path) -> absl::Status {
                      switch (key) {
                        case 1: return ReadPath(value, path, op.source);
                        case 2: return ReadPath(value, path, op.target);
                        case 3: {
                          uint64_t flags = 0;
                          KEKKAI_RETURN_IF_ERROR(ReadFlags(
                              value, path, BindFlagNames(), "bind flag",
                              std::numeric_limits<uint64_t>::max(), flags));
                          op.flags = static_cast<int64_t>(flags);
                          return absl::OkStatus();
                        }
                        default: return absl::OkStatus();
                      }
                    });
}

absl::Status ReadOpFields(const Value& v, const Where& w, MountProcOp& op) {
  return ReadObject(v, w, {"type", "target"},
                    [&](size_t key, const Value& value,
                        const std::string& path) -> absl::Status {
                      if (key == 1) return ReadPath(value, path, op.target);
                      return absl::OkStatus();
                    });
}

absl::Status ReadOpFields(const Value& v, const Where& w, MountDevOp& op) {
  return ReadObject(v, w, {"type", "target", "mqueue", "write"},
                    [&](size_t key, const Value& value,
                        const std::string& path) -> absl::Status {
                      switch (key) {
                        case 1: return ReadPath(value, path, op.target);
                        case 2: return ReadBool(value, path, op.mqueue);
                        case 3: return ReadBool(value, path, op.write);
                        default: return absl::OkStatus();
                      }
                    });
}

absl::Status ReadOpFields(const Value& v, const Where& w, MountTmpfsOp& op) {
  return ReadObject(
      v, w, {"type", "fsname", "path", "flags", "size", "perm"},
      [&](size_t key, const Value& value,
          const std::string& path) -> absl::Status {
        switch (key) {
          case 1: return ReadString(value, path, op.fsname);
          case 2: return ReadPath(value, path, op.path);
          case 3:
            return ReadFlags(value, path, MountFlagNames(), "mount flag",
                             std::numeric_limits<uint64_t>::max(), op.flags);
          case 4: return ReadInt(value, path, op.size);
          case 5: return ReadPerm(value, path, op.perm);
          default: return absl::OkStatus();
        }
      });
}

absl::Status ReadOpFields(const Value& v, const Where& w,
                          MountOverlayOp& op) {
  return ReadObject(v, w, {"type", "target", "lower", "upper", "work"},
                    [&](size_t key, const Value& value,
                        const std::string& path) -> absl::Status {
                      switch (key) {
                        case 1: return ReadPath(value, path, op.target);
                        case 2: return ReadPaths(value, path, op.lower);
                        case 3: return ReadPath(value, path, op.upper);
                        case 4: return ReadPath(value, path, op.work);
                        default: return absl::OkStatus();
                      }
                    });
}

absl::Status ReadOpFields(const Value& v, const Where& w, MkdirOp& op) {
  return ReadObject(v, w, {"type", "path", "perm"},
                    [&](size_t key, const Value& value,
                        const std::string& path) -> absl::Status {
                      switch (key) {
                        case 1: return ReadPath(value, path, op.path);
                        case 2: return ReadPerm(value, path, op.perm);
                        default: return absl::OkStatus();
                      }
                    });
}

absl::Status ReadOpFields(const Value& v, const Where& w, TmpfileOp& op) {
  bool have_data = false;
  return ReadObject(
      v, w, {"type", "path", "data", "data_base64"},
      [&](size_t key, const Value& value,
          const std::string& path) -> absl::Status {
        switch (key) {
          case 1: return ReadPath(value, path, op.path);
          case 2:
          case 3: {
            if (have_data) {
              return At(path, "data and data_base64 cannot both be set");
            }
            have_data = true;
            std::string text;
            KEKKAI_RETURN_IF_ERROR(ReadString(value, path, text));
            if (key == 2) {
              op.data = std::move(text);
            } else if (!absl::Base64Unescape(text, &op.data)) {
              return At(path, "not valid base64");
            }
            return absl::OkStatus();
          }
          default: return absl::OkStatus();
        }
      });
}

absl::Status ReadOpFields(const Value& v, const Where& w, RemountOp& op) {
  return ReadObject(
      v, w, {"type", "target", "flags"},
      [&](size_t key, const Value& value,
          const std::string& path) -> absl::Status {
        switch (key) {
          case 1: return ReadPath(value, path, op.target);
          case 2:
            return ReadFlags(value, path, MountFlagNames(), "mount flag",
                             std::numeric_limits<uint64_t>::max(), op.flags);
          default: return absl::OkStatus();
        }
      });
}

absl::Status ReadOpFields(const Value& v, const Where& w, SymlinkOp& op) {
  return ReadObject(v, w, {"type", "target", "linkname", "dereference"},
                    [&](size_t key, const Value& value,
                        const std::string& path) -> absl::Status {
                      switch (key) {
                        case 1: return ReadPath(value, path, op.target);
                        case 2: return ReadString(value, path, op.link_name);
                        case 3: return ReadBool(value, path, op.dereference);
                        default: return absl::OkStatus();
                      }
                    });
}

absl::Status ReadOpFields(const Value& v, const Where& w, AutoEtcOp& op) {
  return ReadObject(v, w, {"type", "prefix"},
                    [&](size_t key, const Value& value,
                        const std::string& path) -> absl::Status {
                      if (key == 1) return ReadString(value, path, op.prefix);
                      return absl::OkStatus();
                    });
}

absl::Status ReadOpFields(const Value& v, const Where& w, AutoRootOp& op) {
  return ReadObject(v, w, {"type", "host", "flags"},
                    [&](size_t key, const Value& value,
                        const std::string& path) -> absl::Status {
                      switch (key) {
                        case 1: return ReadPath(value, path, op.host);
                        case 2: {
                          uint64_t flags = 0;
                          KEKKAI_RETURN_IF_ERROR(ReadFlags(
                              value, path, BindFlagNames(), "bind flag",
                              std::numeric_limits<uint64_t>::max(), flags));
                          op.flags = static_cast<int64_t>(flags);
                          return absl::OkStatus();
                        }
                        default: return absl::OkStatus();
                      }
                    });
}

// A default-constructed op of `kind` (the variant alternative's index).
template <size_t I>
Op MakeOpAt() {
  return Op(std::in_place_index<I>);
}
template <size_t... I>
Op MakeOp(OpKind kind, std::index_sequence<I...>) {
  static constexpr Op (*kMakers[])() = {&MakeOpAt<I>...};
  return kMakers[static_cast<size_t>(kind)]();
}

std::string KnownOpTypes() {
  std::vector<absl::string_view> names;
  for (int i = 0; i < kOpKindCount; ++i) {
    names.push_back(GetOpInfo(static_cast<OpKind>(i)).json_name);
  }
  return absl::StrJoin(names, ", ");
}

// One op object. `label` names it in errors ("ops[3]", "op"); once the type
// is known the fields are named as `<label> (<type>): <field>`.
absl::StatusOr<Op> ReadOp(const Value& v, const std::string& label) {
  if (!v.IsObject()) return Expected(label, "an op object", v);
  auto type_member = v.FindMember("type");
  if (type_member == v.MemberEnd() || type_member->value.IsNull()) {
    return At(label, absl::StrCat("missing \"type\" (one of: ", KnownOpTypes(),
                                  ")"));
  }
  const Value& type = type_member->value;
  if (!type.IsString()) {
    return Expected(absl::StrCat(label, ": type"), "a string", type);
  }
  const std::string type_name = StringOf(type);
  const OpInfo* info = FindOpByJsonName(type_name);
  if (info == nullptr) {
    return At(label, absl::StrCat("unknown op type ", Quote(type_name),
                                  " (known: ", KnownOpTypes(), ")"));
  }
  Op op = MakeOp(info->kind, std::make_index_sequence<kOpKindCount>());
  const Where where{absl::StrCat(label, " (", info->json_name, ")"), ": "};
  KEKKAI_RETURN_IF_ERROR(std::visit(
      [&](auto& typed) { return ReadOpFields(v, where, typed); }, op));
  return op;
}

absl::Status ReadOps(const Value& v, const std::string& path,
                     std::optional<OpList>& out) {
  if (!v.IsArray()) return Expected(path, "an array of ops", v);
  OpList ops;
  ops.reserve(v.Size());
  for (rj::SizeType i = 0; i < v.Size(); ++i) {
    if (v[i].IsNull()) {
      ops.emplace_back(std::nullopt);  // a nil op, as Go's decoder allows
      continue;
    }
    KEKKAI_ASSIGN_OR_RETURN(Op op, ReadOp(v[i], absl::StrCat(path, "[", i, "]")));
    ops.emplace_back(std::move(op));
  }
  out = std::move(ops);
  return absl::OkStatus();
}

// ----- seccomp -------------------------------------------------------------

absl::Status ReadArg(const Value& v, const Where& w, ScmpArgCmp& arg) {
  return ReadObject(
      v, w, {"arg", "op", "a", "b"},
      [&](size_t key, const Value& value,
          const std::string& path) -> absl::Status {
        switch (key) {
          case 0: return ReadInt(value, path, arg.arg);
          case 1: {
            if (!value.IsString()) return ReadInt(value, path, arg.op);
            absl::StatusOr<uint32_t> op = CompareOpFromName(StringOf(value));
            if (!op.ok()) return AnnotateAt(op.status(), path);
            arg.op = *op;
            return absl::OkStatus();
          }
          case 2: return ReadInt(value, path, arg.datum_a);
          case 3: return ReadInt(value, path, arg.datum_b);
          default: return absl::OkStatus();
        }
      });
}

absl::StatusOr<NativeRule> ReadRule(const Value& v, const Where& w) {
  NativeRule rule;
  KEKKAI_RETURN_IF_ERROR(ReadObject(
      v, w, {"syscall", "errno", "arg"},
      [&](size_t key, const Value& value,
          const std::string& path) -> absl::Status {
        switch (key) {
          case 0: {
            if (!value.IsString()) return ReadInt(value, path, rule.syscall);
            // Names are lower case; "PTRACE" is accepted like "EPERM".
            const std::string name = StringOf(value);
            absl::StatusOr<int32_t> number =
                seccomp::SyscallNumber(absl::AsciiStrToLower(name));
            if (!number.ok()) {
              return At(path, absl::StrCat("unknown syscall ", Quote(name)));
            }
            rule.syscall = *number;
            return absl::OkStatus();
          }
          case 1: {
            if (!value.IsString()) {
              return ReadInt(value, path, rule.errno_value);
            }
            const std::string name = StringOf(value);
            std::optional<int> err = ErrnoFromName(name);
            if (!err.has_value() || name.find('\0') != std::string::npos) {
              return At(path, absl::StrCat("unknown errno ", Quote(name),
                                           " (a name such as \"EPERM\", or a "
                                           "number)"));
            }
            rule.errno_value = *err;
            return absl::OkStatus();
          }
          case 2: {
            ScmpArgCmp arg;
            KEKKAI_RETURN_IF_ERROR(ReadArg(value, Where{path}, arg));
            rule.arg = arg;
            return absl::OkStatus();
          }
          default: return absl::OkStatus();
        }
      }));
  return rule;
}

absl::Status ReadRules(const Value& v, const std::string& path,
                       std::vector<NativeRule>& out) {
  if (!v.IsArray()) return Expected(path, "an array of rules", v);
  out.clear();
  out.reserve(v.Size());
  const Where where{path};
  for (rj::SizeType i = 0; i < v.Size(); ++i) {
    KEKKAI_ASSIGN_OR_RETURN(NativeRule rule,
                            ReadRule(v[i], Where{where.Index(i)}));
    out.push_back(std::move(rule));
  }
  return absl::OkStatus();
}

absl::Status ReadSeccomp(const Value& v, const Where& w, Params& p) {
  return ReadObject(
      v, w, {"presets", "flags", "disable", "rules"},
      [&](size_t key, const Value& value,
          const std::string& path) -> absl::Status {
        switch (key) {
          case 0: {
            uint64_t presets = 0;
            KEKKAI_RETURN_IF_ERROR(
                ReadFlags(value, path, PresetNames(), "seccomp preset",
                          std::numeric_limits<uint64_t>::max(), presets));
            p.seccomp_presets = static_cast<int64_t>(presets);
            return absl::OkStatus();
          }
          case 1: {
            uint64_t flags = 0;
            KEKKAI_RETURN_IF_ERROR(
                ReadFlags(value, path, ExportFlagNames(), "seccomp flag",
                          std::numeric_limits<uint32_t>::max(), flags));
            p.seccomp_flags = static_cast<uint32_t>(flags);
            return absl::OkStatus();
          }
          case 2: return ReadBool(value, path, p.seccomp_disable);
          case 3: return ReadRules(value, path, p.seccomp_rules);
          default: return absl::OkStatus();
        }
      });
}

// ----- Params and InitParams -----------------------------------------------

absl::StatusOr<Params> ReadParams(const Value& v, const Where& w) {
  Params p;
  KEKKAI_RETURN_IF_ERROR(ReadObject(
      v, w,
      {"path", "args", "env", "dir", "uid", "gid", "hostname",
       "forward_cancel", "adopt_wait_delay", "retain_session", "host_net",
       "host_abstract", "privileged", "parent_perm", "ops", "seccomp"},
      [&](size_t key, const Value& value,
          const std::string& path) -> absl::Status {
        switch (key) {
          case 0: return ReadPath(value, path, p.path);
          case 1: return ReadStrings(value, path, p.args);
          case 2: return ReadStrings(value, path, p.env);
          case 3: return ReadPath(value, path, p.dir);
          case 4: return ReadInt(value, path, p.uid);
          case 5: return ReadInt(value, path, p.gid);
          case 6: return ReadString(value, path, p.hostname);
          case 7: return ReadBool(value, path, p.forward_cancel);
          case 8: return ReadDuration(value, path, p.adopt_wait_delay);
          case 9: return ReadBool(value, path, p.retain_session);
          case 10: return ReadBool(value, path, p.host_net);
          case 11: return ReadBool(value, path, p.host_abstract);
          case 12: return ReadBool(value, path, p.privileged);
          case 13: return ReadPerm(value, path, p.parent_perm);
          case 14: return ReadOps(value, path, p.ops);
          case 15: return ReadSeccomp(value, Where{path}, p);
          default: return absl::OkStatus();
        }
      }));
  return p;
}

absl::StatusOr<InitParams> ReadInitParams(const Value& v) {
  InitParams ip;
  KEKKAI_RETURN_IF_ERROR(ReadObject(
      v, Where{},
      {"params", "host_uid", "host_gid", "count", "verbose", "kekkai_report"},
      [&](size_t key, const Value& value,
          const std::string& path) -> absl::Status {
        switch (key) {
          case 0: {
            KEKKAI_ASSIGN_OR_RETURN(ip.params, ReadParams(value, Where{path}));
            return absl::OkStatus();
          }
          case 1: return ReadInt(value, path, ip.host_uid);
          case 2: return ReadInt(value, path, ip.host_gid);
          case 3: return ReadInt(value, path, ip.count);
          case 4: return ReadBool(value, path, ip.verbose);
          case 5: return ReadInt(value, path, ip.kekkai_report);
          default: return absl::OkStatus();
        }
      }));
  return ip;
}

// ----- parsing under limits ------------------------------------------------

// Forwards RapidJSON's SAX events to the Document while enforcing the
// nesting and value-count limits, so that a hostile document is refused
// while it is read, before it can make the tree huge.
class LimitingHandler {
 public:
  enum class Stop { kNone, kDepth, kValues };

  explicit LimitingHandler(rj::Document& doc) : doc_(doc) {}

  bool Null() { return Count() && doc_.Null(); }
  bool Bool(bool b) { return Count() && doc_.Bool(b); }
  bool Int(int i) { return Count() && doc_.Int(i); }
  bool Uint(unsigned u) { return Count() && doc_.Uint(u); }
  bool Int64(int64_t i) { return Count() && doc_.Int64(i); }
  bool Uint64(uint64_t u) { return Count() && doc_.Uint64(u); }
  bool Double(double d) { return Count() && doc_.Double(d); }
  bool RawNumber(const char* s, rj::SizeType n, bool copy) {
    return Count() && doc_.RawNumber(s, n, copy);
  }
  bool String(const char* s, rj::SizeType n, bool copy) {
    return Count() && doc_.String(s, n, copy);
  }
  bool Key(const char* s, rj::SizeType n, bool copy) {
    return Count() && doc_.Key(s, n, copy);
  }
  bool StartObject() { return Open() && doc_.StartObject(); }
  bool EndObject(rj::SizeType members) {
    --depth_;
    return doc_.EndObject(members);
  }
  bool StartArray() { return Open() && doc_.StartArray(); }
  bool EndArray(rj::SizeType elements) {
    --depth_;
    return doc_.EndArray(elements);
  }

  Stop stop() const { return stop_; }

 private:
  bool Count() {
    if (++values_ > kMaxJsonValues) {
      stop_ = Stop::kValues;
      return false;
    }
    return true;
  }
  bool Open() {
    if (!Count()) return false;
    if (++depth_ > kMaxJsonDepth) {
      stop_ = Stop::kDepth;
      return false;
    }
    return true;
  }

  rj::Document& doc_;
  int depth_ = 0;
  size_t values_ = 0;
  Stop stop_ = Stop::kNone;
};

std::string LineColumn(absl::string_view text, size_t offset) {
  if (offset > text.size()) offset = text.size();
  size_t line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return absl::StrCat("line ", line, " column ", offset - line_start + 1);
}

// Parses `json` into `doc`, refusing what the limits refuse; errors carry
// the line and column (bytes, 1-based).
absl::Status Parse(absl::string_view json, rj::Document& doc) {
  if (json.size() > kMaxJsonDocumentSize) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "document is %d bytes, more than the limit of %d", json.size(),
        kMaxJsonDocumentSize));
  }
  // RapidJSON reads a NUL byte as the end of the input, so one inside the
  // text would silently cut the document short. JSON text never contains
  // one (inside strings it is written \u0000).
  if (const size_t nul = json.find('\0'); nul != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(LineColumn(json, nul), ": NUL byte in the document"));
  }
  // Iterative: the parser's own stack is on the heap, so nesting cannot
  // overflow ours; the handler bounds it anyway. No NaN/Infinity, no
  // comments: strict JSON. Strings are not checked for UTF-8, so strings
  // holding arbitrary bytes read back as written.
  constexpr unsigned kFlags = rj::kParseIterativeFlag;
  rj::MemoryStream stream(json.data(), json.size());
  rj::Reader reader;
  rj::ParseResult result;
  LimitingHandler::Stop stop = LimitingHandler::Stop::kNone;
  auto generate = [&](rj::Document& target) {
    LimitingHandler handler(target);
    result = reader.Parse<kFlags>(stream, handler);
    stop = handler.stop();
    return !result.IsError();
  };
  doc.Populate(generate);
  if (!result.IsError()) return absl::OkStatus();
  const std::string where = LineColumn(json, result.Offset());
  switch (stop) {
    case LimitingHandler::Stop::kDepth:
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s: nested deeper than %d levels", where, kMaxJsonDepth));
    case LimitingHandler::Stop::kValues:
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s: more than %d values", where, kMaxJsonValues));
    case LimitingHandler::Stop::kNone:
      break;
  }
  return absl::InvalidArgumentError(
      absl::StrCat(where, ": ", rj::GetParseError_En(result.Code())));
}

// Parses and decodes, turning any exception from RapidJSON or cereal (an
// internal assertion, or running out of memory) into a status.
template <typename T>
absl::StatusOr<T> Decode(absl::string_view json,
                         absl::FunctionRef<absl::StatusOr<T>(const Value&)>
                             read) {
  try {
    rj::Document doc;
    KEKKAI_RETURN_IF_ERROR(Parse(json, doc));
    return read(doc);
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError("out of memory decoding JSON");
  } catch (const std::exception& e) {
    return absl::InternalError(
        absl::StrCat("internal error decoding JSON: ", e.what()));
  }
}

}  // namespace

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

std::string ParamsToJson(const Params& params) {
  return WriteDocument([&](Writer& w) { WriteParams(w, params); }, "{}");
}

absl::StatusOr<Params> ParamsFromJson(absl::string_view json) {
  return Decode<Params>(
      json, [](const Value& v) { return ReadParams(v, Where{}); });
}

std::string InitParamsToJson(const InitParams& ip) {
  return WriteDocument(
      [&](Writer& w) {
        if (ip.params != Params{}) {
          w.BeginObject("params");
          WriteParams(w, ip.params);
          w.End();
        }
        w.Int("host_uid", ip.host_uid);
        w.Int("host_gid", ip.host_gid);
        w.Int("count", ip.count);
        w.Bool("verbose", ip.verbose);
        w.Int("kekkai_report", ip.kekkai_report);
      },
      "{}");
}

absl::StatusOr<InitParams> InitParamsFromJson(absl::string_view json) {
  return Decode<InitParams>(json, ReadInitParams);
}

std::string RulesToJson(const std::vector<NativeRule>& rules) {
  return WriteDocument(
      [&](Writer& w) {
        w.RootIsArray();
        WriteRules(w, rules);
      },
      "[]");
}

absl::StatusOr<std::vector<NativeRule>> RulesFromJson(absl::string_view json) {
  return Decode<std::vector<NativeRule>>(
      json, [](const Value& v) -> absl::StatusOr<std::vector<NativeRule>> {
        std::vector<NativeRule> rules;
        if (!v.IsArray()) return Expected("", "an array of rules", v);
        KEKKAI_RETURN_IF_ERROR(ReadRules(v, "rules", rules));
        return rules;
      });
}

std::string OpToJson(const Op& op) {
  return WriteDocument([&](Writer& w) { WriteOp(w, op); }, "{}");
}

absl::StatusOr<Op> OpFromJson(absl::string_view json) {
  return Decode<Op>(json, [](const Value& v) { return ReadOp(v, "op"); });
}

}  // namespace kekkai
