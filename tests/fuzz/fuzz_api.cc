// libFuzzer target: the HTTP API of `vsv serve` with the register open on SQLite.
// The input chooses, through MakeCall (tests/api_world.h), the route, method, path
// captures, query parameters and values, JSON body, user, CSRF token and X-Purpose
// header of one request to a real server on loopback. Any answer of 500 or more, no
// answer, or a JSON body that does not parse is a crash; so is anything the sanitizers
// see (built with AddressSanitizer and UndefinedBehaviorSanitizer).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "api_world.h"
#include "random_registry.h"

namespace {

// Choices read from the input: two bytes per number, a length byte then the bytes
// for a text; zeros once the input is used up.
class FuzzChoices : public vsv::test::Choices {
 public:
  FuzzChoices(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  size_t Pick(size_t n) override {
    size_t v = 0;
    for (int i = 0; i < 2 && pos_ < size_; ++i) v = (v << 8) | data_[pos_++];
    return v % n;
  }
  std::string Bytes(size_t max) override {
    const size_t length = std::min(Pick(max + 1), size_ - pos_);
    std::string out(reinterpret_cast<const char*>(data_ + pos_), length);
    pos_ += length;
    return out;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

std::unique_ptr<vsv::test::ApiWorld> world;
std::string world_dir;  // removed at exit: the registry and register of this run

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const std::filesystem::path base =
      std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
  world_dir = (base / ("vsv-fuzz-api-" + std::to_string(::getpid()))).string();
  const std::string& dir = world_dir;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir + "/data");
  vsv::test::WriteFiles(vsv::test::RandomRegistry(3, 400), dir + "/data");
  auto started = vsv::test::ApiWorld::Start(dir + "/data", dir, std::string(VSV_SOURCE_DIR) + "/data/reference");
  if (!started) {
    std::fprintf(stderr, "fuzz_api: %s\n", started.error().message.c_str());
    std::abort();
  }
  world = std::move(*started);
  std::atexit([] { std::filesystem::remove_all(world_dir); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzChoices choose(data, size);
  const vsv::test::ApiCall call = vsv::test::MakeCall(world->routes(), world->words(), choose);
  const vsv::test::Answer answer = world->Send(call);
  const std::string problem = vsv::test::AnswerProblem(answer);
  if (!problem.empty()) {
    std::fprintf(stderr, "fuzz_api: %s\n  request: %s\n", problem.c_str(), call.Describe().c_str());
    std::abort();
  }
  return 0;
}
