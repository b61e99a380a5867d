#include "registry/snapshot.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <atomic>
#include <cstring>
#include <functional>
#include <thread>
#include <type_traits>

#include <fmt/format.h>

#include "core/file_util.h"

namespace vsv {

namespace {

constexpr char kMagic[8] = {'V', 'S', 'V', 'S', 'N', 'A', 'P', '\0'};

// Each column is stored as (u64 byte length, bytes); the file's checksum is the hash
// of the sequence of the columns' hashes, so it is computed as the columns stream by.
class ChecksumChain {
 public:
  void Add(const char* data, size_t size) { AddHash(SnapshotChecksum(data, size)); }
  void AddHash(uint64_t column_hash) { h_ = Mix(h_ ^ column_hash); }
  uint64_t value() const { return h_; }

 private:
  static uint64_t Mix(uint64_t x) {
    x ^= x >> 33; x *= 0xFF51AFD7ED558CCDull; x ^= x >> 33; x *= 0xC4CEB9FE1A85EC53ull;
    return x ^ (x >> 33);
  }
  uint64_t h_ = 0x243F6A8885A308D3ull;
};

class Writer {
 public:
  template <typename T>
  void Column(const std::vector<T>& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    Bytes(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  }
  void Column(const std::vector<std::string>& v) {
    std::string joined;
    std::vector<uint32_t> lengths;
    for (const std::string& s : v) { joined += s; lengths.push_back(static_cast<uint32_t>(s.size())); }
    Column(lengths);
    Column(joined);
  }
  void Column(const std::string& s) { Bytes(s.data(), s.size()); }
  template <typename T>
  void Put(T value) { out_.append(reinterpret_cast<const char*>(&value), sizeof value); }
  void Finish() { Put(chain_.value()); }
  std::string& bytes() { return out_; }

 private:
  void Bytes(const char* data, size_t size) {
    Put<uint64_t>(size);
    out_.append(data, size);
    chain_.Add(data, size);
  }
  std::string out_;
  ChecksumChain chain_;
};

// Reads the columns straight from the file into their vectors (no intermediate
// buffer). Visiting the columns only plans the reads (each length is checked against
// what is left of the file); Run() then reads and hashes the columns on several
// threads, and the checksum chains the column hashes in file order.
class Reader {
 public:
  Reader(int fd, uint64_t size, uint64_t offset) : fd_(fd), size_(size), pos_(offset) {}

  template <typename T>
  void Column(std::vector<T>& v) {
    uint64_t bytes = 0;
    if (!Plan(&bytes) || bytes % sizeof(T) != 0) { failed_ = true; return; }
    jobs_.push_back({pos_ - bytes, bytes, [&v](size_t n) {
                       v.resize(n / sizeof(T));
                       return reinterpret_cast<char*>(v.data());
                     }});
  }
  void Column(std::string& s) {
    uint64_t bytes = 0;
    if (!Plan(&bytes)) { failed_ = true; return; }
    jobs_.push_back({pos_ - bytes, bytes, [&s](size_t n) { s.resize(n); return s.data(); }});
  }
  // Small string lists (institution codes and names) are read at once.
  void Column(std::vector<std::string>& v) {
    std::vector<uint32_t> lengths;
    std::string joined;
    Column(lengths);
    Column(joined);
    if (failed_ || !ReadJob(jobs_[jobs_.size() - 2]) || !ReadJob(jobs_.back())) { failed_ = true; return; }
    size_t at = 0;
    v.clear();
    for (uint32_t len : lengths) {
      if (at + len > joined.size()) { failed_ = true; return; }
      v.push_back(joined.substr(at, len));
      at += len;
    }
  }

  // Reads every planned column on `threads` threads; false on a short read.
  bool Run(int threads) {
    std::atomic<size_t> next{0};
    std::atomic<bool> ok{true};
    auto work = [&] {
      for (size_t i; (i = next.fetch_add(1)) < jobs_.size();) {
        if (!jobs_[i].done && !ReadJob(jobs_[i])) ok = false;
      }
    };
    {
      std::vector<std::jthread> workers;
      for (int t = 1; t < threads; ++t) workers.emplace_back(work);
      work();
    }
    return ok;
  }
  bool failed() const { return failed_; }
  uint64_t pos() const { return pos_; }
  uint64_t checksum() const {
    ChecksumChain chain;
    for (const Job& j : jobs_) chain.AddHash(j.hash);
    return chain.value();
  }

