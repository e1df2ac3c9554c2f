#include "common/absolute_path.h"

#include <cstdlib>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace kekkai {

absl::StatusOr<AbsolutePath> AbsolutePath::Parse(absl::string_view path) {
  if (path.empty() || path.front() != '/') {
    return absl::InvalidArgumentError(
        absl::StrFormat("path %s is not absolute",
                        absl::StrCat("\"", absl::CHexEscape(path), "\"")));
  }
  return AbsolutePath(std::string(path));
}

AbsolutePath AbsolutePath::Literal(absl::string_view path) {
  if (path.empty() || path.front() != '/') std::abort();
  return AbsolutePath(std::string(path));
}

std::string CleanPath(absl::string_view path) {
  if (path.empty()) return ".";
  const bool rooted = path.front() == '/';
  std::vector<absl::string_view> out;
  for (absl::string_view elem : absl::StrSplit(path, '/')) {
    if (elem.empty() || elem == ".") continue;
    if (elem == "..") {
      if (!out.empty() && out.back() != "..") {
        out.pop_back();
      } else if (!rooted) {
        out.push_back(elem);
      }
      continue;
    }
    out.push_back(elem);
  }
  std::string joined = absl::StrJoin(out, "/");
  if (rooted) return absl::StrCat("/", joined);
  return joined.empty() ? "." : joined;
}

AbsolutePath AbsolutePath::Append(absl::string_view elem) const {
  return AbsolutePath(CleanPath(absl::StrCat(path_, "/", elem)));
}

AbsolutePath AbsolutePath::Clean() const {
  return AbsolutePath(CleanPath(path_));
}

AbsolutePath AbsolutePath::Dir() const {
  // Go's path.Dir: drop the last element (everything after the last '/'),
  // then Clean. "/a/b/" has an empty last element, so its Dir is "/a/b".
  return AbsolutePath(CleanPath(path_.substr(0, path_.rfind('/') + 1)));
}

std::string AbsolutePath::Base() const {
  // Go's path.Base: strip trailing slashes, take what follows the last
  // slash; nothing left means the path was all slashes. Not cleaned first:
  // Base("/a/..") is "..".
  absl::string_view rest = path_;
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (const size_t slash = rest.rfind('/'); slash != absl::string_view::npos) {
    rest.remove_prefix(slash + 1);
  }
  if (rest.empty()) return "/";
  return std::string(rest);
}

}  // namespace kekkai
