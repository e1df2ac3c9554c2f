#include "common/status.h"

#include <errno.h>
#include <string.h>

#include <cctype>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace kekkai {
namespace {
constexpr absl::string_view kErrnoPayloadUrl = "kekkai/errno";
}  // namespace

absl::Status ErrnoStatus(int err, absl::string_view what) {
  // Both return static strings (no locale, no allocation); glibc >= 2.32.
  const char* desc = strerrordesc_np(err);
  const char* name = strerrorname_np(err);
  absl::Status status(
      absl::ErrnoToStatusCode(err),
      absl::StrFormat("%s: %s [%s]", what, desc ? desc : "Unknown error",
                      name ? std::string(name) : absl::StrCat("errno ", err)));
  status.SetPayload(kErrnoPayloadUrl, absl::Cord(absl::StrCat(err)));
  return status;
}

std::optional<int> GetErrno(const absl::Status& status) {
  // absl::optional, not std::optional: distinct types in Debian's abseil.
  absl::optional<absl::Cord> payload = status.GetPayload(kErrnoPayloadUrl);
  int err = 0;
  if (!payload.has_value() || !absl::SimpleAtoi(std::string(*payload), &err)) {
    return std::nullopt;
  }
  return err;
}

absl::Status Annotate(const absl::Status& status, absl::string_view context) {
  if (status.ok()) return status;
  absl::Status annotated(status.code(),
                         absl::StrCat(context, ": ", status.message()));
  status.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) {
    annotated.SetPayload(url, payload);
  });
  return annotated;
}

std::string ErrnoDescription(int err) {
  const char* desc = strerrordesc_np(err);
  if (desc == nullptr) return absl::StrCat("errno ", err);
  std::string text(desc);
  // hakurei (Go's syscall.Errno) prints descriptions in lower case.
  if (!text.empty()) text[0] = absl::ascii_tolower(text[0]);
  return text;
}

std::string ErrnoName(int err) {
  const char* name = strerrorname_np(err);
  return name ? std::string(name) : absl::StrCat("errno ", err);
}

std::optional<int> ErrnoFromName(absl::string_view name) {
  int value = 0;
  if (absl::SimpleAtoi(name, &value)) {
    if (value < 0) return std::nullopt;
    return value;
  }
  const std::string upper = absl::AsciiStrToUpper(name);
  // Aliases that strerrorname_np() never returns (it names the value once).
  static constexpr struct {
    absl::string_view name;
    int err;
  } kAliases[] = {
      {"EWOULDBLOCK", EWOULDBLOCK},
      {"EDEADLOCK", EDEADLOCK},
      {"ENOTSUP", ENOTSUP},
  };
  for (const auto& alias : kAliases) {
    if (upper == alias.name) return alias.err;
  }
  for (int err = 1; err < 4096; ++err) {
    const char* candidate = strerrorname_np(err);
    if (candidate != nullptr && upper == candidate) return err;
  }
  return std::nullopt;
}

}  // namespace kekkai
