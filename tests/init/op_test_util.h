// Small helpers shared by the op tests: building one op with OpsBuilder and
// a SetupState over given Params.
#ifndef KEKKAI_TESTS_INIT_OP_TEST_UTIL_H_
#define KEKKAI_TESTS_INIT_OP_TEST_UTIL_H_

#include "absl/status/statusor.h"
#include "common/ops.h"
#include "common/ops_builder.h"
#include "common/params.h"
#include "gtest/gtest.h"
#include "init/ops/op.h"

namespace kekkai::testing {

// The single op a builder produced (the builder must hold exactly one).
inline Op OnlyOp(OpsBuilder& builder) {
  absl::StatusOr<OpList> list = builder.Build();
  EXPECT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->size(), 1u);
  return *(*list)[0];
}

// A state over `params` (which must outlive it).
inline init::SetupState StateFor(const Params& params) {
  init::SetupState state;
  state.params = &params;
  state.parent_perm = EffectiveParentPerm(params);
  return state;
}

}  // namespace kekkai::testing

#endif  // KEKKAI_TESTS_INIT_OP_TEST_UTIL_H_
