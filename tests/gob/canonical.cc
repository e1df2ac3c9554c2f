#include "tests/gob/canonical.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "rapidjson/document.h"
#include "rapidjson/error/en.h"

#ifndef KEKKAI_GOB_VECTORS_DIR
#define KEKKAI_GOB_VECTORS_DIR "../shared/gob-vectors/vectors"
#endif

namespace kekkai::gobtest {
namespace {

using Json = rapidjson::Value;

absl::Status Bad(absl::string_view where, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", what));
}

// Reads the members of one JSON object, refusing keys it was not asked for.
class Object {
 public:
  Object(const Json& json, std::string where)
      : json_(json), where_(std::move(where)) {}

  absl::Status Check() const {
    if (!json_.IsObject()) return Bad(where_, "not an object");
    for (auto it = json_.MemberBegin(); it != json_.MemberEnd(); ++it) {
      const std::string key(it->name.GetString(), it->name.GetStringLength());
      if (!known_.count(key)) return Bad(where_, "unknown key " + key);
    }
    return absl::OkStatus();
  }

  const Json* Get(const char* key) {
    known_.insert(key);
    if (!json_.IsObject()) return nullptr;
    auto it = json_.FindMember(key);
    return it == json_.MemberEnd() ? nullptr : &it->value;
  }
  std::string Where(const char* key) const { return where_ + "." + key; }

  template <typename T>
  absl::Status Int(const char* key, T* out) {
    const Json* v = Get(key);
    if (v == nullptr) return absl::OkStatus();
    if (std::numeric_limits<T>::is_signed) {
      if (!v->IsInt64()) return Bad(Where(key), "not a signed integer");
      const int64_t i = v->GetInt64();
      if (i < static_cast<int64_t>(std::numeric_limits<T>::min()) ||
          i > static_cast<int64_t>(std::numeric_limits<T>::max())) {
        return Bad(Where(key), "out of range");
      }
      *out = static_cast<T>(i);
    } else {
      if (!v->IsUint64()) return Bad(Where(key), "not an unsigned integer");
      const uint64_t u = v->GetUint64();
      if (u > static_cast<uint64_t>(std::numeric_limits<T>::max())) {
        return Bad(Where(key), "out of range");
      }
      *out = static_cast<T>(u);
    }
    return absl::OkStatus();
  }
  absl::Status Bool(const char* key, bool* out) {
    const Json* v = Get(key);
    if (v == nullptr) return absl::OkStatus();
    if (!v->IsBool()) return Bad(Where(key), "not a bool");
    *out = v->GetBool();
    return absl::OkStatus();
  }
  absl::Status String(const char* key, std::string* out) {
    const Json* v = Get(key);
    if (v == nullptr) return absl::OkStatus();
    if (!v->IsString()) return Bad(Where(key), "not a string");
    out->assign(v->GetString(), v->GetStringLength());
    return absl::OkStatus();
  }
  absl::Status Path(const char* key, OptionalPath* out) {
    const Json* v = Get(key);
    if (v == nullptr || v->IsNull()) {
      out->reset();
      return absl::OkStatus();
    }
    if (!v->IsString()) return Bad(Where(key), "not a string or null");
    auto path = AbsolutePath::Parse(
        absl::string_view(v->GetString(), v->GetStringLength()));
    if (!path.ok()) return Bad(Where(key), path.status().message());
    *out = *std::move(path);
    return absl::OkStatus();
  }
  absl::Status Strings(const char* key, std::vector<std::string>* out) {
    const Json* v = Get(key);
    out->clear();
    if (v == nullptr || v->IsNull()) return absl::OkStatus();
    if (!v->IsArray()) return Bad(Where(key), "not an array");
    for (const Json& e : v->GetArray()) {
      if (!e.IsString()) return Bad(Where(key), "element not a string");
      out->emplace_back(e.GetString(), e.GetStringLength());
    }
    return absl::OkStatus();
  }
  absl::Status Paths(const char* key, std::vector<AbsolutePath>* out) {
    std::vector<std::string> strings;
    if (auto s = Strings(key, &strings); !s.ok()) return s;
    out->clear();
    for (const std::string& s : strings) {
      auto path = AbsolutePath::Parse(s);
      if (!path.ok()) return Bad(Where(key), path.status().message());
      out->push_back(*std::move(path));
    }
    return absl::OkStatus();
  }
  absl::Status Hex(const char* key, std::string* out) {
    std::string text;
    if (auto s = String(key, &text); !s.ok()) return s;
    if (text.size() % 2 != 0) return Bad(Where(key), "odd hex length");
    for (char c : text) {
      if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) {
        return Bad(Where(key), "not hex");
      }
    }
    *out = absl::HexStringToBytes(text);
    return absl::OkStatus();
  }

