// The JSON form (json.h): every op both ways against hand-written golden
// snippets, whole Params/InitParams/rule documents, the input conveniences,
// exactness on awkward values, and every kind of bad document with the
// message it gets.
#include "common/json.h"

#include <errno.h>
#include <sys/mount.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "seccomp/syscalls.h"
#include "gtest/gtest.h"
#include "tests/common/test_util.h"
#include "tests/testing/status_matchers.h"

namespace kekkai {
namespace {

using ::kekkai::testing::CompactJson;
using ::kekkai::testing::IsOk;
using ::kekkai::testing::IsOkAndHolds;
using ::kekkai::testing::StatusIs;
using ::testing::Eq;
using ::testing::HasSubstr;

AbsolutePath P(absl::string_view path) { return AbsolutePath::Literal(path); }

Params WithDelay(int64_t delay) {
  Params p;
  p.adopt_wait_delay = delay;
  return p;
}

Params WithParentPerm(uint32_t perm) {
  Params p;
  p.parent_perm = perm;
  return p;
}

// ---------------------------------------------------------------------------
// Each op, both ways.
// ---------------------------------------------------------------------------

struct OpCase {
  const char* name;
  Op op;
  const char* json;  // compact golden text
};

// The case's name is what gtest prints for the parameter, and what ctest's
// test name shows (Every/JsonOpTest.ReadsTheGoldenText/Tmpfs).
void PrintTo(const OpCase& c, std::ostream* os) { *os << c.name; }

std::vector<OpCase> OpCases() {
  return {
      {"BindPlain", BindMountOp{P("/usr"), P("/usr"), 0},
       R"({"type":"bind","source":"/usr","target":"/usr"})"},
      {"BindFlags",
       BindMountOp{P("/dev/dri"), P("/dev/dri"),
                   kBindOptional | kBindWritable | kBindDevice},
       R"({"type":"bind","source":"/dev/dri","target":"/dev/dri",)"
       R"("flags":["optional","writable","device"]})"},
      {"BindEnsureAndUnknownBits",
       BindMountOp{P("/a"), P("/b"), kBindEnsure | 0x100},
       R"({"type":"bind","source":"/a","target":"/b","flags":["ensure","0x100"]})"},
      {"BindNegativeFlags", BindMountOp{P("/a"), P("/b"), -16},
       R"({"type":"bind","source":"/a","target":"/b",)"
       R"("flags":["0xfffffffffffffff0"]})"},
      {"BindNothingSet", BindMountOp{}, R"({"type":"bind"})"},
      {"Proc", MountProcOp{P("/proc")}, R"({"type":"proc","target":"/proc"})"},
      {"DevReadOnly", MountDevOp{P("/dev"), false, false},
       R"({"type":"dev","target":"/dev"})"},
      {"DevMqueueWritable", MountDevOp{P("/dev"), true, true},
       R"({"type":"dev","target":"/dev","mqueue":true,"write":true})"},
      {"Tmpfs",
       MountTmpfsOp{"ephemeral", P("/tmp"), MS_NOSUID | MS_NODEV, 1 << 20,
                    01777},
       R"({"type":"tmpfs","fsname":"ephemeral","path":"/tmp",)"
       R"("flags":["nosuid","nodev"],"size":1048576,"perm":"01777"})"},
      {"TmpfsReadonly",
       MountTmpfsOp{"readonly", P("/r"), MS_RDONLY | MS_NOSUID | MS_NODEV, 0,
                    0755},
       R"({"type":"tmpfs","fsname":"readonly","path":"/r",)"
       R"("flags":["rdonly","nosuid","nodev"],"perm":"0755"})"},
      {"OverlayPersistent",
       MountOverlayOp{P("/o"), {P("/l1"), P("/l2")}, P("/u"), P("/w")},
       R"({"type":"overlay","target":"/o","lower":["/l1","/l2"],)"
       R"("upper":"/u","work":"/w"})"},
      {"OverlayEphemeral", MountOverlayOp{P("/o"), {P("/l")}, P("/"), {}},
       R"({"type":"overlay","target":"/o","lower":["/l"],"upper":"/"})"},
      {"OverlayReadonly", MountOverlayOp{P("/o"), {P("/a"), P("/b")}, {}, {}},
       R"({"type":"overlay","target":"/o","lower":["/a","/b"]})"},
      {"Mkdir", MkdirOp{P("/etc"), 0755},
       R"({"type":"mkdir","path":"/etc","perm":"0755"})"},
      {"MkdirOddPerm", MkdirOp{P("/x"), 0x80000000u},
       R"({"type":"mkdir","path":"/x","perm":"020000000000"})"},
      {"TmpfileText", TmpfileOp{P("/etc/hostname"), "box\n"},
       R"({"type":"tmpfile","path":"/etc/hostname","data":"box\n"})"},
      {"TmpfileUtf8WithNul",
       TmpfileOp{P("/f"), std::string("\xc2\xb5\0\x7f", 4)},
       "{\"type\":\"tmpfile\",\"path\":\"/f\",\"data\":\"\xc2\xb5\\u0000\x7f\"}"},
      {"TmpfileBinary", TmpfileOp{P("/bin/x"), std::string("\xff\xfe\0", 3)},
       R"({"type":"tmpfile","path":"/bin/x","data_base64":"//4A"})"},
      {"TmpfileEmpty", TmpfileOp{P("/empty"), ""},
       R"({"type":"tmpfile","path":"/empty"})"},
      {"Remount", RemountOp{P("/"), MS_RDONLY},
       R"({"type":"remount","target":"/","flags":["rdonly"]})"},
      {"RemountRecursive", RemountOp{P("/dev"), MS_RDONLY | MS_NODEV | MS_REC},
       R"({"type":"remount","target":"/dev","flags":["rdonly","nodev","rec"]})"},
      {"Symlink", SymlinkOp{P("/bin"), "usr/bin", false},
       R"({"type":"symlink","target":"/bin","linkname":"usr/bin"})"},
      {"SymlinkDereference", SymlinkOp{P("/etc/mtab"), "/proc/mounts", true},
       R"({"type":"symlink","target":"/etc/mtab","linkname":"/proc/mounts",)"
       R"("dereference":true})"},
      {"AutoEtc", AutoEtcOp{"host"}, R"({"type":"auto-etc","prefix":"host"})"},
      {"AutoEtcEmptyPrefix", AutoEtcOp{""}, R"({"type":"auto-etc"})"},
      {"AutoRoot", AutoRootOp{P("/"), kBindWritable},
       R"({"type":"auto-root","host":"/","flags":["writable"]})"},
  };
}

class JsonOpTest : public ::testing::TestWithParam<OpCase> {};

TEST_P(JsonOpTest, WritesTheGoldenText) {
  EXPECT_EQ(CompactJson(OpToJson(GetParam().op)), GetParam().json);
}

TEST_P(JsonOpTest, ReadsTheGoldenText) {
  EXPECT_THAT(OpFromJson(GetParam().json), IsOkAndHolds(GetParam().op));
}

TEST_P(JsonOpTest, RoundTripsInsideParams) {
  Params p;
  p.ops = OpList{GetParam().op, std::nullopt, GetParam().op};
  EXPECT_THAT(ParamsFromJson(ParamsToJson(p)), IsOkAndHolds(p));
}

INSTANTIATE_TEST_SUITE_P(EveryOp, JsonOpTest, ::testing::ValuesIn(OpCases()));

TEST(JsonOpKindsTest, EveryKindHasAGoldenCase) {
  std::vector<bool> seen(kOpKindCount, false);
  for (const OpCase& c : OpCases()) seen[static_cast<size_t>(c.op.index())] = true;
  for (int i = 0; i < kOpKindCount; ++i) {
    EXPECT_TRUE(seen[i]) << GetOpInfo(static_cast<OpKind>(i)).json_name;
  }
}

// ---------------------------------------------------------------------------
// Whole documents.
// ---------------------------------------------------------------------------

Params FullParams() {
  Params p;
  p.path = P("/bin/sh");
  p.args = {"sh", "-c", "echo hi"};
  p.env = {"PATH=/usr/bin:/bin"};
  p.dir = P("/");
  p.uid = 1000;
  p.gid = 100;
  p.hostname = "box";
  p.forward_cancel = true;
  p.adopt_wait_delay = 90 * kSecond;
  p.retain_session = true;
  p.host_net = true;
  p.host_abstract = true;
  p.privileged = true;
  p.parent_perm = 0750;
  p.ops = OpList{Op(BindMountOp{P("/usr"), P("/usr"), 0}),
                 Op(MountProcOp{P("/proc")}), std::nullopt};
  p.seccomp_presets = kPresetStrict;
  p.seccomp_flags = kAllowMultiarch;
  p.seccomp_disable = true;
  p.seccomp_rules = {NativeRule{101, EPERM, std::nullopt}};
  return p;
}

constexpr absl::string_view kFullParamsJson = R"({
  "path": "/bin/sh",
  "args": [
    "sh",
    "-c",
    "echo hi"
  ],
  "env": [
    "PATH=/usr/bin:/bin"
  ],
  "dir": "/",
  "uid": 1000,
  "gid": 100,
  "hostname": "box",
  "forward_cancel": true,
  "adopt_wait_delay": "1m30s",
  "retain_session": true,
  "host_net": true,
  "host_abstract": true,
  "privileged": true,
  "parent_perm": "0750",
  "ops": [
    {
      "type": "bind",
      "source": "/usr",
      "target": "/usr"
    },
    {
      "type": "proc",
      "target": "/proc"
    },
    null
  ],
  "seccomp": {
    "presets": [
      "ext",
      "deny-ns",
      "deny-tty",
      "deny-devel"
    ],
    "flags": [
      "multiarch"
    ],
    "disable": true,
    "rules": [
      {
        "syscall": "ptrace",
        "errno": "EPERM"
      }
    ]
  }
})";

TEST(JsonParamsTest, WritesEveryFieldPrettyInSchemaOrder) {
  EXPECT_EQ(ParamsToJson(FullParams()), kFullParamsJson);
  EXPECT_THAT(ParamsFromJson(kFullParamsJson), IsOkAndHolds(FullParams()));
}

TEST(JsonParamsTest, ZeroValuesAreLeftOut) {
  EXPECT_EQ(ParamsToJson(Params{}), "{}");
  Params empty_ops;
  empty_ops.ops.emplace();  // an empty list is not a nil list
  EXPECT_EQ(CompactJson(ParamsToJson(empty_ops)), R"({"ops":[]})");
  Params no_filter;
  no_filter.seccomp_disable = true;
  EXPECT_EQ(CompactJson(ParamsToJson(no_filter)),
            R"({"seccomp":{"disable":true}})");
  EXPECT_THAT(ParamsFromJson("{}"), IsOkAndHolds(Params{}));
}

TEST(JsonParamsTest, ReadsWhatAPackagerWrites) {
  // Keys in any order, "strict", octal perms, a duration, a few nulls.
  constexpr absl::string_view kDoc = R"({
    "ops": [
      {"type": "bind", "target": "/usr", "source": "/usr"},
      {"type": "proc", "target": "/proc"},
      {"type": "tmpfs", "path": "/tmp", "fsname": "ephemeral",
       "perm": "1777", "flags": ["nosuid", "nodev"], "size": null}
    ],
    "seccomp": {"presets": ["strict"], "flags": ["MultiArch"],
                "rules": [{"syscall": "ptrace", "errno": "eperm"}]},
    "path": "/bin/sh", "args": ["sh"], "dir": null,
    "adopt_wait_delay": "1m30s", "parent_perm": 488, "uid": 1000
  })";
  Params expected;
  expected.path = P("/bin/sh");
  expected.args = {"sh"};
  expected.adopt_wait_delay = 90 * kSecond;
  expected.parent_perm = 0750;
  expected.uid = 1000;
  expected.ops = OpList{
      Op(BindMountOp{P("/usr"), P("/usr"), 0}), Op(MountProcOp{P("/proc")}),
      Op(MountTmpfsOp{"ephemeral", P("/tmp"), MS_NOSUID | MS_NODEV, 0, 01777})};
  expected.seccomp_presets = kPresetStrict;
  expected.seccomp_flags = kAllowMultiarch;
  expected.seccomp_rules = {NativeRule{101, EPERM, std::nullopt}};
  EXPECT_THAT(ParamsFromJson(kDoc), IsOkAndHolds(expected));
}

