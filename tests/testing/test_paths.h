// Where tests find things: the source tree, ../shared, and the built
// binaries (kekkai, kekkai-init, helpers). Binaries are looked up next to the
// running test first, because the unprivileged run stages everything in one
// world-readable directory (tests/run-unprivileged.sh).
#ifndef KEKKAI_TESTS_TESTING_TEST_PATHS_H_
#define KEKKAI_TESTS_TESTING_TEST_PATHS_H_

#include <string>

namespace kekkai::testing {

// $KEKKAI_SOURCE_DIR, else the source dir compiled in.
std::string SourceDir();
// ../shared beside the checkout (gob vectors, reference).
std::string SharedDir();
// The directory of the running test executable.
std::string SelfDir();
// SelfDir()/name if it exists, else $KEKKAI_BIN_DIR/name.
std::string BinaryPath(const std::string& name);
// Reads a whole file; aborts the test binary when it cannot.
std::string ReadFileOrDie(const std::string& path);

}  // namespace kekkai::testing

#endif  // KEKKAI_TESTS_TESTING_TEST_PATHS_H_
