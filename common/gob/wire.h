// Internal to the gob codec: the wire format's primitives (SPEC §1), the
// predefined type ids (§3) and the decoded form of a type definition (§4).
// Shared by decoder.cc and encoder.cc; not a public header.
#ifndef KEKKAI_COMMON_GOB_WIRE_H_
#define KEKKAI_COMMON_GOB_WIRE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace kekkai::gob::internal {

// Predefined type ids. Ids 9-15 and 25-63 are reserved and never valid.
inline constexpr int32_t kIdBool = 1;
inline constexpr int32_t kIdInt = 2;
inline constexpr int32_t kIdUint = 3;
inline constexpr int32_t kIdFloat = 4;
inline constexpr int32_t kIdBytes = 5;
inline constexpr int32_t kIdString = 6;
inline constexpr int32_t kIdComplex = 7;
inline constexpr int32_t kIdInterface = 8;
// The types that describe type definitions; never defined on the wire.
inline constexpr int32_t kIdWireType = 16;
inline constexpr int32_t kIdArrayType = 17;
inline constexpr int32_t kIdCommonType = 18;
inline constexpr int32_t kIdSliceType = 19;
inline constexpr int32_t kIdStructType = 20;
inline constexpr int32_t kIdFieldType = 21;
inline constexpr int32_t kIdFieldTypeSlice = 22;
inline constexpr int32_t kIdMapType = 23;
inline constexpr int32_t kIdGobEncoderType = 24;
// Go's decoder refuses definitions below this id.
inline constexpr int32_t kFirstUserId = 64;
// Go's encoder in a fresh process (before Go 1.21) starts here; so do we.
inline constexpr int32_t kFirstEncoderId = 65;

// Go's tooBig (1 << 33 on 64-bit): the bound on message counts, lengths and
// slice allocations in encoding/gob.
inline constexpr uint64_t kGoTooBig = uint64_t{1} << 33;

inline bool IsBasicId(int64_t id) {
  return id >= kIdBool && id <= kIdInterface;
}

enum class WireKind : uint8_t {
  kStruct,
  kSlice,
  kArray,
  kMap,
  kGobEncoder,
  kBinaryMarshaler,
  kTextMarshaler,
};

// Names point into the stream being decoded (or into static storage for the
// builtin types), so a WireType lives no longer than its stream.
struct WireField {
  absl::string_view name;
  int32_t id = 0;
};

// One type definition, keyed by the outer id it was sent under. Name and the
// inner CommonType.Id are informational only (Go never reads them back).
struct WireType {
  WireKind kind = WireKind::kStruct;
  absl::string_view name;
  std::vector<WireField> fields;  // kStruct
  int32_t elem = 0;               // kSlice, kArray, kMap
  int32_t key = 0;                // kMap
  int64_t len = 0;                // kArray
  bool builtin = false;           // ids 16-24 (Go's own description types)
};

// The predefined description type with this id (16-24), else nullptr. Go
// lets a known struct or slice field refer to them (never an ignored one).
const WireType* BuiltinType(int32_t id);

// "struct", "slice", ... for error messages.
absl::string_view WireKindName(WireKind kind);

// Primitives (SPEC §1). The encoder always writes the shortest form.
inline uint64_t ZigZag(int64_t i) {
  return i < 0 ? (~static_cast<uint64_t>(i) << 1) | 1
               : static_cast<uint64_t>(i) << 1;
}
inline int64_t UnZigZag(uint64_t u) {
  return (u & 1) != 0 ? static_cast<int64_t>(~(u >> 1))
                      : static_cast<int64_t>(u >> 1);
}
void AppendUint(std::string& out, uint64_t x);
inline void AppendInt(std::string& out, int64_t i) {
  AppendUint(out, ZigZag(i));
}
// The number of bytes AppendUint writes for x.
int UintSize(uint64_t x);

}  // namespace kekkai::gob::internal

#endif  // KEKKAI_COMMON_GOB_WIRE_H_