TEST(JsonParamsTest, NullIsTheSameAsAbsent) {
  constexpr absl::string_view kDoc = R"({
    "path": null, "args": null, "env": null, "dir": null, "uid": null,
    "gid": null, "hostname": null, "forward_cancel": null,
    "adopt_wait_delay": null, "retain_session": null, "host_net": null,
    "host_abstract": null, "privileged": null, "parent_perm": null,
    "ops": null, "seccomp": null})";
  EXPECT_THAT(ParamsFromJson(kDoc), IsOkAndHolds(Params{}));
  EXPECT_THAT(
      ParamsFromJson(R"({"seccomp": {"presets": null, "flags": null,
                                     "disable": null, "rules": null}})"),
      IsOkAndHolds(Params{}));
}

TEST(JsonParamsTest, NilAndEmptyOpListsAndNilOps) {
  absl::StatusOr<Params> nil = ParamsFromJson(R"({"ops": null})");
  ASSERT_THAT(nil, IsOk());
  EXPECT_FALSE(nil->ops.has_value());
  absl::StatusOr<Params> empty = ParamsFromJson(R"({"ops": []})");
  ASSERT_THAT(empty, IsOk());
  ASSERT_TRUE(empty->ops.has_value());
  EXPECT_TRUE(empty->ops->empty());
  absl::StatusOr<Params> nils = ParamsFromJson(R"({"ops": [null, null]})");
  ASSERT_THAT(nils, IsOk());
  EXPECT_EQ(nils->ops, (OpList{std::nullopt, std::nullopt}));
}

