// Go's time.Duration text form, exactly: FormatDuration is Duration.String()
// and ParseDuration is time.ParseDuration, including both ends of the int64
// range ("-2562047h47m16.854775808s" is math.MinInt64). The JSON form writes
// Params.adopt_wait_delay with these, so a packager writes "5s" or "1m30s"
// instead of a count of nanoseconds, and a value round-trips exactly.
#ifndef KEKKAI_COMMON_DURATION_H_
#define KEKKAI_COMMON_DURATION_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kekkai {

// Go's Duration.String(): "0s", "1ns", "1.5µs" (U+00B5), "2ms", "1m30s",
// "-2562047h47m16.854775808s". Units above hours are never used.
std::string FormatDuration(int64_t nanoseconds);

// Go's time.ParseDuration: a sign, then one or more decimal numbers with an
// optional fraction and a unit (ns, us, µs, μs, ms, s, m, h): "300ms",
// "-1.5h", "2h45m". "0" alone is zero. Fails with kInvalidArgument naming the
// text, with Go's wording: `invalid duration "x"`, `missing unit in duration
// "5"`, `unknown unit "d" in duration "1d"`; overflow is an invalid duration.
absl::StatusOr<int64_t> ParseDuration(absl::string_view text);

}  // namespace kekkai

#endif  // KEKKAI_COMMON_DURATION_H_
