// Internal to hdhub_exports: reading the author's declarations (frames,
// table outputs; docs/airlock-workflow.md §2) field by field. Every field
// read is marked, and Done() refuses the others, so a misspelt field is an
// error rather than a default. Errors are InvalidArgument naming where the
// object sits ("frame a10, dimension age") and the field, never its value;
// an unknown field is named only when it looks like a field name.
//
// Thread-safety: a Fields is used by one thread; it refers to a JSON value
// that must outlive it.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "hdhub/common/status.h"

namespace hdhub::exports {

// Parses `text` as one JSON value; InvalidArgument naming `what` otherwise.
StatusOr<nlohmann::json> ParseDeclarationJson(std::string_view text, std::string_view what);

class Fields {
 public:
  // InvalidArgument naming `where` when `j` is not an object.
  static StatusOr<Fields> Of(const nlohmann::json& j, std::string where);

  const std::string& where() const { return where_; }
  // Names the object by a field read since (a dimension by its name).
  void set_where(std::string where) { where_ = std::move(where); }
  // InvalidArgument "<where>: field <field> <what>".
  Status Bad(std::string_view field, std::string_view what) const;

  bool Has(std::string_view field) const { return j_->contains(field); }
  // The field, marked as read; nullptr when absent.
  const nlohmann::json* Find(std::string_view field);
  StatusOr<const nlohmann::json*> Get(std::string_view field);
  StatusOr<std::string> String(std::string_view field);
  // A name of frames, outputs and dimensions ([a-z][a-z0-9_-]{0,63}).
  StatusOr<std::string> Name(std::string_view field);
  // A SQL identifier ([A-Za-z_][A-Za-z0-9_]{0,63}).
  StatusOr<std::string> Identifier(std::string_view field);
  // A whole number in [min, max].
  StatusOr<int64_t> Integer(std::string_view field, int64_t min, int64_t max);
  // An array of `min_size` to `max_size` elements.
  StatusOr<const nlohmann::json*> Array(std::string_view field, size_t min_size, size_t max_size);
  // OK when every field of the object was read.
  Status Done() const;

 private:
  Fields(const nlohmann::json& j, std::string where) : j_(&j), where_(std::move(where)) {}

  const nlohmann::json* j_;
  std::string where_;
  std::set<std::string, std::less<>> seen_;
};

}  // namespace hdhub::exports