TEST(JsonParamsTest, DurationAndPermForms) {
  EXPECT_THAT(ParamsFromJson(R"({"adopt_wait_delay": 5000000000})"),
              IsOkAndHolds(WithDelay(5 * kSecond)));
  EXPECT_THAT(ParamsFromJson(R"({"adopt_wait_delay": "-1ns"})"),
              IsOkAndHolds(WithDelay(-1)));
  EXPECT_THAT(
      ParamsFromJson(R"({"adopt_wait_delay": "-2562047h47m16.854775808s"})"),
      IsOkAndHolds(
          WithDelay(std::numeric_limits<int64_t>::min())));
  for (const char* perm : {R"("0755")", R"("755")", R"("0o755")", "493"}) {
    EXPECT_THAT(ParamsFromJson(absl::StrCat(R"({"parent_perm": )", perm, "}")),
                IsOkAndHolds(WithParentPerm(0755)))
        << perm;
  }
  Params p;
  p.adopt_wait_delay = 1500 * kMillisecond;
  EXPECT_EQ(CompactJson(ParamsToJson(p)), R"({"adopt_wait_delay":"1.5s"})");
}

TEST(JsonInitParamsTest, BothWays) {
  InitParams ip;
  ip.params = FullParams();
  ip.host_uid = 1000;
  ip.host_gid = 1001;
  ip.count = 2;
  ip.verbose = true;
  ip.kekkai_report = kSetupReportVersion;
  const std::string json = InitParamsToJson(ip);
  EXPECT_EQ(CompactJson(json),
            absl::StrCat(R"({"params":)", CompactJson(kFullParamsJson),
                         R"(,"host_uid":1000,"host_gid":1001,"count":2,)"
                         R"("verbose":true,"kekkai_report":1})"));
  EXPECT_THAT(InitParamsFromJson(json), IsOkAndHolds(ip));
  EXPECT_EQ(InitParamsToJson(InitParams{}), "{}");
  EXPECT_THAT(InitParamsFromJson("{}"), IsOkAndHolds(InitParams{}));
  EXPECT_THAT(InitParamsFromJson(R"({"params": {}, "count": null})"),
              IsOkAndHolds(InitParams{}));
}

