// Test helper for store_test's crash-safety test: records contacts on the one open
// case of region 21 as fast as it can, printing "ack <n> <contact id>" after each
// commit, until it is killed.
#include <chrono>
#include <cstdio>

#include "followup/store.h"

int main(int argc, char** argv) {
  using namespace vsv::followup;
  if (argc != 2) {
    std::fprintf(stderr, "usage: followup_crash_writer DB\n");
    return 2;
  }
  auto store = CaseStore::Open(argv[1]);
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().message.c_str());
    return 1;
  }
  const User cw{0, "crash-writer", Role::kCaseworker, 21, std::nullopt, true};
  const Context ctx{cw, "crash test"};
  auto list = (*store)->ListCases(ctx, {});
  if (!list || list->size() != 1) {
    std::fprintf(stderr, "expected one open case\n");
    return 1;
  }
  const int64_t id = list->front().id;
  int64_t version = list->front().version;
  const auto today = static_cast<vsv::Date>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() /
      86400);
  for (long long n = 0;; ++n) {
    NewContact c{today, "phone", "young person", "burst", "", std::nullopt, "crash-" + std::to_string(n)};
    auto r = (*store)->RecordContact(ctx, id, version, c);
    if (!r) {
      std::fprintf(stderr, "write %lld failed: %s\n", n, r.error().message.c_str());
      return 1;
    }
    version = r->c.version;
    std::printf("ack %lld %lld\n", n, static_cast<long long>(r->contact_id));
    std::fflush(stdout);
  }
}
