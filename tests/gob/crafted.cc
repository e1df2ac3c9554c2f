#include "tests/gob/crafted.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace kekkai::gobtest {

std::string GobUint(uint64_t x) {
  if (x < 0x80) return std::string(1, static_cast<char>(x));
  std::string bytes;
  for (; x != 0; x >>= 8) bytes.insert(bytes.begin(), static_cast<char>(x));
  return std::string(1, static_cast<char>(256 - bytes.size())) + bytes;
}

std::string GobInt(int64_t i) {
  const uint64_t u = i < 0 ? (~static_cast<uint64_t>(i) << 1) | 1
                           : static_cast<uint64_t>(i) << 1;
  return GobUint(u);
}

std::string GobString(absl::string_view s) {
  return absl::StrCat(GobUint(s.size()), s);
}

namespace {

// CommonType{Name, Id} as a struct body.
std::string Common(absl::string_view name, int32_t id) {
  return absl::StrCat("\x01", GobString(name), "\x01", GobInt(id),
                      std::string(1, '\0'));
}

const std::string kEnd(1, '\0');

}  // namespace

std::string StructDefinition(
    int32_t id, absl::string_view name,
    const std::vector<std::pair<std::string, int32_t>>& fields) {
  std::string out = absl::StrCat(GobInt(-id), "\x03\x01", Common(name, id));
  if (!fields.empty()) {
    absl::StrAppend(&out, "\x01", GobUint(fields.size()));
    for (const auto& [field, type] : fields) {
      absl::StrAppend(&out, "\x01", GobString(field), "\x01", GobInt(type),
                      kEnd);
    }
  }
  return out + kEnd + kEnd;
}

std::string SliceDefinition(int32_t id, absl::string_view name, int32_t elem) {
  return absl::StrCat(GobInt(-id), "\x02\x01", Common(name, id), "\x01",
                      GobInt(elem), kEnd, kEnd);
}

std::string GobEncoderDefinition(int32_t id, absl::string_view name) {
  return absl::StrCat(GobInt(-id), "\x05\x01", Common(name, id), kEnd, kEnd);
}

std::string Messages(const std::vector<std::string>& payloads) {
  std::string out;
  for (const std::string& p : payloads)
    absl::StrAppend(&out, GobUint(p.size()), p);
  return out;
}

