// libFuzzer target for kekkai-init's whole receive path: the input is what
// a launcher writes on the setup fd. It goes through a memfd into
// init::ReadSetup (read to EOF with the stream limit through the real
// LinuxSys, gob decode), then ValidateInitParams, and for accepted
// parameters everything init derives from them before touching the kernel:
// the init op for every op, its description, the parent permission and the
// seccomp rules (validated as the filter builder would). Any input must be
// refused with a status naming init's step, or accepted; never a crash, a
// sanitizer report or a hang. Seeds: the gob fuzzer's, tests/fuzz/corpus/gob/
// (the shared vectors as streams).
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "common/ops.h"
#include "common/params.h"
#include "common/sys/sys.h"
#include "init/failure.h"
#include "init/init.h"
#include "init/ops/op.h"
#include "seccomp/seccomp.h"

namespace {

[[noreturn]] void Die(const char* what, const std::string& detail) {
  std::fprintf(stderr, "init_receive_fuzzer: %s: %s\n", what, detail.c_str());
  std::abort();
}

int SetupFd() {
  static const int fd = memfd_create("setup", MFD_CLOEXEC);
  if (fd < 0) Die("memfd_create", "failed");
  return fd;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int fd = SetupFd();
  if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0) {
    Die("reset memfd", "failed");
  }
  for (size_t done = 0; done < size;) {
    const ssize_t n = write(fd, data + done, size - done);
    if (n <= 0) Die("write memfd", "failed");
    done += static_cast<size_t>(n);
  }
  if (lseek(fd, 0, SEEK_SET) != 0) Die("rewind memfd", "failed");

  absl::StatusOr<kekkai::InitParams> received =
      kekkai::init::ReadSetup(kekkai::sys::LinuxSys(), fd);
  if (!received.ok()) {
    const std::optional<std::string> step =
        kekkai::init::StepOf(received.status());
    if (step != "decode setup parameters" ||
        !absl::StartsWith(received.status().message(),
                          "decode setup parameters: gob: ")) {
      Die("unexpected receive error", received.status().ToString());
    }
    return 0;
  }
  const kekkai::InitParams& init = *received;
  if (!kekkai::ValidateInitParams(init).ok()) return 0;

  // Accepted: what init derives from the parameters before the kernel.
  const kekkai::Params& params = init.params;
  if (!params.ops.has_value()) Die("validated params without ops", "");
  for (const std::optional<kekkai::Op>& op : *params.ops) {
    if (!op.has_value()) Die("validated params with a nil op", "");
    std::unique_ptr<kekkai::init::InitOp> init_op =
        kekkai::init::MakeInitOp(*op);
    if (init_op == nullptr) Die("no init op", kekkai::Describe(*op));
    (void)kekkai::Describe(*op);
  }
  (void)kekkai::EffectiveParentPerm(params);
  if (!params.seccomp_disable) {
    const std::vector<kekkai::NativeRule> rules =
        kekkai::seccomp::RulesFor(params);
    // Invalid explicit rules are refused by init when loading; the check
    // itself must hold up.
    (void)kekkai::seccomp::ValidateRules(rules);
  }
  return 0;
}
