// The decoder: Go's encoding/gob Decoder (decoder.go, decode.go) for one
// initParams value, as a reflection-free port of SPEC §6-§8.
//
// Shape of the code, mirroring Go's:
//   - One buffer (buf_) holds the current message. It is refilled only in
//     ReadTypeSequence(), and only when empty: Go's encoder writes the
//     definition of an op type in the middle of the Ops slice, flushes, and
//     continues the value in the next message, so messages cannot be decoded
//     one at a time.
//   - Before a struct value is decoded, its wire type is "compiled" against
//     the local type (Compile): wire fields are matched to local fields by
//     name, matched ones are checked for compatibility (signedness, GobEncoder
//     vs not, slice element types...) and unmatched ones must have fully
//     defined types, so they can be skipped. Go does the same in compileDec,
//     so the same streams fail, and before any of the value is consumed.
//   - Values of known fields go straight into the C++ structs; unknown fields
//     are parsed by their wire type and dropped (Skip).
//
// Every count read from the stream is checked against the bytes left and
// the Limits before it drives a loop or an allocation, and every nesting
// level counts against Limits::max_depth, so hostile input costs at most
// time linear in its size (times the depth) and memory proportional to it.
#include <errno.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/optimization.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "common/gob/gob.h"
#include "common/gob/schema.h"
#include "common/gob/wire.h"
#include "common/ops.h"
#include "common/status.h"

namespace kekkai::gob {
namespace internal {
namespace {

// How much of a hostile name or path an error message quotes.
constexpr size_t kQuoteLimit = 64;

std::string Quote(absl::string_view bytes) {
  if (bytes.size() > kQuoteLimit) {
    return absl::StrCat("\"", absl::CHexEscape(bytes.substr(0, kQuoteLimit)),
                        "\"... (", bytes.size(), " bytes)");
  }
  return absl::StrCat("\"", absl::CHexEscape(bytes), "\"");
}

// The compiled plan for decoding one wire struct type into one local type:
// one instruction per wire field.
struct Engine;
struct Instr {
  int local_field = -1;  // index into the local type's fields; -1: skip
  // kParams and kArgCmp: the nested struct's engine; kRules: its element's.
  const Engine* nested = nullptr;
};
struct Engine {
  const WireType* wire = nullptr;
  std::vector<Instr> instrs;
  size_t matched = 0;
};

// One step of the path to the value being decoded, for error messages.
struct Seg {
  enum Kind : uint8_t { kField, kIndex, kInterface, kDefinition };
  Kind kind;
  absl::string_view name;  // kField, kInterface
  uint64_t index;          // kIndex, kDefinition (the type id)
};

class Decoder {
 public:
  Decoder(absl::string_view stream, const Limits& limits)
      : in_(stream), limits_(limits) {
    path_.reserve(16);
    types_.reserve(32);
    engines_.reserve(32);
  }

  absl::StatusOr<InitParams> DecodeInitParams();

 private:
  // Pushes a path step (one nesting level) for the scope's lifetime.
  class Nest {
   public:
    Nest(Decoder* decoder, Seg seg) : decoder_(decoder) {
      decoder_->path_.push_back(seg);
    }
    ~Nest() { decoder_->path_.pop_back(); }
    Nest(const Nest&) = delete;
    Nest& operator=(const Nest&) = delete;

   private:
    Decoder* decoder_;
  };
  static Seg Field(absl::string_view name) { return {Seg::kField, name, 0}; }
  static Seg Index(uint64_t index) { return {Seg::kIndex, {}, index}; }
  absl::Status CheckDepth() {
    if (path_.size() > static_cast<size_t>(limits_.max_depth)) {
      return Invalid(absl::StrFormat("values nested more than %d deep",
                                     limits_.max_depth));
    }
    return absl::OkStatus();
  }

  // ---- errors ---------------------------------------------------------------
  std::string RenderPath() const;
  absl::Status Fail(absl::StatusCode code, absl::string_view message) const;
  absl::Status Corrupt(absl::string_view message) const {
    return Fail(absl::StatusCode::kDataLoss, message);
  }
  absl::Status Invalid(absl::string_view message) const {
    return Fail(absl::StatusCode::kInvalidArgument, message);
  }

  // ---- the current message --------------------------------------------------
  size_t BufLeft() const { return buf_.size() - off_; }
  bool BufEmpty() const { return off_ >= buf_.size(); }
  // Bytes not yet consumed: the rest of this message and of the stream.
  size_t StreamLeft() const { return BufLeft() + (in_.size() - pos_); }
  // The fast path (one-byte values, most of a stream) is inline.
  absl::StatusOr<uint64_t> ReadUint() {
    tok_ = buf_at_ + off_;
    if (ABSL_PREDICT_TRUE(off_ < buf_.size())) {
      const auto first = static_cast<uint8_t>(buf_[off_]);
      if (first < 0x80) {
        ++off_;
        return first;
      }
    }
    return ReadLongUint();
  }
  absl::StatusOr<uint64_t> ReadLongUint();
  absl::StatusOr<int64_t> ReadInt() {
    KEKKAI_ASSIGN_OR_RETURN(const uint64_t u, ReadUint());
    return UnZigZag(u);
  }
  absl::StatusOr<int32_t> ReadInt32(absl::string_view what);
  // A length-prefixed byte string (string, []byte, GobEncoder payload,
  // interface name), which must lie within the current message.
  absl::StatusOr<absl::string_view> ReadBytes(absl::string_view what,
                                              size_t max);
  // A slice, array or map count: at most `max`, and at most the bytes left
  // in the stream (every element takes at least one byte; elements may
  // continue in later messages when they hold interfaces).
  absl::StatusOr<uint64_t> ReadCount(absl::string_view what, size_t max);
  // ReadCount for a slice that is decoded (not skipped): its elements also
  // count against Limits::max_total_elements.
  absl::StatusOr<uint64_t> ReadDecodedCount(absl::string_view what, size_t max);
  absl::Status NeedElement(uint64_t index, uint64_t count) const;