 private:
  const Json& json_;
  std::string where_;
  std::set<std::string> known_;
};

#define RETURN_IF_ERROR(expr)                          \
  do {                                                 \
    if (absl::Status s_ = (expr); !s_.ok()) return s_; \
  } while (0)

absl::StatusOr<std::optional<Op>> ParseOp(const Json& json,
                                          const std::string& where) {
  if (json.IsNull()) return std::optional<Op>();
  Object outer(json, where);
  std::string type;
  RETURN_IF_ERROR(outer.String("type", &type));
  const Json* value = outer.Get("value");
  RETURN_IF_ERROR(outer.Check());
  if (value == nullptr) return Bad(where, "no value");
  Object o(*value, where + ".value");
  Op op;
  if (type == "*container.BindMountOp") {
    BindMountOp x;
    RETURN_IF_ERROR(o.Path("Source", &x.source));
    RETURN_IF_ERROR(o.Path("Target", &x.target));
    RETURN_IF_ERROR(o.Int("Flags", &x.flags));
    op = x;
  } else if (type == "*container.MountProcOp") {
    MountProcOp x;
    RETURN_IF_ERROR(o.Path("Target", &x.target));
    op = x;
  } else if (type == "*container.MountDevOp") {
    MountDevOp x;
    RETURN_IF_ERROR(o.Path("Target", &x.target));
    RETURN_IF_ERROR(o.Bool("Mqueue", &x.mqueue));
    RETURN_IF_ERROR(o.Bool("Write", &x.write));
    op = x;
  } else if (type == "*container.MountTmpfsOp") {
    MountTmpfsOp x;
    RETURN_IF_ERROR(o.String("FSName", &x.fsname));
    RETURN_IF_ERROR(o.Path("Path", &x.path));
    RETURN_IF_ERROR(o.Int("Flags", &x.flags));
    RETURN_IF_ERROR(o.Int("Size", &x.size));
    RETURN_IF_ERROR(o.Int("Perm", &x.perm));
    op = x;
  } else if (type == "*container.MountOverlayOp") {
    MountOverlayOp x;
    RETURN_IF_ERROR(o.Path("Target", &x.target));
    RETURN_IF_ERROR(o.Paths("Lower", &x.lower));
    RETURN_IF_ERROR(o.Path("Upper", &x.upper));
    RETURN_IF_ERROR(o.Path("Work", &x.work));
    op = x;
  } else if (type == "*container.MkdirOp") {
    MkdirOp x;
    RETURN_IF_ERROR(o.Path("Path", &x.path));
    RETURN_IF_ERROR(o.Int("Perm", &x.perm));
    op = x;
  } else if (type == "*container.TmpfileOp") {
    TmpfileOp x;
    RETURN_IF_ERROR(o.Path("Path", &x.path));
    RETURN_IF_ERROR(o.Hex("Data", &x.data));
    op = x;
  } else if (type == "*container.RemountOp") {
    RemountOp x;
    RETURN_IF_ERROR(o.Path("Target", &x.target));
    RETURN_IF_ERROR(o.Int("Flags", &x.flags));
    op = x;
  } else if (type == "*container.SymlinkOp") {
    SymlinkOp x;
    RETURN_IF_ERROR(o.Path("Target", &x.target));
    RETURN_IF_ERROR(o.String("LinkName", &x.link_name));
    RETURN_IF_ERROR(o.Bool("Dereference", &x.dereference));
    op = x;
  } else if (type == "*container.AutoEtcOp") {
    AutoEtcOp x;
    RETURN_IF_ERROR(o.String("Prefix", &x.prefix));
    op = x;
  } else if (type == "*container.AutoRootOp") {
    AutoRootOp x;
    RETURN_IF_ERROR(o.Path("Host", &x.host));
    RETURN_IF_ERROR(o.Int("Flags", &x.flags));
    op = x;
  } else {
    return Bad(where, "unknown op type " + type);
  }
  RETURN_IF_ERROR(o.Check());
  return std::optional<Op>(std::move(op));
}

absl::Status ParseParams(const Json& json, Params* p) {
  Object o(json, "Params");
  RETURN_IF_ERROR(o.Path("Dir", &p->dir));
  RETURN_IF_ERROR(o.Strings("Env", &p->env));
  RETURN_IF_ERROR(o.Path("Path", &p->path));
  RETURN_IF_ERROR(o.Strings("Args", &p->args));
  RETURN_IF_ERROR(o.Bool("ForwardCancel", &p->forward_cancel));
  RETURN_IF_ERROR(o.Int("AdoptWaitDelay", &p->adopt_wait_delay));
  RETURN_IF_ERROR(o.Int("Uid", &p->uid));
  RETURN_IF_ERROR(o.Int("Gid", &p->gid));
  RETURN_IF_ERROR(o.String("Hostname", &p->hostname));
  if (const Json* ops = o.Get("Ops"); ops != nullptr && !ops->IsNull()) {
    if (!ops->IsArray()) return Bad("Params.Ops", "not an array");
    OpList list;
    for (rapidjson::SizeType i = 0; i < ops->Size(); ++i) {
      auto op = ParseOp((*ops)[i], absl::StrCat("Params.Ops[", i, "]"));
      if (!op.ok()) return op.status();
      list.push_back(*std::move(op));
    }
    p->ops = std::move(list);
  }
  if (const Json* rules = o.Get("SeccompRules");
      rules != nullptr && !rules->IsNull()) {
    if (!rules->IsArray()) return Bad("Params.SeccompRules", "not an array");
    for (rapidjson::SizeType i = 0; i < rules->Size(); ++i) {
      const std::string where = absl::StrCat("Params.SeccompRules[", i, "]");
      Object r((*rules)[i], where);
      NativeRule rule;
      RETURN_IF_ERROR(r.Int("Syscall", &rule.syscall));
      RETURN_IF_ERROR(r.Int("Errno", &rule.errno_value));
      if (const Json* arg = r.Get("Arg"); arg != nullptr && !arg->IsNull()) {
        Object a(*arg, where + ".Arg");
        ScmpArgCmp cmp;
        RETURN_IF_ERROR(a.Int("Arg", &cmp.arg));
        RETURN_IF_ERROR(a.Int("Op", &cmp.op));
        RETURN_IF_ERROR(a.Int("DatumA", &cmp.datum_a));
        RETURN_IF_ERROR(a.Int("DatumB", &cmp.datum_b));
        RETURN_IF_ERROR(a.Check());
        rule.arg = cmp;
      }
      RETURN_IF_ERROR(r.Check());
      p->seccomp_rules.push_back(rule);
    }
  }
  RETURN_IF_ERROR(o.Int("SeccompFlags", &p->seccomp_flags));
  RETURN_IF_ERROR(o.Int("SeccompPresets", &p->seccomp_presets));
  RETURN_IF_ERROR(o.Bool("SeccompDisable", &p->seccomp_disable));
  RETURN_IF_ERROR(o.Int("ParentPerm", &p->parent_perm));
  RETURN_IF_ERROR(o.Bool("RetainSession", &p->retain_session));
  RETURN_IF_ERROR(o.Bool("HostNet", &p->host_net));
  RETURN_IF_ERROR(o.Bool("HostAbstract", &p->host_abstract));
  RETURN_IF_ERROR(o.Bool("Privileged", &p->privileged));
  return o.Check();
}

// ---- rendering --------------------------------------------------------------

// A JSON string as Go's encoding/json writes it with SetEscapeHTML(false)
// (Go 1.19: \n \r \t, other control characters as \u00XX, U+2028/2029
// escaped). The input is valid UTF-8 (RandomInitParams makes sure).
std::string Quote(absl::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20) {
      out += absl::StrFormat("\\u%04x", c);
    } else if (c == 0xe2 && i + 2 < s.size() &&
               static_cast<unsigned char>(s[i + 1]) == 0x80 &&
               (static_cast<unsigned char>(s[i + 2]) == 0xa8 ||
                static_cast<unsigned char>(s[i + 2]) == 0xa9)) {
      out +=
          static_cast<unsigned char>(s[i + 2]) == 0xa8 ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
  return out;
}

std::string PathJson(const OptionalPath& path) {
  return path.has_value() ? Quote(path->str()) : "null";
}

// A tiny pretty printer: members are (key, already-rendered value).
class Writer {
 public:
  std::string Obj(const std::vector<std::pair<std::string, std::string>>& m,
                  int indent) const {
    if (m.empty()) return "{}";
    std::string out = "{\n";
    for (size_t i = 0; i < m.size(); ++i) {
      absl::StrAppend(&out, Pad(indent + 1), Quote(m[i].first), ": ",
                      m[i].second, i + 1 < m.size() ? ",\n" : "\n");
    }
    absl::StrAppend(&out, Pad(indent), "}");
    return out;
  }
  std::string Arr(const std::vector<std::string>& items, int indent) const {
    if (items.empty()) return "[]";
    std::string out = "[\n";
    for (size_t i = 0; i < items.size(); ++i) {
      absl::StrAppend(&out, Pad(indent + 1), items[i],
                      i + 1 < items.size() ? ",\n" : "\n");
    }
    absl::StrAppend(&out, Pad(indent), "]");
    return out;
  }
  static std::string Pad(int indent) { return std::string(2 * indent, ' '); }
};

std::string B(bool b) { return b ? "true" : "false"; }
template <typename T>
std::string N(T v) {
  return absl::StrCat(v);
}

std::string Strings(const std::vector<std::string>& list, int indent) {
  std::vector<std::string> items;
  for (const std::string& s : list) items.push_back(Quote(s));
  return Writer().Arr(items, indent);
}

std::string OpJson(const Op& op, int indent) {
  const Writer w;
  std::vector<std::pair<std::string, std::string>> v;
  std::string type;
  const int in = indent + 1;
  if (const auto* bind = std::get_if<BindMountOp>(&op)) {
    type = "*container.BindMountOp";
    v = {{"Source", PathJson(bind->source)},
         {"Target", PathJson(bind->target)},
         {"Flags", N(bind->flags)}};
  } else if (const auto* proc = std::get_if<MountProcOp>(&op)) {
    type = "*container.MountProcOp";
    v = {{"Target", PathJson(proc->target)}};
  } else if (const auto* dev = std::get_if<MountDevOp>(&op)) {
    type = "*container.MountDevOp";
    v = {{"Target", PathJson(dev->target)},
         {"Mqueue", B(dev->mqueue)},
         {"Write", B(dev->write)}};
  } else if (const auto* tmpfs = std::get_if<MountTmpfsOp>(&op)) {
    type = "*container.MountTmpfsOp";
    v = {{"FSName", Quote(tmpfs->fsname)},
         {"Path", PathJson(tmpfs->path)},
         {"Flags", N(tmpfs->flags)},
         {"Size", N(tmpfs->size)},
         {"Perm", N(tmpfs->perm)}};
  } else if (const auto* overlay = std::get_if<MountOverlayOp>(&op)) {
    type = "*container.MountOverlayOp";
    std::vector<std::string> lower;
    for (const AbsolutePath& p : overlay->lower) lower.push_back(p.str());
    v = {{"Target", PathJson(overlay->target)},
         {"Lower", Strings(lower, in + 1)},
         {"Upper", PathJson(overlay->upper)},
         {"Work", PathJson(overlay->work)}};
  } else if (const auto* mkdir = std::get_if<MkdirOp>(&op)) {
    type = "*container.MkdirOp";
    v = {{"Path", PathJson(mkdir->path)}, {"Perm", N(mkdir->perm)}};
  } else if (const auto* tmpfile = std::get_if<TmpfileOp>(&op)) {
    type = "*container.TmpfileOp";
    v = {{"Path", PathJson(tmpfile->path)},
         {"Data", Quote(absl::BytesToHexString(tmpfile->data))}};
  } else if (const auto* remount = std::get_if<RemountOp>(&op)) {
    type = "*container.RemountOp";
    v = {{"Target", PathJson(remount->target)}, {"Flags", N(remount->flags)}};
  } else if (const auto* symlink = std::get_if<SymlinkOp>(&op)) {
    type = "*container.SymlinkOp";
    v = {{"Target", PathJson(symlink->target)},
         {"LinkName", Quote(symlink->link_name)},
         {"Dereference", B(symlink->dereference)}};
  } else if (const auto* etc = std::get_if<AutoEtcOp>(&op)) {
    type = "*container.AutoEtcOp";
    v = {{"Prefix", Quote(etc->prefix)}};
  } else if (const auto* root = std::get_if<AutoRootOp>(&op)) {
    type = "*container.AutoRootOp";
    v = {{"Host", PathJson(root->host)}, {"Flags", N(root->flags)}};
  }
  return w.Obj({{"type", Quote(type)}, {"value", w.Obj(v, in)}}, indent);
}

// ---- random values ----------------------------------------------------------

class Random {
 public:
  explicit Random(std::mt19937_64& rng) : rng_(rng) {}

