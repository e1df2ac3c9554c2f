// kekkai-init: placeholder until the init issue lands; answers --help and
// version so the build and install can be checked.
#include <cstdio>
#include <cstring>

#include "common/version.h"

int main(int argc, char** argv) {
  if (argc > 1 && (std::strcmp(argv[1], "--help") == 0 ||
                   std::strcmp(argv[1], "-h") == 0)) {
    std::printf(
        "usage: kekkai-init\n\n"
        "pid 1 of a kekkai (or hakurei) container. It is started by a\n"
        "launcher in new namespaces with HAKUREI_SETUP naming the setup\n"
        "pipe, and is not meant to be run by hand.\n");
    return 0;
  }
  if (argc > 1 && (std::strcmp(argv[1], "version") == 0 ||
                   std::strcmp(argv[1], "--version") == 0)) {
    std::printf("kekkai-init %s\n", kekkai::kVersion);
    return 0;
  }
  std::fprintf(stderr, "kekkai-init: not implemented yet\n");
  return 1;
}
