// SHA-512 (FIPS 180-4) for the seccomp tests: hakurei's oracle is the
// SHA-512 of the exported BPF program, and the project depends on no crypto
// library. Test-only; not constant time, not for secrets.
#ifndef KEKKAI_TESTS_SECCOMP_SHA512_H_
#define KEKKAI_TESTS_SECCOMP_SHA512_H_

#include <string>

#include "absl/strings/string_view.h"

namespace kekkai::testing {

// The digest of `data` as 128 lower-case hexadecimal digits.
std::string Sha512Hex(absl::string_view data);

}  // namespace kekkai::testing

#endif  // KEKKAI_TESTS_SECCOMP_SHA512_H_
