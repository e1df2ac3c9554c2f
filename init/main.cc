// kekkai-init: pid 1 of a container (init.h). Started by a launcher, never
// by hand; `--help` and `version` answer for people who try.
#include <stdlib.h>

#include <cstdio>
#include <cstring>

#include "common/log.h"
#include "common/sys/sys.h"
#include "common/version.h"
#include "init/init.h"

#if defined(__SANITIZE_ADDRESS__)
// LeakSanitizer stops the world with ptrace at exit, which the seccomp
// filter denies, and it would turn init's exit status into its own. Leaks
// are checked by the unit tests, not in pid 1.
extern "C" const char* __asan_default_options() { return "detect_leaks=0"; }
#endif

int main(int argc, char** argv) {
  if (argc > 1 && (std::strcmp(argv[1], "--help") == 0 ||
                   std::strcmp(argv[1], "-h") == 0)) {
    std::printf(
        "usage: kekkai-init\n\n"
        "pid 1 of a kekkai (or hakurei) container. It is started by a\n"
        "launcher in new namespaces with HAKUREI_SETUP naming the setup\n"
        "descriptor, and is not meant to be run by hand.\n");
    return 0;
  }
  if (argc > 1 && (std::strcmp(argv[1], "version") == 0 ||
                   std::strcmp(argv[1], "--version") == 0)) {
    std::printf("kekkai-init %s\n", kekkai::kVersion);
    return 0;
  }
  kekkai::log::SetProgram("kekkai-init");
  return kekkai::init::Main(kekkai::sys::LinuxSys(),
                            ::getenv(kekkai::init::kSetupEnv));
}
