// Status helpers shared by every kekkai module: errno-carrying statuses,
// context annotation, and the RETURN_IF_ERROR / ASSIGN_OR_RETURN macros that
// abseil 20220623 lacks.
//
// The error grammar (STYLE.md §4.3): the leaf names the call and its
// arguments (`mount("/a", "/b", MS_BIND): Operation not permitted [EPERM]`),
// each layer above prepends context with Annotate() and never rewords, and
// the raw errno rides along as a payload so callers test GetErrno(), never
// the message text.
#ifndef KEKKAI_COMMON_STATUS_H_
#define KEKKAI_COMMON_STATUS_H_

#include <optional>
#include <string>
#include <utility>

#include "absl/base/optimization.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kekkai {

// A Status for errno `err`: "<what>: <description> [<ERRNAME>]". The code
// follows absl::ErrnoToStatusCode and the errno is attached as a payload.
absl::Status ErrnoStatus(int err, absl::string_view what);

// The errno attached by ErrnoStatus(), if any (Annotate keeps it).
std::optional<int> GetErrno(const absl::Status& status);

// "<context>: <message>", same code and payloads. OK stays OK.
absl::Status Annotate(const absl::Status& status, absl::string_view context);

// The lower-case errno description hakurei prints ("operation not
// permitted"), for user-facing messages. Unknown values give "errno N".
std::string ErrnoDescription(int err);

// The symbolic name ("EPERM"), or "errno N".
std::string ErrnoName(int err);

// Parses "EPERM"/"eperm" (and the aliases EWOULDBLOCK, EDEADLOCK, ENOTSUP)
// or a non-negative decimal number. nullopt when neither.
std::optional<int> ErrnoFromName(absl::string_view name);

}  // namespace kekkai

#define KEKKAI_STATUS_CONCAT_INNER_(a, b) a##b
#define KEKKAI_STATUS_CONCAT_(a, b) KEKKAI_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` is not OK. The variable
// name is unique per expansion (__COUNTER__), so the macro nests (a lambda
// using it inside another's argument) without -Wshadow errors.
#define KEKKAI_RETURN_IF_ERROR(expr) \
  KEKKAI_RETURN_IF_ERROR_IMPL_(      \
      KEKKAI_STATUS_CONCAT_(kekkai_status_, __COUNTER__), expr)
#define KEKKAI_RETURN_IF_ERROR_IMPL_(var, expr)  \
  do {                                            \
    if (::absl::Status var = (expr);              \
        ABSL_PREDICT_FALSE(!var.ok())) {          \
      return var;                                 \
    }                                             \
  } while (0)

// `lhs` = the value of the StatusOr `rexpr`, or returns its error.
#define KEKKAI_ASSIGN_OR_RETURN(lhs, rexpr)                                 \
  KEKKAI_ASSIGN_OR_RETURN_IMPL_(                                            \
      KEKKAI_STATUS_CONCAT_(kekkai_statusor_, __COUNTER__), lhs, rexpr)
#define KEKKAI_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                  \
  if (ABSL_PREDICT_FALSE(!statusor.ok())) {                 \
    return std::move(statusor).status();                    \
  }                                                         \
  lhs = *std::move(statusor)

#endif  // KEKKAI_COMMON_STATUS_H_