  uint64_t U64() { return rng_(); }
  bool Chance(int percent) {
    return Below(100) < static_cast<uint64_t>(percent);
  }
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : rng_() % n; }

  // Small values mostly, sometimes the edges of the type.
  template <typename T>
  T Int() {
    switch (Below(6)) {
      case 0:
        return 0;
      case 1:
        return std::numeric_limits<T>::max();
      case 2:
        return std::numeric_limits<T>::min();
      case 3:
        return static_cast<T>(U64());
      default:
        return static_cast<T>(Below(300)) -
               (std::numeric_limits<T>::is_signed ? static_cast<T>(100) : 0);
    }
  }

  // Valid UTF-8: ASCII (with control characters and NUL), 2-, 3- and 4-byte
  // sequences; occasionally long.
  std::string Text(size_t max_len = 24) {
    const size_t len = Chance(3) ? 200 + Below(400) : Below(max_len + 1);
    std::string out;
    while (out.size() < len) {
      switch (Below(10)) {
        case 0:
          out += static_cast<char>(Below(0x20));  // control, NUL included
          break;
        case 1:
          out += "\xc3\xa9";  // é
          break;
        case 2:
          out += "\xe7\xb5\x90";  // 結
          break;
        case 3:
          out += "\xf0\x9f\x94\x92";  // U+1F512
          break;
        case 4:
          out += Chance(50) ? "\"" : "\\";
          break;
        default:
          out += static_cast<char>(0x20 + Below(0x5f));
      }
    }
    return out;
  }
  AbsolutePath Path() {
    std::string p = "/";
    const size_t parts = Below(4);
    for (size_t i = 0; i < parts; ++i) {
      if (i > 0) p += '/';
      p += Text(8);
    }
    return *AbsolutePath::Parse(p);
  }
  OptionalPath MaybePath() {
    if (Chance(20)) return std::nullopt;
    return Path();
  }
  std::vector<std::string> Texts() {
    std::vector<std::string> out(Below(5));
    for (std::string& s : out) s = Text();
    return out;
  }

