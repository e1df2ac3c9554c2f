// The JSON form of Params and InitParams: what packagers write by hand and
// what `kekkai params decode` prints. Built on cereal's JSON archives.
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
//       {"type": "tmpfs", "path": "/tmp", "perm": "01777",
//        "flags": ["nosuid", "nodev"]}
//     ],
//     "seccomp": {"presets": ["strict"], "flags": ["multiarch"],
//                 "rules": [{"syscall": "ptrace", "errno": "EPERM"}]}
//   }
//
// Round trips are exact: ParamsFromJson(ParamsToJson(p)) == p for every p,
// including arbitrary bytes in strings, negative ids, unknown flag bits and
// nil op elements. Errors are kInvalidArgument and name where the document
// broke: `ops[3] (bind): source: path "usr" is not absolute`, `line 4 column
// 12: missing a comma or '}'`, `seccomp.rules[0].syscall: unknown syscall
// "ptrac"`. No cereal exception escapes.
#ifndef KEKKAI_COMMON_JSON_H_
#define KEKKAI_COMMON_JSON_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/params.h"

namespace kekkai {

// Params <-> JSON. Unknown keys are errors (they are usually typos).
// Parsing does not call ValidateParams: a document may describe a partial
// Params (the CLI's --config adds options to it).
absl::StatusOr<Params> ParamsFromJson(absl::string_view json);
std::string ParamsToJson(const Params& params);

// InitParams <-> JSON: {"params": {...}, "host_uid": N, "host_gid": N,
// "count": N, "verbose": bool, "kekkai_report": N}.
absl::StatusOr<InitParams> InitParamsFromJson(absl::string_view json);
std::string InitParamsToJson(const InitParams& init_params);

// A bare list of seccomp rules: [{"syscall": "name", "errno": "EPERM",
// "arg": {"index": 0, "op": "masked_eq", "a": 1, "b": 1}}, ...]
// (`kekkai seccomp export --rules`, `kekkai run --seccomp-rules`).
absl::StatusOr<std::vector<NativeRule>> RulesFromJson(absl::string_view json);
std::string RulesToJson(const std::vector<NativeRule>& rules);

}  // namespace kekkai

#endif  // KEKKAI_COMMON_JSON_H_
