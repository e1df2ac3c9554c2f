// libFuzzer target for the gob decoder (common/gob/): any input must decode
// or fail with a codec error, never crash, hang or allocate without bound
// (ASan and UBSan are on). Whatever decodes must survive our own
// encode/decode round trip unchanged, so the fuzzer also checks the encoder
// against the decoder. Seeds: tests/fuzz/corpus/gob/ (the shared vectors as
// binary streams).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "common/gob/gob.h"

namespace {

[[noreturn]] void Die(const char* what, const std::string& detail) {
  std::fprintf(stderr, "gob_decode_fuzzer: %s: %s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view stream(reinterpret_cast<const char*>(data), size);
  auto decoded = kekkai::gob::Decode(stream);
  if (!decoded.ok()) {
    const absl::Status& status = decoded.status();
    if ((status.code() != absl::StatusCode::kDataLoss &&
         status.code() != absl::StatusCode::kInvalidArgument) ||
        !absl::StartsWith(status.message(), "gob: ")) {
      Die("unexpected error kind", status.ToString());
    }
    return 0;
  }
  auto encoded = kekkai::gob::Encode(*decoded);
  if (!encoded.ok()) Die("cannot re-encode", encoded.status().ToString());
  auto again = kekkai::gob::Decode(*encoded);
  if (!again.ok())
    Die("cannot decode our own encoding", again.status().ToString());
  kekkai::InitParams expected = *decoded;
  // Go's rule, which our encoder follows: an empty Ops is omitted and so
  // arrives as nil.
  if (expected.params.ops.has_value() && expected.params.ops->empty()) {
    expected.params.ops.reset();
  }
  if (!(*again == expected)) Die("round trip changed the value", "");
  return 0;
}