  // Go's decodeStruct/ignoreStruct loop: calls fn(field number) for each
  // field present, until the 00 terminator or the end of the message.
  template <typename Fn>
  absl::Status ForEachField(size_t num_fields, Fn&& fn);

  // ---- framing --------------------------------------------------------------
  absl::Status RecvMessage(bool& end_of_stream);
  absl::StatusOr<int32_t> ReadTypeSequence(bool in_interface);
  absl::Status RecvType(int32_t id);
  absl::Status ParseWireType(WireType& type);
  absl::Status ParseCommonType(WireType& type);
  absl::Status ParseStructType(WireType& type);
  absl::Status ParseFieldType(WireField& field, uint64_t index);

  // ---- compiling ------------------------------------------------------------
  const WireType* UserType(int32_t id) const {
    if (id < kFirstUserId) return nullptr;  // skip the lookup
    auto it = types_.find(id);
    return it == types_.end() ? nullptr : it->second.get();
  }
  std::string DescribeId(int32_t id) const;
  absl::StatusOr<const Engine*> Compile(Local local, int32_t id);
  bool Compatible(Shape shape, int32_t id) const;
  bool StructCompatible(int32_t id) const;
  absl::Status CheckSkippable(int32_t id, int depth);

  // ---- values ---------------------------------------------------------------
  absl::Status DecodeStruct(const Engine& engine, Local local, void* object);
  absl::Status DecodeField(const LocalField& field, const Instr& instr,
                           void* member);
  absl::StatusOr<OptionalPath> DecodeAbsolute();
  absl::Status DecodeOp(std::optional<Op>& slot);
  absl::Status Skip(int32_t id);
  absl::Status SkipInterface();

  const absl::string_view in_;
  const Limits limits_;
  size_t pos_ = 0;  // next unread stream byte (the next message's count)

  absl::string_view buf_;  // the current message's payload
  size_t buf_at_ = 0;      // stream offset of buf_[0]
  size_t off_ = 0;         // read offset in buf_
  size_t tok_ = 0;         // stream offset of the token being read
  int messages_ = 0;       // messages received so far

