#include "tests/init/mock_sys.h"

namespace kekkai::testing {

MockSys::MockSys() = default;
MockSys::~MockSys() = default;

StrictMockSys::StrictMockSys() = default;
StrictMockSys::~StrictMockSys() = default;

}  // namespace kekkai::testing
