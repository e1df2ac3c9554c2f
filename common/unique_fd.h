// UniqueFd: every fd kekkai opens is owned by one of these from birth.
#ifndef KEKKAI_COMMON_UNIQUE_FD_H_
#define KEKKAI_COMMON_UNIQUE_FD_H_

#include <utility>

namespace kekkai {

// Owns one file descriptor and closes it on destruction. Move-only.
//
// Close errors are ignored on purpose: on Linux the descriptor is released
// even when close(2) fails (including EINTR), so retrying would be a bug.
// Safe on the post-clone child path: the destructor only calls close(2).
class UniqueFd final {
 public:
  constexpr UniqueFd() noexcept = default;
  constexpr explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  [[nodiscard]] int get() const noexcept { return fd_; }
  [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }

  // Gives up ownership without closing; the caller now owns the fd.
  [[nodiscard]] int release() noexcept { return std::exchange(fd_, -1); }

  // Closes the current fd (if any) and takes ownership of `fd`.
  void reset(int fd = -1) noexcept;

 private:
  int fd_ = -1;
};

}  // namespace kekkai

#endif  // KEKKAI_COMMON_UNIQUE_FD_H_
