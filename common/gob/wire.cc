#include "common/gob/wire.h"

#include <utility>
#include <vector>

namespace kekkai::gob::internal {
namespace {

WireType BuiltinStruct(const char* name, std::vector<WireField> fields) {
  WireType type;
  type.kind = WireKind::kStruct;
  type.name = name;
  type.fields = std::move(fields);
  type.builtin = true;
  return type;
}

// Go's bootstrap types (encoding/gob type.go), in id order 16..24.
const std::vector<WireType>& Builtins() {
  static const auto* const kBuiltins = [] {
    auto* types = new std::vector<WireType>;
    types->push_back(
        BuiltinStruct("wireType", {{"ArrayT", kIdArrayType},
                                   {"SliceT", kIdSliceType},
                                   {"StructT", kIdStructType},
                                   {"MapT", kIdMapType},
                                   {"GobEncoderT", kIdGobEncoderType},
                                   {"BinaryMarshalerT", kIdGobEncoderType},
                                   {"TextMarshalerT", kIdGobEncoderType}}));
    types->push_back(BuiltinStruct(
        "arrayType",
        {{"CommonType", kIdCommonType}, {"Elem", kIdInt}, {"Len", kIdInt}}));
    types->push_back(
        BuiltinStruct("CommonType", {{"Name", kIdString}, {"Id", kIdInt}}));
    types->push_back(BuiltinStruct(
        "sliceType", {{"CommonType", kIdCommonType}, {"Elem", kIdInt}}));
    types->push_back(BuiltinStruct(
        "structType",
        {{"CommonType", kIdCommonType}, {"Field", kIdFieldTypeSlice}}));
    types->push_back(
        BuiltinStruct("fieldType", {{"Name", kIdString}, {"Id", kIdInt}}));
    WireType field_slice;
    field_slice.kind = WireKind::kSlice;
    field_slice.name = "[]*gob.fieldType";
    field_slice.elem = kIdFieldType;
    field_slice.builtin = true;
    types->push_back(std::move(field_slice));
    types->push_back(BuiltinStruct(
        "mapType",
        {{"CommonType", kIdCommonType}, {"Key", kIdInt}, {"Elem", kIdInt}}));
    types->push_back(
        BuiltinStruct("gobEncoderType", {{"CommonType", kIdCommonType}}));
    return types;
  }();
  return *kBuiltins;
}

}  // namespace

const WireType* BuiltinType(int32_t id) {
  if (id < kIdWireType || id > kIdGobEncoderType) return nullptr;
  return &Builtins()[static_cast<size_t>(id - kIdWireType)];
}

absl::string_view WireKindName(WireKind kind) {
  switch (kind) {
    case WireKind::kStruct:
      return "struct";
    case WireKind::kSlice:
      return "slice";
    case WireKind::kArray:
      return "array";
    case WireKind::kMap:
      return "map";
    case WireKind::kGobEncoder:
      return "GobEncoder";
    case WireKind::kBinaryMarshaler:
      return "BinaryMarshaler";
    case WireKind::kTextMarshaler:
      return "TextMarshaler";
  }
  return "?";
}

int UintSize(uint64_t x) {
  if (x < 0x80) return 1;
  int n = 0;
  while (x != 0) {
    ++n;
    x >>= 8;
  }
  return n + 1;
}

void AppendUint(std::string& out, uint64_t x) {
  if (x < 0x80) {
    out.push_back(static_cast<char>(x));
    return;
  }
  const int n = UintSize(x) - 1;  // 1..8 value bytes
  out.push_back(static_cast<char>(static_cast<uint8_t>(-n)));  // 0xff..0xf8
  for (int i = n - 1; i >= 0; --i) {
    out.push_back(static_cast<char>(static_cast<uint8_t>(x >> (8 * i))));
  }
}

}  // namespace kekkai::gob::internal
