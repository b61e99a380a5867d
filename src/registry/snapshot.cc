#include "registry/snapshot.h"

#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "core/file_util.h"
#include "core/parallel.h"
#include "core/utf8.h"

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

// Column data starts at a multiple of this in the file, so a mapped snapshot's
// columns are aligned for every value type (and for cache lines).
constexpr size_t kColumnAlignment = 64;

size_t PaddingBefore(size_t offset) { return (kColumnAlignment - offset % kColumnAlignment) % kColumnAlignment; }

class Writer {
 public:
  template <typename T>
  void Column(const vsv::Column<T>& c) {
    Bytes(reinterpret_cast<const char*>(c.data()), c.size() * sizeof(T));
  }
  void Column(const std::vector<std::string>& v) {
    std::string joined;
    vsv::Column<uint32_t> lengths;
    for (const std::string& s : v) { joined += s; lengths.push_back(static_cast<uint32_t>(s.size())); }
    Column(lengths);
    Bytes(joined.data(), joined.size());
  }
  template <typename T>
  void Put(T value) { out_.append(reinterpret_cast<const char*>(&value), sizeof value); }
  void Finish() { Put(chain_.value()); }
  std::string& bytes() { return out_; }

 private:
  void Bytes(const char* data, size_t size) {
    Put<uint64_t>(size);
    out_.append(PaddingBefore(out_.size()), '\0');
    out_.append(data, size);
    chain_.Add(data, size);
  }
  std::string out_;
  ChecksumChain chain_;
};

// Makes every column a view of the mapped file (nothing is copied). Visiting the
// columns checks that each fits in what is left of the file; Verify() then hashes
// the columns on several threads and chains the hashes in file order.
class Reader {
 public:
  Reader(std::shared_ptr<const MappedFile> file, uint64_t body_size, uint64_t offset)
      : file_(std::move(file)), bytes_(file_->data().data()), size_(body_size), pos_(offset) {}

  template <typename T>
  void Column(vsv::Column<T>& c) {
    const char* data = nullptr;
    uint64_t bytes = 0;
    if (!Next(&data, &bytes) || bytes % sizeof(T) != 0) { failed_ = true; return; }
    c = vsv::Column<T>::View({reinterpret_cast<const T*>(data), bytes / sizeof(T)}, file_);
  }
  // Small string lists (institution codes and names) are copied into strings.
  void Column(std::vector<std::string>& v) {
    vsv::Column<uint32_t> lengths;
    Column(lengths);
    const char* joined = nullptr;
    uint64_t joined_size = 0;
    if (failed_ || !Next(&joined, &joined_size)) { failed_ = true; return; }
    size_t at = 0;
    v.clear();
    for (uint32_t len : lengths) {
      if (at + len > joined_size) { failed_ = true; return; }
      v.emplace_back(joined + at, len);
      at += len;
    }
  }

  // Hashes every column on `threads` threads; the checksum of the whole file.
  uint64_t Checksum(size_t threads) {
    std::vector<uint64_t> hashes(columns_.size());
    ParallelFor(columns_.size(), threads, [&](size_t i) {
      hashes[i] = SnapshotChecksum(columns_[i].data(), columns_[i].size());
    });
    ChecksumChain chain;
    for (uint64_t h : hashes) chain.AddHash(h);
    return chain.value();
  }
  bool failed() const { return failed_; }
  uint64_t pos() const { return pos_; }

 private:
  // The next column: its length, the padding, then its bytes, all inside the body.
  bool Next(const char** data, uint64_t* bytes) {
    if (failed_ || size_ - pos_ < 8) return false;
    std::memcpy(bytes, bytes_ + pos_, 8);
    pos_ += 8;
    const uint64_t padding = PaddingBefore(pos_);
    if (padding > size_ - pos_ || *bytes > size_ - pos_ - padding) return false;
    pos_ += padding;
    *data = bytes_ + pos_;
    columns_.emplace_back(*data, *bytes);
    pos_ += *bytes;
    return true;
  }
  std::shared_ptr<const MappedFile> file_;
  const char* bytes_;
  uint64_t size_;
  uint64_t pos_;
  bool failed_ = false;
  std::vector<std::string_view> columns_;
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
  auto mapped = MappedFile::Open(path, MappedFile::Use::kResident);
  if (!mapped) return tl::unexpected(mapped.error());
  auto file = std::make_shared<const MappedFile>(std::move(*mapped));
  const std::string_view bytes = file->data();
  constexpr size_t kHeaderSize = 16;
  if (bytes.size() < kHeaderSize + 8 || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    return MakeError(fmt::format("{}: not a vsv snapshot (expected a file written by 'vsv import')", path));
  }
  uint32_t version, flags;
  std::memcpy(&version, bytes.data() + 8, 4);
  std::memcpy(&flags, bytes.data() + 12, 4);
  if (version != kSnapshotVersion) {
    return MakeError(fmt::format("{}: snapshot format version {}, this vsv reads version {}; "
                                 "write it again with 'vsv import'", path, version, kSnapshotVersion));
  }
  Registry reg;
  reg.has_absences = (flags & 1u) != 0;
  const uint64_t body = bytes.size() - 8;  // the checksum is the last 8 bytes
  Reader r(file, body, kHeaderSize);
  VisitColumns(r, reg);
  uint64_t stored = 0;
  std::memcpy(&stored, bytes.data() + body, 8);
  if (r.failed() || r.pos() != body || stored != r.Checksum(2)) {
    return MakeError(fmt::format("{}: snapshot is truncated or corrupted (checksum mismatch or "
                                 "columns that do not fit); write it again with 'vsv import'", path));
  }
  if (!Consistent(reg)) {
    return MakeError(fmt::format("{}: snapshot is corrupted (its columns do not fit together); "
                                 "write it again with 'vsv import'", path));
  }
  // Snapshots written before the loader checked UTF-8 may hold an institution name in
  // Latin-1 (the only free text); the server could not send it as JSON.
  for (size_t i = 0; i < reg.institutions.name.size(); ++i) {
    if (!IsValidUtf8(reg.institutions.name[i])) {
      return MakeError(fmt::format("{}: institution {} location {:02d} has a name that is not UTF-8; "
                                   "write the snapshot again with 'vsv import' from UTF-8 files",
                                   path, reg.institutions.brin[reg.institutions.institution[i]],
                                   reg.institutions.location[i]));
    }
  }
  reg.institutions.BuildIndex();
  return reg;
}

}  // namespace vsv
