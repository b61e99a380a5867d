// Numbers as Dutch readers expect them: 29.163 and 2,29%. The one place for it.
#ifndef VSV_CORE_NUMBER_FORMAT_H_
#define VSV_CORE_NUMBER_FORMAT_H_

#include <cstdint>
#include <string>

namespace vsv {

// 29163 -> "29.163"; -1234 -> "-1.234".
std::string FormatIntegerNl(int64_t value);
// 2.2861 with 2 decimals -> "2,29".
std::string FormatDecimalNl(double value, int decimals);
// English grouping for the English interface: 29163 -> "29,163".
std::string FormatIntegerEn(int64_t value);

}  // namespace vsv

#endif  // VSV_CORE_NUMBER_FORMAT_H_
