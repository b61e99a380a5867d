// Result<T>: the value or an Error, across every I/O, parse and storage boundary.
#ifndef VSV_CORE_RESULT_H_
#define VSV_CORE_RESULT_H_

#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace vsv {

// A user-facing error. `message` is complete: it names the file, line, column and
// value where there is one, and what was expected.
struct Error {
  std::string message;
};

template <typename T>
using Result = tl::expected<T, Error>;

// Result<void> with a readable name.
using Status = tl::expected<void, Error>;

inline tl::unexpected<Error> MakeError(std::string message) {
  return tl::unexpected<Error>(Error{std::move(message)});
}

}  // namespace vsv

#endif  // VSV_CORE_RESULT_H_
