// Column<T>: one column of a table of plain values. Either it owns its values (as
// the CSV loader builds them) or it is a read-only view of memory someone else owns
// (a memory-mapped snapshot, kept alive by a shared handle), so a snapshot's columns
// are used where they lie in the page cache instead of being copied. Reading is the
// same in both cases: data_ and size_ always describe the values.
//
// Changing a view first copies it into owned memory, so a column never writes into
// the mapping.
#ifndef VSV_CORE_COLUMN_H_
#define VSV_CORE_COLUMN_H_

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace vsv {

template <typename T>
class Column {
  static_assert(std::is_trivially_copyable_v<T>, "a column holds plain values");

 public:
  using value_type = T;
  using const_iterator = const T*;

  Column() = default;
  Column(std::initializer_list<T> values) : owned_(values) { Sync(); }
  explicit Column(std::vector<T> values) : owned_(std::move(values)) { Sync(); }
  // A read-only view of `values`; `owner` keeps the memory they lie in alive.
  static Column View(std::span<const T> values, std::shared_ptr<const void> owner) {
    Column c;
    c.owner_ = std::move(owner);
    c.data_ = values.data();
    c.size_ = values.size();
    return c;
  }

  Column(const Column& other) { *this = other; }
  Column(Column&& other) noexcept { *this = std::move(other); }
  Column& operator=(const Column& other) {
    if (this == &other) return *this;
    owner_ = other.owner_;
    if (owner_) {
      std::vector<T>().swap(owned_);
      data_ = other.data_;
      size_ = other.size_;
    } else {
      owned_ = other.owned_;
      Sync();
    }
    return *this;
  }
  Column& operator=(Column&& other) noexcept {
    if (this == &other) return *this;
    owned_ = std::move(other.owned_);
    owner_ = std::move(other.owner_);
    data_ = owner_ ? other.data_ : owned_.data();
    size_ = owner_ ? other.size_ : owned_.size();
    other.owned_.clear();
    other.owner_.reset();
    other.Sync();
    return *this;
  }

  // Reading.
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T* data() const { return data_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }
  const T& operator[](size_t i) const { return data_[i]; }
  const T& front() const { return data_[0]; }
  const T& back() const { return data_[size_ - 1]; }
  std::span<const T> span() const { return {data_, size_}; }
  bool is_view() const { return owner_ != nullptr; }
  friend bool operator==(const Column& a, const Column& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

  // Building (owned memory). There is deliberately no non-const operator[] or
  // begin(): reading through a non-const column must never copy a view.
  T* mutable_data() { return Owned().data(); }
  void push_back(const T& value) { Owned().push_back(value); Sync(); }
  void reserve(size_t n) { Owned().reserve(n); Sync(); }
  void resize(size_t n) { Owned().resize(n); Sync(); }
  void assign(size_t n, const T& value) { Owned().assign(n, value); Sync(); }
  template <typename It>
  void append(It first, It last) { Owned().insert(owned_.end(), first, last); Sync(); }
  void clear() { Owned().clear(); Sync(); }

 private:
  // The owned values, a view being copied into them first.
  std::vector<T>& Owned() {
    if (owner_) {
      owned_.assign(data_, data_ + size_);
      owner_.reset();
      Sync();
    }
    return owned_;
  }
  void Sync() {
    data_ = owned_.data();
    size_ = owned_.size();
  }

  std::vector<T> owned_;
  std::shared_ptr<const void> owner_;  // set for a view
  const T* data_ = nullptr;
  size_t size_ = 0;
};

// Text stored as one column of characters (for example concatenated ids).
inline std::string_view AsText(const Column<char>& chars) { return {chars.data(), chars.size()}; }

}  // namespace vsv

#endif  // VSV_CORE_COLUMN_H_
