#include "common/unique_fd.h"

#include <unistd.h>

namespace kekkai {

void UniqueFd::reset(int fd) noexcept {
  const int old = std::exchange(fd_, fd);
  if (old >= 0) (void)::close(old);
}

}  // namespace kekkai
