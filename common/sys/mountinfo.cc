#include "common/sys/mountinfo.h"

#include <sys/mount.h>

#include <cstdint>
#include <unordered_map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/absolute_path.h"

namespace kekkai::sys {
namespace {

// MS_NOSYMFOLLOW is missing from Debian 12's glibc headers.
constexpr unsigned long kMsNoSymFollow = 256;

absl::Status LineError(size_t line, absl::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat("mountinfo line ", line, ": ", problem));
}

bool ParseInt(absl::string_view text, int* out) {
  return !text.empty() && text.find_first_not_of("0123456789") ==
                              absl::string_view::npos &&
         absl::SimpleAtoi(text, out);
}

absl::StatusOr<MountInfoEntry> ParseLine(absl::string_view line,
                                         size_t number) {
  // Split on single spaces: the kernel escapes spaces inside fields, and
  // splitting exactly keeps the optional fields aligned.
  const std::vector<absl::string_view> f = absl::StrSplit(line, ' ');
  if (f.size() < 10) {
    return LineError(number, absl::StrFormat("expected at least 10 fields, "
                                             "got %d",
                                             f.size()));
  }
  MountInfoEntry entry;
  if (!ParseInt(f[0], &entry.id)) {
    return LineError(number, absl::StrCat("bad mount ID \"", f[0], "\""));
  }
  if (!ParseInt(f[1], &entry.parent)) {
    return LineError(number, absl::StrCat("bad parent ID \"", f[1], "\""));
  }
  const std::vector<absl::string_view> dev =
      absl::StrSplit(f[2], absl::MaxSplits(':', 1));
  if (dev.size() != 2 || !ParseInt(dev[0], &entry.major) ||
      !ParseInt(dev[1], &entry.minor)) {
    return LineError(number, absl::StrCat("bad maj:min \"", f[2], "\""));
  }
  entry.root = Unmangle(f[3]);
  entry.target = Unmangle(f[4]);
  entry.vfs_options = Unmangle(f[5]);
  if (entry.root.empty() || entry.target.empty() ||
      entry.vfs_options.empty()) {
    return LineError(number, "unexpected empty field");
  }
  // The separator is the fourth field from the end: fstype, source and
  // super options follow it (the source may be empty, the others are not
  // split further).
  const size_t sep = f.size() - 4;
  if (f[sep] != "-") {
    return LineError(number, "bad optional fields separator");
  }
  for (size_t i = 6; i < sep; ++i) entry.optional.emplace_back(f[i]);
  entry.fstype = Unmangle(f[sep + 1]);
  if (entry.fstype.empty()) {
    return LineError(number, "unexpected empty field");
  }
  entry.source = Unmangle(f[sep + 2]);
  entry.fs_options = Unmangle(f[sep + 3]);
  return entry;
}

struct Node {
  std::string clean;
  bool covered = false;
  int first_child = -1;
  int next_sibling = -1;
};

void Visit(const std::vector<Node>& nodes,
           const std::vector<MountInfoEntry>& entries, int index,
           int skip, std::vector<VisibleMount>& out) {
  const Node& node = nodes[index];
  if (!node.covered && index != skip) {
    out.push_back({node.clean, entries[index].Flags()});
  }
  for (int child = node.first_child; child != -1;
       child = nodes[child].next_sibling) {
    Visit(nodes, entries, child, skip, out);
  }
}

}  // namespace

unsigned long MountInfoEntry::Flags(
    std::vector<std::string>* unmatched) const {
  unsigned long flags = 0;
  for (absl::string_view option : absl::StrSplit(vfs_options, ',')) {
    if (option == "rw") {
    } else if (option == "ro") {
      flags |= MS_RDONLY;
    } else if (option == "nosuid") {
      flags |= MS_NOSUID;
    } else if (option == "nodev") {
      flags |= MS_NODEV;
    } else if (option == "noexec") {
      flags |= MS_NOEXEC;
    } else if (option == "nosymfollow") {
      flags |= kMsNoSymFollow;
    } else if (option == "noatime") {
      flags |= MS_NOATIME;
    } else if (option == "nodiratime") {
      flags |= MS_NODIRATIME;
    } else if (option == "relatime") {
      flags |= MS_RELATIME;
    } else if (unmatched != nullptr) {
      unmatched->emplace_back(option);
    }
  }
  return flags;
}

