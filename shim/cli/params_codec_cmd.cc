// kekkai params decode|encode: tools for people debugging the setup
// protocol.
//
//   kekkai params decode [--hex] < STREAM       gob initParams -> JSON
//   kekkai params encode [--hex] < PARAMS.json  JSON -> gob initParams
//
// decode reads any stream Go's encoding/gob would accept for hakurei's
// initParams (a capture of a setup pipe, a vector from ../shared) and prints
// it in kekkai's JSON form (docs/json.md); on stderr it warns about what init
// would then refuse (nil Ops, a nil op, no Path, anything else
// ValidateInitParams rejects). encode writes the simple-framing stream
// kekkai's launcher sends. --hex reads or writes hex text (whitespace
// ignored on input, 32 bytes per line on output), the vectors' format.
//
// `kekkai params decode | kekkai params encode` reproduces the value as Go's
// decoder sees it. Exit status: 0 on success (warnings included), 1 when the
// input is refused (the message says where it broke), 125 for a usage error.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_format.h"
#include "common/gob/gob.h"
#include "common/json.h"
#include "common/params.h"
#include "common/status.h"
#include "shim/cli/commands.h"

namespace kekkai::cli {
namespace {

constexpr char kCodecUsage[] =
    "usage: kekkai params decode [--hex] < STREAM\n"
    "       kekkai params encode [--hex] < PARAMS.json\n"
    "\n"
    "decode: read one gob-encoded initParams (hakurei's setup stream) from\n"
    "        stdin and print it as JSON; warn about what init would refuse.\n"
    "encode: read InitParams JSON from stdin and write the gob stream.\n"
    "\n"
    "  --hex   decode: stdin is hex text; encode: write hex text\n"
    "  --help  print this text\n";

// Reads stdin to EOF, refusing more than `limit` bytes.
absl::StatusOr<std::string> ReadStdin(size_t limit) {
  std::string data;
  char chunk[64 * 1024];
  for (;;) {
    const ssize_t n = read(STDIN_FILENO, chunk, sizeof(chunk));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "read(stdin)");
    }
    if (n == 0) return data;
    if (data.size() + static_cast<size_t>(n) > limit) {
      return absl::InvalidArgumentError(
          absl::StrFormat("stdin is longer than %d bytes", limit));
    }
    data.append(chunk, static_cast<size_t>(n));
  }
}

absl::Status WriteStdout(const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n =
        write(STDOUT_FILENO, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "write(stdout)");
    }
    done += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> FromHex(absl::string_view text) {
  std::string digits;
  digits.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (absl::ascii_isspace(c)) continue;
    if (!absl::ascii_isxdigit(c)) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "hex input: byte %d is not a hex digit (0x%02x)", i, c));
    }
    digits.push_back(static_cast<char>(c));
  }
  if (digits.size() % 2 != 0) {
    return absl::InvalidArgumentError("hex input: odd number of digits");
  }
  return absl::HexStringToBytes(digits);
}

std::string ToHexLines(absl::string_view bytes) {
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 32) {
    out += absl::BytesToHexString(bytes.substr(i, 32));
    out += '\n';
  }
  return out;
}

void Warn(const std::string& message) {
  std::fprintf(stderr, "kekkai: params decode: warning: %s\n", message.c_str());
}

// What kekkai-init (and hakurei's init) would refuse in a decoded value.
void WarnAboutRefusals(const InitParams& init_params) {
  const Params& params = init_params.params;
  bool warned = false;
  if (!params.ops.has_value()) {
    Warn(
        "Params.Ops is nil: init refuses this (\"invalid setup "
        "parameters\"); an empty Ops also arrives as nil");
    warned = true;
  } else {
    for (size_t i = 0; i < params.ops->size(); ++i) {
      if (!(*params.ops)[i].has_value()) {
        Warn(absl::StrFormat(
            "Params.Ops[%d] is a nil op: init refuses it (\"invalid op at "
            "index %d\")",
            i, i));
        warned = true;
      }
    }
  }
  if (!params.path.has_value()) {
    Warn("Params.Path is not set: init has no program to run");
    warned = true;
  }
  if (!warned) {
    const absl::Status valid = ValidateInitParams(init_params);
    if (!valid.ok()) {
      Warn(absl::StrCat("kekkai-init would refuse this: ", valid.message()));
    }
  }
}

int Decode(bool hex) {
  const gob::Limits limits;
  // Hex text takes two digits a byte, plus whitespace.
  absl::StatusOr<std::string> input =
      ReadStdin(hex ? 3 * limits.max_stream_bytes : limits.max_stream_bytes);
  if (input.ok() && hex) input = FromHex(*input);
  if (!input.ok()) {
    std::fprintf(stderr, "kekkai: params decode: %s\n",
                 std::string(input.status().message()).c_str());
    return 1;
  }
  absl::StatusOr<InitParams> decoded = gob::Decode(*input, limits);
  if (!decoded.ok()) {
    std::fprintf(stderr, "kekkai: params decode: %s\n",
                 std::string(decoded.status().message()).c_str());
    return 1;
  }
  WarnAboutRefusals(*decoded);
  std::string json = InitParamsToJson(*decoded);
  json.push_back('\n');
  if (absl::Status written = WriteStdout(json); !written.ok()) {
    std::fprintf(stderr, "kekkai: params decode: %s\n",
                 std::string(written.message()).c_str());
    return 1;
  }
  return 0;
}

int Encode(bool hex) {
  absl::StatusOr<std::string> input = ReadStdin(gob::Limits().max_stream_bytes);
  if (!input.ok()) {
    std::fprintf(stderr, "kekkai: params encode: %s\n",
                 std::string(input.status().message()).c_str());
    return 1;
  }
  absl::StatusOr<InitParams> params = InitParamsFromJson(*input);
  if (!params.ok()) {
    std::fprintf(stderr, "kekkai: params encode: stdin: %s\n",
                 std::string(params.status().message()).c_str());
    return 1;
  }
  absl::StatusOr<std::string> encoded = gob::Encode(*params);
  if (!encoded.ok()) {
    std::fprintf(stderr, "kekkai: params encode: %s\n",
                 std::string(encoded.status().message()).c_str());
    return 1;
  }
  if (absl::Status written = WriteStdout(hex ? ToHexLines(*encoded) : *encoded);
      !written.ok()) {
    std::fprintf(stderr, "kekkai: params encode: %s\n",
                 std::string(written.message()).c_str());
    return 1;
  }
  return 0;
}

}  // namespace

// argv[0] is "decode" or "encode" (main.cc dispatches on it).
int ParamsCodecCommand(int argc, char** argv) {
  const bool decode = std::strcmp(argv[0], "decode") == 0;
  bool hex = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--hex") == 0) {
      hex = true;
    } else if (std::strcmp(argv[i], "--help") == 0 ||
               std::strcmp(argv[i], "-h") == 0) {
      std::fputs(kCodecUsage, stdout);
      return 0;
    } else {
      std::fprintf(stderr, "kekkai: params %s: unknown argument \"%s\"\n\n%s",
                   argv[0], argv[i], kCodecUsage);
      return kExitFailure;
    }
  }
  return decode ? Decode(hex) : Encode(hex);
}

}  // namespace kekkai::cli
