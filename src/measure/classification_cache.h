// Each school year is classified once per age limit and then shared by every figure
// derived from it (counts, stocks, lists). Safe to use from several threads.
#ifndef VSV_MEASURE_CLASSIFICATION_CACHE_H_
#define VSV_MEASURE_CLASSIFICATION_CACHE_H_

#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <utility>
#include <vector>

#include "measure/classify.h"

namespace vsv {

class ClassificationCache {
 public:
  // `registry` and `reference` must outlive the cache.
  ClassificationCache(const Registry& registry, const Reference& reference, int threads = 0)
      : registry_(registry), reference_(reference), threads_(threads) {}

  const YearClassification& Get(int year, int age_limit) {
    std::shared_ptr<Entry> entry;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto& slot = entries_[{year, age_limit}];
      if (!slot) slot = std::make_shared<Entry>();
      entry = slot;
    }
    std::call_once(entry->once, [&] {
      entry->value = ClassifyYear(registry_, reference_, year, {age_limit, threads_});
    });
    return entry->value;
  }

  // Classifies the years of `years` not yet cached, in one pass over the persons.
  void Prefetch(std::span<const int> years, int age_limit) {
    std::vector<int> missing;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (int y : years) {
        if (!entries_.count({y, age_limit})) missing.push_back(y);
      }
    }
    if (missing.size() < 2) return;  // Get() does one year as well
    std::vector<YearClassification> done =
        ClassifyYears(registry_, reference_, missing, {age_limit, threads_});
    for (size_t i = 0; i < missing.size(); ++i) {
      auto entry = std::make_shared<Entry>();
      std::call_once(entry->once, [&] { entry->value = std::move(done[i]); });
      std::lock_guard<std::mutex> lock(mutex_);
      entries_.try_emplace({missing[i], age_limit}, std::move(entry));
    }
  }

  const Registry& registry() const { return registry_; }
  const Reference& reference() const { return reference_; }

 private:
  struct Entry {
    std::once_flag once;
    YearClassification value;
  };
  const Registry& registry_;
  const Reference& reference_;
  int threads_;
  std::mutex mutex_;
  std::map<std::pair<int, int>, std::shared_ptr<Entry>> entries_;
};

}  // namespace vsv

#endif  // VSV_MEASURE_CLASSIFICATION_CACHE_H_
