#include "common/flags.h"

#include <sys/mount.h>

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/ops.h"
#include "common/params.h"

namespace kekkai {
namespace {

constexpr FlagName kBindFlags[] = {
    {kBindOptional, "optional"},
    {kBindWritable, "writable"},
    {kBindDevice, "device"},
    {kBindEnsure, "ensure"},
};

constexpr FlagName kMountFlags[] = {
    {MS_RDONLY, "rdonly"},       {MS_NOSUID, "nosuid"},
    {MS_NODEV, "nodev"},         {MS_NOEXEC, "noexec"},
    {MS_SYNCHRONOUS, "sync"},    {MS_REMOUNT, "remount"},
    {MS_MANDLOCK, "mandlock"},   {MS_DIRSYNC, "dirsync"},
    {256, "nosymfollow"},        {MS_NOATIME, "noatime"},
    {MS_NODIRATIME, "nodiratime"}, {MS_BIND, "bind"},
    {MS_MOVE, "move"},           {MS_REC, "rec"},
    {MS_SILENT, "silent"},       {MS_POSIXACL, "posixacl"},
    {MS_UNBINDABLE, "unbindable"}, {MS_PRIVATE, "private"},
    {MS_SLAVE, "slave"},         {MS_SHARED, "shared"},
    {MS_RELATIME, "relatime"},   {MS_STRICTATIME, "strictatime"},
    {MS_LAZYTIME, "lazytime"},
};

constexpr FlagName kPresets[] = {
    {kPresetExt, "ext"},
    {kPresetDenyNS, "deny-ns"},
    {kPresetDenyTTY, "deny-tty"},
    {kPresetDenyDevel, "deny-devel"},
    {kPresetLinux32, "linux32"},
};

constexpr FlagName kExportFlags[] = {
    {kAllowMultiarch, "multiarch"},
    {kAllowCAN, "can"},
    {kAllowBluetooth, "bluetooth"},
};

constexpr absl::string_view kCompareNames[] = {
    "", "ne", "lt", "le", "eq", "ge", "gt", "masked_eq"};

}  // namespace

absl::Span<const FlagName> BindFlagNames() { return kBindFlags; }
absl::Span<const FlagName> MountFlagNames() { return kMountFlags; }
absl::Span<const FlagName> PresetNames() { return kPresets; }
absl::Span<const FlagName> ExportFlagNames() { return kExportFlags; }

std::vector<std::string> FlagsToNames(absl::Span<const FlagName> table,
                                      uint64_t value) {
  std::vector<std::string> names;
  for (const FlagName& flag : table) {
    if ((value & flag.bits) == flag.bits) {
      names.emplace_back(flag.name);
      value &= ~flag.bits;
    }
  }
  if (value != 0) names.push_back(absl::StrFormat("%#x", value));
  return names;
}

std::string FlagsToString(absl::Span<const FlagName> table, uint64_t value) {
  return absl::StrJoin(FlagsToNames(table, value), ",");
}

absl::StatusOr<uint64_t> FlagsFromNames(absl::Span<const FlagName> table,
                                        absl::Span<const std::string> names,
                                        absl::string_view what) {
  uint64_t value = 0;
  for (const std::string& raw : names) {
    const std::string name =
        absl::AsciiStrToLower(absl::StripAsciiWhitespace(raw));
    bool found = false;
    for (const FlagName& flag : table) {
      if (name == flag.name) {
        value |= flag.bits;
        found = true;
        break;
      }
    }
    if (found) continue;
    if (table.data() == kPresets && name == "strict") {
      value |= kPresetStrict;
      continue;
    }
    uint64_t number = 0;
    absl::string_view digits = name;
    if (absl::ConsumePrefix(&digits, "0x")) {
      if (!digits.empty() && absl::SimpleHexAtoi(digits, &number)) {
        value |= number;
        continue;
      }
    } else if (absl::SimpleAtoi(name, &number)) {
      value |= number;
      continue;
    }
    std::vector<absl::string_view> known;
    for (const FlagName& flag : table) known.push_back(flag.name);
    if (table.data() == kPresets) known.push_back("strict");
    return absl::InvalidArgumentError(
        absl::StrFormat("unknown %s \"%s\" (known: %s)", what,
                        absl::CHexEscape(raw),
                        absl::StrJoin(known, ", ")));
  }
  return value;
}

absl::StatusOr<uint64_t> FlagsFromList(absl::Span<const FlagName> table,
                                       absl::string_view list,
                                       absl::string_view what) {
  std::vector<std::string> names;
  for (absl::string_view part : absl::StrSplit(list, ',')) {
    if (absl::StripAsciiWhitespace(part).empty()) continue;
    names.emplace_back(part);
  }
  return FlagsFromNames(table, names, what);
}

absl::string_view CompareOpName(uint32_t op) {
  if (op >= 1 && op < std::size(kCompareNames)) return kCompareNames[op];
  return "";
}

absl::StatusOr<uint32_t> CompareOpFromName(absl::string_view name) {
  const std::string lower = absl::AsciiStrToLower(name);
  for (uint32_t op = 1; op < std::size(kCompareNames); ++op) {
    if (lower == kCompareNames[op]) return op;
  }
  return absl::InvalidArgumentError(absl::StrFormat(
      "unknown comparison \"%s\" (known: ne, lt, le, eq, ge, gt, masked_eq)",
      absl::CHexEscape(name)));
}

}  // namespace kekkai
