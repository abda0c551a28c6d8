#include "hdhub/ingest/csv_source.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <regex>

#include "hdhub/sql/database.h"

namespace hdhub::ingest {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// The first record of `text` (quotes may hold newlines), without its line end.
StatusOr<std::string> FirstRecord(const std::string& text, const std::string& path) {
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '"') quoted = !quoted;
    if (text[i] == '\n' && !quoted) {
      size_t end = (i > 0 && text[i - 1] == '\r') ? i - 1 : i;
      return text.substr(0, end);
    }
  }
  if (text.size() > kMaxLineBytes) return InvalidArgumentError(path + ", line 1: the header line is longer than 1 MiB");
  if (quoted) return InvalidArgumentError(path + ", line 1: a quoted header field is not terminated");
  return text;  // a file of one line, without a final newline
}

StatusOr<std::vector<std::string>> SplitHeader(std::string_view line, char delimiter, const std::string& path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (true) {
    std::string field;
    if (i < line.size() && line[i] == '"') {
      for (++i;; ++i) {
        if (i >= line.size()) return InvalidArgumentError(path + ", line 1: a quoted header field is not terminated");
        if (line[i] == '"' && i + 1 < line.size() && line[i + 1] == '"') {
          field += '"';
          ++i;
        } else if (line[i] == '"') {
          ++i;
          break;
        } else {
          field += line[i];
        }
      }
      if (i < line.size() && line[i] != delimiter) {
        return InvalidArgumentError(path + ", line 1, column " + std::to_string(out.size() + 1) +
                                    ": text after a closing quote");
      }
    } else {
      size_t end = line.find(delimiter, i);
      if (end == std::string_view::npos) end = line.size();
      field = std::string(line.substr(i, end - i));
      if (field.find('"') != std::string::npos) {
        return InvalidArgumentError(path + ", line 1, column " + std::to_string(out.size() + 1) +
                                    ": a quote inside an unquoted header field");
      }
      i = end;
    }
    out.push_back(std::move(field));
    if (i >= line.size()) break;
    ++i;  // the delimiter
  }
  return out;
}

std::string CsvOptions(const CsvSource& s) {
  std::string columns;
  for (size_t i = 0; i < s.header.size(); ++i) {
    columns += (i ? ", " : "") + sql::QuoteLiteral(s.header[i]) + ": 'VARCHAR'";
  }
  return sql::QuoteLiteral(s.path) +
         ", header = true, auto_detect = false, delim = " + sql::QuoteLiteral(std::string(1, s.delimiter)) +
         ", quote = '\"', escape = '\"', strict_mode = true, null_padding = false, max_line_size = " +
         std::to_string(kMaxLineBytes) + ", columns = {" + columns + "}";
}

}  // namespace

StatusOr<CsvSource> CsvSource::Open(const std::string& path, char delimiter) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("input file " + path + " cannot be read");
  std::string head(kMaxLineBytes + 2, '\0');
  in.read(head.data(), std::streamsize(head.size()));
  head.resize(size_t(in.gcount()));
  if (in.bad()) return InternalError("reading input file " + path + " failed");
  if (head.starts_with(kUtf8Bom)) head.erase(0, kUtf8Bom.size());
  if (head.empty()) return InvalidArgumentError(path + ": the file is empty (no header line)");
  ASSIGN_OR_RETURN(std::string line, FirstRecord(head, path));
  if (ValidUtf8Prefix(reinterpret_cast<const uint8_t*>(line.data()), line.size()) != line.size())
    return InvalidArgumentError(path + ", line 1: the header is not valid UTF-8");
  CsvSource source{.path = path, .delimiter = delimiter};
  ASSIGN_OR_RETURN(source.header, SplitHeader(line, delimiter, path));
  return source;
}

std::string CsvSource::ReadSql() const { return "read_csv(" + CsvOptions(*this) + ")"; }

std::string CsvSource::ReadSqlWithLines() const {
  return "(SELECT row_number() OVER () + 1 AS __line, * FROM " + ReadSql() + ")";
}

Status CsvSource::CheckHeader(const std::vector<std::string>& expected, std::string_view what) const {
  auto is_expected = [&expected](const std::string& name) {
    return std::find(expected.begin(), expected.end(), name) != expected.end();
  };
  if (!expected.empty() && std::none_of(header.begin(), header.end(), is_expected)) {
    return InvalidArgumentError(path + ", line 1: no column of " + std::string(what) +
                                " is named; is the header line missing? (line 1 must name the columns)");
  }
  // Header cells are never quoted back: in a file without its header line
  // they are values (a NIR, a date). Positions say where.
  std::map<std::string, size_t, std::less<>> seen;
  for (size_t i = 0; i < header.size(); ++i) {
    const std::string where = path + ", line 1, column " + std::to_string(i + 1);
    if (header[i].empty()) return InvalidArgumentError(where + ": the column has no name");
    auto [it, fresh] = seen.emplace(header[i], i);
    if (!fresh) {
      return InvalidArgumentError(where + ": the column has the same name as column " + std::to_string(it->second + 1));
    }
  }
  for (size_t i = 0; i < header.size(); ++i) {
    if (!is_expected(header[i])) {
      // Naming one of hdhub's own column names is not quoting the file.
      const std::string hint = header[i] == kSourceNir
                                   ? "; the file is a source extract (NIR, birth date, sex): run hdhub pseudonymize "
                                     "on it at the source first"
                                   : " (names in the file are not shown)";
      return InvalidArgumentError(path + ", line 1, column " + std::to_string(i + 1) +
                                  ": its name is not a column of " + std::string(what) + hint);
    }
  }
  for (const std::string& column : expected) {
    if (Find(column) < 0) {
      return InvalidArgumentError(path + ", line 1: column '" + column + "' of " + std::string(what) + " is missing");
    }
  }
  return OkStatus();
}

int CsvSource::Find(std::string_view column) const {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == column) return int(i);
  }
  return -1;
}

Status ScrubCsvError(const Status& s, const std::string& path) {
  std::string text(s.message());
  std::smatch m;
  std::string line;
  if (std::regex_search(text, m, std::regex("[Ll]ine:? ?([0-9]+)"))) line = ", line " + m[1].str();
  std::string reason = "the file is not valid CSV";
  if (std::regex_search(text, m, std::regex("Expected Number of Columns: ?([0-9]+) Found: ?([0-9]+)"))) {
    reason = "expected " + m[1].str() + " columns, found " + m[2].str();
  } else if (text.find("unterminated quote") != std::string::npos) {
    reason = "a quoted field is not terminated";
  } else if (text.find("nicode") != std::string::npos || text.find("UTF") != std::string::npos) {
    reason = "the text is not valid UTF-8";
  } else if (text.find("aximum line size") != std::string::npos) {
    reason = "a line is longer than 1 MiB";
  } else if (text.find("quote") != std::string::npos) {
    reason = "bad quoting";
  }
  return InvalidArgumentError(path + line + ": malformed CSV: " + reason);
}

}  // namespace hdhub::ingest
