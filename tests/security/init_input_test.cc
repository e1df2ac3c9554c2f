// Hostile setup input to kekkai-init, started as pid 1 of new namespaces by
// the hakurei-style launcher of the integration tests (init_launcher.h):
// truncated, oversized, deeply nested, wrong-typed and random gob streams,
// unset or invalid HAKUREI_SETUP, a setup fd that is closed or is not a
// pipe, and not being pid 1. Each must end init with status 1 and exactly
// one line on stderr, never a crash (a signal, a sanitizer report) or a
// hang: every run is killed after 10 s and a timeout fails the test.
// tests/integration/init_integration_test.cc has the basic cases; these are
// the adversarial ones.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/absolute_path.h"
#include "common/gob/gob.h"
#include "common/ops_builder.h"
#include "common/params.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/init_launcher.h"
#include "tests/testing/test_paths.h"
#include "tests/testing/userns.h"

namespace kekkai::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kDecode[] = "kekkai-init: cannot decode setup parameters: ";

class InitInputTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // A write to an init that stopped reading must fail, not kill us.
    signal(SIGPIPE, SIG_IGN);
  }
  void SetUp() override { KEKKAI_REQUIRE_USERNS(); }

  // Runs init with `spec`; asserts status 1, no timeout, one stderr line.
  static std::string Refused(LaunchSpec spec) {
    spec.timeout = std::chrono::seconds(10);
    absl::StatusOr<std::unique_ptr<InitProcess>> init =
        InitProcess::Start(std::move(spec));
    EXPECT_TRUE(init.ok()) << init.status();
    if (!init.ok()) return "";
    const LaunchResult r = (*init)->Wait();
    EXPECT_FALSE(r.timed_out) << r.Describe();
    EXPECT_EQ(r.exit_code(), 1) << r.Describe();
    EXPECT_TRUE(absl::EndsWith(r.err, "\n") &&
                r.err.find('\n') == r.err.size() - 1)
        << r.Describe();
    EXPECT_EQ(r.out, "");
    return r.err;
  }

  static std::string RefusedStream(std::string stream) {
    LaunchSpec spec;
    spec.raw_setup = std::move(stream);
    return Refused(std::move(spec));
  }
};

// A valid stream (kekkai's launcher would send it).
std::string ValidStream() {
  InitParams init;
  Params& p = init.params;
  p.path = AbsolutePath::Literal("/bin/true");
  p.args = {"true", "an argument"};
  p.env = {"PATH=/usr/bin:/bin"};
  OpsBuilder ops;
  ops.Bind("/usr", "/usr").Proc("/proc").Tmpfs("/tmp", 0, 01777);
  p.ops = *ops.Build();
  p.seccomp_presets = kPresetStrict;
  init.host_uid = getuid();
  init.host_gid = getgid();
  absl::StatusOr<std::string> stream = gob::Encode(init);
  EXPECT_TRUE(stream.ok()) << stream.status();
  return stream.ok() ? *stream : "";
}

// ---- a minimal gob writer for streams kekkai's encoder never produces ----

void PutUint(std::string& out, uint64_t u) {
  if (u < 128) {
    out.push_back(static_cast<char>(u));
    return;
  }
  std::string bytes;
  while (u != 0) {
    bytes.insert(bytes.begin(), static_cast<char>(u & 0xff));
    u >>= 8;
  }
  out.push_back(static_cast<char>(-static_cast<int>(bytes.size())));
  out += bytes;
}

void PutInt(std::string& out, int64_t i) {
  const uint64_t u = i < 0 ? (~static_cast<uint64_t>(i) << 1) | 1
                           : static_cast<uint64_t>(i) << 1;
  PutUint(out, u);
}

void PutString(std::string& out, const std::string& s) {
  PutUint(out, s.size());
  out += s;
}

void PutMessage(std::string& out, const std::string& body) {
  PutUint(out, body.size());
  out += body;
}

// Defines struct type `id` named `name` with one field `field` of type
// `field_type` (gob's wireType{StructT: &structType{...}}).
std::string StructDefinition(int64_t id, const std::string& name,
                             const std::string& field, int64_t field_type) {
  std::string body;
  PutInt(body, -id);
  PutUint(body, 3);  // wireType.StructT (field 2)
  PutUint(body, 1);  // structType.CommonType
  PutUint(body, 1);  // CommonType.Name
  PutString(body, name);
  PutUint(body, 1);  // CommonType.Id
  PutInt(body, id);
  PutUint(body, 0);  // end CommonType
  PutUint(body, 1);  // structType.Field
  PutUint(body, 1);  // one fieldType
  PutUint(body, 1);  // fieldType.Name
  PutString(body, field);
  PutUint(body, 1);  // fieldType.Id
  PutInt(body, field_type);
  PutUint(body, 0);  // end fieldType
  PutUint(body, 0);  // end structType
  PutUint(body, 0);  // end wireType
  return body;
}

