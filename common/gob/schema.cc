#include "common/gob/schema.h"

#include <array>
#include <cstdlib>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace kekkai::gob::internal {
namespace {

// The C++ type that holds each shape; checked against every field below.
template <Shape S>
struct ShapeType;
template <>
struct ShapeType<Shape::kBool> {
  using type = bool;
};
template <>
struct ShapeType<Shape::kInt> {
  using type = int64_t;
};
template <>
struct ShapeType<Shape::kInt32> {
  using type = int32_t;
};
template <>
struct ShapeType<Shape::kUint> {
  using type = uint64_t;
};
template <>
struct ShapeType<Shape::kUint32> {
  using type = uint32_t;
};
template <>
struct ShapeType<Shape::kString> {
  using type = std::string;
};
template <>
struct ShapeType<Shape::kBytes> {
  using type = std::string;
};
template <>
struct ShapeType<Shape::kAbs> {
  using type = OptionalPath;
};
template <>
struct ShapeType<Shape::kStrings> {
  using type = std::vector<std::string>;
};
template <>
struct ShapeType<Shape::kAbsList> {
  using type = std::vector<AbsolutePath>;
};
template <>
struct ShapeType<Shape::kOps> {
  using type = std::optional<OpList>;
};
template <>
struct ShapeType<Shape::kRules> {
  using type = std::vector<NativeRule>;
};
template <>
struct ShapeType<Shape::kParams> {
  using type = Params;
};
template <>
struct ShapeType<Shape::kArgCmp> {
  using type = std::optional<ScmpArgCmp>;
};

// One LocalField: `go_name` is the Go field name, `path` the C++ member
// (possibly nested, for promoted fields), and the static_assert ties the
// shape to the member's C++ type.
#define KEKKAI_GOB_FIELD_IMPL(Type, path, go_name, shape_, promoted_, ext_) \
  LocalField {                                                              \
    go_name, Shape::shape_, promoted_, ext_, [](void* object) -> void* {    \
      static_assert(std::is_same_v<decltype(std::declval<Type&>().path),    \
                                   ShapeType<Shape::shape_>::type>,         \
                    "shape does not match the member's type");              \
      return &static_cast<Type*>(object)->path;                             \
    }                                                                       \
  }
#define KEKKAI_GOB_FIELD(Type, path, go_name, shape) \
  KEKKAI_GOB_FIELD_IMPL(Type, path, go_name, shape, false, false)
#define KEKKAI_GOB_PROMOTED(Type, path, go_name, shape) \
  KEKKAI_GOB_FIELD_IMPL(Type, path, go_name, shape, true, false)
#define KEKKAI_GOB_KEKKAI_ONLY(Type, path, go_name, shape) \
  KEKKAI_GOB_FIELD_IMPL(Type, path, go_name, shape, false, true)

// container.initParams. Params is an embedded struct: Go sends it as one
// field named "Params", and its decoder also matches the names of Params'
// fields (reflect's FieldByName finds promoted fields), so they are listed
// as promoted.
const LocalField kInitParamsFields[] = {
    KEKKAI_GOB_FIELD(InitParams, params, "Params", kParams),
    KEKKAI_GOB_FIELD(InitParams, host_uid, "HostUid", kInt),
    KEKKAI_GOB_FIELD(InitParams, host_gid, "HostGid", kInt),
    KEKKAI_GOB_FIELD(InitParams, count, "Count", kInt),
    KEKKAI_GOB_FIELD(InitParams, verbose, "Verbose", kBool),
    KEKKAI_GOB_KEKKAI_ONLY(InitParams, kekkai_report, "KekkaiReport", kInt),
    KEKKAI_GOB_PROMOTED(InitParams, params.dir, "Dir", kAbs),
    KEKKAI_GOB_PROMOTED(InitParams, params.env, "Env", kStrings),
    KEKKAI_GOB_PROMOTED(InitParams, params.path, "Path", kAbs),
    KEKKAI_GOB_PROMOTED(InitParams, params.args, "Args", kStrings),
    KEKKAI_GOB_PROMOTED(InitParams, params.forward_cancel, "ForwardCancel",
                        kBool),
    KEKKAI_GOB_PROMOTED(InitParams, params.adopt_wait_delay, "AdoptWaitDelay",
                        kInt),
    KEKKAI_GOB_PROMOTED(InitParams, params.uid, "Uid", kInt),
    KEKKAI_GOB_PROMOTED(InitParams, params.gid, "Gid", kInt),
    KEKKAI_GOB_PROMOTED(InitParams, params.hostname, "Hostname", kString),
    KEKKAI_GOB_PROMOTED(InitParams, params.ops, "Ops", kOps),
    KEKKAI_GOB_PROMOTED(InitParams, params.seccomp_rules, "SeccompRules",
                        kRules),
    KEKKAI_GOB_PROMOTED(InitParams, params.seccomp_flags, "SeccompFlags",
                        kUint32),
    KEKKAI_GOB_PROMOTED(InitParams, params.seccomp_presets, "SeccompPresets",
                        kInt),
    KEKKAI_GOB_PROMOTED(InitParams, params.seccomp_disable, "SeccompDisable",
                        kBool),
    KEKKAI_GOB_PROMOTED(InitParams, params.parent_perm, "ParentPerm", kUint32),
    KEKKAI_GOB_PROMOTED(InitParams, params.retain_session, "RetainSession",
                        kBool),
    KEKKAI_GOB_PROMOTED(InitParams, params.host_net, "HostNet", kBool),
    KEKKAI_GOB_PROMOTED(InitParams, params.host_abstract, "HostAbstract",
                        kBool),
    KEKKAI_GOB_PROMOTED(InitParams, params.privileged, "Privileged", kBool),
};

// container.Params. Ops is the embedded *Ops, so its field name is "Ops".
const LocalField kParamsFields[] = {
    KEKKAI_GOB_FIELD(Params, dir, "Dir", kAbs),
    KEKKAI_GOB_FIELD(Params, env, "Env", kStrings),
    KEKKAI_GOB_FIELD(Params, path, "Path", kAbs),
    KEKKAI_GOB_FIELD(Params, args, "Args", kStrings),
    KEKKAI_GOB_FIELD(Params, forward_cancel, "ForwardCancel", kBool),
    KEKKAI_GOB_FIELD(Params, adopt_wait_delay, "AdoptWaitDelay", kInt),
    KEKKAI_GOB_FIELD(Params, uid, "Uid", kInt),
    KEKKAI_GOB_FIELD(Params, gid, "Gid", kInt),
    KEKKAI_GOB_FIELD(Params, hostname, "Hostname", kString),
    KEKKAI_GOB_FIELD(Params, ops, "Ops", kOps),
    KEKKAI_GOB_FIELD(Params, seccomp_rules, "SeccompRules", kRules),
    KEKKAI_GOB_FIELD(Params, seccomp_flags, "SeccompFlags", kUint32),
    KEKKAI_GOB_FIELD(Params, seccomp_presets, "SeccompPresets", kInt),
    KEKKAI_GOB_FIELD(Params, seccomp_disable, "SeccompDisable", kBool),
    KEKKAI_GOB_FIELD(Params, parent_perm, "ParentPerm", kUint32),
    KEKKAI_GOB_FIELD(Params, retain_session, "RetainSession", kBool),
    KEKKAI_GOB_FIELD(Params, host_net, "HostNet", kBool),
    KEKKAI_GOB_FIELD(Params, host_abstract, "HostAbstract", kBool),
    KEKKAI_GOB_FIELD(Params, privileged, "Privileged", kBool),
};

const LocalField kNativeRuleFields[] = {
    KEKKAI_GOB_FIELD(NativeRule, syscall, "Syscall", kInt32),
    KEKKAI_GOB_FIELD(NativeRule, errno_value, "Errno", kInt32),
    KEKKAI_GOB_FIELD(NativeRule, arg, "Arg", kArgCmp),
};

const LocalField kScmpArgCmpFields[] = {
    KEKKAI_GOB_FIELD(ScmpArgCmp, arg, "Arg", kUint32),
    KEKKAI_GOB_FIELD(ScmpArgCmp, op, "Op", kUint32),
    KEKKAI_GOB_FIELD(ScmpArgCmp, datum_a, "DatumA", kUint),
    KEKKAI_GOB_FIELD(ScmpArgCmp, datum_b, "DatumB", kUint),
};

// The ops' exported fields in Go declaration order (unexported ones such as
// BindMountOp.sourceFinal never reach the wire and take no field number).
const LocalField kBindMountOpFields[] = {
    KEKKAI_GOB_FIELD(BindMountOp, source, "Source", kAbs),
    KEKKAI_GOB_FIELD(BindMountOp, target, "Target", kAbs),
    KEKKAI_GOB_FIELD(BindMountOp, flags, "Flags", kInt),
};
const LocalField kMountProcOpFields[] = {
    KEKKAI_GOB_FIELD(MountProcOp, target, "Target", kAbs),
};
const LocalField kMountDevOpFields[] = {
    KEKKAI_GOB_FIELD(MountDevOp, target, "Target", kAbs),
    KEKKAI_GOB_FIELD(MountDevOp, mqueue, "Mqueue", kBool),
    KEKKAI_GOB_FIELD(MountDevOp, write, "Write", kBool),
};
const LocalField kMountTmpfsOpFields[] = {
    KEKKAI_GOB_FIELD(MountTmpfsOp, fsname, "FSName", kString),
    KEKKAI_GOB_FIELD(MountTmpfsOp, path, "Path", kAbs),
    KEKKAI_GOB_FIELD(MountTmpfsOp, flags, "Flags", kUint),
    KEKKAI_GOB_FIELD(MountTmpfsOp, size, "Size", kInt),
    KEKKAI_GOB_FIELD(MountTmpfsOp, perm, "Perm", kUint32),
};
const LocalField kMountOverlayOpFields[] = {
    KEKKAI_GOB_FIELD(MountOverlayOp, target, "Target", kAbs),
    KEKKAI_GOB_FIELD(MountOverlayOp, lower, "Lower", kAbsList),
    KEKKAI_GOB_FIELD(MountOverlayOp, upper, "Upper", kAbs),
    KEKKAI_GOB_FIELD(MountOverlayOp, work, "Work", kAbs),
};
const LocalField kMkdirOpFields[] = {
    KEKKAI_GOB_FIELD(MkdirOp, path, "Path", kAbs),
    KEKKAI_GOB_FIELD(MkdirOp, perm, "Perm", kUint32),
};
const LocalField kTmpfileOpFields[] = {
    KEKKAI_GOB_FIELD(TmpfileOp, path, "Path", kAbs),
    KEKKAI_GOB_FIELD(TmpfileOp, data, "Data", kBytes),
};
const LocalField kRemountOpFields[] = {
    KEKKAI_GOB_FIELD(RemountOp, target, "Target", kAbs),
    KEKKAI_GOB_FIELD(RemountOp, flags, "Flags", kUint),
};
const LocalField kSymlinkOpFields[] = {
    KEKKAI_GOB_FIELD(SymlinkOp, target, "Target", kAbs),
    KEKKAI_GOB_FIELD(SymlinkOp, link_name, "LinkName", kString),
    KEKKAI_GOB_FIELD(SymlinkOp, dereference, "Dereference", kBool),
};
const LocalField kAutoEtcOpFields[] = {
    KEKKAI_GOB_FIELD(AutoEtcOp, prefix, "Prefix", kString),
};
const LocalField kAutoRootOpFields[] = {
    KEKKAI_GOB_FIELD(AutoRootOp, host, "Host", kAbs),
    KEKKAI_GOB_FIELD(AutoRootOp, flags, "Flags", kInt),
};

#undef KEKKAI_GOB_KEKKAI_ONLY
#undef KEKKAI_GOB_PROMOTED
#undef KEKKAI_GOB_FIELD
#undef KEKKAI_GOB_FIELD_IMPL

// Indexed by Local; the ops in OpKind order (checked in GetLocalType).
const LocalType kLocalTypes[kLocalCount] = {
    {"initParams", "container.initParams", kInitParamsFields},
    {"Params", "container.Params", kParamsFields},
    {"NativeRule", "std.NativeRule", kNativeRuleFields},
    {"ScmpArgCmp", "std.ScmpArgCmp", kScmpArgCmpFields},
    {"BindMountOp", "container.BindMountOp", kBindMountOpFields},
    {"MountProcOp", "container.MountProcOp", kMountProcOpFields},
    {"MountDevOp", "container.MountDevOp", kMountDevOpFields},
    {"MountTmpfsOp", "container.MountTmpfsOp", kMountTmpfsOpFields},
    {"MountOverlayOp", "container.MountOverlayOp", kMountOverlayOpFields},
    {"MkdirOp", "container.MkdirOp", kMkdirOpFields},
    {"TmpfileOp", "container.TmpfileOp", kTmpfileOpFields},
    {"RemountOp", "container.RemountOp", kRemountOpFields},
    {"SymlinkOp", "container.SymlinkOp", kSymlinkOpFields},
    {"AutoEtcOp", "container.AutoEtcOp", kAutoEtcOpFields},
    {"AutoRootOp", "container.AutoRootOp", kAutoRootOpFields},
};

template <size_t I>
void* EmplaceAlternative(std::optional<Op>& slot) {
  return &std::get<I>(slot.emplace(std::in_place_index<I>));
}

using Emplacer = void* (*)(std::optional<Op>&);
template <size_t... I>
constexpr std::array<Emplacer, sizeof...(I)> MakeEmplacers(
    std::index_sequence<I...>) {
  return {&EmplaceAlternative<I>...};
}
constexpr auto kEmplacers =
    MakeEmplacers(std::make_index_sequence<kOpKindCount>());

}  // namespace