  absl::flat_hash_map<int32_t, std::unique_ptr<WireType>> types_;
  absl::flat_hash_map<uint64_t, std::unique_ptr<Engine>> engines_;
  absl::flat_hash_set<int32_t> skippable_;  // ids whose types are complete
  size_t elements_ = 0;                     // elements of decoded slices so far
  size_t plan_fields_ = 0;                  // wire fields in the engines so far
  std::vector<Seg> path_;
};

// ---- errors -----------------------------------------------------------------

// A name from the stream as is when it is short and printable, else quoted.
std::string Name(absl::string_view name) {
  const bool plain = !name.empty() && name.size() <= kQuoteLimit &&
                     std::all_of(name.begin(), name.end(),
                                 [](char c) { return c > ' ' && c < 0x7f; });
  return plain ? std::string(name) : Quote(name);
}

std::string Decoder::RenderPath() const {
  std::string out;
  for (const Seg& seg : path_) {
    switch (seg.kind) {
      case Seg::kField:
        if (!out.empty() && out.back() != ' ') out += '.';
        out += Name(seg.name);
        break;
      case Seg::kIndex:
        absl::StrAppend(&out, "[", seg.index, "]");
        break;
      case Seg::kInterface:
        absl::StrAppend(&out, out.empty() ? "" : " ", "(", Name(seg.name), ")");
        break;
      case Seg::kDefinition:
        absl::StrAppend(&out, out.empty() ? "" : " ", "definition of type ",
                        seg.index);
        break;
    }
  }
  return out;
}

absl::Status Decoder::Fail(absl::StatusCode code,
                           absl::string_view message) const {
  const std::string where =
      messages_ > 0 ? absl::StrFormat("message %d at byte %d", messages_, tok_)
                    : absl::StrFormat("byte %d", tok_);
  const std::string path = RenderPath();
  return absl::Status(code, absl::StrCat("gob: ", where, ": ", path,
                                         path.empty() ? "" : ": ", message));
}

// ---- primitives -------------------------------------------------------------

absl::StatusOr<uint64_t> Decoder::ReadLongUint() {
  if (BufEmpty()) {
    return Corrupt("the message ends where an integer should follow");
  }
  const auto first = static_cast<uint8_t>(buf_[off_++]);
  if (first < 0x80) return first;
  // 0xff: one byte follows ... 0xf8: eight; anything longer is invalid.
  const size_t n = 256 - first;
  if (n > 8) {
    return Corrupt(absl::StrFormat(
        "encoded unsigned integer out of range (prefix 0x%02x)", first));
  }
  if (BufLeft() < n) {
    return Corrupt(absl::StrFormat(
        "integer needs %d bytes, %d remain in the message", n, BufLeft()));
  }
  uint64_t x = 0;
  for (size_t i = 0; i < n; ++i) {
    x = (x << 8) | static_cast<uint8_t>(buf_[off_ + i]);
  }
  off_ += n;
  return x;
}

absl::StatusOr<int32_t> Decoder::ReadInt32(absl::string_view what) {
  KEKKAI_ASSIGN_OR_RETURN(const int64_t v, ReadInt());
  if (v < std::numeric_limits<int32_t>::min() ||
      v > std::numeric_limits<int32_t>::max()) {
    return Corrupt(absl::StrFormat("value %d for %s out of range", v, what));
  }
  return static_cast<int32_t>(v);
}

absl::StatusOr<absl::string_view> Decoder::ReadBytes(absl::string_view what,
                                                     size_t max) {
  KEKKAI_ASSIGN_OR_RETURN(const uint64_t n, ReadUint());
  if (n > BufLeft()) {
    return Corrupt(
        absl::StrFormat("%s of %d bytes runs past the end of the "
                        "message (%d bytes remain)",
                        what, n, BufLeft()));
  }
  if (n > max) {
    return Invalid(absl::StrFormat("%s of %d bytes is over the limit of %d",
                                   what, n, max));
  }
  absl::string_view bytes = buf_.substr(off_, n);
  off_ += n;
  return bytes;
}

absl::StatusOr<uint64_t> Decoder::ReadCount(absl::string_view what,
                                            size_t max) {
  KEKKAI_ASSIGN_OR_RETURN(const uint64_t n, ReadUint());
  if (n > StreamLeft()) {
    return Corrupt(absl::StrFormat(
        "%s of %d elements is longer than the rest of the stream (%d bytes)",
        what, n, StreamLeft()));
  }
  if (n > max) {
    return Invalid(absl::StrFormat("%s of %d elements is over the limit of %d",
                                   what, n, max));
  }
  return n;
}

absl::StatusOr<uint64_t> Decoder::ReadDecodedCount(absl::string_view what,
                                                   size_t max) {
  KEKKAI_ASSIGN_OR_RETURN(const uint64_t n, ReadCount(what, max));
  if (n > limits_.max_total_elements - elements_) {
    return Invalid(absl::StrFormat(
        "%s of %d elements takes the stream past the limit of %d elements "
        "in all slices",
        what, n, limits_.max_total_elements));
  }
  elements_ += n;
  return n;
}

absl::Status Decoder::NeedElement(uint64_t index, uint64_t count) const {
  if (BufEmpty()) {
    return Corrupt(absl::StrFormat("the message ends before element %d of %d",
                                   index, count));
  }
  return absl::OkStatus();
}

template <typename Fn>
absl::Status Decoder::ForEachField(size_t num_fields, Fn&& fn) {
  // Go's loop: the struct ends at a 00 delta, or (leniently) when the
  // message does; a delta must not move past the last field.
  int64_t field = -1;
  while (!BufEmpty()) {
    KEKKAI_ASSIGN_OR_RETURN(const uint64_t delta, ReadUint());
    if (delta == 0) return absl::OkStatus();
    if (delta > num_fields ||
        field >= static_cast<int64_t>(num_fields - delta)) {
      return Corrupt(absl::StrFormat(
          "field numbers out of bounds: delta %d after field %d of a struct "
          "with %d fields",
          delta, field, num_fields));
    }
    field += static_cast<int64_t>(delta);
    KEKKAI_RETURN_IF_ERROR(fn(static_cast<size_t>(field)));
  }
  return absl::OkStatus();
}

// ---- framing ----------------------------------------------------------------

absl::Status Decoder::RecvMessage(bool& end_of_stream) {
  end_of_stream = pos_ >= in_.size();
  if (end_of_stream) return absl::OkStatus();
  const size_t start = pos_;
  const int index = messages_ + 1;
  tok_ = start;
  const auto first = static_cast<uint8_t>(in_[pos_]);
  uint64_t count = first;
  size_t width = 1;
  if (first >= 0x80) {
    const size_t n = 256 - first;
    if (n > 8) {
      return absl::DataLossError(absl::StrFormat(
          "gob: message %d at byte %d: encoded unsigned integer out of range "
          "(message length prefix 0x%02x)",
          index, start, first));
    }
    if (in_.size() - start - 1 < n) {
      return absl::DataLossError(absl::StrFormat(
          "gob: truncated stream: the length of message %d needs %d bytes, "
          "%d remain",
          index, n + 1, in_.size() - start));
    }
    count = 0;
    for (size_t i = 1; i <= n; ++i) {
      count = (count << 8) | static_cast<uint8_t>(in_[start + i]);
    }
    width += n;
  }
  const size_t body = start + width;
  if (count == 0) {
    return absl::DataLossError(absl::StrFormat(
        "gob: message %d at byte %d: empty message", index, start));
  }
  if (count > limits_.max_message_bytes || count >= kGoTooBig) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "gob: message %d at byte %d: message of %d bytes is over the limit "
        "of %d",
        index, start, count, limits_.max_message_bytes));
  }
  if (count > in_.size() - body) {
    return absl::DataLossError(absl::StrFormat(
        "gob: truncated stream: message %d needs %d bytes, %d remain", index,
        count, in_.size() - body));
  }
  if (body + count > limits_.max_stream_bytes) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "gob: message %d at byte %d: the value runs past %d bytes, the "
        "stream limit",
        index, start, limits_.max_stream_bytes));
  }
  buf_ = in_.substr(body, count);
  buf_at_ = body;
  off_ = 0;
  pos_ = body + count;
  messages_ = index;
  return absl::OkStatus();
}

