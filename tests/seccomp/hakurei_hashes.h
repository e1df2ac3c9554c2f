// hakurei's oracle for the exported filters: the SHA-512 of the BPF program
// for each (flags, presets) pair its container/seccomp tests pin on amd64,
// with the CLI spelling of each pair. Shared by the library and CLI tests.
#ifndef KEKKAI_TESTS_SECCOMP_HAKUREI_HASHES_H_
#define KEKKAI_TESTS_SECCOMP_HAKUREI_HASHES_H_

#include <cstddef>
#include <cstdint>
#include <ostream>

#include "common/params.h"

namespace kekkai::testing {

struct HakureiHash {
  const char* name;  // hakurei's test case name
  uint32_t flags;
  int64_t presets;
  size_t rule_count;        // Preset()'s length, before the socket filter
  const char* presets_arg;  // `kekkai seccomp export` spelling ("" = none)
  const char* flags_arg;
  const char* sha512;
};

inline void PrintTo(const HakureiHash& h, std::ostream* os) { *os << h.name; }

inline constexpr HakureiHash kHakureiHashes[] = {
    {"everything", kAllowMultiarch | kAllowCAN | kAllowBluetooth,
     kPresetExt | kPresetDenyNS | kPresetDenyTTY | kPresetDenyDevel |
         kPresetLinux32,
     68, "ext,deny-ns,deny-tty,deny-devel,linux32", "multiarch,can,bluetooth",
     "e99dd345e195413473d3cbee07b4ed57b908bfa89ea2072fe93482847f50b5b758da17e7"
     "4ca2bbc00813de49a2b9bf834c024ed48850be69b68a9a4c5f53a9db"},
    {"compat", 0, 0, 13, "", "",
     "95ec69d017733e072160e0da80fdebecdf27ae8166f5e2a731270c98ea2d2946cb523102"
     "9063668af215879155da21aca79b070e04c0ee9acdf58f55cfa815a5"},
    {"base", 0, kPresetExt, 31, "ext", "",
     "dc7f2e1c5e829b79ebb7efc759150f54a83a75c8df6fee4dce5dadc4736c585d4deebfeb"
     "3c7969af3a077e90b77bb4741db05d90997c8659b95891206ac9952d"},
    {"strict", 0, kPresetStrict, 73, "strict", "",
     "e880298df2bd6751d0040fc21bc0ed4c00f95dc0d7ba506c244d8b8cf6866dba8ef4a332"
     "96f287b66cccc1d78e97026597f84cc7dec1573e148960fbd35cd735"},
    {"strict_compat", 0, kPresetDenyNS | kPresetDenyTTY | kPresetDenyDevel, 34,
     "deny-ns,deny-tty,deny-devel", "",
     "39871b93ffafc8b979fcedc0b0c37b9e03922f5b02748dc5c3c17c92527f6e022ede1f48"
     "bff59246ea452c0d1de54827808b1a6f84f32bbde1aa02ae30eedcfa"},
    {"hakurei_default", 0, kPresetExt | kPresetDenyDevel, 34, "ext,deny-devel",
     "",
     "c698b081ff957afe17a6d94374537d37f2a63f6f9dd75da7546542407a9e32476ebda331"
     "2ba7785d7f618542bcfaf27ca27dcc2dddba852069d28bcfe8cad39a"},
    {"hakurei_tty", 0, kPresetExt | kPresetDenyNS | kPresetDenyDevel, 71,
     "ext,deny-ns,deny-devel", "",
     "0b76007476c1c9e25dbf674c29fdf609a1656a70063e49327654e1b5360ad3da06e1a3e3"
     "2bf80e961c5516ad83d4b9e7e9bde876a93797e27627d2555c25858b"},
};

}  // namespace kekkai::testing

#endif  // KEKKAI_TESTS_SECCOMP_HAKUREI_HASHES_H_
