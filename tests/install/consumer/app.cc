// Builds a Params with OpsBuilder, checks it, prints its JSON form and makes
// sure the JSON reads back to the same value. Exits non-zero on any error.
#include <kekkai/kekkai.h>

#include <iostream>
#include <utility>

int main() {
  absl::StatusOr<kekkai::OpList> ops = kekkai::OpsBuilder()
                                           .Bind("/usr", "/usr")
                                           .Proc("/proc")
                                           .Tmpfs("/tmp", 0, 01777)
                                           .Build();
  if (!ops.ok()) {
    std::cerr << "app: " << ops.status() << "\n";
    return 1;
  }
  kekkai::Params params;
  params.path = kekkai::AbsolutePath::Literal("/bin/true");
  params.args = {"true"};
  params.ops = *std::move(ops);
  if (absl::Status valid = kekkai::ValidateParams(params); !valid.ok()) {
    std::cerr << "app: " << valid << "\n";
    return 1;
  }
  const std::string json = kekkai::ParamsToJson(params);
  absl::StatusOr<kekkai::Params> back = kekkai::ParamsFromJson(json);
  if (!back.ok() || !(*back == params)) {
    std::cerr << "app: JSON did not round-trip\n";
    return 1;
  }
  std::cout << json << "\n";
  return 0;
}
