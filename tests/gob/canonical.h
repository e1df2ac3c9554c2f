// Test support for the gob codec: the gob vectors' "canonical JSON" (the Go
// view of a decoded initParams, ../shared/gob-vectors/README.md), written
// independently of the codec's own schema tables so that the two check each
// other; the vector files; and random InitParams for round trips.
#ifndef KEKKAI_TESTS_GOB_CANONICAL_H_
#define KEKKAI_TESTS_GOB_CANONICAL_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/params.h"

namespace kekkai::gobtest {

// Canonical JSON -> InitParams. Keys are Go field names; unknown keys are
// errors. "Ops": null is nil Ops, [] an empty (non-nil) list.
absl::StatusOr<InitParams> FromCanonicalJson(absl::string_view json);

// InitParams -> canonical JSON, in Go's field order with 2-space indents
// (what go/cmd/gobenc reads). kekkai_report has no canonical form and is
// left out.
std::string ToCanonicalJson(const InitParams& params);

// What Go's decoder turns a value into: an empty Ops list arrives as nil
// (gob omits empty slices). Everything else survives unchanged.
InitParams AsGoDecodes(InitParams params);

// The gob vectors directory: $KEKKAI_SHARED_DIR/gob-vectors/vectors, else
// the directory configured at build time.
std::string VectorsDir();

struct Vector {
  std::string name;
  std::string kind;  // "valid", "compat" or "invalid"
};
// Every case in manifest.json, in its order.
std::vector<Vector> LoadManifest();
// NAME.<suffix>: the raw bytes of a .hex file (whitespace ignored), or the
// text of any other file. Aborts the test binary when it cannot.
std::string ReadVectorFile(absl::string_view name, absl::string_view suffix);
std::string HexDecode(absl::string_view hex);
std::string HexEncode(absl::string_view bytes);

// A random InitParams that Go can represent and its JSON encoder renders
// faithfully (strings are valid UTF-8, possibly with NULs and control
// characters): every op type, nil ops, rules with and without Arg, extreme
// integers. kekkai_report is 0.
InitParams RandomInitParams(std::mt19937_64& rng);

}  // namespace kekkai::gobtest

#endif  // KEKKAI_TESTS_GOB_CANONICAL_H_
