// An RFC 4180 CSV reader over an in-memory buffer, built for speed: fields are
// string_views into the buffer (or into a per-cursor scratch for quoted fields), no
// allocation per row. Large files without quotes are split into chunks at line
// boundaries so that several threads can parse one file.
#ifndef VSV_CORE_CSV_READER_H_
#define VSV_CORE_CSV_READER_H_

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/file_util.h"
#include "core/result.h"

namespace vsv {

// One record: its fields and the 1-based line number it starts on.
struct CsvRecord {
  std::vector<std::string_view> fields;
  int64_t line = 0;
};

// Reads records from a byte range of a buffer. The buffer (and `header`, when
// given) must outlive the cursor.
class CsvCursor {
 public:
  // `first_offset`: where `data` starts in the file (for byte offsets in errors);
  // `header`: the file's column names (for column names in errors).
  CsvCursor(std::string_view file_name, std::string_view data, int64_t first_line, size_t first_offset = 0,
            const std::vector<std::string>* header = nullptr);

  // Fills `record` with the next non-empty record. Returns false at the end, an
  // error (file and line) on an unterminated quote or text after a closing quote,
  // and an error (file, line, column, byte offset) on a byte that is not UTF-8.
  Result<bool> Next(CsvRecord* record);
  std::string_view data() const { return data_; }

 private:
  Status CheckUtf8(size_t begin, int64_t line) const;

  std::string_view file_name_;
  std::string_view data_;
  size_t pos_ = 0;
  int64_t line_;
  size_t first_offset_;
  const std::vector<std::string>* header_;
  std::string scratch_;  // unescaped quoted fields of the current record
};

// A CSV file held in memory, with its header parsed.
class CsvFile {
 public:
  // Takes ownership of `data`. An error if the header is missing or malformed.
  static Result<CsvFile> FromBuffer(std::string file_name, std::string data);
  static Result<CsvFile> Open(const std::string& path, std::string display_name);

  const std::string& name() const { return name_; }
  const std::vector<std::string>& header() const { return header_; }
  // Index of `column` in the header, or -1.
  int ColumnIndex(std::string_view column) const;
  // Indexes of `columns` in the header; an error naming the first missing one.
  Result<std::vector<int>> RequireColumns(std::span<const std::string_view> columns) const;
  Result<std::vector<int>> RequireColumns(std::initializer_list<std::string_view> columns) const {
    return RequireColumns(std::span<const std::string_view>(columns.begin(), columns.size()));
  }
  // Header columns not in `known` (they are ignored, with a notice).
  std::vector<std::string> UnknownColumns(std::span<const std::string_view> known) const;

  // Cursors over the records after the header, in file order, at most `max_chunks`
  // of them (fewer for small files or files with quoted fields). A large file is
  // scanned for line ends and quotes on `threads` threads.
  std::vector<CsvCursor> Chunks(int max_chunks, int threads = 1) const;
  // Lets go of the memory of a chunk that has been read (a mapped file's pages).
  void ReleaseChunk(const CsvCursor& chunk) const;

 private:
  static Result<CsvFile> Parse(std::string file_name, std::string owned, MappedFile mapped);
  // Computed, not stored: a moved std::string may move its bytes.
  std::string_view data() const { return owned_.empty() ? mapped_.data() : std::string_view(owned_); }

  std::string name_;
  std::string owned_;   // the bytes, when given as a buffer
  MappedFile mapped_;   // the bytes, when read from a file
  std::vector<std::string> header_;
  size_t body_offset_ = 0;
  int64_t body_line_ = 2;
};

}  // namespace vsv

#endif  // VSV_CORE_CSV_READER_H_
