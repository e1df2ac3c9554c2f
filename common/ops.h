// The eleven setup ops as plain data: the fields hakurei sends on the wire,
// with exactly its exported field names (in comments), order and Go types.
// Signedness matters on the wire: gob treats int and uint as different kinds,
// so BindMountOp.Flags is int64_t while RemountOp.Flags is uint64_t.
//
// Where this sits: the shim builds these (OpsBuilder, JSON, CLI), the gob
// codec carries them, and init/ops/ gives each its behaviour (early in the
// host root, apply in the intermediate root). This header has no behaviour
// beyond Validate() (pure, called on both sides of the wire) and Describe().
// Resolved host-side state is never part of these structs: init recomputes it.
#ifndef KEKKAI_COMMON_OPS_H_
#define KEKKAI_COMMON_OPS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/absolute_path.h"

namespace kekkai {

using OptionalPath = std::optional<AbsolutePath>;

// Bind flags (hakurei std.Bind*): plain ints, not MS_* values.
inline constexpr int64_t kBindOptional = 1;  // missing source: skip the op
inline constexpr int64_t kBindWritable = 2;  // do not add MS_RDONLY
inline constexpr int64_t kBindDevice = 4;    // do not add MS_NODEV
inline constexpr int64_t kBindEnsure = 8;    // mkdir -p the source (0700)
inline constexpr int64_t kBindAllFlags =
    kBindOptional | kBindWritable | kBindDevice | kBindEnsure;

// Go: *container.BindMountOp. A recursive bind, read-only, nodev and nosuid
// unless flagged otherwise.
struct BindMountOp {
  OptionalPath source;  // Source *check.Absolute
  OptionalPath target;  // Target *check.Absolute
  int64_t flags = 0;    // Flags int (kBind*)
  friend bool operator==(const BindMountOp&, const BindMountOp&) = default;
};

// Go: *container.MountProcOp. A new proc for the container's pid namespace.
struct MountProcOp {
  OptionalPath target;  // Target *check.Absolute
  friend bool operator==(const MountProcOp&, const MountProcOp&) = default;
};

// Go: *container.MountDevOp. A minimal /dev on a tmpfs.
struct MountDevOp {
  OptionalPath target;  // Target *check.Absolute
  bool mqueue = false;  // Mqueue bool: mount a new mqueue at <target>/mqueue
  bool write = false;   // Write bool: leave the tmpfs writable
  friend bool operator==(const MountDevOp&, const MountDevOp&) = default;
};

// Go: *container.MountTmpfsOp.
struct MountTmpfsOp {
  std::string fsname;   // FSName string (the mount source in mountinfo)
  OptionalPath path;    // Path *check.Absolute
  uint64_t flags = 0;   // Flags uintptr (MS_* mount flags)
  int64_t size = 0;     // Size int (bytes; 0 = the kernel default)
  uint32_t perm = 0;    // Perm os.FileMode
  friend bool operator==(const MountTmpfsOp&, const MountTmpfsOp&) = default;
};

// Go: *container.MountOverlayOp. Lower[0] is the top layer (kernel order).
// Upper "/" with no Work is ephemeral (writes go to a hidden tmpfs); no Upper
// and no Work is read-only (needs at least two lowers).
struct MountOverlayOp {
  OptionalPath target;              // Target *check.Absolute
  std::vector<AbsolutePath> lower;  // Lower []*check.Absolute
  OptionalPath upper;               // Upper *check.Absolute
  OptionalPath work;                // Work *check.Absolute
  friend bool operator==(const MountOverlayOp&, const MountOverlayOp&) =
      default;
};

// Go: *container.MkdirOp. mkdir -p with exactly Perm (umask is 0 in init).
struct MkdirOp {
  OptionalPath path;  // Path *check.Absolute
  uint32_t perm = 0;  // Perm os.FileMode
  friend bool operator==(const MkdirOp&, const MkdirOp&) = default;
};

// Go: *container.TmpfileOp (hakurei's Place). A read-only file holding Data.
struct TmpfileOp {
  OptionalPath path;  // Path *check.Absolute
  std::string data;   // Data []byte (arbitrary bytes)
  friend bool operator==(const TmpfileOp&, const TmpfileOp&) = default;
};

// Go: *container.RemountOp. Only MS_RDONLY, MS_NODEV and MS_REC are
// honoured; MS_NOSUID is always added; flags are only ever added.
struct RemountOp {
  OptionalPath target;  // Target *check.Absolute
  uint64_t flags = 0;   // Flags uintptr (MS_*)
  friend bool operator==(const RemountOp&, const RemountOp&) = default;
};

// Go: *container.SymlinkOp. Creates Target as a symlink to LinkName. With
// Dereference, LinkName must be absolute and is replaced by its readlink on
// the host.
struct SymlinkOp {
  OptionalPath target;       // Target *check.Absolute
  std::string link_name;     // LinkName string
  bool dereference = false;  // Dereference bool
  friend bool operator==(const SymlinkOp&, const SymlinkOp&) = default;
};

// Go: *container.AutoEtcOp. Mirrors /etc/.host/<prefix> into /etc with
// symlinks (see OpsBuilder::Etc for the three ops it goes with).
struct AutoEtcOp {
  std::string prefix;  // Prefix string
  friend bool operator==(const AutoEtcOp&, const AutoEtcOp&) = default;
};

// Go: *container.AutoRootOp. Binds every top-level entry of Host except
// proc, dev, tmp, mnt and etc.
struct AutoRootOp {
  OptionalPath host;  // Host *check.Absolute
  int64_t flags = 0;  // Flags int (kBind*)
  friend bool operator==(const AutoRootOp&, const AutoRootOp&) = default;
};

// The alternatives are in OpKind order.
using Op = std::variant<BindMountOp, MountProcOp, MountDevOp, MountTmpfsOp,
                        MountOverlayOp, MkdirOp, TmpfileOp, RemountOp,
                        SymlinkOp, AutoEtcOp, AutoRootOp>;

// Go's Ops is a slice of interface values; an element can be nil on the wire
// (init refuses it). Params::ops is itself optional: nil *Ops.
using OpList = std::vector<std::optional<Op>>;

enum class OpKind : uint8_t {
  kBind = 0,
  kProc = 1,
  kDev = 2,
  kTmpfs = 3,
  kOverlay = 4,
  kMkdir = 5,
  kTmpfile = 6,
  kRemount = 7,
  kSymlink = 8,
  kAutoEtc = 9,
  kAutoRoot = 10,
};
inline constexpr int kOpKindCount = 11;

struct OpInfo {
  OpKind kind;
  absl::string_view json_name;  // "bind": the "type" of a JSON op
  absl::string_view go_name;    // "BindMountOp": the gob struct name
  absl::string_view wire_name;  // "*container.BindMountOp": gob.Register name
};

// Static metadata of each kind; never fails for a valid OpKind.
const OpInfo& GetOpInfo(OpKind kind);
inline OpKind KindOf(const Op& op) { return static_cast<OpKind>(op.index()); }
inline const OpInfo& GetOpInfo(const Op& op) { return GetOpInfo(KindOf(op)); }
// Lookups by name; nullptr when unknown.
const OpInfo* FindOpByJsonName(absl::string_view name);
const OpInfo* FindOpByWireName(absl::string_view name);

// hakurei's Valid() for one op, plus the checks its early steps make
// (overlay arguments, dereference needs an absolute link name) and kekkai's
// own (no NUL in paths, no bits outside 07777 in a permission, a prefix that
// is one path element). On failure: kInvalidArgument "<field>: <problem>",
// using the JSON field names; ValidateParams adds "op N (<type>)".
absl::Status ValidateOp(const Op& op);

// One line for logs and error context, e.g. `bind "/usr" on "/usr" ro,nodev`.
std::string Describe(const Op& op);

// True when `op` is an ephemeral overlay (Upper "/" and no Work).
bool IsEphemeralOverlay(const MountOverlayOp& op);

}  // namespace kekkai

#endif  // KEKKAI_COMMON_OPS_H_
