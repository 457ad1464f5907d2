// Parses any ClickHouse type name into a syntax tree, without knowing which types exist.
// Grammar and quoting rules: shared/spec/native-format.md §3.1.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace chc {

struct TypeAst;

// One argument inside the parentheses of a type name.
struct TypeArg {
  enum class Kind {
    Type,      // a nested type, possibly named: `a UInt32` (element_name = "a")
    Number,    // 16, -2, 0.5
    Quoted,    // 'Europe/Moscow' (text holds the unescaped value)
    Assigned,  // 'a' = 1 or name = 1 (text = left side unescaped, number = right side)
    Raw        // text kept verbatim (JSON's SKIP clauses)
  };
  Kind kind = Kind::Type;
  std::string text;           // Number: its spelling; Quoted/Assigned: the name
  std::string number;         // Assigned: the right-hand number
  bool name_quoted = false;   // Assigned: the left side was '...'
  std::string element_name;   // Type: the element name of a named tuple/nested element, else ""
  std::vector<TypeAst> type;  // Type: exactly one element (vector only to allow the recursive type)
};

struct TypeAst {
  std::string name;         // e.g. "Array", "DateTime", "Nullable"
  bool has_parens = false;  // "Tuple()" vs "Tuple"
  std::vector<TypeArg> args;
};

// Throws chc::Error(InvalidArgument) with the position of the problem for malformed names.
TypeAst parseTypeName(std::string_view text);

// Quotes a string as ClickHouse prints it inside a type name: '...' with backslash escapes.
std::string quoteTypeString(std::string_view value);
// An element name as ClickHouse prints it: bare if it is a plain identifier, else `backquoted`.
std::string quoteElementName(std::string_view name);
// The canonical spelling of a parsed type name (what the server prints).
std::string spellType(const TypeAst& ast);

}  // namespace chc
