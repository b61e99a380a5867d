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

// Writes `data` to `path` atomically: to a temporary file beside it, then renamed,
// so a reader never sees a half-written file and a failed write changes nothing.
Status WriteFileAtomic(const std::string& path, std::string_view data);

bool FileExists(const std::string& path);
bool IsDirectory(const std::string& path);

}  // namespace vsv

#endif  // VSV_CORE_FILE_UTIL_H_
