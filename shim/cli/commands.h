// The kekkai CLI's subcommands. Each returns the process exit status; argv[0]
// is the subcommand's own name ("run", "params", ...). Exit statuses follow
// container CLIs: 125 for a kekkai failure or a usage error, otherwise the
// payload's status (run) or 0/1 (tools).
#ifndef KEKKAI_SHIM_CLI_COMMANDS_H_
#define KEKKAI_SHIM_CLI_COMMANDS_H_

namespace kekkai::cli {

inline constexpr int kExitFailure = 125;

// kekkai run [OPTIONS] [--] PROGRAM [ARGS...]            (run_cmd.cc)
int RunCommand(int argc, char** argv);
// kekkai params [run options] [--format json|gob] [--] PROGRAM [ARGS...]
//                                                        (params_cmd.cc)
int ParamsCommand(int argc, char** argv);
// kekkai params decode|encode                            (params_codec_cmd.cc)
int ParamsCodecCommand(int argc, char** argv);
// kekkai seccomp export [--presets N] [--flags N] [--rules F] (seccomp_cmd.cc)
int SeccompCommand(int argc, char** argv);

}  // namespace kekkai::cli

#endif  // KEKKAI_SHIM_CLI_COMMANDS_H_
