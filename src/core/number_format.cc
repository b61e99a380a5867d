#include "core/number_format.h"

#include <fmt/format.h>

namespace vsv {

namespace {
std::string Group(int64_t value, char separator) {
  const bool negative = value < 0;
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  std::string digits = fmt::format("{}", magnitude);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(separator);
    out.push_back(digits[i]);
  }
  return negative ? "-" + out : out;
}
}  // namespace

std::string FormatIntegerNl(int64_t value) { return Group(value, '.'); }
std::string FormatIntegerEn(int64_t value) { return Group(value, ','); }

std::string FormatDecimalNl(double value, int decimals) {
  std::string s = fmt::format("{:.{}f}", value, decimals);
  for (char& c : s) {
    if (c == '.') c = ',';
  }
  return s;
}

}  // namespace vsv
