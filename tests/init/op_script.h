// A scripted op run, hakurei's checkOpBehaviour in GoogleMock form.
//
// A script is the exact list of seam calls an op makes in Early and Apply,
// each with the step its failure must be reported as. RunOpScript() then
//   1. runs the op against a StrictMock in sequence and expects success;
//   2. for every call k, runs a fresh op whose calls before k succeed and
//      whose call k returns a distinct injected error (Injected(k)), and
//      expects exactly that error back, annotated with the step and
//      nothing else changed (code, errno, message tail), and no call after.
#ifndef KEKKAI_TESTS_INIT_OP_SCRIPT_H_
#define KEKKAI_TESTS_INIT_OP_SCRIPT_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "init/failure.h"
#include "init/ops/op.h"
#include "tests/init/mock_sys.h"
#include "tests/testing/status_matchers.h"

namespace kekkai::testing {

// One expected call. `expect` installs the EXPECT_CALL; it must make the
// call return `result` when that is an error, and success otherwise.
struct ScriptCall {
  std::string step;  // the step its failure is reported as
  std::function<void(MockSys&, const absl::Status& result)> expect;
  bool can_fail = true;  // false for calls that return no status (Isatty)
};

// For calls returning absl::Status.
template <typename Setup>
ScriptCall Call(std::string step, Setup setup) {
  return {std::move(step), [setup](MockSys& sys, const absl::Status& result) {
            setup(sys).WillOnce(::testing::Return(result));
          }};
}

// For calls returning absl::StatusOr<T>: `value` on success.
template <typename T, typename Setup>
ScriptCall CallOr(std::string step, Setup setup, T value) {
  return {std::move(step),
          [setup, value](MockSys& sys, const absl::Status& result) {
            setup(sys).WillOnce([value, result]() -> absl::StatusOr<T> {
              if (!result.ok()) return result;
              return value;
            });
          }};
}

// For calls that cannot fail: always returns `value`.
template <typename T, typename Setup>
ScriptCall Always(Setup setup, T value) {
  return {"", [setup, value](MockSys& sys, const absl::Status&) {
            setup(sys).WillOnce(::testing::Return(value));
          },
          false};
}

// The injected error `injected` came back with only `step` added.
MATCHER_P2(IsStepError, injected, step,
           absl::StrCat("is ", injected.ToString(), " with step \"", step,
                        "\"")) {
  const absl::Status& status = arg;
  *result_listener << "status: " << status.ToString();
  return status.code() == injected.code() &&
         GetErrno(status) == GetErrno(injected) &&
         status.message() == absl::StrCat(step, ": ", injected.message()) &&
         init::StepOf(status) == std::string(step);
}

using OpFactory = std::function<std::unique_ptr<init::InitOp>()>;

inline void ExpectScript(MockSys& sys, const std::vector<ScriptCall>& calls,
                         size_t fail_at, const absl::Status& injected) {
  for (size_t i = 0; i < calls.size() && i <= fail_at; ++i) {
    calls[i].expect(sys, i == fail_at ? injected : absl::OkStatus());
  }
}

// Runs Early then Apply of a fresh op from `make` for each case above.
// `state` is copied for every run.
inline void RunOpScript(const OpFactory& make, const init::SetupState& state,
                        const std::vector<ScriptCall>& early,
                        const std::vector<ScriptCall>& apply) {
  {
    SCOPED_TRACE("success");
    StrictMockSys sys;
    ::testing::InSequence seq;
    ExpectScript(sys, early, early.size(), absl::OkStatus());
    ExpectScript(sys, apply, apply.size(), absl::OkStatus());
    init::SetupState run_state = state;
    std::unique_ptr<init::InitOp> op = make();
    ASSERT_THAT(op->Early(run_state, sys), IsOk());
    EXPECT_THAT(op->Apply(run_state, sys), IsOk());
  }
  for (size_t k = 0; k < early.size() + apply.size(); ++k) {
    const bool in_early = k < early.size();
    const size_t index = in_early ? k : k - early.size();
    const ScriptCall& failing = in_early ? early[index] : apply[index];
    if (!failing.can_fail) continue;
    SCOPED_TRACE(absl::StrCat(in_early ? "early" : "apply", " call ", index,
                              " fails (", failing.step, ")"));
    const absl::Status injected =
        Injected(static_cast<int>(k) + 1, k % 2 == 0 ? EPERM : EIO);
    StrictMockSys sys;
    ::testing::InSequence seq;
    init::SetupState run_state = state;
    std::unique_ptr<init::InitOp> op = make();
    if (in_early) {
      ExpectScript(sys, early, index, injected);
      EXPECT_THAT(op->Early(run_state, sys),
                  IsStepError(injected, failing.step));
    } else {
      ExpectScript(sys, early, early.size(), absl::OkStatus());
      ExpectScript(sys, apply, index, injected);
      ASSERT_THAT(op->Early(run_state, sys), IsOk());
      EXPECT_THAT(op->Apply(run_state, sys),
                  IsStepError(injected, failing.step));
    }
  }
}

// The one op of `list` (built with OpsBuilder) as an InitOp factory.
inline OpFactory FactoryFor(const Op& op) {
  return [op] { return init::MakeInitOp(op); };
}

}  // namespace kekkai::testing

// The setup argument of Call()/CallOr(): `SYS(Mount("a", "b", "", 0, ""))`
// expects that call on the mock.
#define SYS(call)                                               \
  [=](::kekkai::testing::MockSys& kekkai_sys_) -> decltype(auto) { \
    return EXPECT_CALL(kekkai_sys_, call);                      \
  }

#endif  // KEKKAI_TESTS_INIT_OP_SCRIPT_H_
