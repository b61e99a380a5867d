// The few ways the project runs work on several threads: the calling thread always
// takes part, and every function returns when all the work is done.
#ifndef VSV_CORE_PARALLEL_H_
#define VSV_CORE_PARALLEL_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace vsv {

// The number of threads to use for a requested count: 0 (or less) means one per core.
inline size_t ThreadCount(int requested) {
  if (requested > 0) return static_cast<size_t>(requested);
  return std::max<size_t>(1, std::thread::hardware_concurrency());
}

// Runs work(0), ..., work(threads - 1) at the same time and waits for all.
template <typename Work>
void OnThreads(size_t threads, Work&& work) {
  std::vector<std::jthread> workers;
  for (size_t t = 1; t < threads; ++t) workers.emplace_back([&work, t] { work(t); });
  work(size_t{0});
}

// Calls fn(i) for every i in [0, count) on up to `threads` threads, each thread
// taking the next i when it is done with one (for items of uneven size).
template <typename Fn>
void ParallelFor(size_t count, size_t threads, Fn&& fn) {
  std::atomic<size_t> next{0};
  OnThreads(std::min(threads, count), [&](size_t) {
    for (size_t i; (i = next.fetch_add(1)) < count;) fn(i);
  });
}

}  // namespace vsv

#endif  // VSV_CORE_PARALLEL_H_
