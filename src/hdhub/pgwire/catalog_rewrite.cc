// RewriteCatalogQuery (classify.h): PostgreSQL's catalog constructs as DuckDB
// reads them, token by token.
#include "hdhub/pgwire/classify.h"

#include <algorithm>

#include "hdhub/pgwire/pg_scan.h"

namespace hdhub::pgwire {
namespace {

// Writes `text` with the rewrites of RewriteCatalogQuery.
class CatalogRewriter {
 public:
  explicit CatalogRewriter(std::string text) : text_(std::move(text)), tokens_(PgScan(text_)) {}

  std::string Run() {
    size_t copied = 0;
    for (size_t i = 0; i < tokens_.size();) {
      const PgToken& t = tokens_[i];
      out_ += text_.substr(copied, size_t(t.start) - copied);
      i = Rewrite(i);
      copied = size_t(tokens_[i - 1].end);
    }
    out_ += text_.substr(std::min(copied, text_.size()));
    return out_;
  }

 private:
  std::string Word(size_t i) const {
    if (i >= tokens_.size()) return "";
    std::string w = text_.substr(size_t(tokens_[i].start), size_t(tokens_[i].end - tokens_[i].start));
    if (w.size() >= 2 && w.front() == '"') return w.substr(1, w.size() - 2);
    return AsciiLower(w);
  }
  int Kind(size_t i) const { return i < tokens_.size() ? tokens_[i].kind : 0; }

  void Emit(size_t i, std::string_view s, bool primary) {
    const size_t at = out_.size();
    out_ += s;
    if (!primary) return;
    // A qualified name or a cast keeps the start of what it continues.
    if (!(last_ == '.' || last_ == kPgTypecast || Kind(i) == '.')) primary_start_ = at;
    last_ = Kind(i);
  }

  // Handles the token at `i`; returns the index of the next one.
  size_t Rewrite(size_t i) {
    const std::string w = Word(i);
    const int kind = Kind(i);
    if (w == "pg_catalog" && Kind(i + 1) == '.') return i + 2;
    if (kind == kPgOperator && Kind(i + 1) == '(') {  // OPERATOR(pg_catalog.~)
      size_t j = i + 2;
      if (Kind(j + 1) == '.') j += 2;
      regex_ = Word(j);
      out_ += " " + regex_ + " ";
      last_ = 0;
      return Kind(j + 1) == ')' ? j + 2 : j + 1;
    }
    if (kind == kPgCollate) {
      size_t j = i + 1;
      if (Kind(j + 1) == '.') j += 2;
      return j + 1;
    }
    if (w == "information_schema" && Kind(i + 1) == '.') {
      Emit(i, "information_schema_" + Word(i + 2), true);
      last_ = kPgIdent;
      return i + 3;
    }
    if (kind == kPgTypecast) return Cast(i);
    if (kind == '=' && Word(i + 1) == "any" && Kind(i + 2) == '(') {
      // x = ANY(list): DuckDB cannot unnest a correlated list; list_contains can.
      const std::string left = out_.substr(primary_start_);
      out_.resize(primary_start_);
      parens_.push_back({primary_start_, ", " + left + ")"});
      out_ += "list_contains(";
      last_ = 0;
      return i + 3;
    }
    if (kind == '(') {
      parens_.push_back({i > 0 && Kind(i - 1) == kPgIdent ? primary_start_ : out_.size(), ")",
                         i > 0 && Word(i - 1) == "generate_series"});
    }
    if (kind == kPgIdent && series_alias_ && Kind(i + 1) != '(' && Kind(i + 1) != '.') {
      // FROM generate_series(…) s: in PostgreSQL s is also the column.
      Emit(i, Word(i) + "(" + Word(i) + ")", true);
      series_alias_ = false;
      return i + 1;
    }
    series_alias_ = false;
    if (kind == ')' && !parens_.empty()) {
      series_alias_ = parens_.back().series;
      out_ += parens_.back().suffix;
      primary_start_ = parens_.back().start;
      parens_.pop_back();
      last_ = ')';
      return i + 1;
    }
    const std::string source = text_.substr(size_t(tokens_[i].start), size_t(tokens_[i].end - tokens_[i].start));
    if (source == "~" || source == "!~" || source == "~*" || source == "!~*") {
      regex_ = source;
      out_ += source.starts_with("!") ? "!~" : "~";
      last_ = 0;
      return i + 1;
    }
    if (kind == kPgSconst && !regex_.empty()) {
      // PostgreSQL's ~ finds the pattern anywhere; DuckDB's matches it whole.
      const size_t quote = source.find('\'');
      const std::string flags = regex_.ends_with("*") ? "(?i)" : "";
      Emit(i,
           source.substr(0, quote + 1) + flags + ".*(?:" + source.substr(quote + 1, source.size() - quote - 2) + ").*'",
           true);
      regex_.clear();
      return i + 1;
    }
    regex_.clear();
    Emit(i, source, kind == kPgIdent || kind == kPgSconst || kind == '.' || kind > 257);
    return i + 1;
  }

  // x::[pg_catalog.]regclass → hdhub_regclass(x); other casts are copied.
  size_t Cast(size_t i) {
    size_t j = i + 1;
    if (Word(j) == "pg_catalog" && Kind(j + 1) == '.') j += 2;
    const std::string type = Word(j);
    if (type == "regclass" || type == "regtype" || type == "regnamespace" || type == "regproc" || type == "regrole") {
      out_.insert(primary_start_, "hdhub_" + type + "(");
      out_ += ")";
      last_ = ')';
      return j + 1;
    }
    out_ += "::";
    last_ = kPgTypecast;
    return i + 1;
  }

  std::string text_;
  std::vector<PgToken> tokens_;
  std::string out_;
  size_t primary_start_ = 0;
  int last_ = 0;
  struct Paren {
    size_t start;         // of the primary the parenthesis closes
    std::string suffix;   // written at the closing parenthesis
    bool series = false;  // closes generate_series(…)
  };
  bool series_alias_ = false;
  std::vector<Paren> parens_;
  std::string regex_;
};

}  // namespace

std::string RewriteCatalogQuery(std::string_view sql) { return CatalogRewriter(std::string(sql)).Run(); }

}  // namespace hdhub::pgwire
