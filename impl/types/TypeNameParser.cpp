#include "types/TypeNameParser.hpp"

#include <cctype>

#include "common/Error.hpp"

namespace chc {
namespace {

// Recursive-descent parser over the whole type string; depth-limited so hostile input cannot
// exhaust the stack.
class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  TypeAst parseTop() {
    TypeAst ast = parseType(0);
    skipSpace();
    if (pos_ != s_.size()) fail("unexpected text after the type");
    return ast;
  }

 private:
  static constexpr int kMaxDepth = 128;

  [[noreturn]] void fail(const std::string& what) const {
    throwInvalid("malformed type name '" + std::string(s_.substr(0, 200)) + "': " + what + " at position " +
                 std::to_string(pos_));
  }

  void skipSpace() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool atEnd() const { return pos_ >= s_.size(); }
  char peek() const { return atEnd() ? '\0' : s_[pos_]; }

  static bool isIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
  static bool isIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }

  std::string readIdentifier() {
    if (atEnd() || !isIdentStart(s_[pos_])) fail("expected a name");
    size_t start = pos_;
    while (!atEnd() && isIdentChar(s_[pos_])) ++pos_;
    if (start == pos_) fail("expected a name");
    return std::string(s_.substr(start, pos_ - start));
  }

  // Reads a quoted token ('...' or `...`) with backslash escapes; '' inside '...' is a quote.
  std::string readQuoted(char quote) {
    ++pos_;  // opening quote
    std::string out;
    while (true) {
      if (atEnd()) fail("unterminated quoted name");
      char c = s_[pos_++];
      if (c == quote) {
        if (quote == '\'' && peek() == '\'') {
          out.push_back('\'');
          ++pos_;
          continue;
        }
        return out;
      }
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (atEnd()) fail("unterminated escape");
      char e = s_[pos_++];
      switch (e) {
        case 'n': out.push_back('\n'); break;
        case 't': out.push_back('\t'); break;
        case 'r': out.push_back('\r'); break;
        case '0': out.push_back('\0'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'a': out.push_back('\a'); break;
        case 'v': out.push_back('\v'); break;
        case 'x': {
          if (pos_ + 2 > s_.size() || !std::isxdigit(static_cast<unsigned char>(s_[pos_])) ||
              !std::isxdigit(static_cast<unsigned char>(s_[pos_ + 1])))
            fail("bad \\x escape");
          out.push_back(static_cast<char>(std::stoi(std::string(s_.substr(pos_, 2)), nullptr, 16)));
          pos_ += 2;
          break;
        }
        default: out.push_back(e);  // \' \\ \` and any other escaped byte stand for themselves
      }
    }
  }

  // A number or other bare token up to the next ',' or ')' at this depth.
  std::string readBareToken() {
    size_t start = pos_;
    while (!atEnd() && s_[pos_] != ',' && s_[pos_] != ')' && s_[pos_] != '(') ++pos_;
    std::string_view tok = s_.substr(start, pos_ - start);
    while (!tok.empty() && std::isspace(static_cast<unsigned char>(tok.back()))) tok.remove_suffix(1);
    if (tok.empty()) fail("expected an argument");
    return std::string(tok);
  }

  // Raw text of an argument we do not interpret (JSON's SKIP clauses), up to ',' or ')' at depth 0.
  std::string readRawArgument() {
    size_t start = pos_;
    int depth = 0;
    while (!atEnd()) {
      char c = s_[pos_];
      if (c == '\'' || c == '`') {
        readQuoted(c);
        continue;
      }
      if (c == '(') ++depth;
      if (c == ')') {
        if (depth == 0) break;
        --depth;
      }
      if (c == ',' && depth == 0) break;
      ++pos_;
    }
    std::string_view tok = s_.substr(start, pos_ - start);
    while (!tok.empty() && std::isspace(static_cast<unsigned char>(tok.back()))) tok.remove_suffix(1);
    return std::string(tok);
  }

  TypeAst parseType(int depth) {
    if (depth > kMaxDepth) fail("type nested too deeply");
    skipSpace();
    TypeAst ast;
    ast.name = readIdentifier();
    skipSpace();
    if (peek() == '(') {
      ++pos_;
      ast.has_parens = true;
      skipSpace();
      if (peek() == ')') {
        ++pos_;
        return ast;
      }
      while (true) {
        ast.args.push_back(parseArg(depth + 1));
        skipSpace();
        char c = peek();
        if (c == ',') {
          ++pos_;
          continue;
        }
        if (c == ')') {
          ++pos_;
          break;
        }
        fail(atEnd() ? "missing ')'" : "expected ',' or ')'");
      }
    }
    return ast;
  }

  TypeArg parseArg(int depth) {
    skipSpace();
    TypeArg arg;
    char c = peek();
    if (c == '\'') {
      arg.text = readQuoted('\'');
      skipSpace();
      if (peek() == '=') {
        ++pos_;
        skipSpace();
        arg.kind = TypeArg::Kind::Assigned;
        arg.name_quoted = true;
        arg.number = readBareToken();
      } else {
        arg.kind = TypeArg::Kind::Quoted;
      }
      return arg;
    }
    if (c == '`') {  // `element name` Type
      arg.element_name = readQuoted('`');
      arg.type.push_back(parseType(depth));
      return arg;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+') {
      arg.kind = TypeArg::Kind::Number;
      arg.text = readBareToken();
      return arg;
    }
    if (!isIdentStart(c)) fail("unexpected character");
    size_t ident_start = pos_;
    std::string ident = readIdentifier();
    skipSpace();
    char next = peek();
    if (next == '=') {  // name = value (settings-like arguments, e.g. max_dynamic_paths=10)
      ++pos_;
      skipSpace();
      arg.kind = TypeArg::Kind::Assigned;
      arg.text = ident;
      arg.number = readBareToken();
      return arg;
    }
    if (ident == "SKIP") {  // JSON: SKIP path | SKIP REGEXP '...'
      arg.kind = TypeArg::Kind::Raw;
      pos_ = ident_start;
      arg.text = readRawArgument();
      return arg;
    }
    if (next == '(' || next == ',' || next == ')' || atEnd()) {  // a plain type
      pos_ = ident_start;
      arg.type.push_back(parseType(depth));
      return arg;
    }
    // `name Type`: a named element
    arg.element_name = ident;
    arg.type.push_back(parseType(depth));
    return arg;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

TypeAst parseTypeName(std::string_view text) { return Parser(text).parseTop(); }

std::string quoteTypeString(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    switch (c) {
      case '\'': out += "\\'"; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '\0': out += "\\0"; break;
      default: out.push_back(c);
    }
  }
  out.push_back('\'');
  return out;
}

}  // namespace chc

namespace chc {

std::string quoteElementName(std::string_view name) {
  bool plain = !name.empty() && (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_');
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) plain = false;
  if (plain) return std::string(name);
  std::string out = "`";
  for (char c : name) {
    if (c == '`' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "`";
}

namespace {
std::string spellArg(const TypeArg& arg) {
  switch (arg.kind) {
    case TypeArg::Kind::Number: return arg.text;
    case TypeArg::Kind::Quoted: return quoteTypeString(arg.text);
    case TypeArg::Kind::Raw: return arg.text;
    case TypeArg::Kind::Assigned:
      return (arg.name_quoted ? quoteTypeString(arg.text) + " = " : arg.text + "=") + arg.number;
    case TypeArg::Kind::Type:
      return (arg.element_name.empty() ? std::string() : quoteElementName(arg.element_name) + " ") +
             spellType(arg.type.front());
  }
  return {};
}
}  // namespace

std::string spellType(const TypeAst& ast) {
  std::string out = ast.name;
  if (!ast.has_parens) return out;
  out += '(';
  for (size_t i = 0; i < ast.args.size(); ++i) {
    if (i) out += ", ";
    out += spellArg(ast.args[i]);
  }
  return out + ')';
}

}  // namespace chc
