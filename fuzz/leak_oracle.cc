#include "leak_oracle.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace hdhub::fuzz {
namespace fs = std::filesystem;

namespace {

bool IsSeparator(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '"' || c == '\'' || c == '`' || c == ',' || c == ';' ||
         c == '(' || c == ')' || c == '[' || c == ']' || c == '{' || c == '}' || c == '<' || c == '>' || c == '=' ||
         c == '|' || c == '\\';
}

bool IsEdgePunctuation(char c) {
  return c == '.' || c == ':' || c == '!' || c == '?' || c == '/' || c == '-' || c == '*' || c == '#' || c == '&' ||
         c == '%' || c == '+';
}

bool IsSmallNumber(std::string_view token) {
  return token.size() <= 6 && std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string SourceDir() { return HDHUB_SOURCE_DIR; }
std::string SharedDir() { return (fs::path(HDHUB_SOURCE_DIR).parent_path() / "shared").string(); }

std::vector<std::string> LeakOracle::Tokens(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && IsSeparator(text[i])) ++i;
    size_t start = i;
    while (i < text.size() && !IsSeparator(text[i])) ++i;
    std::string_view token = text.substr(start, i - start);
    while (!token.empty() && IsEdgePunctuation(token.front())) token.remove_prefix(1);
    while (!token.empty() && IsEdgePunctuation(token.back())) token.remove_suffix(1);
    if (!token.empty()) out.emplace_back(token);
  }
  return out;
}

LeakOracle::LeakOracle() {
  fs::path root = fs::path(SourceDir()) / "src" / "hdhub";
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const std::string ext = entry.path().extension().string();
    if (!entry.is_regular_file() || (ext != ".cc" && ext != ".h")) continue;
    // Tests hold sample values (NIRs, codes): they are not hdhub's words.
    const std::string name = entry.path().filename().string();
    if (name.find("_test") != std::string::npos || name.find("fixture") != std::string::npos) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    for (std::string& t : Tokens(text.str())) vocabulary_.insert(std::move(t));
  }
  if (vocabulary_.empty()) {
    std::fprintf(stderr, "leak oracle: no source under %s\n", root.c_str());
    std::abort();
  }
}

void LeakOracle::AllowDir(std::string_view dir) {
  while (!dir.empty() && dir.front() == '/') dir.remove_prefix(1);
  while (!dir.empty() && dir.back() == '/') dir.remove_suffix(1);
  if (!dir.empty()) allowed_dirs_.emplace_back(dir);
}

bool LeakOracle::UnderAllowedDir(std::string_view token) const {
  return std::any_of(allowed_dirs_.begin(), allowed_dirs_.end(), [&](const std::string& dir) {
    return token.starts_with(dir) && (token.size() == dir.size() || token[dir.size()] == '/');
  });
}

std::vector<std::string> LeakOracle::Leaks(std::string_view message, std::string_view input) const {
  std::vector<std::string> leaks;
  for (const std::string& token : Tokens(message)) {
    if (token.size() < 3 || IsSmallNumber(token)) continue;
    if (vocabulary_.contains(token) || allowed_.contains(token) || UnderAllowedDir(token)) continue;
    if (input.find(token) == std::string_view::npos) continue;
    leaks.push_back(token);
  }
  return leaks;
}

void LeakOracle::Check(std::string_view what, std::string_view message, std::string_view input) const {
  std::vector<std::string> leaks = Leaks(message, input);
  if (leaks.empty()) return;
  std::fprintf(stderr, "\nhdhub fuzz property broken: %.*s repeats a value from the input\nmessage: %.*s\nleaked:",
               int(what.size()), what.data(), int(message.size()), message.data());
  for (const std::string& l : leaks) std::fprintf(stderr, " [%s]", l.c_str());
  std::fprintf(stderr, "\n");
  std::abort();
}

}  // namespace hdhub::fuzz