TEST(JsonRulesTest, BothWays) {
  const std::vector<NativeRule> rules = {
      NativeRule{101, EPERM, ScmpArgCmp{1, 7, 1, 1}},
      NativeRule{272, ENOSYS, std::nullopt},
      NativeRule{16, EPERM, ScmpArgCmp{}},  // a zero comparison: "arg": {}
      NativeRule{100000, -3, ScmpArgCmp{9, 42, UINT64_MAX, 0}},
  };
  constexpr absl::string_view kJson =
      R"([{"syscall":"ptrace","errno":"EPERM",)"
      R"("arg":{"arg":1,"op":"masked_eq","a":1,"b":1}},)"
      R"({"syscall":"unshare","errno":"ENOSYS"},)"
      R"({"syscall":"ioctl","errno":"EPERM","arg":{}},)"
      R"({"syscall":100000,"errno":-3,)"
      R"("arg":{"arg":9,"op":42,"a":18446744073709551615}}])";
  EXPECT_EQ(CompactJson(RulesToJson(rules)), kJson);
  EXPECT_THAT(RulesFromJson(kJson), IsOkAndHolds(rules));
  EXPECT_EQ(RulesToJson({}), "[]");
  EXPECT_THAT(RulesFromJson("[]"), IsOkAndHolds(std::vector<NativeRule>{}));
}

TEST(JsonRulesTest, InputForms) {
  // Integers for everything, names in any case, an absent vs a null "arg".
  EXPECT_THAT(
      RulesFromJson(R"([{"syscall": 101, "errno": 1, "arg": {"op": 4}},
                        {"syscall": "Ptrace", "errno": "ePeRm", "arg": null},
                        {"syscall": "umount", "errno": "38",
                         "arg": {"op": "MASKED_EQ", "b": 255}}])"),
      IsOkAndHolds(std::vector<NativeRule>{
          NativeRule{101, EPERM, ScmpArgCmp{0, 4, 0, 0}},
          NativeRule{101, EPERM, std::nullopt},
          NativeRule{*seccomp::SyscallNumber("umount"), ENOSYS,
                     ScmpArgCmp{0, 7, 0, 255}},
      }));
}

TEST(JsonRulesTest, PseudoSyscallsKeepTheirName) {
  // umount does not exist on x86_64: libseccomp gives it a negative
  // pseudo-number, and the JSON still says "umount".
  absl::StatusOr<int32_t> umount = seccomp::SyscallNumber("umount");
  ASSERT_THAT(umount, IsOk());
  ASSERT_LT(*umount, 0);
  const std::vector<NativeRule> rules = {NativeRule{*umount, EPERM, {}}};
  EXPECT_EQ(CompactJson(RulesToJson(rules)),
            R"([{"syscall":"umount","errno":"EPERM"}])");
}

