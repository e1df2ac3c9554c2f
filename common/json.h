// The JSON form of Params and InitParams: what packagers write by hand and
// what `kekkai params decode` prints. cereal's JSONOutputArchive writes it;
// reading parses with cereal's RapidJSON and walks the tree with a typed
// reader that knows where it is, so errors name the op index and field.
// The schema is documented in docs/json.md; in short:
//
//   {
//     "path": "/bin/sh", "args": ["sh", "-c", "echo hi"],
//     "env": ["PATH=/usr/bin:/bin"], "dir": "/",
//     "hostname": "box", "uid": 1000, "gid": 1000,
//     "adopt_wait_delay": "5s", "parent_perm": "0755",
//     "ops": [
//       {"type": "bind", "source": "/usr", "target": "/usr"},
//       {"type": "proc", "target": "/proc"},
//       {"type": "tmpfs", "fsname": "ephemeral", "path": "/tmp",
//        "perm": "01777", "flags": ["nosuid", "nodev"]}
//     ],
//     "seccomp": {"presets": ["strict"], "flags": ["multiarch"],
//                 "rules": [{"syscall": "ptrace", "errno": "EPERM"}]}
//   }
//
// Output omits zero-valued fields and is indented by two spaces, without a
// trailing newline. On input every key is optional, null is the same as
// leaving the key out, and an unknown key is an error.
//
// Round trips are exact: ParamsFromJson(ParamsToJson(p)) == p for every p,
// including arbitrary bytes in strings (NUL, control characters, bytes that
// are not UTF-8: those are written raw, and read back raw), negative ids,
// unknown flag bits, nil op elements and an empty vs a nil op list.
//
// Errors are kInvalidArgument and name where the document broke:
// `ops[3] (bind): source: path "usr" is not absolute`, `line 4 column 12:
// Missing a comma or '}' after an object member.`, `seccomp.rules[0].syscall:
// unknown syscall "ptrac"`, `hostnme: unknown key (known: ...)`. Documents
// over kMaxJsonDocumentSize bytes, nested deeper than kMaxJsonDepth or
// holding more than kMaxJsonValues values are refused. No cereal or RapidJSON
// exception escapes.
#ifndef KEKKAI_COMMON_JSON_H_
#define KEKKAI_COMMON_JSON_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/ops.h"
#include "common/params.h"

namespace kekkai {

// Limits on input documents.
inline constexpr size_t kMaxJsonDocumentSize = size_t{64} << 20;  // 64 MiB
inline constexpr int kMaxJsonDepth = 64;          // nested arrays/objects
inline constexpr size_t kMaxJsonValues = size_t{1} << 20;  // values + keys

// Params <-> JSON. Unknown keys are errors (they are usually typos).
// Parsing does not call ValidateParams: a document may describe a partial
// Params (the CLI's --config adds options to it). It does refuse paths that
// are not absolute, since an AbsolutePath cannot hold one.
absl::StatusOr<Params> ParamsFromJson(absl::string_view json);
std::string ParamsToJson(const Params& params);

// InitParams <-> JSON: {"params": {...}, "host_uid": N, "host_gid": N,
// "count": N, "verbose": bool, "kekkai_report": N}.
absl::StatusOr<InitParams> InitParamsFromJson(absl::string_view json);
std::string InitParamsToJson(const InitParams& init_params);

// A bare list of seccomp rules: [{"syscall": "name", "errno": "EPERM",
// "arg": {"arg": 0, "op": "masked_eq", "a": 1, "b": 1}}, ...]
// (`kekkai seccomp export --rules`, `kekkai run --seccomp-rules`). Errors
// name the rule as `rules[N]`.
absl::StatusOr<std::vector<NativeRule>> RulesFromJson(absl::string_view json);
std::string RulesToJson(const std::vector<NativeRule>& rules);

// One op, as an element of "ops" ({"type": "bind", ...}). Errors name it as
// `op (bind)`. A null document is refused (a nil op only exists in a list).
absl::StatusOr<Op> OpFromJson(absl::string_view json);
std::string OpToJson(const Op& op);

}  // namespace kekkai

#endif  // KEKKAI_COMMON_JSON_H_