// Go's decodeTypeSequence: definitions until a value's type id. At the top
// level every definition must fill its message; inside an interface value a
// definition may be followed by the rest of the value, preceded by a count
// that Go skips.
absl::StatusOr<int32_t> Decoder::ReadTypeSequence(bool in_interface) {
  for (;;) {
    if (BufEmpty()) {
      bool end_of_stream = false;
      KEKKAI_RETURN_IF_ERROR(RecvMessage(end_of_stream));
      if (end_of_stream) {
        if (messages_ == 0) {
          return absl::DataLossError("gob: empty stream: no value");
        }
        return absl::DataLossError(absl::StrFormat(
            "gob: truncated stream: the stream ends after message %d (byte "
            "%d) where %s",
            messages_, in_.size(),
            in_interface ? "an interface value's type should follow"
                         : "a value should follow"));
      }
    }
    KEKKAI_ASSIGN_OR_RETURN(const int64_t id, ReadInt());
    if (id >= 0) {
      if (id > std::numeric_limits<int32_t>::max()) {
        return Corrupt(absl::StrFormat("type id %d out of range", id));
      }
      return static_cast<int32_t>(id);
    }
    // -id defines type id (ids are int32 in Go).
    if (id < -static_cast<int64_t>(std::numeric_limits<int32_t>::max())) {
      return Corrupt(absl::StrFormat("definition of type id %d out of range",
                                     uint64_t{0} - static_cast<uint64_t>(id)));
    }
    const auto defined = static_cast<int32_t>(-id);
    KEKKAI_RETURN_IF_ERROR(RecvType(defined));
    if (!BufEmpty()) {
      if (!in_interface) {
        return Corrupt(absl::StrFormat(
            "extra data in buffer: %d bytes follow the definition of type %d",
            BufLeft(), defined));
      }
      KEKKAI_RETURN_IF_ERROR(ReadUint().status());
    }
  }
}

absl::Status Decoder::RecvType(int32_t id) {
  if (id < kFirstUserId) {
    return Corrupt(
        absl::StrFormat("duplicate type received: id %d is reserved (below %d)",
                        id, kFirstUserId));
  }
  if (types_.contains(id)) {
    return Corrupt(
        absl::StrFormat("duplicate type received: type %d defined twice", id));
  }
  if (types_.size() >= limits_.max_types) {
    return Invalid(
        absl::StrFormat("more than %d type definitions", limits_.max_types));
  }
  auto type = std::make_unique<WireType>();
  {
    Nest nest(this, {Seg::kDefinition, {}, static_cast<uint64_t>(id)});
    KEKKAI_RETURN_IF_ERROR(ParseWireType(*type));
  }
  types_.emplace(id, std::move(type));
  return absl::OkStatus();
}

// wireType {ArrayT, SliceT, StructT, MapT, GobEncoderT, BinaryMarshalerT,
// TextMarshalerT}, each a pointer to a struct; exactly one must be set
// (SPEC §8: Go would only fail later, when the type is used).
absl::Status Decoder::ParseWireType(WireType& type) {
  static constexpr absl::string_view kAlternatives[7] = {
      "ArrayT",      "SliceT",           "StructT",       "MapT",
      "GobEncoderT", "BinaryMarshalerT", "TextMarshalerT"};
  int alternatives = 0;
  KEKKAI_RETURN_IF_ERROR(ForEachField(7, [&](size_t alt) -> absl::Status {
    if (++alternatives > 1) {
      return Corrupt(
          "type definition sets more than one of wireType's "
          "alternatives");
    }
    Nest nest(this, Field(kAlternatives[alt]));
    switch (alt) {
      case 0:  // arrayType {CommonType; Elem typeId; Len int}
        type.kind = WireKind::kArray;
        return ForEachField(3, [&](size_t f) -> absl::Status {
          if (f == 0) return ParseCommonType(type);
          if (f == 1) {
            KEKKAI_ASSIGN_OR_RETURN(type.elem, ReadInt32("Elem"));
            return absl::OkStatus();
          }
          KEKKAI_ASSIGN_OR_RETURN(type.len, ReadInt());
          return absl::OkStatus();
        });
      case 1:  // sliceType {CommonType; Elem typeId}
        type.kind = WireKind::kSlice;
        return ForEachField(2, [&](size_t f) -> absl::Status {
          if (f == 0) return ParseCommonType(type);
          KEKKAI_ASSIGN_OR_RETURN(type.elem, ReadInt32("Elem"));
          return absl::OkStatus();
        });
      case 2:  // structType {CommonType; Field []*fieldType}
        type.kind = WireKind::kStruct;
        return ParseStructType(type);
      case 3:  // mapType {CommonType; Key typeId; Elem typeId}
        type.kind = WireKind::kMap;
        return ForEachField(3, [&](size_t f) -> absl::Status {
          if (f == 0) return ParseCommonType(type);
          if (f == 1) {
            KEKKAI_ASSIGN_OR_RETURN(type.key, ReadInt32("Key"));
            return absl::OkStatus();
          }
          KEKKAI_ASSIGN_OR_RETURN(type.elem, ReadInt32("Elem"));
          return absl::OkStatus();
        });
      default:  // gobEncoderType {CommonType}
        type.kind = alt == 4   ? WireKind::kGobEncoder
                    : alt == 5 ? WireKind::kBinaryMarshaler
                               : WireKind::kTextMarshaler;
        return ForEachField(
            1, [&](size_t) -> absl::Status { return ParseCommonType(type); });
    }
  }));
  if (alternatives == 0) {
    return Corrupt("type definition sets none of wireType's alternatives");
  }
  if (type.kind == WireKind::kArray && type.len < 0) {
    return Corrupt(absl::StrFormat("negative array length %d", type.len));
  }
  return absl::OkStatus();
}