// `levels` struct types, each holding the previous one, the innermost an
// int; the top-level "initParams" carries the outermost one in a field
// initParams does not have, which the decoder must skip.
std::string NestedStream(int levels) {
  constexpr int64_t kInt = 2;
  constexpr int64_t kFirst = 65;
  std::string out;
  int64_t previous = kInt;
  for (int i = 0; i < levels; ++i) {
    const int64_t id = kFirst + i;
    PutMessage(out, StructDefinition(id, absl::StrCat("T", i), "X", previous));
    previous = id;
  }
  const int64_t top = kFirst + levels;
  PutMessage(out, StructDefinition(top, "initParams", "Deep", previous));
  std::string value;
  PutInt(value, top);
  for (int i = 0; i <= levels; ++i) PutUint(value, 1);  // field 0 each
  PutInt(value, 7);
  for (int i = 0; i <= levels; ++i) PutUint(value, 0);
  PutMessage(out, value);
  return out;
}

// ---- streams ---------------------------------------------------------------

TEST_F(InitInputTest, TruncatedStreams) {
  const std::string stream = ValidStream();
  ASSERT_GT(stream.size(), 64u);
  // The empty stream, one byte, and cuts spread over the whole stream
  // (gob_test.cc decodes every prefix without a process; here init).
  std::vector<size_t> cuts = {0, 1, 2, stream.size() - 1};
  for (size_t i = 1; i < 12; ++i) cuts.push_back(stream.size() * i / 12);
  for (size_t cut : cuts) {
    EXPECT_THAT(RefusedStream(stream.substr(0, cut)), StartsWith(kDecode))
        << "cut at " << cut;
  }
}

TEST_F(InitInputTest, OversizedMessage) {
  // A message announcing 1 GiB: refused by size, not allocated.
  std::string huge;
  PutUint(huge, uint64_t{1} << 30);
  huge += "\x01\x02";
  EXPECT_THAT(RefusedStream(huge),
              AllOf(StartsWith(kDecode), HasSubstr("limit")));
}

