#include "hdhub/synth/csv_row.h"

#include <charconv>
#include <cstdlib>
#include <cstring>

namespace hdhub::synth {
namespace {

constexpr size_t kInitialBuffer = 1 << 20;
constexpr size_t kArenaSize = 1 << 14;  // far above the longest line of any table
constexpr size_t kMaxNumber = 24;
constexpr size_t kMaxDate = 24;
constexpr int64_t kCentsPerUnit = 100;
// Most chunks and values are short: copying a fixed kCopySlack bytes is one
// vector move instead of a call. Sources (layout literal, arena) and the
// output keep kCopySlack readable/writable bytes past their end for it.
constexpr size_t kCopySlack = 16;

char* CopyShort(char* out, const char* from, size_t n) {
  if (n <= kCopySlack) {
    std::memcpy(out, from, kCopySlack);
  } else {
    std::memcpy(out, from, n);
  }
  return out + n;
}

}  // namespace

char* ByteBuffer::Reserve(size_t n) {
  if (size_ + n > capacity_) {
    size_t capacity = capacity_ == 0 ? kInitialBuffer : capacity_;
    while (capacity < size_ + n) capacity *= 2;
    auto bigger = std::make_unique_for_overwrite<char[]>(capacity);
    if (size_ > 0) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    capacity_ = capacity;
  }
  return data_.get() + size_;
}

RowLayout::RowLayout(std::span<const std::string_view> columns, std::vector<FixedValue> fixed,
                     std::vector<int> settable)
    : hole_of_column_(columns.size(), -1) {
  std::vector<const std::string*> fixed_of_column(columns.size(), nullptr);
  for (const FixedValue& f : fixed) fixed_of_column[static_cast<size_t>(f.column)] = &f.value;
  for (int c : settable) {
    if (fixed_of_column[static_cast<size_t>(c)] != nullptr) std::abort();  // both fixed and settable
    hole_of_column_[static_cast<size_t>(c)] = 0;
  }
  chunk_start_.push_back(0);
  for (size_t i = 0; i < columns.size(); ++i) {
    header_ += (i == 0 ? "" : ",");
    header_ += columns[i];
    if (i > 0) literal_ += ',';
    if (hole_of_column_[i] == 0) {
      hole_of_column_[i] = static_cast<int>(holes_++);
      chunk_start_.push_back(static_cast<uint32_t>(literal_.size()));
    } else if (fixed_of_column[i] != nullptr) {
      literal_ += *fixed_of_column[i];
    }
  }
  header_ += '\n';
  literal_ += '\n';
  chunk_start_.push_back(static_cast<uint32_t>(literal_.size()));
}

RowBuilder::RowBuilder(const RowLayout* layout)
    : layout_(layout),
      arena_(std::make_unique<char[]>(kArenaSize)),
      person_values_(layout->holes()),
      row_hole_(layout->holes()) {}

void RowBuilder::BeginPerson() {
  arena_used_ = 0;
  in_rows_ = false;
  for (Value& v : person_values_) v = Value{};
}

void RowBuilder::BeginRows() {
  literal_.clear();
  chunk_start_.assign(1, 0);
  row_values_.clear();
  size_t holes = layout_->holes();
  for (size_t h = 0; h < holes; ++h) {
    literal_ += layout_->Chunk(h);
    const Value& v = person_values_[h];
    if (v.size > 0) {
      literal_.append(arena_.get() + v.offset, v.size);
      row_hole_[h] = -1;
    } else {
      row_hole_[h] = static_cast<int>(row_values_.size());
      row_values_.emplace_back();
      chunk_start_.push_back(static_cast<uint32_t>(literal_.size()));
    }
  }
  literal_ += layout_->Chunk(holes);
  chunk_start_.push_back(static_cast<uint32_t>(literal_.size()));
  literal_size_ = literal_.size();
  literal_.append(kCopySlack, '\0');
  arena_used_ = 0;
  in_rows_ = true;
}

char* RowBuilder::Slot(size_t max_size) {
  if (arena_used_ + max_size + kCopySlack > kArenaSize) std::abort();  // a line far longer than any table's
  return arena_.get() + arena_used_;
}

void RowBuilder::Set(int column, const char* begin, const char* end) {
  int hole = layout_->HoleOf(column);
  if (hole < 0) std::abort();  // the layout does not declare this column settable
  Value v{static_cast<uint32_t>(begin - arena_.get()), static_cast<uint32_t>(end - begin)};
  if (!in_rows_) {
    person_values_[static_cast<size_t>(hole)] = v;
  } else {
    int row_hole = row_hole_[static_cast<size_t>(hole)];
    if (row_hole < 0) std::abort();  // already set for the whole person
    row_values_[static_cast<size_t>(row_hole)] = v;
  }
  arena_used_ = static_cast<size_t>(end - arena_.get());
}

void RowBuilder::Text(int column, std::string_view v) {
  char* p = Slot(v.size());
  std::memcpy(p, v.data(), v.size());
  Set(column, p, p + v.size());
}

void RowBuilder::Int(int column, int64_t v) {
  Format(column, kMaxNumber, [v](char* p) { return std::to_chars(p, p + kMaxNumber, v).ptr; });
}

void RowBuilder::Padded(int column, int64_t v, int width) {
  Format(column, kMaxNumber, [v, width](char* p) mutable {
    char* e = p + width;
    for (char* q = e; q > p;) {
      *--q = static_cast<char>('0' + v % 10);
      v /= 10;
    }
    return e;
  });
}

void RowBuilder::Cents(int column, int64_t cents) {
  Format(column, kMaxNumber, [cents](char* p) {
    char* e = std::to_chars(p, p + kMaxNumber, cents / kCentsPerUnit).ptr;
    *e++ = '.';
    return WriteTwoDigits(e, static_cast<int>(cents % kCentsPerUnit));
  });
}

void RowBuilder::IsoDate(int column, const CivilDate& d) {
  Format(column, kMaxDate, [&d](char* p) { return WriteIsoDate(p, d); });
}
void RowBuilder::DdMmYyyy(int column, const CivilDate& d) {
  Format(column, kMaxDate, [&d](char* p) { return WriteDdMmYyyy(p, d); });
}
void RowBuilder::Month(int column, const CivilDate& d) {
  Format(column, kMaxDate, [&d](char* p) { return WriteMonth(p, d); });
}
void RowBuilder::YearMonth(int column, const CivilDate& d) {
  Format(column, kMaxDate, [&d](char* p) { return WriteYearMonth(p, d); });
}
void RowBuilder::Year(int column, const CivilDate& d) {
  Format(column, kMaxDate, [&d](char* p) { return WriteYear(p, d); });
}
void RowBuilder::DateTime(int column, const CivilDate& d, int seconds_of_day) {
  Format(column, kMaxDate, [&d, seconds_of_day](char* p) { return WriteDateTime(p, d, seconds_of_day); });
}

void RowBuilder::EndRow(ByteBuffer& out) {
  if (!in_rows_) BeginRows();
  size_t total = literal_size_ + kCopySlack;
  for (const Value& v : row_values_) total += v.size;
  char* p = out.Reserve(total);
  const char* arena = arena_.get();
  const char* literal = literal_.data();
  size_t holes = row_values_.size();
  for (size_t i = 0; i < holes; ++i) {
    p = CopyShort(p, literal + chunk_start_[i], chunk_start_[i + 1] - chunk_start_[i]);
    p = CopyShort(p, arena + row_values_[i].offset, row_values_[i].size);
  }
  size_t last = chunk_start_[holes + 1] - chunk_start_[holes];
  std::memcpy(p, literal + chunk_start_[holes], last);
  out.Commit(p + last);
  for (Value& v : row_values_) v = Value{};
  arena_used_ = 0;
}

}  // namespace hdhub::synth
