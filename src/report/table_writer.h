// A table as a download: one model (columns with Dutch headings and a kind, rows of
// cells) written as CSV or as an Excel workbook (libxlsxwriter). The API renders every
// table it serves through these, so `?format=csv|xlsx` looks the same everywhere.
#ifndef VSV_REPORT_TABLE_WRITER_H_
#define VSV_REPORT_TABLE_WRITER_H_

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/result.h"

namespace vsv {

enum class ColumnKind : uint8_t {
  kText,
  kInteger,  // whole numbers; Excel shows them with a thousands separator (#,##0)
  kPercent,  // in percentage points (2.29 = 2,29%); Excel stores 0.0229 as 0.00%
};

struct TableColumn {
  std::string heading;  // Dutch, as the header row shows it
  ColumnKind kind = ColumnKind::kText;
};

// Empty, text (also the "<5" and "x" of suppressed cells), a count or a percentage.
using TableCell = std::variant<std::monostate, std::string, int64_t, double>;

struct DataTable {
  std::string title;                       // sheet title row in notes; file name stem
  std::vector<TableColumn> columns;
  std::vector<std::vector<TableCell>> rows;  // each row has columns.size() cells
  std::vector<std::string> notes;          // source, legend; a second sheet in XLSX
};

// RFC 4180 CSV with a header row of the Dutch headings; every text cell goes through
// CsvCell (formula injection guard); numbers with a decimal point, percentages with
// two decimals.
std::string TableCsv(const DataTable& table);

// An .xlsx workbook (bytes): sheet "tabel" with a bold, frozen header row, an
// autofilter, number formats per column kind and suppressed cells right-aligned as
// text; sheet "toelichting" with the title and the notes. Fails only when the
// temporary file cannot be written or read.
Result<std::string> TableXlsx(const DataTable& table);

}  // namespace vsv

#endif  // VSV_REPORT_TABLE_WRITER_H_
