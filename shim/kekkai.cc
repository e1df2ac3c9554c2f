// libkekkai's own translation unit: the library is the internal archives
// linked whole; this file only anchors the target and its version symbol.
#include "shim/kekkai.h"

namespace kekkai {
// The library's version, for embedders that load it dynamically.
extern "C" const char* kekkai_version() { return "0.1.0"; }
}  // namespace kekkai
