// The encoder: the "simple framing" of SPEC §6. Every type definition is its
// own message, written before the value; then one message holds the whole
// value, so interface values carry no definitions. Go's decoder reads this
// (it accepts definitions ahead of a value), and so does ours.
//
// Type ids are assigned from 65 in post-order: a type's dependencies first,
// struct fields in declaration order, starting from initParams; then the op
// types in the order they first occur in Ops (with []*check.Absolute just
// before the first MountOverlayOp). That is the order of the vectors'
// .simple.hex files, so for them our bytes are identical.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "common/gob/gob.h"
#include "common/gob/schema.h"
#include "common/gob/wire.h"
#include "common/ops.h"

namespace kekkai::gob {
namespace internal {
namespace {

// The non-basic types the encoder defines: the four non-struct ones, then
// one per local struct type.
// A node is an index into Encoder::ids_ (plain ints: struct nodes are a
// range, not enumerators).
using TypeNode = int;
constexpr TypeNode kNodeAbsolute = 0;  // *check.Absolute: GobEncoder
constexpr TypeNode kNodeStrings = 1;   // []string
constexpr TypeNode kNodeAbsList = 2;   // []*check.Absolute
constexpr TypeNode kNodeOps = 3;       // Ops: slice of interface
constexpr TypeNode kNodeRules = 4;     // []std.NativeRule
constexpr TypeNode kNodeFirstStruct = 5;
constexpr int kTypeNodeCount = kNodeFirstStruct + kLocalCount;

TypeNode StructNode(Local local) {
  return kNodeFirstStruct + static_cast<int>(local);
}
Local LocalOfNode(TypeNode node) {
  return static_cast<Local>(node - kNodeFirstStruct);
}

class Encoder {
 public:
  explicit Encoder(const InitParams& params) : params_(params) {}

  std::string Encode();

 private:
  // The type a field of `shape` is sent as: a basic id, or a node.
  static bool IsBasic(Shape shape, int32_t* id);
  static TypeNode NodeOf(Shape shape);
  // The fields a struct's definition lists: hakurei's, plus the kekkai-only
  // ones that are non-zero in this value (only initParams has one).
  size_t DefinedFields(Local local) const;

  int32_t Define(TypeNode node);
  int32_t IdOf(Shape shape) const;
  void AppendCommonType(std::string& out, absl::string_view name, int32_t id);
  std::string Definition(TypeNode node, int32_t id);

  static bool IsZero(const LocalField& field, const void* member);
  void AppendStruct(std::string& out, Local local, const void* object);
  void AppendField(std::string& out, Shape shape, const void* member);
  void AppendOp(std::string& out, const std::optional<Op>& op);