// CommonType {Name string; Id typeId}: informational only (Go never reads
// them back, and sends an empty name and a wrong id for check.Absolute).
absl::Status Decoder::ParseCommonType(WireType& type) {
  Nest nest(this, Field("CommonType"));
  return ForEachField(2, [&](size_t f) -> absl::Status {
    if (f == 0) {
      KEKKAI_ASSIGN_OR_RETURN(
          const absl::string_view name,
          ReadBytes("type name", limits_.max_message_bytes));
      type.name = name;
      return absl::OkStatus();
    }
    return ReadInt32("Id").status();
  });
}

absl::Status Decoder::ParseStructType(WireType& type) {
  return ForEachField(2, [&](size_t f) -> absl::Status {
    if (f == 0) return ParseCommonType(type);
    Nest nest(this, Field("Field"));
    KEKKAI_ASSIGN_OR_RETURN(const uint64_t count,
                            ReadCount("field list", limits_.max_fields));
    type.fields.clear();
    type.fields.reserve(count);
    for (uint64_t i = 0; i < count; ++i) {
      KEKKAI_RETURN_IF_ERROR(NeedElement(i, count));
      KEKKAI_RETURN_IF_ERROR(ParseFieldType(type.fields.emplace_back(), i));
    }
    return absl::OkStatus();
  });
}

// fieldType {Name string; Id typeId}. Go refuses an empty name when it
// compiles a decoder for the struct; refusing it here is the same for every
// struct that is used.
absl::Status Decoder::ParseFieldType(WireField& field, uint64_t index) {
  Nest nest(this, Index(index));
  KEKKAI_RETURN_IF_ERROR(ForEachField(2, [&](size_t f) -> absl::Status {
    if (f == 0) {
      KEKKAI_ASSIGN_OR_RETURN(
          const absl::string_view name,
          ReadBytes("field name", limits_.max_message_bytes));
      field.name = name;
      return absl::OkStatus();
    }
    KEKKAI_ASSIGN_OR_RETURN(field.id, ReadInt32("Id"));
    return absl::OkStatus();
  }));
  if (field.name.empty()) return Corrupt("empty field name");
  return absl::OkStatus();
}

// ---- compiling --------------------------------------------------------------

std::string Decoder::DescribeId(int32_t id) const {
  switch (id) {
    case kIdBool:
      return "bool";
    case kIdInt:
      return "int";
    case kIdUint:
      return "uint";
    case kIdFloat:
      return "float";
    case kIdBytes:
      return "[]byte";
    case kIdString:
      return "string";
    case kIdComplex:
      return "complex";
    case kIdInterface:
      return "interface";
    default:
      break;
  }
  const WireType* type = UserType(id);
  if (type == nullptr) type = BuiltinType(id);
  if (type == nullptr) return absl::StrFormat("undefined type %d", id);
  return absl::StrFormat("%s %s (type %d)", WireKindName(type->kind),
                         Quote(type->name), id);
}

// Go's compatibleType for a local struct: anything but an encoder type
// (a GobEncoder/BinaryMarshaler/TextMarshaler wire type needs a local type
// with the matching decoder method).
bool Decoder::StructCompatible(int32_t id) const {
  const WireType* user = UserType(id);
  return user == nullptr || (user->kind != WireKind::kGobEncoder &&
                             user->kind != WireKind::kBinaryMarshaler &&
                             user->kind != WireKind::kTextMarshaler);
}

// Go's compatibleType for a wire field whose name matches a local field.
// Struct shapes only check that the wire type is not an encoder type here;
// Compile() then requires a struct.
bool Decoder::Compatible(Shape shape, int32_t id) const {
  const WireType* user = UserType(id);
  const bool is_gob_encoder =
      user != nullptr && user->kind == WireKind::kGobEncoder;
  // A slice type: one sent in the stream, or Go's own []*fieldType.
  const WireType* slice = user != nullptr ? user : BuiltinType(id);
  if (slice != nullptr && slice->kind != WireKind::kSlice) slice = nullptr;
  switch (shape) {
    case Shape::kBool:
      return id == kIdBool;
    case Shape::kInt:
    case Shape::kInt32:
      return id == kIdInt;
    case Shape::kUint:
    case Shape::kUint32:
      return id == kIdUint;
    case Shape::kString:
      return id == kIdString;
    case Shape::kBytes:
      return id == kIdBytes;
    case Shape::kAbs:
      return is_gob_encoder;
    case Shape::kStrings:
      return slice != nullptr && slice->elem == kIdString;
    case Shape::kAbsList:
      return slice != nullptr && Compatible(Shape::kAbs, slice->elem);
    case Shape::kOps:
      return slice != nullptr && slice->elem == kIdInterface;
    case Shape::kRules:
      return slice != nullptr && StructCompatible(slice->elem);
    case Shape::kParams:
    case Shape::kArgCmp:
      return StructCompatible(id);
  }
  return false;
}

// Go's decIgnoreOpFor, at compile time: every type a skipped field can hold
// must be defined now (only definitions sent by this stream count).
absl::Status Decoder::CheckSkippable(int32_t id, int depth) {
  if (IsBasicId(id) || skippable_.contains(id)) return absl::OkStatus();
  if (depth > limits_.max_depth) {
    return Invalid(absl::StrFormat("type references nested more than %d deep",
                                   limits_.max_depth));
  }
  const WireType* type = UserType(id);
  if (type == nullptr) {
    return Corrupt(absl::StrFormat("undefined type id %d", id));
  }
  // Mark first: recursive types are legal, and a failure fails the stream.
  skippable_.insert(id);
  switch (type->kind) {
    case WireKind::kStruct:
      for (const WireField& field : type->fields) {
        KEKKAI_RETURN_IF_ERROR(CheckSkippable(field.id, depth + 1));
      }
      break;
    case WireKind::kMap:
      KEKKAI_RETURN_IF_ERROR(CheckSkippable(type->key, depth + 1));
      KEKKAI_RETURN_IF_ERROR(CheckSkippable(type->elem, depth + 1));
      break;
    case WireKind::kSlice:
    case WireKind::kArray:
      KEKKAI_RETURN_IF_ERROR(CheckSkippable(type->elem, depth + 1));
      break;
    case WireKind::kGobEncoder:
    case WireKind::kBinaryMarshaler:
    case WireKind::kTextMarshaler:
      break;
  }
  return absl::OkStatus();
}