TEST(JsonExactnessTest, AwkwardStringsAndExtremes) {
  Params p;
  std::string all_bytes;
  for (int b = 0; b < 256; ++b) all_bytes.push_back(static_cast<char>(b));
  p.args = {all_bytes, std::string("NUL=a\0b", 7), "\"quoted\\\"",
            "\xff\xfe not UTF-8", "\xed\xa0\x80 surrogate", "\u00b5 \u4e2d"};
  p.env = {std::string(100 * 1024, 'x') + std::string("\0\x01\x1f", 3), ""};
  p.hostname = "\t\n\r\b\f\x7f";
  p.path = P(std::string("/\xc3\x28\0", 4));
  p.uid = std::numeric_limits<int64_t>::min();
  p.gid = std::numeric_limits<int64_t>::max();
  p.adopt_wait_delay = std::numeric_limits<int64_t>::max();
  p.parent_perm = std::numeric_limits<uint32_t>::max();
  p.seccomp_presets = std::numeric_limits<int64_t>::min();
  p.seccomp_flags = std::numeric_limits<uint32_t>::max();
  p.ops = OpList{Op(MountTmpfsOp{all_bytes, P("/t"), UINT64_MAX,
                                 std::numeric_limits<int64_t>::min(),
                                 UINT32_MAX}),
                 Op(TmpfileOp{P("/t"), all_bytes}),
                 std::nullopt,
                 Op(RemountOp{P("/"), UINT64_MAX})};
  p.seccomp_rules = {NativeRule{std::numeric_limits<int32_t>::min(),
                                std::numeric_limits<int32_t>::max(),
                                ScmpArgCmp{UINT32_MAX, UINT32_MAX, UINT64_MAX,
                                           UINT64_MAX}}};
  const std::string json = ParamsToJson(p);
  EXPECT_THAT(ParamsFromJson(json), IsOkAndHolds(p));
  // NUL and control characters are escaped, so the text has none raw.
  EXPECT_EQ(json.find('\0'), std::string::npos);
  EXPECT_THAT(json, HasSubstr(R"("NUL=a\u0000b")"));
  EXPECT_THAT(json, HasSubstr(R"("\t\n\r\b\f)"));
}

// ---------------------------------------------------------------------------
// Bad documents: each is refused with a message that says where and what.
// ---------------------------------------------------------------------------

enum class Reader { kParams, kInitParams, kRules, kOp };

struct BadCase {
  const char* name;
  Reader reader;
  std::string json;
  std::string message;
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

absl::Status Read(Reader reader, absl::string_view json) {
  switch (reader) {
    case Reader::kParams:
      return ParamsFromJson(json).status();
    case Reader::kInitParams:
      return InitParamsFromJson(json).status();
    case Reader::kRules:
      return RulesFromJson(json).status();
    case Reader::kOp:
      return OpFromJson(json).status();
  }
  return absl::InternalError("unreachable");
}

constexpr absl::string_view kParamsKeys =
    "(known: path, args, env, dir, uid, gid, hostname, forward_cancel, "
    "adopt_wait_delay, retain_session, host_net, host_abstract, privileged, "
    "parent_perm, ops, seccomp)";
constexpr absl::string_view kOpTypes =
    "bind, proc, dev, tmpfs, overlay, mkdir, tmpfile, remount, symlink, "
    "auto-etc, auto-root";

std::string Nested(int depth) {
  return std::string(static_cast<size_t>(depth), '[') +
         std::string(static_cast<size_t>(depth), ']');
}

std::vector<BadCase> BadCases() {
  const Reader kP = Reader::kParams;
  return {
      // Syntax, with the line and column.
      {"Empty", kP, "", "line 1 column 1: The document is empty."},
      {"MissingComma", kP, "{\n  \"path\": \"/bin/sh\"\n  \"args\": []\n}",
       "line 3 column 3: Missing a comma or '}' after an object member."},
      {"TrailingComma", kP, R"({"uid": 1,})",
       "line 1 column 11: Missing a name for object member."},
      {"TwoRoots", kP, "{} {}",
       "line 1 column 4: The document root must not be followed by other "
       "values."},
      {"NaN", kP, R"({"uid": NaN})", "line 1 column 9: Invalid value."},
      {"Comment", kP, "{} // no", "line 1 column 4: The document root must "
                                  "not be followed by other values."},
      {"RawControlCharacter", kP, "{\"hostname\": \"a\tb\"}",
       "line 1 column 16: Invalid escape character in string."},
      {"LoneSurrogate", kP, R"({"hostname": "\ud800"})",
       "line 1 column 15: The surrogate pair in string is invalid."},
      {"Unterminated", kP, R"({"hostname": "abc)",
       "line 1 column 18: Missing a closing quotation mark in string."},
      {"RawNulByte", kP, std::string("{\"uid\": 1}\0", 11),
       "line 1 column 11: NUL byte in the document"},
      // Wrong types.
      {"RootArray", kP, "[]", "expected an object, got an array"},
      {"RootNull", kP, "null", "expected an object, got null"},
      {"IntAsString", kP, R"({"uid": "1000"})",
       "uid: expected an integer, got a string"},
      {"Fraction", kP, R"({"gid": 1.5})",
       "gid: expected an integer, got a floating-point number (1.5)"},
      {"Exponent", kP, R"({"gid": 1e3})",
       "gid: expected an integer, got a floating-point number (1000)"},
      {"Int64Overflow", kP, R"({"uid": 9223372036854775808})",
       "uid: 9223372036854775808 is out of range "
       "(-9223372036854775808..9223372036854775807)"},
      {"HugeNumber", kP, R"({"uid": 1e300})",
       "uid: 1e+300 is out of range "
       "(-9223372036854775808..9223372036854775807)"},
      {"ArgsNotArray", kP, R"({"args": "sh"})",
       "args: expected an array of strings, got a string"},
      {"ArgsElement", kP, R"({"args": ["sh", 1]})",
       "args[1]: expected a string, got an integer"},
      {"BoolAsInt", kP, R"({"forward_cancel": 1})",
       "forward_cancel: expected a bool, got an integer"},
      {"PathNotString", kP, R"({"path": ["/bin/sh"]})",
       "path: expected a path string, got an array"},
      {"OpsNotArray", kP, R"({"ops": {}})",
       "ops: expected an array of ops, got an object"},
      {"OpNotObject", kP, R"({"ops": [null, 1]})",
       "ops[1]: expected an op object, got an integer"},
      {"OpTypeNotString", kP, R"({"ops": [{"type": 1}]})",
       "ops[0]: type: expected a string, got an integer"},
      {"OpFieldType", kP,
       R"({"ops": [{"type": "dev", "target": "/dev", "mqueue": "yes"}]})",
       "ops[0] (dev): mqueue: expected a bool, got a string"},
      {"TmpfsSizeRange", kP,
       R"({"ops": [{"type": "tmpfs", "size": 18446744073709551615}]})",
       "ops[0] (tmpfs): size: 18446744073709551615 is out of range "
       "(-9223372036854775808..9223372036854775807)"},
      {"MkdirPermRange", kP,
       R"({"ops": [{"type": "mkdir", "perm": 4294967296}]})",
       "ops[0] (mkdir): perm: 4294967296 is out of range (0..4294967295)"},
      {"MkdirPermNegative", kP, R"({"ops": [{"type": "mkdir", "perm": -1}]})",
       "ops[0] (mkdir): perm: -1 is out of range (0..4294967295)"},
      {"SeccompNotObject", kP, R"({"seccomp": []})",
       "seccomp: expected an object, got an array"},
      {"RulesNotArray", kP, R"({"seccomp": {"rules": {}}})",
       "seccomp.rules: expected an array of rules, got an object"},
      {"ArgNotObject", kP,
       R"({"seccomp": {"rules": [{"syscall": "read", "arg": 0}]}})",
       "seccomp.rules[0].arg: expected an object, got an integer"},
      {"SyscallRange", kP,
       R"({"seccomp": {"rules": [{"syscall": 2147483648}]}})",
       "seccomp.rules[0].syscall: 2147483648 is out of range "
       "(-2147483648..2147483647)"},
      {"ArgIndexNegative", kP,
       R"({"seccomp": {"rules": [{"arg": {"arg": -1}}]}})",
       "seccomp.rules[0].arg.arg: -1 is out of range (0..4294967295)"},
      {"PermBool", kP, R"({"parent_perm": true})",
       "parent_perm: expected an octal string such as \"0755\", got a bool"},
      {"DurationArray", kP, R"({"adopt_wait_delay": []})",
       "adopt_wait_delay: expected a duration string such as \"5s\", got an "
       "array"},
      {"FlagsNotArray", kP,
       R"({"ops": [{"type": "remount", "target": "/", "flags": "rdonly"}]})",
       "ops[0] (remount): flags: expected an array of strings, got a string"},
      {"FlagElementNotString", kP,
       R"({"ops": [{"type": "remount", "flags": ["rdonly", 1]}]})",
       "ops[0] (remount): flags[1]: expected a string, got an integer"},
      // Unknown and repeated keys.
      {"UnknownKey", kP, R"({"hostnme": "box"})",
       absl::StrCat("hostnme: unknown key ", kParamsKeys)},
      {"UnknownOpKey", kP, R"({"ops": [{"type": "bind", "sorce": "/a"}]})",
       "ops[0] (bind): sorce: unknown key (known: type, source, target, "
       "flags)"},
      {"UnknownSeccompKey", kP, R"({"seccomp": {"rulez": []}})",
       "seccomp.rulez: unknown key (known: presets, flags, disable, rules)"},
      {"UnknownRuleKey", kP,
       R"({"seccomp": {"rules": [{"syscall": "read", "action": "kill"}]}})",
       "seccomp.rules[0].action: unknown key (known: syscall, errno, arg)"},
      {"UnknownArgKey", kP,
       R"({"seccomp": {"rules": [{"syscall": "read", "arg": {"index": 0}}]}})",
       "seccomp.rules[0].arg.index: unknown key (known: arg, op, a, b)"},
      {"DuplicateKey", kP, R"({"uid": 1, "gid": 2, "uid": 3})",
       "uid: duplicate key"},
      {"DuplicateOpKey", kP,
       R"({"ops": [{"type": "proc", "target": "/a", "target": "/b"}]})",
       "ops[0] (proc): target: duplicate key"},
      {"NulInKey", kP, R"({"ho\u0000st": 1})",
       "key \"ho\\x00st\" contains a NUL byte"},
      {"NulInOpKey", kP, R"({"ops": [{"type": "proc", "target\u0000": "/"}]})",
       "ops[0] (proc): key \"target\\x00\" contains a NUL byte"},
      {"LongKeyIsCut", kP,
       absl::StrCat(R"({")", std::string(100000, 'k'), R"(": 1})"),
       absl::StrCat(std::string(80, 'k'), "...: unknown key ", kParamsKeys)},
      {"LongOpTypeIsCut", kP,
       absl::StrCat(R"({"ops": [{"type": ")", std::string(5000, 't'),
                    R"("}]})"),
       absl::StrCat("ops[0]: unknown op type \"", std::string(80, 't'),
                    "...\" (known: ", kOpTypes, ")")},
      {"UnprintableKey", kP, R"({"a\nb": 1})",
       absl::StrCat("a\\nb: unknown key ", kParamsKeys)},
      // Ops.
      {"UnknownOpType", kP,
       R"({"ops": [{"type": "proc", "target": "/proc"}, null, {"type": "bnid"}]})",
       absl::StrCat("ops[2]: unknown op type \"bnid\" (known: ", kOpTypes,
                    ")")},
      {"MissingOpType", kP, R"({"ops": [{"source": "/a"}]})",
       absl::StrCat("ops[0]: missing \"type\" (one of: ", kOpTypes, ")")},
      {"NullOpType", kP, R"({"ops": [{"type": null}]})",
       absl::StrCat("ops[0]: missing \"type\" (one of: ", kOpTypes, ")")},
      {"RelativeOpPath", kP,
       R"({"ops": [{"type": "proc", "target": "/proc"}, {"type": "proc"},
                  {"type": "mkdir"}, {"type": "bind", "source": "usr"}]})",
       "ops[3] (bind): source: path \"usr\" is not absolute"},
      {"RelativeProgram", kP, R"({"path": "sh"})",
       "path: path \"sh\" is not absolute"},
      {"EmptyDir", kP, R"({"dir": ""})", "dir: path \"\" is not absolute"},
      {"RelativeLower", kP,
       R"({"ops": [{"type": "overlay", "lower": ["/a", "b"]}]})",
       "ops[0] (overlay): lower[1]: path \"b\" is not absolute"},
      {"NullLower", kP, R"({"ops": [{"type": "overlay", "lower": [null]}]})",
       "ops[0] (overlay): lower[0]: expected a path string, got null"},
      {"TmpfileBothData", kP,
       R"({"ops": [{"type": "tmpfile", "data": "a", "data_base64": "YQ=="}]})",
       "ops[0] (tmpfile): data_base64: data and data_base64 cannot both be "
       "set"},
      {"TmpfileBadBase64", kP,
       R"({"ops": [{"type": "tmpfile", "data_base64": "!!!"}]})",
       "ops[0] (tmpfile): data_base64: not valid base64"},
      // Names.
      {"BadBindFlag", kP,
       R"({"ops": [{"type": "bind", "flags": ["optional", "bogus"]}]})",
       "ops[0] (bind): flags: unknown bind flag \"bogus\" (known: optional, "
       "writable, device, ensure)"},
      {"BadAutoRootFlag", kP,
       R"({"ops": [{"type": "auto-root", "flags": ["rw"]}]})",
       "ops[0] (auto-root): flags: unknown bind flag \"rw\" (known: optional, "
       "writable, device, ensure)"},
      {"BadMountFlag", kP,
       R"({"ops": [{"type": "tmpfs", "flags": ["nosuid", "nodevv"]}]})",
       "ops[0] (tmpfs): flags: unknown mount flag \"nodevv\" (known: rdonly, "
       "nosuid, nodev, noexec, sync, remount, mandlock, dirsync, nosymfollow, "
       "noatime, nodiratime, bind, move, rec, silent, posixacl, unbindable, "
       "private, slave, shared, relatime, strictatime, lazytime)"},
      {"BadPreset", kP, R"({"seccomp": {"presets": ["stict"]}})",
       "seccomp.presets: unknown seccomp preset \"stict\" (known: ext, "
       "deny-ns, deny-tty, deny-devel, linux32, strict)"},
      {"BadSeccompFlag", kP, R"({"seccomp": {"flags": ["multiarch", "usb"]}})",
       "seccomp.flags: unknown seccomp flag \"usb\" (known: multiarch, can, "
       "bluetooth)"},
      {"SeccompFlagRange", kP, R"({"seccomp": {"flags": ["0x100000000"]}})",
       "seccomp.flags: 0x100000000 is out of range (at most 0xffffffff)"},
      {"BadSyscall", kP,
       R"({"seccomp": {"rules": [{"syscall": "ptrac", "errno": "EPERM"}]}})",
       "seccomp.rules[0].syscall: unknown syscall \"ptrac\""},
      {"BadErrno", kP,
       R"({"seccomp": {"rules": [{"syscall": "ptrace"}, {"errno": "EPREM"}]}})",
       "seccomp.rules[1].errno: unknown errno \"EPREM\" (a name such as "
       "\"EPERM\", or a number)"},
      {"NegativeErrnoString", kP,
       R"({"seccomp": {"rules": [{"errno": "-1"}]}})",
       "seccomp.rules[0].errno: unknown errno \"-1\" (a name such as "
       "\"EPERM\", or a number)"},
      {"BadCompare", kP,
       R"({"seccomp": {"rules": [{"arg": {"op": "equals"}}]}})",
       "seccomp.rules[0].arg.op: unknown comparison \"equals\" (known: ne, "
       "lt, le, eq, ge, gt, masked_eq)"},
      // Durations and permissions.
      {"BadDurationUnit", kP, R"({"adopt_wait_delay": "5x"})",
       "adopt_wait_delay: unknown unit \"x\" in duration \"5x\""},
      {"BadDurationEmpty", kP, R"({"adopt_wait_delay": ""})",
       "adopt_wait_delay: invalid duration \"\""},
      {"BadDurationMissingUnit", kP, R"({"adopt_wait_delay": "30"})",
       "adopt_wait_delay: missing unit in duration \"30\""},
      {"DurationOverflow", kP, R"({"adopt_wait_delay": "2562048h"})",
       "adopt_wait_delay: invalid duration \"2562048h\""},
      {"HexPerm", kP, R"({"parent_perm": "0x1ed"})",
       "parent_perm: \"0x1ed\" is not an octal number"},
      {"DecimalDigitsPerm", kP, R"({"ops": [{"type": "mkdir", "perm": "0999"}]})",
       "ops[0] (mkdir): perm: \"0999\" is not an octal number"},
      {"EmptyPerm", kP, R"({"parent_perm": ""})",
       "parent_perm: \"\" is not an octal number"},
      {"PermRange", kP, R"({"parent_perm": "077777777777"})",
       "parent_perm: \"077777777777\" is out of range"},
      // Limits.
      {"TooDeep", kP, Nested(65), "line 1 column 65: nested deeper than 64 "
                                  "levels"},
      {"DeepButAllowed", kP, Nested(64), "expected an object, got an array"},
      {"TooDeepInsideOps", kP,
       absl::StrCat(R"({"ops": [{"type": "overlay", "lower": )", Nested(62),
                    "}]}"),
       "line 1 column 100: nested deeper than 64 levels"},
      // The other readers name their own roots.
      {"InitParamsNested", Reader::kInitParams,
       R"({"params": {"ops": [{"type": "bind", "source": "usr"}]}})",
       "params.ops[0] (bind): source: path \"usr\" is not absolute"},
      {"InitParamsUnknownKey", Reader::kInitParams,
       R"({"params": {}, "host_uid": 1, "hostuid": 2})",
       "hostuid: unknown key (known: params, host_uid, host_gid, count, "
       "verbose, kekkai_report)"},
      {"InitParamsInnerKey", Reader::kInitParams,
       R"({"params": {"hostnme": 1}})",
       absl::StrCat("params.hostnme: unknown key ", kParamsKeys)},
      {"InitParamsCount", Reader::kInitParams, R"({"count": "2"})",
       "count: expected an integer, got a string"},
      {"RulesRootObject", Reader::kRules, R"({"rules": []})",
       "expected an array of rules, got an object"},
      {"RulesBadSyscall", Reader::kRules,
       R"([{"syscall": "read"}, {"syscall": "ptrac"}])",
       "rules[1].syscall: unknown syscall \"ptrac\""},
      {"RulesElementNotObject", Reader::kRules, R"(["ptrace"])",
       "rules[0]: expected an object, got a string"},
      {"OpNull", Reader::kOp, "null", "op: expected an op object, got null"},
      {"OpBadField", Reader::kOp, R"({"type": "symlink", "target": "bin"})",
       "op (symlink): target: path \"bin\" is not absolute"},
  };
}

class JsonBadDocumentTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(JsonBadDocumentTest, IsRefusedWithItsMessage) {
  EXPECT_THAT(Read(GetParam().reader, GetParam().json),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq(GetParam().message)));
}

INSTANTIATE_TEST_SUITE_P(Every, JsonBadDocumentTest,
                         ::testing::ValuesIn(BadCases()));

TEST(JsonLimitsTest, DocumentSize) {
  std::string doc = "{}";
  doc.resize(kMaxJsonDocumentSize, ' ');  // exactly the limit: accepted
  EXPECT_THAT(ParamsFromJson(doc), IsOkAndHolds(Params{}));
  doc.push_back(' ');
  EXPECT_THAT(ParamsFromJson(doc),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("document is 67108865 bytes, more than the limit of "
                          "67108864")));
}

TEST(JsonLimitsTest, ValueCount) {
  // A value and a key per member, plus the root and the array.
  auto args_doc = [](size_t n) {
    std::string doc = R"({"args": [)";
    for (size_t i = 0; i < n; ++i) doc += i ? ",\"\"" : "\"\"";
    return doc + "]}";
  };
  const size_t fits = kMaxJsonValues - 3;
  absl::StatusOr<Params> ok = ParamsFromJson(args_doc(fits));
  ASSERT_THAT(ok, IsOk());
  EXPECT_EQ(ok->args.size(), fits);
  EXPECT_THAT(ParamsFromJson(args_doc(fits + 1)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(": more than 1048576 values")));
}

}  // namespace
}  // namespace kekkai