const LocalType& GetLocalType(Local local) {
  const auto index = static_cast<size_t>(local);
  if (index >= static_cast<size_t>(kLocalCount)) std::abort();
  return kLocalTypes[index];
}

int FindLocalField(Local local, absl::string_view name) {
  const LocalType& type = GetLocalType(local);
  for (size_t i = 0; i < type.fields.size(); ++i) {
    if (type.fields[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

Local NestedLocal(Shape shape) {
  switch (shape) {
    case Shape::kParams:
      return Local::kParams;
    case Shape::kArgCmp:
      return Local::kScmpArgCmp;
    case Shape::kRules:
      return Local::kNativeRule;
    case Shape::kBool:
    case Shape::kInt:
    case Shape::kInt32:
    case Shape::kUint:
    case Shape::kUint32:
    case Shape::kString:
    case Shape::kBytes:
    case Shape::kAbs:
    case Shape::kStrings:
    case Shape::kAbsList:
    case Shape::kOps:
      break;
  }
  std::abort();  // a programming error: only struct shapes nest
}

absl::string_view ShapeName(Shape shape) {
  switch (shape) {
    case Shape::kBool:
      return "bool";
    case Shape::kInt:
      return "int";
    case Shape::kInt32:
      return "int32";
    case Shape::kUint:
      return "uint64";
    case Shape::kUint32:
      return "uint32";
    case Shape::kString:
      return "string";
    case Shape::kBytes:
      return "[]uint8";
    case Shape::kAbs:
      return "*check.Absolute";
    case Shape::kStrings:
      return "[]string";
    case Shape::kAbsList:
      return "[]*check.Absolute";
    case Shape::kOps:
      return "*container.Ops";
    case Shape::kRules:
      return "[]std.NativeRule";
    case Shape::kParams:
      return "container.Params";
    case Shape::kArgCmp:
      return "*std.ScmpArgCmp";
  }
  return "?";
}

void* EmplaceOp(std::optional<Op>& slot, OpKind kind) {
  static_assert(std::variant_size_v<Op> == kOpKindCount);
  const auto index = static_cast<size_t>(kind);
  if (index >= kEmplacers.size()) std::abort();
  return kEmplacers[index](slot);
}

const void* OpObject(const Op& op) {
  return std::visit([](const auto& typed) -> const void* { return &typed; },
                    op);
}

}  // namespace kekkai::gob::internal
