#include "report/table_writer.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <xlsxwriter.h>

#include "report/count_report.h"

namespace vsv {

std::string TableCsv(const DataTable& t) {
  std::string out;
  for (size_t c = 0; c < t.columns.size(); ++c) {
    if (c) out += ',';
    out += CsvCell(t.columns[c].heading);
  }
  out += "\r\n";
  for (const auto& row : t.rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      if (c) out += ',';
      const TableCell& cell = row[c];
      if (const auto* s = std::get_if<std::string>(&cell)) {
        out += CsvCell(*s);
      } else if (const auto* i = std::get_if<int64_t>(&cell)) {
        out += fmt::format("{}", *i);
      } else if (const auto* d = std::get_if<double>(&cell)) {
        out += t.columns[c].kind == ColumnKind::kPercent ? fmt::format("{:.2f}", *d) : fmt::format("{}", *d);
      }
    }
    out += "\r\n";
  }
  return out;
}

namespace {

// Removes the temporary file however the writer leaves.
struct TempFile {
  std::string path;
  ~TempFile() {
    if (!path.empty()) ::unlink(path.c_str());
  }
};

size_t DisplayWidth(const std::string& s) {
  size_t n = 0;
  for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;  // count UTF-8 code points
  return n;
}

}  // namespace

Result<std::string> TableXlsx(const DataTable& t) {
  const char* tmpdir = std::getenv("TMPDIR");
  std::string pattern = std::string(tmpdir && *tmpdir ? tmpdir : "/tmp") + "/vsv-xlsx-XXXXXX";
  const int fd = ::mkstemp(pattern.data());
  if (fd < 0) return MakeError("xlsx: cannot create a temporary file in " + pattern);
  ::close(fd);
  TempFile tmp{pattern};

  lxw_workbook* wb = workbook_new(tmp.path.c_str());
  if (!wb) return MakeError("xlsx: cannot start a workbook");
  // libxlsxwriter 1.1 takes char* fields; the copies live until workbook_close.
  std::string title = t.title, comments = "vsv";
  lxw_doc_properties props = {};
  props.title = title.data();
  props.comments = comments.data();
  workbook_set_properties(wb, &props);

  lxw_format* header = workbook_add_format(wb);
  format_set_bold(header);
  format_set_bg_color(header, 0xDDE7F0);
  format_set_bottom(header, LXW_BORDER_THIN);
  format_set_text_wrap(header);
  format_set_align(header, LXW_ALIGN_VERTICAL_TOP);
  lxw_format* integer = workbook_add_format(wb);
  format_set_num_format(integer, "#,##0");
  lxw_format* percent = workbook_add_format(wb);
  format_set_num_format(percent, "0.00%");
  lxw_format* marked = workbook_add_format(wb);  // "<5" and "x" in a number column
  format_set_align(marked, LXW_ALIGN_RIGHT);

  lxw_worksheet* ws = workbook_add_worksheet(wb, "tabel");
  std::vector<size_t> width(t.columns.size(), 8);
  for (size_t c = 0; c < t.columns.size(); ++c) {
    worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), t.columns[c].heading.c_str(), header);
    width[c] = std::max(width[c], std::min<size_t>(DisplayWidth(t.columns[c].heading), 28));
  }
  for (size_t r = 0; r < t.rows.size(); ++r) {
    const auto row_index = static_cast<lxw_row_t>(r + 1);
    for (size_t c = 0; c < t.rows[r].size() && c < t.columns.size(); ++c) {
      const auto col = static_cast<lxw_col_t>(c);
      const TableCell& cell = t.rows[r][c];
      const ColumnKind kind = t.columns[c].kind;
      if (const auto* s = std::get_if<std::string>(&cell)) {
        worksheet_write_string(ws, row_index, col, s->c_str(), kind == ColumnKind::kText ? nullptr : marked);
        width[c] = std::max(width[c], std::min<size_t>(DisplayWidth(*s), 50));
      } else if (const auto* i = std::get_if<int64_t>(&cell)) {
        worksheet_write_number(ws, row_index, col, static_cast<double>(*i), integer);
        width[c] = std::max<size_t>(width[c], 12);
      } else if (const auto* d = std::get_if<double>(&cell)) {
        if (kind == ColumnKind::kPercent) {
          worksheet_write_number(ws, row_index, col, *d / 100.0, percent);
        } else {
          worksheet_write_number(ws, row_index, col, *d, nullptr);
        }
      }
    }
  }
  for (size_t c = 0; c < t.columns.size(); ++c) {
    worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), static_cast<double>(width[c] + 2),
                         nullptr);
  }
  worksheet_set_row(ws, 0, 45, nullptr);
  worksheet_freeze_panes(ws, 1, 0);
  if (!t.columns.empty()) {
    worksheet_autofilter(ws, 0, 0, static_cast<lxw_row_t>(t.rows.size()), static_cast<lxw_col_t>(t.columns.size() - 1));
  }

  lxw_worksheet* notes = workbook_add_worksheet(wb, "toelichting");
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  worksheet_write_string(notes, 0, 0, t.title.c_str(), bold);
  for (size_t i = 0; i < t.notes.size(); ++i) {
    worksheet_write_string(notes, static_cast<lxw_row_t>(i + 2), 0, t.notes[i].c_str(), nullptr);
  }
  worksheet_set_column(notes, 0, 0, 110, nullptr);

  if (lxw_error err = workbook_close(wb); err != LXW_NO_ERROR) {
    return MakeError(fmt::format("xlsx: {}", lxw_strerror(err)));
  }
  std::ifstream in(tmp.path, std::ios::binary);
  if (!in) return MakeError("xlsx: cannot read back " + tmp.path);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace vsv
