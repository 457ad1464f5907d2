#include "types/TypeFactory.hpp"

#include <charconv>
#include <string>
#include <unordered_map>

#include "common/Error.hpp"
#include "types/TypeNameParser.hpp"

namespace chc {
namespace {

struct SimpleType {
  TypeKind kind;
  size_t size;
};

const std::unordered_map<std::string_view, SimpleType>& simpleTypes() {
  static const std::unordered_map<std::string_view, SimpleType> table = {
      {"Int8", {TypeKind::Int8, 1}},       {"Int16", {TypeKind::Int16, 2}},
      {"Int32", {TypeKind::Int32, 4}},     {"Int64", {TypeKind::Int64, 8}},
      {"UInt8", {TypeKind::UInt8, 1}},     {"UInt16", {TypeKind::UInt16, 2}},
      {"UInt32", {TypeKind::UInt32, 4}},   {"UInt64", {TypeKind::UInt64, 8}},
      {"Float32", {TypeKind::Float32, 4}}, {"Float64", {TypeKind::Float64, 8}},
      {"String", {TypeKind::String, 0}},   {"Date", {TypeKind::Date, 2}},
  };
  return table;
}

[[noreturn]] void notSupported(const std::string& name) {
  throwUnsupported("ClickHouse type " + name + " is not supported yet by chconnect");
}

std::string spell(const TypeAst& ast) { return spellType(ast); }

TypePtr resolve(const TypeAst& ast);

TypePtr resolveSingleTypeArg(const TypeAst& ast) {
  if (ast.args.size() != 1 || ast.args[0].kind != TypeArg::Kind::Type || !ast.args[0].element_name.empty())
    throwInvalid(ast.name + " takes exactly one type argument, got '" + spell(ast) + "'");
  return resolve(ast.args[0].type.front());
}

TypePtr resolve(const TypeAst& ast) {
  const std::string& n = ast.name;
  if (auto it = simpleTypes().find(n); it != simpleTypes().end()) {
    if (ast.has_parens) throwInvalid("type " + n + " takes no arguments");
    return std::make_shared<DataType>(it->second.kind, n, std::vector<TypePtr>{}, it->second.size);
  }
  if (n == "FixedString") {
    size_t len = 0;
    if (ast.args.size() != 1 || ast.args[0].kind != TypeArg::Kind::Number)
      throwInvalid("FixedString needs one length argument");
    const std::string& t = ast.args[0].text;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), len);
    // The server caps N at 0xFFFFFF; anything else is corrupt input.
    if (ec != std::errc() || p != t.data() + t.size() || len == 0 || len > 0xFFFFFF)
      throwInvalid("FixedString length '" + t + "' is invalid");
    return std::make_shared<DataType>(TypeKind::FixedString, "FixedString(" + std::to_string(len) + ")",
                                      std::vector<TypePtr>{}, len);
  }
  if (n == "DateTime") {
    if (!ast.has_parens) return std::make_shared<DataType>(TypeKind::DateTime, n, std::vector<TypePtr>{}, 4);
    if (ast.args.size() != 1 || ast.args[0].kind != TypeArg::Kind::Quoted)
      throwInvalid("DateTime takes one quoted time zone argument");
    const std::string& tz = ast.args[0].text;
    return std::make_shared<DataType>(TypeKind::DateTime, "DateTime(" + quoteTypeString(tz) + ")",
                                      std::vector<TypePtr>{}, 4, tz);
  }
  if (n == "Nullable") {
    TypePtr inner = resolveSingleTypeArg(ast);
    if (inner->kind() == TypeKind::Nullable || inner->kind() == TypeKind::Array)
      throwInvalid("Nullable(" + inner->name() + ") is not a valid ClickHouse type");
    return std::make_shared<DataType>(TypeKind::Nullable, "Nullable(" + inner->name() + ")",
                                      std::vector<TypePtr>{inner});
  }
  if (n == "Array") {
    TypePtr inner = resolveSingleTypeArg(ast);
    return std::make_shared<DataType>(TypeKind::Array, "Array(" + inner->name() + ")", std::vector<TypePtr>{inner});
  }
  if (n == "AggregateFunction")
    throwUnsupported("AggregateFunction columns carry opaque aggregation states and cannot be read; select "
                     "finalizeAggregation(column) or use a -Merge combinator instead (type " +
                     spell(ast) + ")");
  // Every other name: a valid ClickHouse type (or a future one) that this version cannot decode.
  notSupported(spell(ast));
}

}  // namespace

TypePtr makeType(std::string_view name) { return resolve(parseTypeName(name)); }

bool isIntegerKind(TypeKind kind) noexcept {
  switch (kind) {
    case TypeKind::Int8: case TypeKind::Int16: case TypeKind::Int32: case TypeKind::Int64:
    case TypeKind::UInt8: case TypeKind::UInt16: case TypeKind::UInt32: case TypeKind::UInt64:
      return true;
    default: return false;
  }
}

bool isSignedKind(TypeKind kind) noexcept {
  return kind == TypeKind::Int8 || kind == TypeKind::Int16 || kind == TypeKind::Int32 || kind == TypeKind::Int64;
}

}  // namespace chc
