#include "core/file_util.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <utility>

#include <fmt/format.h>

namespace vsv {

namespace {
struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;
}  // namespace

Result<std::string> ReadFile(const std::string& path) {
  FilePtr f(std::fopen(path.c_str(), "rb"));
  if (!f) return MakeError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  std::string data;
  if (std::fseek(f.get(), 0, SEEK_END) == 0) {
    const long size = std::ftell(f.get());
    if (size > 0) data.resize(static_cast<size_t>(size));
    std::rewind(f.get());
  }
  size_t got = data.empty() ? 0 : std::fread(data.data(), 1, data.size(), f.get());
  if (got != data.size()) {
    return MakeError(fmt::format("{}: short read ({} of {} bytes)", path, got, data.size()));
  }
  // Files whose size is not known up front (pipes) are read to the end.
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) data.append(buf, n);
  if (std::ferror(f.get())) return MakeError(fmt::format("{}: read error", path));
  return data;
}

Status WriteFileAtomic(const std::string& path, std::string_view data) {
  // Renaming over a device or a folder would replace it: only regular files.
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    return MakeError(fmt::format("{}: exists and is not a regular file; expected a file path", path));
  }
  const std::string tmp = path + ".tmp";
  {
    FilePtr f(std::fopen(tmp.c_str(), "wb"));
    if (!f) return MakeError(fmt::format("{}: cannot write: {}", tmp, std::strerror(errno)));
    // On disk before the rename: otherwise a crash soon after could leave `path`
    // renamed but empty.
    const bool written = std::fwrite(data.data(), 1, data.size(), f.get()) == data.size() &&
                         std::fflush(f.get()) == 0 && ::fsync(::fileno(f.get())) == 0 &&
                         std::fclose(f.release()) == 0;
    if (!written) {
      const std::string reason = std::strerror(errno);
      std::remove(tmp.c_str());
      return MakeError(fmt::format("{}: write failed: {}", tmp, reason));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return MakeError(fmt::format("{}: cannot rename into place: {}", path, std::strerror(errno)));
  }
  return {};
}

Result<MappedFile> MappedFile::Open(const std::string& path, Use use) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return MakeError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return MakeError(fmt::format("{}: not a regular file", path));
  }
  MappedFile file;
  file.size_ = static_cast<size_t>(st.st_size);
  if (file.size_ > 0) {
    const int populate = use == Use::kResident ? MAP_POPULATE : 0;
    void* p = ::mmap(nullptr, file.size_, PROT_READ, MAP_PRIVATE | populate, fd, 0);
    if (p == MAP_FAILED) {
      ::close(fd);
      return MakeError(fmt::format("{}: cannot map: {}", path, std::strerror(errno)));
    }
    if (use == Use::kStream) ::madvise(p, file.size_, MADV_SEQUENTIAL);
    file.data_ = static_cast<const char*>(p);
  }
  ::close(fd);
  return file;
}

MappedFile::MappedFile(MappedFile&& other) noexcept : data_(other.data_), size_(other.size_) {
  other.data_ = nullptr;
  other.size_ = 0;
}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    this->~MappedFile();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(const_cast<char*>(data_), size_);
}

void MappedFile::Release(size_t offset, size_t length) const {
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  const size_t begin = (offset + page - 1) / page * page;
  const size_t end = std::min(size_, offset + length) / page * page;
  if (data_ && end > begin) ::madvise(const_cast<char*>(data_) + begin, end - begin, MADV_DONTNEED);
}

bool FileExists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

bool IsDirectory(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_directory(path, ec);
}

}  // namespace vsv
