// Benchmarks of the gob codec (common/gob/) on two of the shared vectors:
// `typical` (what hakurei's launcher sends in a common case, 1168 bytes in
// Go's framing) and `many-ops` (330 ops, 18.5 KiB). Decode is measured on
// Go's framing (what kekkai-init receives from hakurei) and on our simple
// framing; encode on the decoded value. Results and method: bench/README.md.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "benchmark/benchmark.h"
#include "common/gob/gob.h"

namespace {

std::string VectorsDir() {
  const char* env = std::getenv("KEKKAI_SHARED_DIR");
  if (env != nullptr && *env != '\0') {
    return std::string(env) + "/gob-vectors/vectors";
  }
  return KEKKAI_GOB_VECTORS_DIR;
}

// The bytes of vectors/NAME.hex (whitespace ignored); exits if unreadable.
std::string LoadVector(const std::string& file) {
  const std::string path = VectorsDir() + "/" + file;
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "gob_bench: cannot read %s\n", path.c_str());
    std::exit(1);
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::string digits;
  for (char c : text.str()) {
    if (!absl::ascii_isspace(static_cast<unsigned char>(c))) digits += c;
  }
  return absl::HexStringToBytes(digits);
}

void BM_Decode(benchmark::State& state, const std::string& file) {
  const std::string stream = LoadVector(file);
  for (auto _ : state) {
    auto decoded = kekkai::gob::Decode(stream);
    if (!decoded.ok()) {
      state.SkipWithError(std::string(decoded.status().message()).c_str());
      return;
    }
    benchmark::DoNotOptimize(decoded);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(stream.size()));
}

void BM_Encode(benchmark::State& state, const std::string& file) {
  auto params = kekkai::gob::Decode(LoadVector(file));
  if (!params.ok()) {
    state.SkipWithError(std::string(params.status().message()).c_str());
    return;
  }
  size_t bytes = 0;
  for (auto _ : state) {
    auto encoded = kekkai::gob::Encode(*params);
    bytes = encoded->size();
    benchmark::DoNotOptimize(encoded);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(bytes));
}

BENCHMARK_CAPTURE(BM_Decode, typical, std::string("typical.hex"));
BENCHMARK_CAPTURE(BM_Decode, typical_simple, std::string("typical.simple.hex"));
BENCHMARK_CAPTURE(BM_Decode, many_ops, std::string("many-ops.hex"));
BENCHMARK_CAPTURE(BM_Decode, many_ops_simple,
                  std::string("many-ops.simple.hex"));
BENCHMARK_CAPTURE(BM_Encode, typical, std::string("typical.hex"));
BENCHMARK_CAPTURE(BM_Encode, many_ops, std::string("many-ops.hex"));

}  // namespace

BENCHMARK_MAIN();