  Op AnyOp() {
    switch (Below(kOpKindCount)) {
      case 0:
        return BindMountOp{MaybePath(), MaybePath(), Int<int64_t>()};
      case 1:
        return MountProcOp{MaybePath()};
      case 2:
        return MountDevOp{MaybePath(), Chance(50), Chance(50)};
      case 3:
        return MountTmpfsOp{Text(), MaybePath(), Int<uint64_t>(),
                            Int<int64_t>(), Int<uint32_t>()};
      case 4: {
        MountOverlayOp op{MaybePath(), {}, MaybePath(), MaybePath()};
        const size_t n = Below(4);
        for (size_t i = 0; i < n; ++i) op.lower.push_back(Path());
        return op;
      }
      case 5:
        return MkdirOp{MaybePath(), Int<uint32_t>()};
      case 6: {
        std::string data(Chance(5) ? 5000 : Below(40), '\0');
        for (char& c : data) c = static_cast<char>(U64());
        return TmpfileOp{MaybePath(), data};
      }
      case 7:
        return RemountOp{MaybePath(), Int<uint64_t>()};
      case 8:
        return SymlinkOp{MaybePath(), Text(), Chance(50)};
      case 9:
        return AutoEtcOp{Text()};
      default:
        return AutoRootOp{MaybePath(), Int<int64_t>()};
    }
  }

