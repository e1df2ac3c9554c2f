// Internal to the gob codec: the receiver's (and sender's) view of hakurei's
// types. Every field of InitParams, Params, NativeRule, ScmpArgCmp and the
// eleven ops is declared once here, with its Go name, its Go type's shape and
// where it lives in the C++ struct; the decoder matches wire fields against
// these tables by name and the encoder writes them in this order.
#ifndef KEKKAI_COMMON_GOB_SCHEMA_H_
#define KEKKAI_COMMON_GOB_SCHEMA_H_

#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/ops.h"
#include "common/params.h"

namespace kekkai::gob::internal {

// The Go type of a local field, as far as gob cares.
enum class Shape : uint8_t {
  kBool,     // bool
  kInt,      // int, time.Duration, std.FilterPreset (int64_t)
  kInt32,    // std.ScmpSyscall, std.ScmpErrno (int32_t)
  kUint,     // uintptr (uint64_t)
  kUint32,   // os.FileMode, seccomp.ExportFlag, std.ScmpUint... (uint32_t)
  kString,   // string
  kBytes,    // []byte (std::string)
  kAbs,      // *check.Absolute (OptionalPath)
  kStrings,  // []string
  kAbsList,  // []*check.Absolute (std::vector<AbsolutePath>)
  kOps,      // *Ops, a slice of the Op interface (std::optional<OpList>)
  kRules,    // []std.NativeRule
  kParams,   // Params (struct, embedded in initParams)
  kArgCmp,   // *std.ScmpArgCmp (std::optional<ScmpArgCmp>)
};

// The local struct types. Ops follow in OpKind order.
enum class Local : uint8_t {
  kInitParams = 0,
  kParams = 1,
  kNativeRule = 2,
  kScmpArgCmp = 3,
  kFirstOp = 4,
};
inline constexpr int kLocalCount = 4 + kOpKindCount;
inline Local LocalOfOp(OpKind kind) {
  return static_cast<Local>(static_cast<int>(Local::kFirstOp) +
                            static_cast<int>(kind));
}

struct LocalField {
  absl::string_view name;  // the Go field name, matched against the wire
  Shape shape;
  // Reached through an embedded struct (initParams' promoted Params fields):
  // Go's decoder matches such names too; the encoder never sends them.
  bool promoted;
  // A kekkai-only field: hakurei's Go type lacks it. The encoder includes it
  // in the type definition only when the value is non-zero, so a zero value
  // gives exactly hakurei's bytes and a non-zero one is a field Go's decoder
  // skips.
  bool kekkai_only;
  // The field inside an object of the owning type.
  void* (*member)(void* object);
};

struct LocalType {
  absl::string_view name;     // the Go type name sent in CommonType.Name
  absl::string_view go_type;  // for messages: "container.BindMountOp"
  // The wire fields in Go declaration order, then the promoted ones.
  absl::Span<const LocalField> fields;
};

const LocalType& GetLocalType(Local local);

// The index in GetLocalType(local).fields of the field named `name`, or -1.
int FindLocalField(Local local, absl::string_view name);

// The struct type behind kParams, kArgCmp and kRules (its element).
Local NestedLocal(Shape shape);

// "*check.Absolute", "int32", ... for error messages.
absl::string_view ShapeName(Shape shape);

// Makes `slot` hold a default op of `kind` and returns that op's object.
void* EmplaceOp(std::optional<Op>& slot, OpKind kind);
// The object of the op `op` holds.
const void* OpObject(const Op& op);

}  // namespace kekkai::gob::internal

#endif  // KEKKAI_COMMON_GOB_SCHEMA_H_
