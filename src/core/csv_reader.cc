#include "core/csv_reader.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/file_util.h"
#include "core/parallel.h"
#include "core/utf8.h"

namespace vsv {

CsvCursor::CsvCursor(std::string_view file_name, std::string_view data, int64_t first_line, size_t first_offset,
                     const std::vector<std::string>* header)
    : file_name_(file_name), data_(data), line_(first_line), first_offset_(first_offset), header_(header) {}

// The record data_[begin, pos_) starting on `line` must be UTF-8. A record is
// checked right after it is parsed, while its bytes are in cache; the error's line
// and column are worked out from the raw bytes only when there is one.
Status CsvCursor::CheckUtf8(size_t begin, int64_t line) const {
  const std::string_view raw = data_.substr(begin, pos_ - begin);
  const size_t bad = FirstInvalidUtf8(raw);
  if (bad == std::string_view::npos) return {};
  size_t column = 0;
  bool quoted = false;
  for (size_t i = 0; i < bad; ++i) {
    if (raw[i] == '"') quoted = !quoted;  // a doubled quote toggles twice
    else if (raw[i] == ',' && !quoted) ++column;
    else if (raw[i] == '\n') ++line;
  }
  std::string where = fmt::format("column {}", column + 1);
  if (header_ && column < header_->size()) where += fmt::format(" '{}'", (*header_)[column]);
  return MakeError(fmt::format(
      "{}:{}, {}, byte offset {}: {} is not valid UTF-8; the file is probably Latin-1 / Windows-1252 "
      "(save it as UTF-8)",
      file_name_, line, where, first_offset_ + begin + bad, DescribeInvalidByte(raw, bad)));
}

Result<bool> CsvCursor::Next(CsvRecord* record) {
  record->fields.clear();
  const size_t n = data_.size();
  while (pos_ < n) {  // skip blank lines ("\n" or "\r\n")
    if (data_[pos_] == '\n') { ++pos_; ++line_; continue; }
    if (data_[pos_] == '\r' && pos_ + 1 < n && data_[pos_ + 1] == '\n') {
      pos_ += 2; ++line_; continue;
    }
    break;
  }
  if (pos_ >= n) return false;
  record->line = line_;
  const size_t record_begin = pos_;
  // Quoted fields are unescaped into scratch_, which may grow; their views are set
  // once the record is complete.
  struct QuotedField { size_t field, begin, length; };
  std::vector<QuotedField> quoted;
  scratch_.clear();
  for (;;) {
    if (pos_ < n && data_[pos_] == '"') {
      const int64_t start_line = line_;
      const size_t begin = scratch_.size();
      ++pos_;
      for (;;) {
        if (pos_ >= n) {
          return MakeError(fmt::format("{}:{}: unterminated quoted field", file_name_, start_line));
        }
        const char c = data_[pos_++];
        if (c == '"') {
          if (pos_ < n && data_[pos_] == '"') { scratch_.push_back('"'); ++pos_; continue; }
          break;
        }
        if (c == '\n') ++line_;
        scratch_.push_back(c);
      }
      quoted.push_back({record->fields.size(), begin, scratch_.size() - begin});
      record->fields.emplace_back();
      if (pos_ < n && data_[pos_] == '\r' && pos_ + 1 < n && data_[pos_ + 1] == '\n') ++pos_;
      if (pos_ < n && data_[pos_] != ',' && data_[pos_] != '\n') {
        return MakeError(fmt::format("{}:{}: text after a closing quote", file_name_, line_));
      }
    } else {
      const size_t begin = pos_;
      while (pos_ < n && data_[pos_] != ',' && data_[pos_] != '\n') ++pos_;
      size_t end = pos_;
      if (end > begin && data_[end - 1] == '\r' && (pos_ >= n || data_[pos_] == '\n')) --end;
      record->fields.emplace_back(data_.data() + begin, end - begin);
    }
    if (pos_ >= n) break;
    if (data_[pos_++] == ',') continue;
    ++line_;  // consumed '\n'
    break;
  }
  if (auto utf8 = CheckUtf8(record_begin, record->line); !utf8) return tl::unexpected(utf8.error());
  for (const QuotedField& q : quoted) {
    record->fields[q.field] = std::string_view(scratch_.data() + q.begin, q.length);
  }
  return true;
}

Result<CsvFile> CsvFile::FromBuffer(std::string file_name, std::string data) {
  return Parse(std::move(file_name), std::move(data), MappedFile());
}

Result<CsvFile> CsvFile::Open(const std::string& path, std::string display_name) {
  auto mapped = MappedFile::Open(path);
  if (!mapped) return tl::unexpected(mapped.error());
  return Parse(std::move(display_name), std::string(), std::move(*mapped));
}

Result<CsvFile> CsvFile::Parse(std::string file_name, std::string owned, MappedFile mapped) {
  CsvFile file;
  file.name_ = std::move(file_name);
  file.owned_ = std::move(owned);
  file.mapped_ = std::move(mapped);
  const std::string_view data = file.data();
  size_t start = 0;
  if (data.size() >= 3 && std::memcmp(data.data(), "\xEF\xBB\xBF", 3) == 0) start = 3;
  CsvCursor header(file.name_, data.substr(start), 1, start);
  CsvRecord record;
  auto got = header.Next(&record);
  if (!got) return tl::unexpected(got.error());
  if (!*got) return MakeError(fmt::format("{}: empty file, expected a header line", file.name_));
  if (record.line != 1) {
    return MakeError(fmt::format("{}:1: expected a header line, found an empty line", file.name_));
  }
  for (std::string_view f : record.fields) file.header_.emplace_back(f);
  // The header ends at the first newline (header fields are never multi-line here).
  const size_t nl = data.find('\n', start);
  file.body_offset_ = nl == std::string_view::npos ? data.size() : nl + 1;
  for (size_t i = 0; i < file.header_.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (file.header_[i] == file.header_[j]) {
        return MakeError(fmt::format("{}:1: column '{}' appears twice in the header",
                                     file.name_, file.header_[i]));
      }
    }
  }
  return file;
}

