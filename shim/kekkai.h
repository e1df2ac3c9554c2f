// <kekkai/kekkai.h>: the umbrella header of libkekkai.
//
// Describe a container with kekkai::Params (ops from kekkai::OpsBuilder or
// the JSON form), then launch it with the Container API. See README.md for a
// complete example.
#ifndef KEKKAI_KEKKAI_H_
#define KEKKAI_KEKKAI_H_

#include "common/absolute_path.h"
#include "common/flags.h"
#include "common/ops.h"
#include "common/ops_builder.h"
#include "common/params.h"
#include "common/status.h"
#include "common/unique_fd.h"
#if __has_include("common/json.h")
#include "common/json.h"
#endif
#if __has_include("shim/container.h")
#include "shim/container.h"
#endif

#endif  // KEKKAI_KEKKAI_H_
