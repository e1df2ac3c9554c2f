// The gob codec for the setup pipe: Go encoding/gob's wire format, limited to
// hakurei's container initParams (../shared/gob-vectors/SPEC.md).
//
// Where it sits: the shim calls Encode() on the InitParams it is about to
// send; kekkai-init calls ReadFrom() on fd 3 and then ValidateInitParams().
// Nothing else in the project knows byte layouts.
//
// Compatibility, both ways:
//   - Decode() reads what Go's encoding/gob writes, from any Go version: type
//     definitions interleaved with the value (Go sends the definition of an op
//     type in the middle of the Ops slice), forward references, type ids from
//     64, 65 or anywhere above, fields matched by name (unknown ones parsed and
//     discarded, missing ones left zero), unknown registered types in unknown
//     fields skipped, signedness and integer ranges checked as Go does, and
//     every *check.Absolute payload re-checked to be absolute (hakurei's
//     GobDecode) in the fields kekkai knows.
//   - Encode() writes the "simple framing" (SPEC §6): every type definition
//     first, each in its own message, then one message holding the value. Go's
//     decoder reads it back to the same value; for a value with
//     kekkai_report == 0 the bytes are the ones in the vectors' .simple.hex.
//     kekkai_report, when non-zero, travels as an extra initParams field
//     "KekkaiReport" that hakurei's decoder ignores.
//
// Hostile input: the decoder is written for a stream from an untrusted
// sender. Limits below bound every size and count before anything is
// allocated from it; a truncated, corrupted or oversized stream is an error
// that names where it broke (message number, stream byte offset and the
// field path), never a crash, a hang or a huge allocation. Errors are
// kDataLoss when the bytes are not a well-formed gob stream (truncated,
// malformed integer, count past the data, bad field number, bad type
// definition) and kInvalidArgument when a well-formed stream is not an
// acceptable initParams (type mismatch, value out of range, relative path,
// unregistered op, a limit exceeded), for example
//   gob: message 9 at byte 312: Params.Ops[0] (*container.BindMountOp).Source:
//   path "home" is not absolute
//   gob: truncated stream: message 4 needs 120 bytes, 37 remain
//
// Where the decoder is stricter than Go's (never for anything Go's encoder
// writes; tests/go checks random corruptions of the vectors against Go's
// decoder): the Limits; type ids outside int32 (Go truncates them); a type
// definition that sets no or several wireType alternatives, has an empty
// field name or a negative array length (Go fails only if the type is
// used); a count larger than the rest of the stream, or >= 2^63 in a skipped
// slice (Go loops zero times); a skipped map entry starting past the end of
// its message. And one place where it is more lenient: a nil interface value
// in a skipped field is nil, where Go 1.19 misreads the stream.
#ifndef KEKKAI_COMMON_GOB_GOB_H_
#define KEKKAI_COMMON_GOB_GOB_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/params.h"

namespace kekkai::gob {

// Resource limits for decoding untrusted input. The defaults are far above
// what any real launcher sends (a few KiB plus TmpfileOp data, a few hundred
// ops) and far below what would hurt init.
struct Limits {
  // The most stream bytes ReadFrom() reads, and the most bytes Decode()
  // consumes for one value (definitions included).
  size_t max_stream_bytes = size_t{64} << 20;
  // The largest accepted message (Go itself allows up to 8 GiB).
  size_t max_message_bytes = size_t{64} << 20;
  // The most type definitions in one stream (Go sends about 20).
  size_t max_types = 1024;
  // The most fields in one struct type definition.
  size_t max_fields = 1024;
  // The deepest nesting of values (structs, slices, interfaces, maps) and of
  // type references checked when compiling a decoder. hakurei's schema needs
  // about 6.
  int max_depth = 64;
  // The most elements of one slice, array or map other than Ops.
  size_t max_slice_elements = size_t{1} << 20;
  // The most elements of Params.Ops (nil elements included).
  size_t max_ops = size_t{1} << 16;
  // The most elements of all decoded slices together (Env, Args, Ops,
  // SeccompRules and every MountOverlayOp.Lower), so that many small slices
  // cannot add up to a large allocation (an element costs 32 to 150 bytes
  // of memory and can take one byte of input).
  size_t max_total_elements = size_t{1} << 20;
  // The most wire fields summed over the decoding plans a stream makes the
  // decoder build (one per pair of a sent struct type and a local type that
  // meet; hakurei's streams need a few hundred).
  size_t max_plan_fields = size_t{1} << 16;
  // The longest string, []byte or *check.Absolute payload.
  size_t max_string_bytes = size_t{64} << 20;
  // The longest concrete type name of an interface value (Go: 1024).
  size_t max_name_bytes = 1024;
};

// The stream for `params` in the simple framing of SPEC §6: all type
// definitions first (ids from 65, dependencies first), then one message with
// the value. Only the op types that occur are defined. Fails only when the
// result would be larger than Limits().max_message_bytes, which our own
// decoder would refuse.
absl::StatusOr<std::string> Encode(const InitParams& params);

// Decodes one initParams value, exactly as Go's Decoder.Decode does into
// hakurei's initParams (plus kekkai's KekkaiReport field); bytes after the
// value are ignored, as Go does. Does not call ValidateInitParams(): a nil
// Ops, a nil op or a missing Path decode fine and are init's to refuse.
absl::StatusOr<InitParams> Decode(absl::string_view stream,
                                  const Limits& limits = Limits());

// For init: reads `fd` until EOF (refusing a stream of more than
// limits.max_stream_bytes), then Decode()s it. Read errors are
// ErrnoStatus("read(fd N)"). Does not close `fd`.
absl::StatusOr<InitParams> ReadFrom(int fd, const Limits& limits = Limits());

}  // namespace kekkai::gob

#endif  // KEKKAI_COMMON_GOB_GOB_H_