  const InitParams& params_;
  int32_t ids_[kTypeNodeCount] = {};
  int32_t next_id_ = kFirstEncoderId;
  std::string definitions_;  // whole messages, in id order
};

bool Encoder::IsBasic(Shape shape, int32_t* id) {
  switch (shape) {
    case Shape::kBool:
      *id = kIdBool;
      return true;
    case Shape::kInt:
    case Shape::kInt32:
      *id = kIdInt;
      return true;
    case Shape::kUint:
    case Shape::kUint32:
      *id = kIdUint;
      return true;
    case Shape::kString:
      *id = kIdString;
      return true;
    case Shape::kBytes:
      *id = kIdBytes;
      return true;
    case Shape::kAbs:
    case Shape::kStrings:
    case Shape::kAbsList:
    case Shape::kOps:
    case Shape::kRules:
    case Shape::kParams:
    case Shape::kArgCmp:
      break;
  }
  return false;
}

TypeNode Encoder::NodeOf(Shape shape) {
  switch (shape) {
    case Shape::kAbs:
      return kNodeAbsolute;
    case Shape::kStrings:
      return kNodeStrings;
    case Shape::kAbsList:
      return kNodeAbsList;
    case Shape::kOps:
      return kNodeOps;
    case Shape::kRules:
      return kNodeRules;
    case Shape::kParams:
    case Shape::kArgCmp:
      return StructNode(NestedLocal(shape));
    case Shape::kBool:
    case Shape::kInt:
    case Shape::kInt32:
    case Shape::kUint:
    case Shape::kUint32:
    case Shape::kString:
    case Shape::kBytes:
      break;
  }
  std::abort();  // basic shapes have no node
}

size_t Encoder::DefinedFields(Local local) const {
  const LocalType& type = GetLocalType(local);
  size_t n = 0;
  for (const LocalField& field : type.fields) {
    if (field.promoted) break;  // promoted fields come last
    if (field.kekkai_only && local == Local::kInitParams &&
        IsZero(field, field.member(const_cast<InitParams*>(&params_)))) {
      continue;
    }
    ++n;
  }
  return n;
}

int32_t Encoder::IdOf(Shape shape) const {
  int32_t id = 0;
  if (IsBasic(shape, &id)) return id;
  return ids_[NodeOf(shape)];
}

// Assigns ids depth-first (dependencies first) and appends each definition
// as its own message once its dependencies have ids. hakurei's types have
// no cycles.
int32_t Encoder::Define(TypeNode node) {
  int32_t& id = ids_[node];
  if (id != 0) return id;
  switch (node) {
    case kNodeAbsolute:
    case kNodeStrings:
    case kNodeOps:
      break;
    case kNodeAbsList:
      Define(kNodeAbsolute);
      break;
    case kNodeRules:
      Define(StructNode(Local::kNativeRule));
      break;
    default: {
      const Local local = LocalOfNode(node);
      const LocalType& type = GetLocalType(local);
      const size_t n = DefinedFields(local);
      for (size_t i = 0, done = 0; done < n; ++i) {
        const LocalField& field = type.fields[i];
        if (field.kekkai_only && local == Local::kInitParams &&
            IsZero(field, field.member(const_cast<InitParams*>(&params_)))) {
          continue;
        }
        int32_t basic = 0;
        if (!IsBasic(field.shape, &basic)) Define(NodeOf(field.shape));
        ++done;
      }
      break;
    }
  }
  id = next_id_++;
  const std::string payload = Definition(node, id);
  AppendUint(definitions_, payload.size());
  definitions_ += payload;
  return id;
}

// CommonType {Name; Id}: Name omitted when empty, Id = the outer id.
void Encoder::AppendCommonType(std::string& out, absl::string_view name,
                               int32_t id) {
  int64_t last = -1;
  if (!name.empty()) {
    AppendUint(out, 1);  // field 0: Name
    AppendUint(out, name.size());
    out.append(name.data(), name.size());
    last = 0;
  }
  AppendUint(out, static_cast<uint64_t>(1 - last));  // field 1: Id
  AppendInt(out, id);
  out.push_back(0);
}

// "-id wireType{...}" for a node (SPEC §4's byte templates).
std::string Encoder::Definition(TypeNode node, int32_t id) {
  std::string out;
  AppendInt(out, -static_cast<int64_t>(id));
  auto slice = [&](absl::string_view name, int32_t elem) {
    out.push_back(2);  // wireType field 1: SliceT
    out.push_back(1);  // sliceType field 0: CommonType
    AppendCommonType(out, name, id);
    out.push_back(1);  // field 1: Elem
    AppendInt(out, elem);
    out.push_back(0);
  };
  switch (node) {
    case kNodeAbsolute:
      out.push_back(5);  // wireType field 4: GobEncoderT
      out.push_back(1);  // gobEncoderType field 0: CommonType
      AppendCommonType(out, "Absolute", id);
      out.push_back(0);
      break;
    case kNodeStrings:
      slice("[]string", kIdString);
      break;
    case kNodeAbsList:
      slice("[]*check.Absolute", ids_[kNodeAbsolute]);
      break;
    case kNodeOps:
      slice("Ops", kIdInterface);
      break;
    case kNodeRules:
      slice("[]std.NativeRule", ids_[StructNode(Local::kNativeRule)]);
      break;
    default: {
      const Local local = LocalOfNode(node);
      const LocalType& type = GetLocalType(local);
      const size_t n = DefinedFields(local);
      out.push_back(3);  // wireType field 2: StructT
      out.push_back(1);  // structType field 0: CommonType
      AppendCommonType(out, type.name, id);
      if (n > 0) {
        out.push_back(1);  // field 1: Field []*fieldType
        AppendUint(out, n);
        for (size_t i = 0, done = 0; done < n; ++i) {
          const LocalField& field = type.fields[i];
          if (field.kekkai_only && local == Local::kInitParams &&
              IsZero(field, field.member(const_cast<InitParams*>(&params_)))) {
            continue;
          }
          out.push_back(1);  // fieldType field 0: Name
          AppendUint(out, field.name.size());
          out.append(field.name.data(), field.name.size());
          out.push_back(1);  // fieldType field 1: Id
          AppendInt(out, IdOf(field.shape));
          out.push_back(0);
          ++done;
        }
      }
      out.push_back(0);  // end of structType
      break;
    }
  }
  out.push_back(0);  // end of wireType
  return out;
}

// Go omits false, 0, "", empty slices and nil pointers; it always sends a
// struct value and a non-nil pointer (to a struct or a GobEncoder).
bool Encoder::IsZero(const LocalField& field, const void* member) {
  switch (field.shape) {
    case Shape::kBool:
      return !*static_cast<const bool*>(member);
    case Shape::kInt:
      return *static_cast<const int64_t*>(member) == 0;
    case Shape::kInt32:
      return *static_cast<const int32_t*>(member) == 0;
    case Shape::kUint:
      return *static_cast<const uint64_t*>(member) == 0;
    case Shape::kUint32:
      return *static_cast<const uint32_t*>(member) == 0;
    case Shape::kString:
    case Shape::kBytes:
      return static_cast<const std::string*>(member)->empty();
    case Shape::kAbs:
      return !static_cast<const OptionalPath*>(member)->has_value();
    case Shape::kStrings:
      return static_cast<const std::vector<std::string>*>(member)->empty();
    case Shape::kAbsList:
      return static_cast<const std::vector<AbsolutePath>*>(member)->empty();
    case Shape::kOps: {
      const auto& ops = *static_cast<const std::optional<OpList>*>(member);
      return !ops.has_value() || ops->empty();
    }
    case Shape::kRules:
      return static_cast<const std::vector<NativeRule>*>(member)->empty();
    case Shape::kParams:
      return false;
    case Shape::kArgCmp:
      return !static_cast<const std::optional<ScmpArgCmp>*>(member)
                  ->has_value();
  }
  return true;
}

void Encoder::AppendStruct(std::string& out, Local local, const void* object) {
  const LocalType& type = GetLocalType(local);
  int64_t last = -1;
  int64_t number = 0;  // the field's number in the type definition
  for (const LocalField& field : type.fields) {
    if (field.promoted) break;
    const void* member = field.member(const_cast<void*>(object));
    if (IsZero(field, member)) {
      // A zero kekkai-only field is also left out of the definition, so it
      // takes no number.
      if (!field.kekkai_only) ++number;
      continue;
    }
    AppendUint(out, static_cast<uint64_t>(number - last));
    last = number++;
    AppendField(out, field.shape, member);
  }
  out.push_back(0);
}

void Encoder::AppendField(std::string& out, Shape shape, const void* member) {
  switch (shape) {
    case Shape::kBool:
      out.push_back(*static_cast<const bool*>(member) ? 1 : 0);
      return;
    case Shape::kInt:
      AppendInt(out, *static_cast<const int64_t*>(member));
      return;
    case Shape::kInt32:
      AppendInt(out, *static_cast<const int32_t*>(member));
      return;
    case Shape::kUint:
      AppendUint(out, *static_cast<const uint64_t*>(member));
      return;
    case Shape::kUint32:
      AppendUint(out, *static_cast<const uint32_t*>(member));
      return;
    case Shape::kString:
    case Shape::kBytes: {
      const auto& bytes = *static_cast<const std::string*>(member);
      AppendUint(out, bytes.size());
      out += bytes;
      return;
    }
    case Shape::kAbs: {
      // GobEncode: the bare pathname.
      const std::string& path =
          (*static_cast<const OptionalPath*>(member))->str();
      AppendUint(out, path.size());
      out += path;
      return;
    }
    case Shape::kStrings: {
      const auto& list = *static_cast<const std::vector<std::string>*>(member);
      AppendUint(out, list.size());
      for (const std::string& s : list) {
        AppendUint(out, s.size());
        out += s;
      }
      return;
    }
    case Shape::kAbsList: {
      const auto& list = *static_cast<const std::vector<AbsolutePath>*>(member);
      AppendUint(out, list.size());
      for (const AbsolutePath& path : list) {
        AppendUint(out, path.str().size());
        out += path.str();
      }
      return;
    }
    case Shape::kOps: {
      const OpList& ops = **static_cast<const std::optional<OpList>*>(member);
      AppendUint(out, ops.size());
      for (const std::optional<Op>& op : ops) AppendOp(out, op);
      return;
    }
    case Shape::kRules: {
      const auto& rules = *static_cast<const std::vector<NativeRule>*>(member);
      AppendUint(out, rules.size());
      for (const NativeRule& rule : rules) {
        AppendStruct(out, Local::kNativeRule, &rule);
      }
      return;
    }
    case Shape::kParams:
      AppendStruct(out, Local::kParams, member);
      return;
    case Shape::kArgCmp:
      AppendStruct(out, Local::kScmpArgCmp,
                   &**static_cast<const std::optional<ScmpArgCmp>*>(member));
      return;
  }
}

// An interface value: name, the concrete type's id, the value's byte count,
// then the value (a struct body). A nil Op is an empty name.
void Encoder::AppendOp(std::string& out, const std::optional<Op>& op) {
  if (!op.has_value()) {
    out.push_back(0);
    return;
  }
  const OpInfo& info = GetOpInfo(*op);
  AppendUint(out, info.wire_name.size());
  out.append(info.wire_name.data(), info.wire_name.size());
  AppendInt(out, ids_[StructNode(LocalOfOp(info.kind))]);
  // The count precedes the value; write the value, then insert the count.
  const size_t start = out.size();
  AppendStruct(out, LocalOfOp(info.kind), OpObject(*op));
  std::string count;
  AppendUint(count, out.size() - start);
  out.insert(start, count);
}

std::string Encoder::Encode() {
  const int32_t top = Define(StructNode(Local::kInitParams));
  // Op types in order of first occurrence (Define skips known ones).
  if (params_.params.ops.has_value()) {
    for (const std::optional<Op>& op : *params_.params.ops) {
      if (op.has_value()) Define(StructNode(LocalOfOp(KindOf(*op))));
    }
  }
  std::string value;
  AppendInt(value, top);
  AppendStruct(value, Local::kInitParams, &params_);
  std::string out = std::move(definitions_);
  AppendUint(out, value.size());
  out += value;
  return out;
}

}  // namespace
}  // namespace internal

absl::StatusOr<std::string> Encode(const InitParams& params) {
  std::string stream = internal::Encoder(params).Encode();
  const Limits limits;
  if (stream.size() > limits.max_message_bytes) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "gob: the encoded setup parameters are %d bytes, over the %d-byte "
        "limit a decoder accepts",
        stream.size(), limits.max_message_bytes));
  }
  return stream;
}

}  // namespace kekkai::gob
