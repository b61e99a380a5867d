#include "registry/snapshot.h"

#include <cstring>
#include <type_traits>

#include <fmt/format.h>

#include "core/file_util.h"

namespace vsv {

namespace {

constexpr char kMagic[8] = {'V', 'S', 'V', 'S', 'N', 'A', 'P', '\0'};

class Writer {
 public:
  template <typename T>
  void Column(const std::vector<T>& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    Put<uint64_t>(v.size() * sizeof(T));
    out_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  }
  void Column(const std::vector<std::string>& v) {
    std::string joined;
    std::vector<uint32_t> lengths;
    for (const std::string& s : v) { joined += s; lengths.push_back(static_cast<uint32_t>(s.size())); }
    Column(lengths);
    Put<uint64_t>(joined.size());
    out_ += joined;
  }
  void Column(const std::string& s) {
    Put<uint64_t>(s.size());
    out_ += s;
  }
  template <typename T>
  void Put(T value) { out_.append(reinterpret_cast<const char*>(&value), sizeof value); }
  std::string& bytes() { return out_; }

 private:
  std::string out_;
};

class Reader {
 public:
  Reader(const std::string& path, std::string_view data) : path_(path), data_(data) {}
  template <typename T>
  void Column(std::vector<T>& v) {
    uint64_t bytes = 0;
    if (!Get(&bytes) || bytes % sizeof(T) != 0 || bytes > data_.size() - pos_) { Fail(); return; }
    v.resize(bytes / sizeof(T));
    std::memcpy(v.data(), data_.data() + pos_, bytes);
    pos_ += bytes;
  }
  void Column(std::vector<std::string>& v) {
    std::vector<uint32_t> lengths;
    Column(lengths);
    std::string joined;
    Column(joined);
    if (failed_) return;
    size_t at = 0;
    v.clear();
    for (uint32_t len : lengths) {
      if (at + len > joined.size()) { Fail(); return; }
      v.push_back(joined.substr(at, len));
      at += len;
    }
  }
  void Column(std::string& s) {
    uint64_t bytes = 0;
    if (!Get(&bytes) || bytes > data_.size() - pos_) { Fail(); return; }
    s.assign(data_.data() + pos_, bytes);
    pos_ += bytes;
  }
  template <typename T>
  bool Get(T* value) {
    if (failed_ || data_.size() - pos_ < sizeof(T)) { Fail(); return false; }
    std::memcpy(value, data_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }
  void Fail() { failed_ = true; }
  bool failed() const { return failed_; }
  size_t pos() const { return pos_; }

 private:
  std::string path_;
  std::string_view data_;
  size_t pos_ = 0;
  bool failed_ = false;
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
  uint64_t h = 0x9E3779B97F4A7C15ull ^ size;
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t w;
    std::memcpy(&w, data + i, 8);
    h = (h ^ w) * 0xFF51AFD7ED558CCDull;
    h ^= h >> 32;
  }
  for (; i < size; ++i) h = (h ^ static_cast<unsigned char>(data[i])) * 0xC4CEB9FE1A85EC53ull;
  return h;
}

Status WriteSnapshot(const Registry& registry, const std::string& path) {
  Writer w;
  w.bytes().append(kMagic, sizeof kMagic);
  w.Put<uint32_t>(kSnapshotVersion);
  w.Put<uint32_t>(registry.has_absences ? 1u : 0u);
  VisitColumns(w, registry);
  const uint64_t checksum = SnapshotChecksum(w.bytes().data(), w.bytes().size());
  w.Put(checksum);
  return WriteFileAtomic(path, w.bytes());
}

Result<Registry> ReadSnapshot(const std::string& path) {
  auto data = ReadFile(path);
  if (!data) return tl::unexpected(data.error());
  const std::string& bytes = *data;
  if (bytes.size() < sizeof kMagic + 16 || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    return MakeError(fmt::format("{}: not a vsv snapshot (expected a file written by 'vsv import')", path));
  }
  uint32_t version;
  std::memcpy(&version, bytes.data() + sizeof kMagic, 4);
  if (version != kSnapshotVersion) {
    return MakeError(fmt::format("{}: snapshot format version {}, this vsv reads version {}; "
                                 "write it again with 'vsv import'", path, version, kSnapshotVersion));
  }
  const size_t body = bytes.size() - 8;
  uint64_t stored;
  std::memcpy(&stored, bytes.data() + body, 8);
  if (SnapshotChecksum(bytes.data(), body) != stored) {
    return MakeError(fmt::format("{}: snapshot is truncated or corrupted (checksum mismatch); "
                                 "write it again with 'vsv import'", path));
  }
  Registry reg;
  uint32_t flags;
  std::memcpy(&flags, bytes.data() + sizeof kMagic + 4, 4);
  reg.has_absences = (flags & 1u) != 0;
  Reader r(path, std::string_view(bytes).substr(0, body));
  uint64_t header;
  r.Get(&header);  // magic
  r.Get(&header);  // version and flags
  VisitColumns(r, reg);
  if (r.failed() || r.pos() != body || !Consistent(reg)) {
    return MakeError(fmt::format("{}: snapshot is corrupted (its columns do not fit together); "
                                 "write it again with 'vsv import'", path));
  }
  return reg;
}

}  // namespace vsv