std::string Unmangle(absl::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (size_t i = 0; i < field.size(); ++i) {
    const char c = field[i];
    if (c == '\\' && i + 3 < field.size() &&
        (field[i + 1] == '0' || field[i + 1] == '1') &&
        field[i + 2] >= '0' && field[i + 2] <= '7' && field[i + 3] >= '0' &&
        field[i + 3] <= '7') {
      out.push_back(static_cast<char>(((field[i + 1] - '0') << 6) |
                                      ((field[i + 2] - '0') << 3) |
                                      (field[i + 3] - '0')));
      i += 3;
      continue;
    }
    out.push_back(c);
  }
  return out;
}

absl::StatusOr<std::vector<MountInfoEntry>> ParseMountInfo(
    absl::string_view text) {
  std::vector<MountInfoEntry> entries;
  size_t number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    if (line.empty()) continue;  // the final newline
    auto entry = ParseLine(line, number);
    if (!entry.ok()) return entry.status();
    entries.push_back(*std::move(entry));
  }
  return entries;
}

bool HasPathPrefix(absl::string_view path, absl::string_view prefix) {
  if (prefix == "/") return !path.empty() && path.front() == '/';
  if (path.size() < prefix.size() || path.substr(0, prefix.size()) != prefix) {
    return false;
  }
  return path.size() == prefix.size() || path[prefix.size()] == '/';
}

absl::StatusOr<std::vector<VisibleMount>> UnfoldMounts(
    const std::vector<MountInfoEntry>& entries, absl::string_view target) {
  const std::string target_clean = CleanPath(target);
  std::vector<Node> nodes(entries.size());
  std::unordered_map<int, int> by_id;
  by_id.reserve(entries.size());
  int target_index = -1;
  for (size_t i = 0; i < entries.size(); ++i) {
    nodes[i].clean = CleanPath(entries[i].target);
    by_id[entries[i].id] = static_cast<int>(i);
    if (nodes[i].clean == target_clean) target_index = static_cast<int>(i);
  }
  if (target_index == -1) {
    return absl::NotFoundError(absl::StrCat(
        "mount point ", target_clean, " never appeared in mountinfo"));
  }

  // Mountinfo lists mounts in the order they were made, so a later mount on
  // a path hides the earlier ones there: link each mount under the target
  // into its parent's child list, dropping siblings it covers and skipping
  // it when an earlier sibling already covers its path.
  for (size_t i = 0; i < entries.size(); ++i) {
    Node& cur = nodes[i];
    const auto parent_it = by_id.find(entries[i].parent);
    if (parent_it == by_id.end() || parent_it->second == static_cast<int>(i)) {
      continue;  // the root of what we can see
    }
    if (!HasPathPrefix(cur.clean, target_clean)) continue;
    Node& parent = nodes[parent_it->second];
    if (parent.clean == cur.clean) parent.covered = true;

    bool covered = false;
    int* link = &parent.first_child;
    while (*link != -1) {
      Node& sibling = nodes[*link];
      if (HasPathPrefix(cur.clean, sibling.clean)) {
        covered = true;
        break;
      }
      if (HasPathPrefix(sibling.clean, cur.clean)) {
        *link = sibling.next_sibling;  // hidden by cur
      } else {
        link = &sibling.next_sibling;
      }
    }
    if (covered) continue;
    cur.next_sibling = -1;
    *link = static_cast<int>(i);
  }

  std::vector<VisibleMount> out;
  out.push_back({nodes[target_index].clean, entries[target_index].Flags()});
  Visit(nodes, entries, target_index, target_index, out);
  return out;
}

}  // namespace kekkai::sys
