// Header-only matchers; this file anchors the library.
#include "tests/testing/status_matchers.h"