 private:
  struct Job {
    uint64_t offset, bytes;
    std::function<char*(size_t)> allocate;
    uint64_t hash = 0;
    bool done = false;
  };
  // Reads the length of the next column and skips its bytes.
  bool Plan(uint64_t* bytes) {
    if (failed_ || size_ - pos_ < 8 || ::pread(fd_, bytes, 8, static_cast<off_t>(pos_)) != 8) return false;
    pos_ += 8;
    if (*bytes > size_ - pos_) return false;
    pos_ += *bytes;
    return true;
  }
  bool ReadJob(Job& job) {
    char* into = job.allocate(job.bytes);
    for (uint64_t done = 0; done < job.bytes;) {
      const ssize_t got = ::pread(fd_, into + done, job.bytes - done, static_cast<off_t>(job.offset + done));
      if (got <= 0) return false;
      done += static_cast<uint64_t>(got);
    }
    job.hash = SnapshotChecksum(into, job.bytes);
    job.done = true;
    return true;
  }
  int fd_;
  uint64_t size_;
  uint64_t pos_;
  bool failed_ = false;
  std::vector<Job> jobs_;
};

// The one list of what a snapshot holds, in order, for both directions.
template <typename Archive, typename Reg>
void VisitColumns(Archive& a, Reg& r) {
  a.Column(r.persons.id_chars); a.Column(r.persons.id_offsets);
  a.Column(r.persons.birth_date); a.Column(r.persons.sex);
  auto& in = r.institutions;
  a.Column(in.brin); a.Column(in.institution); a.Column(in.location); a.Column(in.name);
  a.Column(in.sector); a.Column(in.municipality);
  auto& re = r.residences;
  a.Column(re.offsets); a.Column(re.valid_from); a.Column(re.valid_to);
  a.Column(re.municipality); a.Column(re.postcode4);
  auto& e = r.enrolments;
  a.Column(e.offsets); a.Column(e.location_row); a.Column(e.sector); a.Column(e.funded);
  a.Column(e.program); a.Column(e.crebo); a.Column(e.level); a.Column(e.pathway);
  a.Column(e.grade); a.Column(e.newcomer); a.Column(e.international);
  a.Column(e.outsourced_to_vavo); a.Column(e.start_date); a.Column(e.end_date);
  auto& d = r.diplomas;
  a.Column(d.offsets); a.Column(d.date); a.Column(d.type); a.Column(d.institution);
  auto& g = r.registrations;
  a.Column(g.offsets); a.Column(g.register_kind); a.Column(g.valid_from); a.Column(g.valid_to);
  auto& l = r.life_events;
  a.Column(l.offsets); a.Column(l.date); a.Column(l.event);
  auto& b = r.absences;
  a.Column(b.offsets); a.Column(b.date); a.Column(b.institution); a.Column(b.kind);
  a.Column(b.hours);
}

// Sizes that must agree for the registry to be usable.
bool Consistent(const Registry& r) {
  const size_t n = r.persons.birth_date.size();
  auto grouped = [&](const PersonGrouping& g, size_t rows) {
    return g.offsets.size() == n + 1 && g.offsets.back() == rows;
  };
  return r.persons.id_offsets.size() == n + 1 && r.persons.sex.size() == n &&
         grouped(r.residences, r.residences.valid_from.size()) &&
         grouped(r.enrolments, r.enrolments.start_date.size()) &&
         grouped(r.diplomas, r.diplomas.date.size()) &&
         grouped(r.registrations, r.registrations.valid_from.size()) &&
         grouped(r.life_events, r.life_events.date.size()) &&
         grouped(r.absences, r.absences.date.size());
}

}  // namespace

uint64_t SnapshotChecksum(const char* data, size_t size) {
  // Four independent lanes, so the multiplications overlap (several GB/s).
  uint64_t lane[4] = {0x9E3779B97F4A7C15ull ^ size, 0xC2B2AE3D27D4EB4Full, 0x165667B19E3779F9ull,
                      0x27D4EB2F165667C5ull};
  size_t i = 0;
  for (; i + 32 <= size; i += 32) {
    for (int k = 0; k < 4; ++k) {
      uint64_t w;
      std::memcpy(&w, data + i + 8 * k, 8);
      lane[k] = (lane[k] ^ w) * 0xFF51AFD7ED558CCDull;
      lane[k] ^= lane[k] >> 29;
    }
  }
  uint64_t h = lane[0] ^ (lane[1] * 3) ^ (lane[2] * 5) ^ (lane[3] * 7);
  for (; i < size; ++i) h = (h ^ static_cast<unsigned char>(data[i])) * 0xC4CEB9FE1A85EC53ull;
  return h;
}

Status WriteSnapshot(const Registry& registry, const std::string& path) {
  Writer w;
  w.bytes().append(kMagic, sizeof kMagic);
  w.Put<uint32_t>(kSnapshotVersion);
  w.Put<uint32_t>(registry.has_absences ? 1u : 0u);
  VisitColumns(w, registry);
  w.Finish();
  return WriteFileAtomic(path, w.bytes());
}

Result<Registry> ReadSnapshot(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return MakeError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  struct Closer { int fd; ~Closer() { ::close(fd); } } closer{fd};
  struct stat st;
  if (::fstat(fd, &st) != 0) return MakeError(fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  char header[16];
  if (size < sizeof header + 8 || ::pread(fd, header, sizeof header, 0) != sizeof header ||
      std::memcmp(header, kMagic, sizeof kMagic) != 0) {
    return MakeError(fmt::format("{}: not a vsv snapshot (expected a file written by 'vsv import')", path));
  }
  uint32_t version, flags;
  std::memcpy(&version, header + 8, 4);
  std::memcpy(&flags, header + 12, 4);
  if (version != kSnapshotVersion) {
    return MakeError(fmt::format("{}: snapshot format version {}, this vsv reads version {}; "
                                 "write it again with 'vsv import'", path, version, kSnapshotVersion));
  }
  Registry reg;
  reg.has_absences = (flags & 1u) != 0;
  const uint64_t body = size - 8;  // the checksum is the last 8 bytes
  Reader r(fd, body, sizeof header);
  VisitColumns(r, reg);
  const bool read_all = !r.failed() && r.Run(2);
  uint64_t stored = 0;
  const bool have_checksum = ::pread(fd, &stored, 8, static_cast<off_t>(body)) == 8;
  if (!read_all || r.pos() != body || !have_checksum || stored != r.checksum()) {
    return MakeError(fmt::format("{}: snapshot is truncated or corrupted (checksum mismatch or "
                                 "columns that do not fit); write it again with 'vsv import'", path));
  }
  if (!Consistent(reg)) {
    return MakeError(fmt::format("{}: snapshot is corrupted (its columns do not fit together); "
                                 "write it again with 'vsv import'", path));
  }
  reg.institutions.BuildIndex();
  return reg;
}

}  // namespace vsv