std::vector<CraftedCase> CraftedCases() {
  std::vector<CraftedCase> cases;
  const std::string d = "\x01";  // a field delta of 1

  {
    // initParams embeds Params, and reflect's FieldByName finds promoted
    // fields: a sender's initParams with "Path" fills Params.Path.
    InitParams want;
    want.params.path = AbsolutePath::Literal("/bin/sh");
    want.host_uid = 5;
    want.params.hostname = "box";
    cases.push_back(
        {"promoted-fields", "Params' field names match inside initParams",
         Messages(
             {GobEncoderDefinition(65, "Absolute"),
              StructDefinition(66, "initParams",
                               {{"Path", 65}, {"HostUid", 2}, {"Hostname", 6}}),
              absl::StrCat(GobInt(66), d, GobString("/bin/sh"), d, GobInt(5), d,
                           GobString("box"), kEnd)}),
         want});
  }
  {
    // The last one to write a destination wins.
    InitParams want;
    want.params.hostname = "b";
    cases.push_back(
        {"promoted-after-embedded",
         "a promoted field after the embedded struct overwrites it",
         Messages({StructDefinition(65, "Params", {{"Hostname", 6}}),
                   StructDefinition(66, "initParams",
                                    {{"Params", 65}, {"Hostname", 6}}),
                   absl::StrCat(GobInt(66), d, d, GobString("a"), kEnd, d,
                                GobString("b"), kEnd)}),
         want});
  }
  {
    // Go ends a struct when the message ends, terminator or not.
    InitParams want;
    want.params.path = AbsolutePath::Literal("/x");
    want.params.uid = 7;
    cases.push_back(
        {"structs-end-with-the-message",
         "nested structs without their 00 terminators",
         Messages(
             {GobEncoderDefinition(65, "Absolute"),
              StructDefinition(66, "Params", {{"Path", 65}, {"Uid", 2}}),
              StructDefinition(67, "initParams",
                               {{"Params", 66}, {"Count", 2}}),
              absl::StrCat(GobInt(67), d, d, GobString("/x"), d, GobInt(7))}),
         want});
  }
  {
    // Go's own fieldType (id 21) is a struct {Name string; Id int}.
    cases.push_back({"builtin-struct-at-top-level",
                     "a known struct may use a predefined struct type",
                     Messages({absl::StrCat(GobInt(21), kEnd)}), InitParams()});
  }
  {
    // ... and []*fieldType (id 22) is a slice of structs.
    InitParams want;
    want.params.seccomp_rules = {NativeRule{}};
    cases.push_back(
        {"builtin-slice-as-seccomp-rules",
         "a known slice may use a predefined slice type",
         Messages({StructDefinition(65, "Params", {{"SeccompRules", 22}}),
                   StructDefinition(66, "initParams", {{"Params", 65}}),
                   absl::StrCat(GobInt(66), d, d, GobUint(1), d, GobString("x"),
                                d, GobInt(3), kEnd, kEnd, kEnd)}),
         want});
  }
  {
    // Only exported (capitalised) names are matched.
    InitParams want;
    want.host_gid = 6;
    cases.push_back(
        {"unexported-names-ignored", "a field named hostUid is skipped",
         Messages({StructDefinition(65, "initParams",
                                    {{"hostUid", 2}, {"HostGid", 2}}),
                   absl::StrCat(GobInt(65), d, GobInt(5), d, GobInt(6), kEnd)}),
         want});
  }
  {
    // Go compiles a skip operation for every unknown field, sent or not.
    cases.push_back(
        {"undefined-type-in-an-unsent-field",
         "an unknown field of an undefined type fails even when omitted",
         Messages({StructDefinition(65, "initParams",
                                    {{"HostUid", 2}, {"Extra", 99}}),
                   absl::StrCat(GobInt(65), d, GobInt(5), kEnd)}),
         std::nullopt});
  }
  {
    // An unknown interface field whose concrete type is defined in the
    // middle of the value, Go-style: the rest follows in the next message.
    InitParams want;
    want.host_uid = 5;
    want.count = 3;
    const std::string body = absl::StrCat(d, GobInt(9), kEnd);
    cases.push_back(
        {"unknown-interface-defined-mid-value",
         "a skipped interface value with its definition in the middle",
         Messages(
             {StructDefinition(65, "initParams",
                               {{"HostUid", 2}, {"Extra", 8}, {"Count", 2}}),
              absl::StrCat(GobInt(65), d, GobInt(5), d, GobString("*other.T"),
                           StructDefinition(70, "T", {{"X", 2}})),
              absl::StrCat(GobInt(70), GobUint(body.size()), body, d, GobInt(3),
                           kEnd)}),
         want});
  }
  {
    // A present Ops field allocates the *Ops, even with no elements.
    InitParams want;
    want.params.ops.emplace();
    cases.push_back(
        {"ops-present-but-empty", "an Ops field with count 0 is a non-nil Ops",
         Messages({SliceDefinition(65, "Ops", 8),
                   StructDefinition(66, "Params", {{"Ops", 65}}),
                   StructDefinition(67, "initParams", {{"Params", 66}}),
                   absl::StrCat(GobInt(67), d, d, GobUint(0), kEnd, kEnd)}),
         want});
  }
  {
    const std::string ops_types =
        Messages({SliceDefinition(65, "Ops", 8),
                  StructDefinition(66, "Params", {{"Ops", 65}}),
                  StructDefinition(67, "initParams", {{"Params", 66}})});
    auto op_value = [&](absl::string_view name, int32_t id,
                        absl::string_view body) {
      return absl::StrCat(GobInt(67), d, d, GobUint(1), GobString(name),
                          GobInt(id), GobUint(body.size()), body, kEnd, kEnd);
    };
    // An op type with no fields at all decodes to the zero op.
    InitParams want;
    want.params.ops.emplace();
    want.params.ops->emplace_back(MountProcOp{});
    cases.push_back(
        {"op-type-without-fields", "a concrete struct type with no fields",
         ops_types + Messages({StructDefinition(68, "MountProcOp", {}),
                               op_value("*container.MountProcOp", 68, kEnd)}),
         want});
    cases.push_back(
        {"op-no-fields-matched",
         "a concrete struct type none of whose fields match",
         ops_types + Messages({StructDefinition(68, "MkdirOp", {{"Foo", 2}}),
                               op_value("*container.MkdirOp", 68,
                                        absl::StrCat(d, GobInt(1), kEnd))}),
         std::nullopt});
    cases.push_back(
        {"op-not-a-struct", "a concrete value that is an int",
         ops_types + Messages({op_value("*container.MkdirOp", 2,
                                        absl::StrCat(kEnd, GobInt(1)))}),
         std::nullopt});
    cases.push_back(
        {"op-field-signedness", "MkdirOp.Perm sent as int",
         ops_types + Messages({StructDefinition(68, "MkdirOp", {{"Perm", 2}}),
                               op_value("*container.MkdirOp", 68,
                                        absl::StrCat(d, GobInt(1), kEnd))}),
         std::nullopt});
  }
  {
    cases.push_back(
        {"bool-sent-as-int", "Verbose declared int",
         Messages({StructDefinition(65, "initParams", {{"Verbose", 2}}),
                   absl::StrCat(GobInt(65), d, GobInt(1), kEnd)}),
         std::nullopt});
  }
  return cases;
}

}  // namespace kekkai::gobtest