// More than the stream limit (64 MiB) from a source that never ends:
// /dev/zero as the setup fd. init stops at the limit.
TEST_F(InitInputTest, EndlessSetupFd) {
  const int zero = open("/dev/zero", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(zero, 0);
  LaunchSpec spec;
  spec.send_nothing = true;
  spec.extra_files = {zero};  // fd 4 in init
  spec.env = {"HAKUREI_SETUP=4"};
  const std::string err = Refused(std::move(spec));
  close(zero);
  EXPECT_EQ(err,
            "kekkai-init: cannot read setup parameters from fd 4: read(4): "
            "more than 67108864 bytes\n");
}

TEST_F(InitInputTest, DeeplyNestedTypes) {
  const std::string stream = NestedStream(200);
  // The stream is well-formed gob: the decoder refuses it for its depth.
  absl::StatusOr<InitParams> decoded = gob::Decode(stream);
  ASSERT_FALSE(decoded.ok());
  EXPECT_THAT(decoded.status().message(), HasSubstr("deep"));
  EXPECT_THAT(RefusedStream(stream),
              AllOf(StartsWith(kDecode), HasSubstr("deep")));
  // Within the limit the same shape is refused for what it is, not depth.
  EXPECT_THAT(RefusedStream(NestedStream(3)), StartsWith(kDecode));
}

TEST_F(InitInputTest, WrongTypedStreams) {
  // The seed corpus' bad-* streams: a top-level int, wrong signedness,
  // strings where paths go, undefined and reserved type ids, ...
  // Copied from tests/fuzz/corpus/gob into build/bin (CMakeLists.txt).
  const std::string dir = BinaryPath("fixtures/gob");
  int seen = 0;
  for (const char* name :
       {"bad-top-level-int", "bad-signedness", "bad-abs-as-string",
        "bad-undefined-type", "bad-reserved-type-id", "bad-duplicate-type",
        "bad-field-out-of-range", "bad-unregistered-op", "bad-uint-too-long",
        "bad-string-overrun", "bad-message-overrun"}) {
    const std::string stream =
        ReadFileOrDie(absl::StrCat(dir, "/", name, ".gob"));
    EXPECT_THAT(RefusedStream(stream), StartsWith("kekkai-init: "))
        << name;
    ++seen;
  }
  EXPECT_EQ(seen, 11);
  // Valid gob, invalid parameters: a relative path where an absolute one
  // goes is refused by validation after decoding.
  EXPECT_THAT(
      RefusedStream(ReadFileOrDie(dir + "/bad-relative-path.gob")),
      StartsWith("kekkai-init: "));
}

TEST_F(InitInputTest, RandomStreams) {
  std::mt19937_64 rng(0x6b656b6b6169);  // fixed: reproducible failures
  const std::string valid = ValidStream();
  for (int i = 0; i < 12; ++i) {
    std::string stream;
    if (i % 2 == 0) {
      // Random bytes of random length.
      stream.resize(rng() % 512);
      for (char& c : stream) c = static_cast<char>(rng());
    } else {
      // The valid stream with a few bytes flipped.
      stream = valid;
      for (int k = 0; k < 4; ++k) {
        stream[rng() % stream.size()] ^= static_cast<char>(1 + rng() % 255);
      }
    }
    absl::StatusOr<InitParams> decoded = gob::Decode(stream);
    if (decoded.ok()) continue;  // a flip that still decodes: not hostile
    EXPECT_THAT(RefusedStream(stream), StartsWith("kekkai-init: "))
        << "stream " << i;
  }
}

// ---- HAKUREI_SETUP and the setup fd ------------------------------------------

TEST_F(InitInputTest, InvalidSetupVariable) {
  struct Case {
    std::vector<std::string> env;
    std::string err;
  };
  const Case cases[] = {
      {{"HAKUREI_SETUP="},
       "kekkai-init: invalid setup descriptor \"\" in HAKUREI_SETUP\n"},
      {{"HAKUREI_SETUP=-3"},
       "kekkai-init: invalid setup descriptor \"-3\" in HAKUREI_SETUP\n"},
      {{"HAKUREI_SETUP=3x"},
       "kekkai-init: invalid setup descriptor \"3x\" in HAKUREI_SETUP\n"},
      {{"HAKUREI_SETUP=99999999999999999999"},
       "kekkai-init: invalid setup descriptor \"99999999999999999999\" in "
       "HAKUREI_SETUP\n"},
      {{"HAKUREI_SETUP=2147483647"},
       "kekkai-init: cannot read setup parameters from fd 2147483647: bad "
       "file descriptor\n"},
      {{"PATH=/bin"}, "kekkai-init: HAKUREI_SETUP not set\n"},
  };
  for (const Case& c : cases) {
    LaunchSpec spec;
    spec.raw_setup = ValidStream();
    spec.env = c.env;
    EXPECT_EQ(Refused(std::move(spec)), c.err) << c.env[0];
  }
}

// The setup fd is a directory, a write-only pipe end, or an empty file.
TEST_F(InitInputTest, SetupFdThatIsNotAPipe) {
  const int dir = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(dir, 0);
  int p[2];
  ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
  const int empty = open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(empty, 0);
  LaunchSpec spec;
  spec.send_nothing = true;
  spec.extra_files = {dir, p[1], empty};  // fds 4, 5, 6 in init
  spec.env = {"HAKUREI_SETUP=4"};
  EXPECT_EQ(Refused(spec),
            "kekkai-init: cannot read setup parameters from fd 4: is a "
            "directory\n");
  spec.env = {"HAKUREI_SETUP=5"};
  EXPECT_EQ(Refused(spec),
            "kekkai-init: cannot read setup parameters from fd 5: bad file "
            "descriptor\n");
  spec.env = {"HAKUREI_SETUP=6"};
  EXPECT_THAT(Refused(spec), StartsWith(kDecode));
  for (int fd : {dir, p[0], p[1], empty}) close(fd);
}

// Outside a pid namespace init refuses before reading anything, even with
// a valid setup fd.
TEST_F(InitInputTest, NotPid1) {
  const std::string stream = ValidStream();
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  ASSERT_EQ(write(p[1], stream.data(), stream.size()),
            static_cast<ssize_t>(stream.size()));
  close(p[1]);
  int err[2];
  ASSERT_EQ(pipe(err), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, p[0], 3);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  const std::string init = BinaryPath("kekkai-init");
  char* argv[] = {const_cast<char*>("init"), nullptr};
  char* envp[] = {const_cast<char*>("HAKUREI_SETUP=3"), nullptr};
  pid_t pid = -1;
  ASSERT_EQ(posix_spawn(&pid, init.c_str(), &actions, nullptr, argv, envp), 0);
  posix_spawn_file_actions_destroy(&actions);
  close(p[0]);
  close(err[1]);
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = read(err[0], buf, sizeof(buf))) > 0) out.append(buf, n);
  close(err[0]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << status;
  EXPECT_EQ(out, "kekkai-init: this process must run as pid 1\n");
}

}  // namespace
}  // namespace kekkai::testing
