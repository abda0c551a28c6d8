// LeakOracle: the property every fuzz target checks on what hdhub says about
// a bad input (error messages, report texts): it never repeats a value from
// the input.
//
// A message is cut into tokens at white space, quotes, brackets and commas,
// and each token loses its leading and trailing punctuation. A token is a
// leak when the input holds it and it is none of:
//   - a word of hdhub's own sources (every token of src/hdhub/**, read once
//     at start-up: the message templates, SQL keywords, type names…);
//   - a name the target allows (the schema's table and field names);
//   - a path under a directory the target allows (its own work directory,
//     whose paths libFuzzer learns from comparisons and copies into inputs);
//   - a number of at most 6 digits (line, column and row counts);
//   - shorter than 3 characters.
// So a NIR, a pseudonym, a date, a code or a free-text value that reaches a
// message is found, whichever path put it there. A value that is itself one
// of hdhub's words (say "expected") passes unnoticed: that is the price of
// not listing every message by hand.
//
// Not thread-safe (the fuzzers run one input at a time).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace hdhub::fuzz {

class LeakOracle {
 public:
  // Reads the vocabulary from <source dir>/src/hdhub.
  LeakOracle();

  void Allow(std::string_view token) { allowed_.insert(std::string(token)); }

  // Allows `dir` and every path under it, with or without its leading '/'.
  void AllowDir(std::string_view dir);

  // The tokens of `message` that leak from `input` (empty: none).
  std::vector<std::string> Leaks(std::string_view message, std::string_view input) const;

  // Aborts (a libFuzzer crash, with the input saved) when `message` leaks,
  // printing the message and the leaked tokens. `what` names the message.
  void Check(std::string_view what, std::string_view message, std::string_view input) const;

  static std::vector<std::string> Tokens(std::string_view text);

 private:
  bool UnderAllowedDir(std::string_view token) const;

  std::set<std::string, std::less<>> vocabulary_;
  std::set<std::string, std::less<>> allowed_;
  std::vector<std::string> allowed_dirs_;  // without leading or trailing '/'
};

// The source checkout (HDHUB_SOURCE_DIR at build time) and ../shared beside it.
std::string SourceDir();
std::string SharedDir();

}  // namespace hdhub::fuzz