// Go's compileDec for a local struct type and a wire type id.
absl::StatusOr<const Engine*> Decoder::Compile(Local local, int32_t id) {
  const uint64_t key =
      (static_cast<uint64_t>(local) << 32) | static_cast<uint32_t>(id);
  if (auto it = engines_.find(key); it != engines_.end()) {
    return it->second.get();
  }
  const LocalType& local_type = GetLocalType(local);
  const WireType* wire = UserType(id);
  if (wire == nullptr) wire = BuiltinType(id);
  if (wire == nullptr && !IsBasicId(id)) {
    return Corrupt(absl::StrFormat("unknown type id %d (want struct type %s)",
                                   id, local_type.go_type));
  }
  if (wire == nullptr || wire->kind != WireKind::kStruct) {
    return Invalid(absl::StrFormat("type mismatch: want struct type %s, got %s",
                                   local_type.go_type, DescribeId(id)));
  }
  KEKKAI_RETURN_IF_ERROR(CheckDepth());
  if (wire->fields.size() > limits_.max_plan_fields - plan_fields_) {
    return Invalid(
        absl::StrFormat("decoding plans for more than %d fields in one stream",
                        limits_.max_plan_fields));
  }
  plan_fields_ += wire->fields.size();
  auto engine = std::make_unique<Engine>();
  engine->wire = wire;
  engine->instrs.resize(wire->fields.size());
  for (size_t i = 0; i < wire->fields.size(); ++i) {
    const WireField& wire_field = wire->fields[i];
    Nest nest(this, Field(wire_field.name));
    const int index = FindLocalField(local, wire_field.name);
    if (index < 0) {
      KEKKAI_RETURN_IF_ERROR(
          CheckSkippable(wire_field.id, static_cast<int>(path_.size())));
      continue;
    }
    const LocalField& field = local_type.fields[static_cast<size_t>(index)];
    if (!Compatible(field.shape, wire_field.id)) {
      return Invalid(absl::StrFormat(
          "wrong type for received field: the sender's is %s, ours is %s",
          DescribeId(wire_field.id), ShapeName(field.shape)));
    }
    Instr& instr = engine->instrs[i];
    instr.local_field = index;
    if (field.shape == Shape::kParams || field.shape == Shape::kArgCmp) {
      KEKKAI_ASSIGN_OR_RETURN(instr.nested,
                              Compile(NestedLocal(field.shape), wire_field.id));
    } else if (field.shape == Shape::kRules) {
      const WireType* slice = UserType(wire_field.id);
      if (slice == nullptr) slice = BuiltinType(wire_field.id);
      KEKKAI_ASSIGN_OR_RETURN(instr.nested,
                              Compile(Local::kNativeRule, slice->elem));
    }
    ++engine->matched;
  }
  const Engine* result = engine.get();
  engines_.emplace(key, std::move(engine));
  return result;
}

// ---- values -----------------------------------------------------------------

absl::Status Decoder::DecodeStruct(const Engine& engine, Local local,
                                   void* object) {
  const LocalType& local_type = GetLocalType(local);
  return ForEachField(engine.instrs.size(), [&](size_t index) -> absl::Status {
    const WireField& wire_field = engine.wire->fields[index];
    const Instr& instr = engine.instrs[index];
    Nest nest(this, Field(wire_field.name));
    KEKKAI_RETURN_IF_ERROR(CheckDepth());
    if (instr.local_field < 0) return Skip(wire_field.id);
    const LocalField& field =
        local_type.fields[static_cast<size_t>(instr.local_field)];
    return DecodeField(field, instr, field.member(object));
  });
}

absl::StatusOr<OptionalPath> Decoder::DecodeAbsolute() {
  KEKKAI_ASSIGN_OR_RETURN(const absl::string_view bytes,
                          ReadBytes("path", limits_.max_string_bytes));
  // hakurei's check.Absolute GobDecode: the payload must start with '/'.
  if (bytes.empty() || bytes.front() != '/') {
    return Invalid(absl::StrCat("path ", Quote(bytes), " is not absolute"));
  }
  KEKKAI_ASSIGN_OR_RETURN(AbsolutePath path, AbsolutePath::Parse(bytes));
  return OptionalPath(std::move(path));
}

