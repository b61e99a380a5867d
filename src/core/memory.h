// Large arrays backed by transparent huge pages where the kernel allows it (THP in
// "madvise" mode): loading a national registry touches gigabytes of fresh memory,
// and 2 MB pages fault 512 times less often than 4 KB ones.
#ifndef VSV_CORE_MEMORY_H_
#define VSV_CORE_MEMORY_H_

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace vsv {

// Advises huge pages for the 2 MB-aligned part of [data, data + bytes); small ranges
// are left alone. Call before the memory is first written.
inline void AdviseHugePages(const void* data, size_t bytes) {
  constexpr size_t kHuge = size_t{2} << 20;
  if (bytes < 4 * kHuge) return;
  const auto begin = (reinterpret_cast<uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
  const auto end = (reinterpret_cast<uintptr_t>(data) + bytes) & ~(kHuge - 1);
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

// v.resize(n) on fresh capacity advised for huge pages.
template <typename T>
void ResizeHuge(std::vector<T>& v, size_t n) {
  if (n > v.capacity()) {
    std::vector<T>().swap(v);
    v.reserve(n);
    AdviseHugePages(v.data(), n * sizeof(T));
  }
  v.resize(n);
}

}  // namespace vsv

#endif  // VSV_CORE_MEMORY_H_