void CsvFile::ReleaseChunk(const CsvCursor& chunk) const {
  if (owned_.empty()) {
    mapped_.Release(static_cast<size_t>(chunk.data().data() - data().data()), chunk.data().size());
  }
}

int CsvFile::ColumnIndex(std::string_view column) const {
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == column) return static_cast<int>(i);
  }
  return -1;
}

Result<std::vector<int>> CsvFile::RequireColumns(std::span<const std::string_view> columns) const {
  std::vector<int> out;
  for (std::string_view column : columns) {
    const int index = ColumnIndex(column);
    if (index < 0) {
      return MakeError(fmt::format("{}:1: missing required column '{}' (the header has: {})",
                                   name_, column, fmt::join(header_, ",")));
    }
    out.push_back(index);
  }
  return out;
}

std::vector<std::string> CsvFile::UnknownColumns(std::span<const std::string_view> known) const {
  std::vector<std::string> out;
  for (const std::string& column : header_) {
    if (std::find(known.begin(), known.end(), column) == known.end()) out.push_back(column);
  }
  return out;
}

namespace {

// What a chunk holds that decides how the file may be cut: its line ends (for the
// line numbers of the next chunk) and whether it has a quote (a quoted field may
// hold a line end, so only a file without quotes may be cut at line ends).
struct ChunkScan {
  int64_t lines = 0;
  bool has_quote = false;
};

ChunkScan ScanChunk(std::string_view chunk) {
  ChunkScan scan;
  constexpr size_t kBlock = 1 << 16;  // the newline count reads the block from cache
  for (size_t at = 0; at < chunk.size(); at += kBlock) {
    const std::string_view block = chunk.substr(at, kBlock);
    if (std::memchr(block.data(), '"', block.size()) != nullptr) return {0, true};
    scan.lines += std::count(block.begin(), block.end(), '\n');
  }
  return scan;
}

}  // namespace

std::vector<CsvCursor> CsvFile::Chunks(int max_chunks, int threads) const {
  const std::string_view body = data().substr(body_offset_);
  constexpr size_t kMinChunk = 1 << 20;
  if (max_chunks <= 1 || body.size() < 2 * kMinChunk) return {CsvCursor(name_, body, body_line_, body_offset_, &header_)};
  // Equal shares, each extended to the end of its line.
  std::vector<std::string_view> pieces;
  const size_t target = body.size() / static_cast<size_t>(max_chunks);
  for (size_t begin = 0; begin < body.size();) {
    size_t end = std::min(body.size(), begin + target);
    if (end < body.size()) {
      const size_t nl = body.find('\n', end);
      end = nl == std::string_view::npos ? body.size() : nl + 1;
    }
    if (pieces.size() + 1 == static_cast<size_t>(max_chunks)) end = body.size();
    pieces.push_back(body.substr(begin, end - begin));
    begin = end;
  }
  // Scanned on all threads: this is the first read of a large file's pages.
  std::vector<ChunkScan> scans(pieces.size());
  ParallelFor(pieces.size(), static_cast<size_t>(std::max(threads, 1)),
              [&](size_t i) { scans[i] = ScanChunk(pieces[i]); });
  const bool has_quotes = std::any_of(scans.begin(), scans.end(),
                                      [](const ChunkScan& s) { return s.has_quote; });
  if (has_quotes) return {CsvCursor(name_, body, body_line_, body_offset_, &header_)};
  std::vector<CsvCursor> out;
  int64_t line = body_line_;
  size_t offset = body_offset_;
  for (size_t i = 0; i < pieces.size(); ++i) {
    out.emplace_back(name_, pieces[i], line, offset, &header_);
    line += scans[i].lines;
    offset += pieces[i].size();
  }
  return out;
}

}  // namespace vsv