 private:
  std::mt19937_64& rng_;
};

}  // namespace

absl::StatusOr<InitParams> FromCanonicalJson(absl::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "JSON parse error at offset %d: %s", doc.GetErrorOffset(),
        rapidjson::GetParseError_En(doc.GetParseError())));
  }
  InitParams out;
  Object top(doc, "initParams");
  if (const Json* params = top.Get("Params"); params != nullptr) {
    RETURN_IF_ERROR(ParseParams(*params, &out.params));
  }
  RETURN_IF_ERROR(top.Int("HostUid", &out.host_uid));
  RETURN_IF_ERROR(top.Int("HostGid", &out.host_gid));
  RETURN_IF_ERROR(top.Int("Count", &out.count));
  RETURN_IF_ERROR(top.Bool("Verbose", &out.verbose));
  RETURN_IF_ERROR(top.Check());
  return out;
}

std::string ToCanonicalJson(const InitParams& init) {
  const Writer w;
  const Params& p = init.params;
  std::string ops = "null";
  if (p.ops.has_value()) {
    std::vector<std::string> items;
    for (const std::optional<Op>& op : *p.ops) {
      items.push_back(op.has_value() ? OpJson(*op, 3) : "null");
    }
    ops = w.Arr(items, 2);
  }
  std::vector<std::string> rules;
  for (const NativeRule& r : p.seccomp_rules) {
    std::string arg = "null";
    if (r.arg.has_value()) {
      arg = w.Obj({{"Arg", N(r.arg->arg)},
                   {"Op", N(r.arg->op)},
                   {"DatumA", N(r.arg->datum_a)},
                   {"DatumB", N(r.arg->datum_b)}},
                  4);
    }
    rules.push_back(w.Obj(
        {{"Syscall", N(r.syscall)}, {"Errno", N(r.errno_value)}, {"Arg", arg}},
        3));
  }
  const std::string params = w.Obj({{"Dir", PathJson(p.dir)},
                                    {"Env", Strings(p.env, 2)},
                                    {"Path", PathJson(p.path)},
                                    {"Args", Strings(p.args, 2)},
                                    {"ForwardCancel", B(p.forward_cancel)},
                                    {"AdoptWaitDelay", N(p.adopt_wait_delay)},
                                    {"Uid", N(p.uid)},
                                    {"Gid", N(p.gid)},
                                    {"Hostname", Quote(p.hostname)},
                                    {"Ops", ops},
                                    {"SeccompRules", w.Arr(rules, 2)},
                                    {"SeccompFlags", N(p.seccomp_flags)},
                                    {"SeccompPresets", N(p.seccomp_presets)},
                                    {"SeccompDisable", B(p.seccomp_disable)},
                                    {"ParentPerm", N(p.parent_perm)},
                                    {"RetainSession", B(p.retain_session)},
                                    {"HostNet", B(p.host_net)},
                                    {"HostAbstract", B(p.host_abstract)},
                                    {"Privileged", B(p.privileged)}},
                                   1);
  return w.Obj({{"Params", params},
                {"HostUid", N(init.host_uid)},
                {"HostGid", N(init.host_gid)},
                {"Count", N(init.count)},
                {"Verbose", B(init.verbose)}},
               0) +
         "\n";
}

