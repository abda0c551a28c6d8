#include "hdhub/sql/query_result.h"

namespace hdhub::sql {

Cell Cell::Of(Value value) {
  if (std::holds_alternative<std::monostate>(value)) return Cell();
  std::string text = ToText(value);
  return Cell(std::move(value), std::move(text));
}

StatusOr<QueryResult> Collect(QueryStream& stream) {
  QueryResult out;
  out.column_names = stream.column_names();
  for (const ColumnType& type : stream.column_types()) out.column_types.push_back(type.name);
  while (true) {
    ASSIGN_OR_RETURN(std::optional<Chunk> chunk, stream.Next());
    if (!chunk) return out;
    for (size_t row = 0; row < chunk->size(); ++row) {
      std::vector<Cell> cells;
      cells.reserve(chunk->column_count());
      for (size_t column = 0; column < chunk->column_count(); ++column) {
        if (chunk->IsNull(column, row)) {
          cells.emplace_back();
        } else {
          cells.emplace_back(chunk->Get(column, row), chunk->Text(column, row));
        }
      }
      out.rows.push_back(std::move(cells));
    }
  }
}

}  // namespace hdhub::sql
