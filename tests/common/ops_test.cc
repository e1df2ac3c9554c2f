// The op descriptions (ops.h): every op's ValidateOp() rule, valid and
// invalid, its Describe() text, and the kind tables.
#include "common/ops.h"

#include <sys/mount.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/test_util.h"
#include "tests/testing/status_matchers.h"

namespace kekkai {
namespace {

using ::kekkai::testing::IsOk;
using ::kekkai::testing::StatusIs;
using ::testing::Eq;

AbsolutePath P(absl::string_view path) { return AbsolutePath::Literal(path); }
const std::string kNulPath("/a\0b", 4);

void ExpectInvalid(const Op& op, absl::string_view message) {
  EXPECT_THAT(ValidateOp(op),
              StatusIs(absl::StatusCode::kInvalidArgument, Eq(message)))
      << Describe(op);
}

TEST(OpInfoTest, KindsNamesAndLookups) {
  const char* const kJson[] = {"bind",    "proc",    "dev",      "tmpfs",
                               "overlay", "mkdir",   "tmpfile",  "remount",
                               "symlink", "auto-etc", "auto-root"};
  const char* const kGo[] = {"BindMountOp", "MountProcOp",    "MountDevOp",
                             "MountTmpfsOp", "MountOverlayOp", "MkdirOp",
                             "TmpfileOp",   "RemountOp",      "SymlinkOp",
                             "AutoEtcOp",   "AutoRootOp"};
  for (int i = 0; i < kOpKindCount; ++i) {
    const OpKind kind = static_cast<OpKind>(i);
    const OpInfo& info = GetOpInfo(kind);
    EXPECT_EQ(info.kind, kind);
    EXPECT_EQ(info.json_name, kJson[i]);
    EXPECT_EQ(info.go_name, kGo[i]);
    EXPECT_EQ(info.wire_name, absl::StrCat("*container.", kGo[i]));
    EXPECT_EQ(FindOpByJsonName(kJson[i]), &info);
    EXPECT_EQ(FindOpByWireName(info.wire_name), &info);
  }
  EXPECT_EQ(FindOpByJsonName("Bind"), nullptr);
  EXPECT_EQ(FindOpByJsonName(""), nullptr);
  EXPECT_EQ(FindOpByWireName("container.BindMountOp"), nullptr);
  // The variant's alternatives are in OpKind order.
  EXPECT_EQ(KindOf(Op(MountProcOp{})), OpKind::kProc);
  EXPECT_EQ(KindOf(Op(AutoRootOp{})), OpKind::kAutoRoot);
  EXPECT_EQ(GetOpInfo(Op(TmpfileOp{})).json_name, "tmpfile");
  EXPECT_EQ(std::variant_size_v<Op>, static_cast<size_t>(kOpKindCount));
}

TEST(ValidateOpTest, Bind) {
  EXPECT_THAT(ValidateOp(BindMountOp{P("/usr"), P("/usr"), 0}), IsOk());
  EXPECT_THAT(ValidateOp(BindMountOp{P("/a"), P("/b"),
                                     kBindWritable | kBindDevice |
                                         kBindOptional}),
              IsOk());
  EXPECT_THAT(ValidateOp(BindMountOp{P("/a"), P("/b"), kBindEnsure}), IsOk());
  ExpectInvalid(BindMountOp{std::nullopt, P("/b"), 0}, "source: not set");
  ExpectInvalid(BindMountOp{P("/a"), std::nullopt, 0}, "target: not set");
  ExpectInvalid(BindMountOp{P(kNulPath), P("/b"), 0},
                "source: contains a NUL byte");
  ExpectInvalid(BindMountOp{P("/a"), P(kNulPath), 0},
                "target: contains a NUL byte");
  ExpectInvalid(BindMountOp{P("/a"), P("/b"), kBindOptional | kBindEnsure},
                "flags: optional and ensure cannot be combined");
  ExpectInvalid(BindMountOp{P("/a"), P("/b"), 0x10}, "flags: unknown bits 0x10");
  ExpectInvalid(BindMountOp{P("/a"), P("/b"), -1},
                "flags: unknown bits 0xffffffffffffffff");
}

TEST(ValidateOpTest, ProcAndDev) {
  EXPECT_THAT(ValidateOp(MountProcOp{P("/proc")}), IsOk());
  ExpectInvalid(MountProcOp{}, "target: not set");
  ExpectInvalid(MountProcOp{P(kNulPath)}, "target: contains a NUL byte");
  EXPECT_THAT(ValidateOp(MountDevOp{P("/dev"), true, true}), IsOk());
  ExpectInvalid(MountDevOp{}, "target: not set");
  ExpectInvalid(MountDevOp{P(kNulPath), false, false},
                "target: contains a NUL byte");
}

TEST(ValidateOpTest, Tmpfs) {
  const MountTmpfsOp good{"ephemeral", P("/tmp"), MS_NOSUID | MS_NODEV, 1 << 20,
                          01777};
  EXPECT_THAT(ValidateOp(good), IsOk());
  MountTmpfsOp op = good;
  op.path.reset();
  ExpectInvalid(op, "path: not set");
  op = good;
  op.path = P(kNulPath);
  ExpectInvalid(op, "path: contains a NUL byte");
  op = good;
  op.fsname = "";
  ExpectInvalid(op, "fsname: empty");
  op = good;
  op.fsname = "a,b";
  ExpectInvalid(op, "fsname: contains a NUL byte or a comma");
  op = good;
  op.fsname = std::string("a\0", 2);
  ExpectInvalid(op, "fsname: contains a NUL byte or a comma");
  op = good;
  op.size = -1;
  ExpectInvalid(op, "size: -1 is negative");
  op = good;
  op.perm = 010000;
  ExpectInvalid(op, "perm: 010000 has bits outside 07777");
  op = good;
  op.size = 0;  // the kernel default
  op.perm = 0;
  EXPECT_THAT(ValidateOp(op), IsOk());
}

TEST(ValidateOpTest, Overlay) {
  // Persistent, ephemeral and read-only forms.
  EXPECT_THAT(ValidateOp(MountOverlayOp{P("/o"), {P("/l")}, P("/u"), P("/w")}),
              IsOk());
  EXPECT_THAT(ValidateOp(MountOverlayOp{P("/o"), {P("/l")}, P("/"), {}}),
              IsOk());
  EXPECT_THAT(ValidateOp(MountOverlayOp{P("/o"), {P("/l1"), P("/l2")}, {}, {}}),
              IsOk());
  ExpectInvalid(MountOverlayOp{{}, {P("/l")}, P("/"), {}}, "target: not set");
  ExpectInvalid(MountOverlayOp{P(kNulPath), {P("/l")}, P("/"), {}},
                "target: contains a NUL byte");
  ExpectInvalid(MountOverlayOp{P("/o"), {P("/l"), P(kNulPath)}, P("/"), {}},
                "lower[1]: contains a NUL byte");
  ExpectInvalid(MountOverlayOp{P("/o"), {P("/l")}, P(kNulPath), P("/w")},
                "upper: contains a NUL byte");
  ExpectInvalid(MountOverlayOp{P("/o"), {P("/l")}, P("/u"), P(kNulPath)},
                "work: contains a NUL byte");
  ExpectInvalid(MountOverlayOp{P("/o"), {P("/l")}, {}, P("/w")},
                "work: set without upper");
  ExpectInvalid(MountOverlayOp{P("/o"), {P("/l")}, P("/u"), {}},
                "upper: without work, upper must be \"/\" (ephemeral overlay)");
  ExpectInvalid(MountOverlayOp{P("/o"), {P("/l")}, {}, {}},
                "lower: a read-only overlay needs at least two lower layers");
  ExpectInvalid(MountOverlayOp{P("/o"), {}, P("/"), {}},
                "lower: at least one lower layer is required");
  ExpectInvalid(MountOverlayOp{P("/o"), {}, P("/u"), P("/w")},
                "lower: at least one lower layer is required");
}

TEST(ValidateOpTest, MkdirTmpfileRemount) {
  EXPECT_THAT(ValidateOp(MkdirOp{P("/etc"), 0755}), IsOk());
  EXPECT_THAT(ValidateOp(MkdirOp{P("/etc"), 07777}), IsOk());
  ExpectInvalid(MkdirOp{{}, 0755}, "path: not set");
  ExpectInvalid(MkdirOp{P(kNulPath), 0755}, "path: contains a NUL byte");
  ExpectInvalid(MkdirOp{P("/etc"), 0100755}, "perm: 0100755 has bits outside 07777");

  EXPECT_THAT(ValidateOp(TmpfileOp{P("/etc/hosts"), std::string("\0\xff", 2)}),
              IsOk());
  EXPECT_THAT(ValidateOp(TmpfileOp{P("/empty"), ""}), IsOk());
  ExpectInvalid(TmpfileOp{{}, "x"}, "path: not set");
  ExpectInvalid(TmpfileOp{P(kNulPath), "x"}, "path: contains a NUL byte");

  EXPECT_THAT(ValidateOp(RemountOp{P("/"), MS_RDONLY}), IsOk());
  EXPECT_THAT(ValidateOp(RemountOp{P("/"), 0}), IsOk());
  ExpectInvalid(RemountOp{{}, MS_RDONLY}, "target: not set");
  ExpectInvalid(RemountOp{P(kNulPath), 0}, "target: contains a NUL byte");
}

TEST(ValidateOpTest, Symlink) {
  EXPECT_THAT(ValidateOp(SymlinkOp{P("/bin"), "usr/bin", false}), IsOk());
  EXPECT_THAT(ValidateOp(SymlinkOp{P("/etc/mtab"), "/proc/mounts", true}),
              IsOk());
  ExpectInvalid(SymlinkOp{{}, "x", false}, "target: not set");
  ExpectInvalid(SymlinkOp{P(kNulPath), "x", false},
                "target: contains a NUL byte");
  ExpectInvalid(SymlinkOp{P("/bin"), "", false}, "linkname: empty");
  ExpectInvalid(SymlinkOp{P("/bin"), std::string("a\0b", 3), false},
                "linkname: contains a NUL byte");
  ExpectInvalid(SymlinkOp{P("/bin"), "usr/bin", true},
                "linkname: path \"usr/bin\" is not absolute (dereference "
                "needs an absolute path)");
}

TEST(ValidateOpTest, AutoEtcAndAutoRoot) {
  EXPECT_THAT(ValidateOp(AutoEtcOp{"host"}), IsOk());
  EXPECT_THAT(ValidateOp(AutoEtcOp{"..."}), IsOk());
  EXPECT_THAT(ValidateOp(AutoEtcOp{""}), IsOk());  // /etc/.host itself
  ExpectInvalid(AutoEtcOp{"a/b"}, "prefix: \"a/b\" is not a single path element");
  ExpectInvalid(AutoEtcOp{".."}, "prefix: \"..\" is not a single path element");
  ExpectInvalid(AutoEtcOp{"."}, "prefix: \".\" is not a single path element");
  ExpectInvalid(AutoEtcOp{std::string("a\0", 2)},
                "prefix: \"a\\x00\" is not a single path element");

  EXPECT_THAT(ValidateOp(AutoRootOp{P("/"), kBindWritable}), IsOk());
  ExpectInvalid(AutoRootOp{{}, 0}, "host: not set");
  ExpectInvalid(AutoRootOp{P(kNulPath), 0}, "host: contains a NUL byte");
  ExpectInvalid(AutoRootOp{P("/"), kBindOptional | kBindEnsure},
                "flags: optional and ensure cannot be combined");
  ExpectInvalid(AutoRootOp{P("/"), 64}, "flags: unknown bits 0x40");
}

TEST(DescribeTest, EveryOp) {
  EXPECT_EQ(Describe(BindMountOp{P("/usr"), P("/usr"), 0}),
            "bind \"/usr\" on \"/usr\" ro,nodev");
  EXPECT_EQ(Describe(BindMountOp{P("/a"), P("/b"),
                                 kBindWritable | kBindDevice | kBindOptional |
                                     0x100}),
            "bind \"/a\" on \"/b\" rw,optional,0x100");
  EXPECT_EQ(Describe(BindMountOp{{}, P("/b"), kBindEnsure}),
            "bind <nil> on \"/b\" ro,nodev,ensure");
  EXPECT_EQ(Describe(MountProcOp{P("/proc")}), "proc on \"/proc\"");
  EXPECT_EQ(Describe(MountDevOp{P("/dev"), true, false}),
            "dev on \"/dev\" ro with mqueue");
  EXPECT_EQ(Describe(MountDevOp{P("/dev"), false, true}), "dev on \"/dev\" rw");
  EXPECT_EQ(Describe(MountTmpfsOp{"ephemeral", P("/tmp"), MS_NOSUID | MS_NODEV,
                                  4096, 01777}),
            "tmpfs \"ephemeral\" on \"/tmp\" mode 01777 size 4096 nosuid,nodev");
  EXPECT_EQ(Describe(MountTmpfsOp{"readonly", P("/r"), 0, 0, 0755}),
            "tmpfs \"readonly\" on \"/r\" mode 0755");
  EXPECT_EQ(Describe(MountOverlayOp{P("/o"), {P("/l1"), P("/l2")}, P("/"), {}}),
            "overlay on \"/o\" lower [\"/l1\", \"/l2\"] ephemeral");
  EXPECT_EQ(Describe(MountOverlayOp{P("/o"), {P("/l")}, P("/u"), P("/w")}),
            "overlay on \"/o\" lower [\"/l\"] upper \"/u\" work \"/w\"");
  EXPECT_EQ(Describe(MountOverlayOp{P("/o"), {P("/a"), P("/b")}, {}, {}}),
            "overlay on \"/o\" lower [\"/a\", \"/b\"] read-only");
  EXPECT_EQ(Describe(MkdirOp{P("/etc"), 0755}), "mkdir \"/etc\" mode 0755");
  EXPECT_EQ(Describe(TmpfileOp{P("/etc/passwd"), "root:x:0:0\n"}),
            "tmpfile \"/etc/passwd\" (11 bytes)");
  EXPECT_EQ(Describe(RemountOp{P("/"), MS_RDONLY}), "remount \"/\" rdonly");
  EXPECT_EQ(Describe(RemountOp{P("/dev"), 0}), "remount \"/dev\" nosuid");
  EXPECT_EQ(Describe(SymlinkOp{P("/bin"), "usr/bin", false}),
            "symlink \"/bin\" -> \"usr/bin\"");
  EXPECT_EQ(Describe(SymlinkOp{P("/x"), "/y", true}),
            "symlink \"/x\" -> \"/y\" (dereferenced)");
  EXPECT_EQ(Describe(AutoEtcOp{"host"}), "auto-etc from /etc/.host/host");
  EXPECT_EQ(Describe(AutoRootOp{P("/"), kBindWritable}),
            "auto-root from \"/\" rw,nodev");
  // Bytes that would garble a log line are escaped.
  EXPECT_EQ(Describe(MountProcOp{P("/p\n\"")}), "proc on \"/p\\n\\\"\"");
}

TEST(OverlayTest, IsEphemeral) {
  EXPECT_TRUE(IsEphemeralOverlay(MountOverlayOp{P("/o"), {P("/l")}, P("/"), {}}));
  EXPECT_FALSE(
      IsEphemeralOverlay(MountOverlayOp{P("/o"), {P("/l")}, P("/"), P("/w")}));
  EXPECT_FALSE(IsEphemeralOverlay(MountOverlayOp{P("/o"), {P("/l")}, P("/u"), {}}));
  EXPECT_FALSE(IsEphemeralOverlay(MountOverlayOp{P("/o"), {P("/l")}, {}, {}}));
}

}  // namespace
}  // namespace kekkai
