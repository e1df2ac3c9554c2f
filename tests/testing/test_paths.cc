#include "tests/testing/test_paths.h"

#include <limits.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace kekkai::testing {

std::string SourceDir() {
  const char* env = std::getenv("KEKKAI_SOURCE_DIR");
  if (env != nullptr && *env != '\0') return env;
  return KEKKAI_SOURCE_DIR_DEFAULT;
}

std::string SharedDir() {
  const char* env = std::getenv("KEKKAI_SHARED_DIR");
  if (env != nullptr && *env != '\0') return env;
  return SourceDir() + "/../shared";
}

std::string SelfDir() {
  char buf[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return ".";
  std::string self(buf, static_cast<size_t>(n));
  return self.substr(0, self.rfind('/'));
}

std::string BinaryPath(const std::string& name) {
  const std::string beside = SelfDir() + "/" + name;
  if (access(beside.c_str(), X_OK) == 0) return beside;
  const char* env = std::getenv("KEKKAI_BIN_DIR");
  if (env != nullptr && *env != '\0') return std::string(env) + "/" + name;
  return beside;
}

std::string ReadFileOrDie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    std::abort();
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace kekkai::testing