absl::Status Decoder::DecodeField(const LocalField& field, const Instr& instr,
                                  void* member) {
  switch (field.shape) {
    case Shape::kBool: {
      KEKKAI_ASSIGN_OR_RETURN(const uint64_t v, ReadUint());
      *static_cast<bool*>(member) = v != 0;
      return absl::OkStatus();
    }
    case Shape::kInt: {
      KEKKAI_ASSIGN_OR_RETURN(*static_cast<int64_t*>(member), ReadInt());
      return absl::OkStatus();
    }
    case Shape::kInt32: {
      KEKKAI_ASSIGN_OR_RETURN(const int64_t v, ReadInt());
      if (v < std::numeric_limits<int32_t>::min() ||
          v > std::numeric_limits<int32_t>::max()) {
        return Invalid(absl::StrFormat("value %d out of range for int32", v));
      }
      *static_cast<int32_t*>(member) = static_cast<int32_t>(v);
      return absl::OkStatus();
    }
    case Shape::kUint: {
      KEKKAI_ASSIGN_OR_RETURN(*static_cast<uint64_t*>(member), ReadUint());
      return absl::OkStatus();
    }
    case Shape::kUint32: {
      KEKKAI_ASSIGN_OR_RETURN(const uint64_t v, ReadUint());
      if (v > std::numeric_limits<uint32_t>::max()) {
        return Invalid(absl::StrFormat("value %d out of range for uint32", v));
      }
      *static_cast<uint32_t*>(member) = static_cast<uint32_t>(v);
      return absl::OkStatus();
    }
    case Shape::kString:
    case Shape::kBytes: {
      KEKKAI_ASSIGN_OR_RETURN(
          const absl::string_view bytes,
          ReadBytes(field.shape == Shape::kString ? "string" : "[]byte",
                    limits_.max_string_bytes));
      static_cast<std::string*>(member)->assign(bytes.data(), bytes.size());
      return absl::OkStatus();
    }
    case Shape::kAbs: {
      KEKKAI_ASSIGN_OR_RETURN(*static_cast<OptionalPath*>(member),
                              DecodeAbsolute());
      return absl::OkStatus();
    }
    case Shape::kStrings: {
      auto& out = *static_cast<std::vector<std::string>*>(member);
      KEKKAI_ASSIGN_OR_RETURN(
          const uint64_t count,
          ReadDecodedCount("[]string", limits_.max_slice_elements));
      out.clear();
      out.reserve(std::min<uint64_t>(count, 1024));
      for (uint64_t i = 0; i < count; ++i) {
        Nest nest(this, Index(i));
        KEKKAI_RETURN_IF_ERROR(NeedElement(i, count));
        KEKKAI_ASSIGN_OR_RETURN(const absl::string_view bytes,
                                ReadBytes("string", limits_.max_string_bytes));
        out.emplace_back(bytes.data(), bytes.size());
      }
      return absl::OkStatus();
    }
    case Shape::kAbsList: {
      auto& out = *static_cast<std::vector<AbsolutePath>*>(member);
      KEKKAI_ASSIGN_OR_RETURN(
          const uint64_t count,
          ReadDecodedCount("[]*check.Absolute", limits_.max_slice_elements));
      out.clear();
      out.reserve(std::min<uint64_t>(count, 1024));
      for (uint64_t i = 0; i < count; ++i) {
        Nest nest(this, Index(i));
        KEKKAI_RETURN_IF_ERROR(NeedElement(i, count));
        KEKKAI_ASSIGN_OR_RETURN(OptionalPath path, DecodeAbsolute());
        out.push_back(*std::move(path));
      }
      return absl::OkStatus();
    }
    case Shape::kOps: {
      KEKKAI_ASSIGN_OR_RETURN(const uint64_t count,
                              ReadDecodedCount("Ops", limits_.max_ops));
      // A present field allocates the *Ops, even for a (crafted) count 0.
      OpList& ops = static_cast<std::optional<OpList>*>(member)->emplace();
      ops.reserve(std::min<uint64_t>(count, 1024));
      for (uint64_t i = 0; i < count; ++i) {
        Nest nest(this, Index(i));
        KEKKAI_RETURN_IF_ERROR(CheckDepth());
        KEKKAI_RETURN_IF_ERROR(NeedElement(i, count));
        KEKKAI_RETURN_IF_ERROR(DecodeOp(ops.emplace_back()));
      }
      return absl::OkStatus();
    }
    case Shape::kRules: {
      auto& out = *static_cast<std::vector<NativeRule>*>(member);
      KEKKAI_ASSIGN_OR_RETURN(
          const uint64_t count,
          ReadDecodedCount("[]std.NativeRule", limits_.max_slice_elements));
      out.clear();
      out.reserve(std::min<uint64_t>(count, 1024));
      for (uint64_t i = 0; i < count; ++i) {
        Nest nest(this, Index(i));
        KEKKAI_RETURN_IF_ERROR(CheckDepth());
        KEKKAI_RETURN_IF_ERROR(NeedElement(i, count));
        KEKKAI_RETURN_IF_ERROR(DecodeStruct(*instr.nested, Local::kNativeRule,
                                            &out.emplace_back()));
      }
      return absl::OkStatus();
    }
    case Shape::kParams:
      return DecodeStruct(*instr.nested, Local::kParams, member);
    case Shape::kArgCmp: {
      // A present pointer field is allocated, so a zero ScmpArgCmp (sent as
      // an empty struct) stays distinct from a nil Arg.
      ScmpArgCmp& arg =
          static_cast<std::optional<ScmpArgCmp>*>(member)->emplace();
      return DecodeStruct(*instr.nested, Local::kScmpArgCmp, &arg);
    }
  }
  return Invalid("unhandled field shape");
}