InitParams AsGoDecodes(InitParams params) {
  if (params.params.ops.has_value() && params.params.ops->empty()) {
    params.params.ops.reset();
  }
  return params;
}

std::string VectorsDir() {
  const char* env = std::getenv("KEKKAI_SHARED_DIR");
  if (env != nullptr && *env != '\0') {
    return std::string(env) + "/gob-vectors/vectors";
  }
  return KEKKAI_GOB_VECTORS_DIR;
}

std::string HexDecode(absl::string_view hex) {
  std::string digits;
  for (char c : hex) {
    if (!absl::ascii_isspace(static_cast<unsigned char>(c))) digits += c;
  }
  return absl::HexStringToBytes(digits);
}

std::string HexEncode(absl::string_view bytes) {
  return absl::BytesToHexString(bytes);
}

std::string ReadVectorFile(absl::string_view name, absl::string_view suffix) {
  const std::string path = absl::StrCat(VectorsDir(), "/", name, suffix);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    std::abort();
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (absl::EndsWith(suffix, ".hex")) return HexDecode(text.str());
  return text.str();
}

std::vector<Vector> LoadManifest() {
  const std::string text = ReadVectorFile("manifest", ".json");
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("cases") ||
      !doc["cases"].IsArray()) {
    std::fprintf(stderr, "bad manifest.json\n");
    std::abort();
  }
  std::vector<Vector> out;
  for (const Json& c : doc["cases"].GetArray()) {
    out.push_back({c["name"].GetString(), c["kind"].GetString()});
  }
  return out;
}

