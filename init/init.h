// kekkai-init: pid 1 of a kekkai (or hakurei) container. A launcher starts
// it in new namespaces with argv ["init"], HAKUREI_SETUP naming the setup
// fd (3) and the caller's extra files after it; init reads its InitParams
// from the setup fd, builds the container, becomes the reaper and runs the
// payload as pid 2 (HAKUREI.md §1.7-§1.8, hakurei's container/init.go).
//
// The sequence, each phase in its own function of init.cc:
//   Receive   HAKUREI_SETUP, read the setup fd to EOF, gob-decode,
//             re-validate; every other inherited fd made close-on-exec.
//   Identity  id maps written by init itself (dumpable only meanwhile),
//             setgroups denied; umask 0; hostname; cap_last_cap cached.
//   Mounts    / made rslave; every op's Early in the host root; the
//             intermediate tmpfs root on /proc/self/fd with /sysroot and
//             /host; pivot_root; every op's Apply; the host root made
//             private and detached; pivot_root into /sysroot and the
//             intermediate root detached. Nothing of the host's root is
//             reachable afterwards.
//   Lockdown  loopback up in a private network namespace (kekkai); ambient
//             cleared, bounding set emptied, capset to nothing (Privileged
//             keeps CAP_SYS_ADMIN); the seccomp filter (binding init too).
//   Payload   fork + exec of Path as pid 2 with Args, exactly Env (empty
//             means empty, never init's own), Dir, and the extra files at
//             3, 4, ...; then Supervise (supervise.h).
//
// Any setup failure: exit status 1 and one line on stderr (failure.h); with
// a kekkai launcher also a kSetupFailed/kExecFailed report on the setup fd
// (common/setup_report.h). Nothing done half-way stays visible: the
// namespaces die with init.
//
// Every kernel call goes through the sys::Sys seam (common/sys/sys.h), so
// tests script paths through Main() with a mock.
#ifndef KEKKAI_INIT_INIT_H_
#define KEKKAI_INIT_INIT_H_

#include "absl/status/statusor.h"
#include "common/params.h"
#include "common/sys/sys.h"

namespace kekkai::init {

// The environment variable naming the setup fd (hakurei's setupEnv).
inline constexpr char kSetupEnv[] = "HAKUREI_SETUP";

// The setup stream's receive step on its own (the fuzz target calls it on
// a memfd): reads `fd` to EOF with gob's stream limit and decodes one
// InitParams. Validation (ValidateInitParams) is the caller's next step.
// Errors carry init's step ("read setup parameters from fd 3", "decode
// setup parameters").
absl::StatusOr<InitParams> ReadSetup(sys::Sys& sys, int fd);

// Runs init to the end and returns its exit status: the payload's (128+N
// when killed by signal N), 0 when canceled, 1 on a setup failure.
// `setup_env` is the value of HAKUREI_SETUP (null when unset).
int Main(sys::Sys& sys, const char* setup_env);

}  // namespace kekkai::init

#endif  // KEKKAI_INIT_INIT_H_
