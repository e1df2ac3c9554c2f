// kekkai: the command-line front end of libkekkai. This file only dispatches
// to the subcommands declared in commands.h.
#include <cstdio>
#include <cstring>
#include <string>

#include "common/log.h"
#include "common/version.h"
#include "shim/cli/commands.h"

namespace kekkai::cli {
namespace {

constexpr char kUsage[] =
    "usage: kekkai COMMAND [ARGS...]\n"
    "\n"
    "Run programs in unprivileged Linux containers (hakurei's design).\n"
    "\n"
    "commands:\n"
    "  run [OPTIONS] [--] PROGRAM [ARGS...]  run PROGRAM in a sandbox\n"
    "                                        (kekkai run --help for options)\n"
    "  params [OPTIONS] [--] PROGRAM ...     print the setup parameters that\n"
    "                                        run would send (JSON or gob)\n"
    "  params decode < STREAM                gob setup stream -> JSON\n"
    "  params encode < PARAMS.json           JSON -> gob setup stream\n"
    "  seccomp export [--presets NAMES] [--flags NAMES] [--rules FILE]\n"
    "                                        write a BPF filter to stdout\n"
    "  version                               print the version\n"
    "  help                                  print this text\n";

int NotBuilt(const char* what) {
  std::fprintf(stderr, "kekkai: %s: not available in this build\n", what);
  return kExitFailure;
}

}  // namespace

// Defaults for subcommands whose file is not part of this build; the real
// definitions in run_cmd.cc etc. replace them at link time.
__attribute__((weak)) int RunCommand(int, char**) { return NotBuilt("run"); }
__attribute__((weak)) int ParamsCommand(int, char**) {
  return NotBuilt("params");
}
__attribute__((weak)) int ParamsCodecCommand(int, char**) {
  return NotBuilt("params decode/encode");
}
__attribute__((weak)) int SeccompCommand(int, char**) {
  return NotBuilt("seccomp");
}

}  // namespace kekkai::cli

int main(int argc, char** argv) {
  using namespace kekkai::cli;
  kekkai::log::SetProgram("kekkai");
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return kExitFailure;
  }
  const std::string command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (command == "version" || command == "--version") {
    std::printf("kekkai %s\n", kekkai::kVersion);
    return 0;
  }
  if (command == "run") return RunCommand(argc - 1, argv + 1);
  if (command == "params") {
    if (argc > 2 && (std::strcmp(argv[2], "decode") == 0 ||
                     std::strcmp(argv[2], "encode") == 0)) {
      return ParamsCodecCommand(argc - 2, argv + 2);
    }
    return ParamsCommand(argc - 1, argv + 1);
  }
  if (command == "seccomp") return SeccompCommand(argc - 1, argv + 1);
  std::fprintf(stderr, "kekkai: unknown command \"%s\"\n\n%s", argv[1], kUsage);
  return kExitFailure;
}
