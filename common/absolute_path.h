// AbsolutePath: a pathname that is known to be absolute (hakurei's
// check.Absolute). It cannot hold a relative or empty path: the only ways to
// make one check the leading '/'. Nullable fields (Go `*check.Absolute`) are
// std::optional<AbsolutePath>.
//
// The bytes are kept exactly as given (no cleaning), so a decoded path
// re-encodes to the same bytes. Paths with a NUL byte can be held (Go's
// decoder accepts them) but Validate() refuses them before any kernel call.
#ifndef KEKKAI_COMMON_ABSOLUTE_PATH_H_
#define KEKKAI_COMMON_ABSOLUTE_PATH_H_

#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kekkai {

class AbsolutePath final {
 public:
  // Fails with kInvalidArgument `path "x" is not absolute` (hakurei's
  // AbsoluteError wording) unless `path` starts with '/'.
  static absl::StatusOr<AbsolutePath> Parse(absl::string_view path);

  // For paths written in kekkai's own code ("/proc"). Aborts on a relative
  // path: that is a programming error, never input.
  static AbsolutePath Literal(absl::string_view path);

  const std::string& str() const { return path_; }
  const char* c_str() const { return path_.c_str(); }

  // path.Join(this, elem): "/etc" + "x/y" = "/etc/x/y", cleaned like Go.
  AbsolutePath Append(absl::string_view elem) const;
  // Go's path.Dir: "/a/b" -> "/a", "/" -> "/", "/a/b/" -> "/a/b".
  AbsolutePath Dir() const;
  // Go's path.Base: "/a/b" -> "b", "/" -> "/", "/a/b/" -> "b",
  // "/a/.." -> "..".
  std::string Base() const;
  // path.Clean.
  AbsolutePath Clean() const;
  // True when the bytes contain a NUL (unusable with the kernel).
  bool HasNul() const { return path_.find('\0') != std::string::npos; }

  friend bool operator==(const AbsolutePath&, const AbsolutePath&) = default;
  friend std::ostream& operator<<(std::ostream& os, const AbsolutePath& p) {
    return os << p.path_;
  }

 private:
  explicit AbsolutePath(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// Go's path.Clean for a slash-separated path (lexical only).
std::string CleanPath(absl::string_view path);

}  // namespace kekkai

#endif  // KEKKAI_COMMON_ABSOLUTE_PATH_H_