InitParams RandomInitParams(std::mt19937_64& rng) {
  Random r(rng);
  InitParams init;
  Params& p = init.params;
  p.dir = r.MaybePath();
  p.env = r.Texts();
  p.path = r.MaybePath();
  p.args = r.Texts();
  p.forward_cancel = r.Chance(50);
  p.adopt_wait_delay = r.Int<int64_t>();
  p.uid = r.Int<int64_t>();
  p.gid = r.Int<int64_t>();
  p.hostname = r.Chance(50) ? r.Text() : "";
  if (!r.Chance(10)) {
    OpList ops;
    const size_t n = 1 + r.Below(r.Chance(5) ? 400 : 12);
    for (size_t i = 0; i < n; ++i) {
      if (r.Chance(5)) {
        ops.emplace_back(std::nullopt);
      } else {
        ops.emplace_back(r.AnyOp());
      }
    }
    p.ops = std::move(ops);
  }
  const size_t rules = r.Below(4);
  for (size_t i = 0; i < rules; ++i) {
    NativeRule rule{r.Int<int32_t>(), r.Int<int32_t>(), std::nullopt};
    if (r.Chance(50)) {
      rule.arg = ScmpArgCmp{r.Int<uint32_t>(), r.Int<uint32_t>(),
                            r.Int<uint64_t>(), r.Int<uint64_t>()};
    }
    p.seccomp_rules.push_back(rule);
  }
  p.seccomp_flags = r.Int<uint32_t>();
  p.seccomp_presets = r.Int<int64_t>();
  p.seccomp_disable = r.Chance(50);
  p.parent_perm = r.Int<uint32_t>();
  p.retain_session = r.Chance(50);
  p.host_net = r.Chance(50);
  p.host_abstract = r.Chance(50);
  p.privileged = r.Chance(50);
  init.host_uid = r.Int<int64_t>();
  init.host_gid = r.Int<int64_t>();
  init.count = r.Int<int64_t>();
  init.verbose = r.Chance(50);
  return init;
}

}  // namespace kekkai::gobtest