// An element of Ops: Go's decodeInterface.
absl::Status Decoder::DecodeOp(std::optional<Op>& slot) {
  KEKKAI_ASSIGN_OR_RETURN(
      const absl::string_view name,
      ReadBytes("interface type name", limits_.max_name_bytes));
  if (name.empty()) {  // a nil Op: init refuses it, Go's decoder does not
    slot.reset();
    return absl::OkStatus();
  }
  const OpInfo* info = FindOpByWireName(name);
  if (info == nullptr) {
    return Invalid(
        absl::StrCat("name not registered for interface: ", Quote(name)));
  }
  Nest nest(this, {Seg::kInterface, name, 0});
  KEKKAI_ASSIGN_OR_RETURN(const int32_t id, ReadTypeSequence(true));
  // The concrete value's byte count: Go reads and ignores it.
  KEKKAI_RETURN_IF_ERROR(ReadUint().status());
  const Local local = LocalOfOp(info->kind);
  KEKKAI_ASSIGN_OR_RETURN(const Engine* engine, Compile(local, id));
  if (!engine->wire->builtin && !engine->wire->fields.empty() &&
      engine->matched == 0) {
    return Invalid(absl::StrFormat(
        "type mismatch: no fields matched compiling decoder for %s",
        GetLocalType(local).go_type));
  }
  return DecodeStruct(*engine, local, EmplaceOp(slot, info->kind));
}

// Parses and drops a value of wire type `id` (Go's ignore ops).
absl::Status Decoder::Skip(int32_t id) {
  switch (id) {
    case kIdBool:
    case kIdInt:
    case kIdUint:
    case kIdFloat:
      return ReadUint().status();
    case kIdComplex:
      KEKKAI_RETURN_IF_ERROR(ReadUint().status());
      return ReadUint().status();
    case kIdBytes:
    case kIdString:
      return ReadBytes(id == kIdBytes ? "[]byte" : "string",
                       limits_.max_string_bytes)
          .status();
    case kIdInterface:
      return SkipInterface();
    default:
      break;
  }
  const WireType* type = UserType(id);
  if (type == nullptr) {
    return Corrupt(absl::StrFormat("undefined type id %d", id));
  }
  switch (type->kind) {
    case WireKind::kStruct:
      return ForEachField(type->fields.size(),
                          [&](size_t index) -> absl::Status {
                            Nest nest(this, Field(type->fields[index].name));
                            KEKKAI_RETURN_IF_ERROR(CheckDepth());
                            return Skip(type->fields[index].id);
                          });
    case WireKind::kSlice:
    case WireKind::kArray:
    case WireKind::kMap: {
      KEKKAI_ASSIGN_OR_RETURN(
          const uint64_t count,
          ReadCount(WireKindName(type->kind), limits_.max_slice_elements));
      if (type->kind == WireKind::kArray &&
          count != static_cast<uint64_t>(type->len)) {
        return Corrupt(absl::StrFormat(
            "length mismatch in array: %d elements, its type says %d", count,
            type->len));
      }
      for (uint64_t i = 0; i < count; ++i) {
        Nest nest(this, Index(i));
        KEKKAI_RETURN_IF_ERROR(CheckDepth());
        KEKKAI_RETURN_IF_ERROR(NeedElement(i, count));
        if (type->kind == WireKind::kMap) {
          KEKKAI_RETURN_IF_ERROR(Skip(type->key));
        }
        KEKKAI_RETURN_IF_ERROR(Skip(type->elem));
      }
      return absl::OkStatus();
    }
    case WireKind::kGobEncoder:
    case WireKind::kBinaryMarshaler:
    case WireKind::kTextMarshaler:
      // Opaque bytes; not validated, since no field of ours receives them.
      return ReadBytes("encoded payload", limits_.max_string_bytes).status();
  }
  return Corrupt("unhandled wire kind");
}

// Go's ignoreInterface: the name need not be registered; definitions that
// come with the value are recorded; the value is dropped by its byte count.
// Unlike Go 1.19 (which then misreads the stream), an empty name is a nil
// interface, as SPEC §7 says and as every encoder writes it.
absl::Status Decoder::SkipInterface() {
  KEKKAI_ASSIGN_OR_RETURN(
      const absl::string_view name,
      ReadBytes("interface type name", limits_.max_name_bytes));
  if (name.empty()) return absl::OkStatus();
  Nest nest(this, {Seg::kInterface, name, 0});
  KEKKAI_RETURN_IF_ERROR(ReadTypeSequence(true).status());
  return ReadBytes("interface value", limits_.max_message_bytes).status();
}

absl::StatusOr<InitParams> Decoder::DecodeInitParams() {
  KEKKAI_ASSIGN_OR_RETURN(const int32_t id, ReadTypeSequence(false));
  KEKKAI_ASSIGN_OR_RETURN(const Engine* engine,
                          Compile(Local::kInitParams, id));
  if (!engine->wire->builtin && !engine->wire->fields.empty() &&
      engine->matched == 0) {
    return Invalid(
        "type mismatch: no fields matched compiling decoder for "
        "container.initParams");
  }
  InitParams params;
  KEKKAI_RETURN_IF_ERROR(DecodeStruct(*engine, Local::kInitParams, &params));
  return params;
}

}  // namespace
}  // namespace internal

absl::StatusOr<InitParams> Decode(absl::string_view stream,
                                  const Limits& limits) {
  internal::Decoder decoder(stream, limits);
  return decoder.DecodeInitParams();
}

absl::StatusOr<InitParams> ReadFrom(int fd, const Limits& limits) {
  std::string stream;
  char chunk[64 * 1024];
  for (;;) {
    const ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, absl::StrFormat("read(fd %d)", fd));
    }
    if (n == 0) break;
    if (stream.size() + static_cast<size_t>(n) > limits.max_stream_bytes) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "gob: the stream on fd %d is longer than the limit of %d bytes", fd,
          limits.max_stream_bytes));
    }
    stream.append(chunk, static_cast<size_t>(n));
  }
  return Decode(stream, limits);
}

}  // namespace kekkai::gob
