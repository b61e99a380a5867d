// Formats a person's rows as registry format v1 text, appending to one buffer per
// file. Hand-written integer and date formatting: this is the generator's hot path.
// Rows are clipped to the registry window: nothing before window.start() except
// diplomas and life events (history that the count may need), nothing after
// window.end(), and what is still running at the end is written open-ended.
#ifndef VSV_SYNTH_ROW_WRITER_H_
#define VSV_SYNTH_ROW_WRITER_H_

#include <array>
#include <cstdint>
#include <string>

#include "synth/catalogue.h"
#include "synth/person.h"
#include "synth/reference.h"
#include "synth/simulator.h"

namespace vsv::synth {

enum RegistryFile {
  kPersonsFile, kResidencesFile, kEnrolmentsFile, kDiplomasFile, kRegistrationsFile,
  kLifeEventsFile, kAbsencesFile, kInstitutionsFile
};
inline constexpr int kRegistryFiles = 8;
const char* RegistryFileName(int file);   // "persons.csv", ...
const char* RegistryFileHeader(int file);  // header line with '\n'

// A growable byte buffer written through raw pointers.
class OutBuffer {
 public:
  char* Reserve(size_t n) {
    if (size_ + n > data_.size()) data_.resize(std::max(data_.size() * 2, size_ + n + 4096));
    return data_.data() + size_;
  }
  void Commit(char* end) { size_ = static_cast<size_t>(end - data_.data()); }
  void Append(std::string_view s) {
    char* p = Reserve(s.size());
    std::copy(s.begin(), s.end(), p);
    size_ += s.size();
  }
  std::string_view view() const { return std::string_view(data_.data(), size_); }
  size_t size() const { return size_; }
  void Clear() { size_ = 0; }

 private:
  std::string data_;
  size_t size_ = 0;
};

struct RowCounts {
  std::array<int64_t, kRegistryFiles> rows{};
};

class RowWriter {
 public:
  RowWriter(const SynthReference& ref, const Catalogue& catalogue, SimWindow window);
  // Appends the rows of `person` to out[file]; counts them in `counts`.
  void Write(const PersonRecord& person, std::array<OutBuffer, kRegistryFiles>* out,
             RowCounts* counts) const;
  // The whole institutions.csv body (without header).
  std::string InstitutionsBody() const;

 private:
  const SynthReference& ref_;
  const Catalogue& cat_;
  SimWindow window_;
};

}  // namespace vsv::synth

#endif  // VSV_SYNTH_ROW_WRITER_H_
