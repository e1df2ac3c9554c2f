// Test support: hand-built gob streams for decoder rules that Go's encoder
// never exercises with hakurei's types (promoted field names, structs that
// end with their message, Go's own description types used as field types,
// unexported names...). Each case says what Go's decoder does with it; the
// unit test checks our decoder does the same, and the interop test checks
// the claim against Go itself.
#ifndef KEKKAI_TESTS_GOB_CRAFTED_H_
#define KEKKAI_TESTS_GOB_CRAFTED_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/params.h"

namespace kekkai::gobtest {

// Wire primitives and type definitions, written independently of the codec.
std::string GobUint(uint64_t x);
std::string GobInt(int64_t i);
std::string GobString(absl::string_view s);
// "-id wireType{StructT{CommonType{name, id}, fields}}".
std::string StructDefinition(
    int32_t id, absl::string_view name,
    const std::vector<std::pair<std::string, int32_t>>& fields);
std::string SliceDefinition(int32_t id, absl::string_view name, int32_t elem);
std::string GobEncoderDefinition(int32_t id, absl::string_view name);
// Count-delimited messages.
std::string Messages(const std::vector<std::string>& payloads);

struct CraftedCase {
  std::string name;
  std::string what;  // the rule it exercises
  std::string stream;
  // The value Go's decoder produces, or nullopt when it refuses the stream.
  std::optional<InitParams> expected;
};

std::vector<CraftedCase> CraftedCases();

}  // namespace kekkai::gobtest

#endif  // KEKKAI_TESTS_GOB_CRAFTED_H_
