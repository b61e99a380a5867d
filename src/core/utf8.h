// UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF) and the pieces an error about a bad byte needs. Registry files and
// request values are checked here before any of their text is stored or echoed:
// text that is not UTF-8 cannot be written as JSON.
#ifndef VSV_CORE_UTF8_H_
#define VSV_CORE_UTF8_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace vsv {

// Offset of the first byte that does not start or continue a valid UTF-8 sequence,
// or std::string_view::npos when `text` is valid. ASCII runs are checked eight
// bytes at a time.
size_t FirstInvalidUtf8(std::string_view text);

inline bool IsValidUtf8(std::string_view text) { return FirstInvalidUtf8(text) == std::string_view::npos; }

// The longest prefix of valid UTF-8 `text` of at most `max_bytes` bytes that does
// not cut a character in two.
std::string_view TruncateUtf8(std::string_view text, size_t max_bytes);

// What the byte at `offset` of `text` is, for a message: "byte 0xE9 ('é' in
// Latin-1 / Windows-1252)". Bytes 0x80-0xFF are shown as Windows-1252 would read
// them, the usual cause of a non-UTF-8 file in the Netherlands.
std::string DescribeInvalidByte(std::string_view text, size_t offset);

}  // namespace vsv

#endif  // VSV_CORE_UTF8_H_
