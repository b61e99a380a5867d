// The file-system seam: every whole-file read and write of the project goes through
// here, so tests can point it at temporary folders and fault cases stay in one place.
#ifndef VSV_CORE_FILE_UTIL_H_
#define VSV_CORE_FILE_UTIL_H_

#include <string>
#include <string_view>

#include "core/result.h"

namespace vsv {

// The whole content of `path`; an error naming the path if it cannot be read.
Result<std::string> ReadFile(const std::string& path);

// Writes `data` to `path` atomically: to a temporary file beside it, flushed to disk,
// then renamed, so a reader never sees a half-written file, a failed write changes
// nothing, and a crash leaves either the old file or the new one.
// An existing `path` that is not a regular file (a device, a folder) is refused.
Status WriteFileAtomic(const std::string& path, std::string_view data);

// A read-only memory mapping of a whole file. Pages come from the page cache and
// are not copied; `Release` lets go of a range already used, so a long sequential
// read does not hold the whole file in memory. Movable, not copyable.
class MappedFile {
 public:
  // kStream: read once from front to back (sequential read-ahead, see Release).
  // kResident: used as memory for a long time; every page is mapped at once.
  enum class Use { kStream, kResident };
  static Result<MappedFile> Open(const std::string& path, Use use = Use::kStream);
  MappedFile() = default;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  std::string_view data() const { return {data_, size_}; }
  // Drops the pages wholly inside [offset, offset + length) from this process's
  // memory; reading them again reloads them from the file.
  void Release(size_t offset, size_t length) const;

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
};

bool FileExists(const std::string& path);
bool IsDirectory(const std::string& path);

}  // namespace vsv

#endif  // VSV_CORE_FILE_UTIL_H_
