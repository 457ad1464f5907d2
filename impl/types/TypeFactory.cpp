#include "types/TypeFactory.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
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

// Types without arguments: kind and bytes per value (String: 0, variable).
const std::unordered_map<std::string_view, SimpleType>& simpleTypes() {
  static const std::unordered_map<std::string_view, SimpleType> table = {
      {"Int8", {TypeKind::Int8, 1}},       {"Int16", {TypeKind::Int16, 2}},      {"Int32", {TypeKind::Int32, 4}},
      {"Int64", {TypeKind::Int64, 8}},     {"Int128", {TypeKind::Int128, 16}},   {"Int256", {TypeKind::Int256, 32}},
      {"UInt8", {TypeKind::UInt8, 1}},     {"UInt16", {TypeKind::UInt16, 2}},    {"UInt32", {TypeKind::UInt32, 4}},
      {"UInt64", {TypeKind::UInt64, 8}},   {"UInt128", {TypeKind::UInt128, 16}}, {"UInt256", {TypeKind::UInt256, 32}},
      {"Float32", {TypeKind::Float32, 4}}, {"Float64", {TypeKind::Float64, 8}},  {"BFloat16", {TypeKind::BFloat16, 2}},
      {"Bool", {TypeKind::Bool, 1}},       {"String", {TypeKind::String, 0}},    {"Date", {TypeKind::Date, 2}},
      {"Date32", {TypeKind::Date32, 4}},   {"Time", {TypeKind::Time, 4}},        {"UUID", {TypeKind::UUID, 16}},
      {"IPv4", {TypeKind::IPv4, 4}},       {"IPv6", {TypeKind::IPv6, 16}},       {"Nothing", {TypeKind::Nothing, 1}},
  };
  return table;
}

const std::unordered_map<std::string_view, std::string_view>& intervalUnits() {
  static const std::unordered_map<std::string_view, std::string_view> table = {
      {"IntervalNanosecond", "Nanosecond"},
      {"IntervalMicrosecond", "Microsecond"},
      {"IntervalMillisecond", "Millisecond"},
      {"IntervalSecond", "Second"},
      {"IntervalMinute", "Minute"},
      {"IntervalHour", "Hour"},
      {"IntervalDay", "Day"},
      {"IntervalWeek", "Week"},
      {"IntervalMonth", "Month"},
      {"IntervalQuarter", "Quarter"},
      {"IntervalYear", "Year"},
  };
  return table;
}

[[noreturn]] void notSupported(const std::string& name) {
  throwUnsupported("ClickHouse type " + name + " is not supported yet by chconnect");
}

TypeParams fixed(size_t bytes) {
  TypeParams p;
  p.fixed_size = bytes;
  return p;
}

TypePtr make(TypeKind kind, std::string name, TypeParams params = {}) {
  return std::make_shared<DataType>(kind, std::move(name), std::move(params));
}

// The same layout under another name (aliases such as Point or SimpleAggregateFunction(...)).
TypePtr renamed(const TypePtr& type, std::string name) { return make(type->kind(), std::move(name), type->params()); }

TypePtr resolve(const TypeAst& ast);

const TypeAst& typeArg(const TypeAst& ast, size_t i) {
  if (i >= ast.args.size() || ast.args[i].kind != TypeArg::Kind::Type)
    throwInvalid("argument " + std::to_string(i + 1) + " of " + spellType(ast) + " must be a type");
  return ast.args[i].type.front();
}

TypePtr resolveSingleTypeArg(const TypeAst& ast) {
  if (ast.args.size() != 1 || !ast.args[0].element_name.empty())
    throwInvalid(ast.name + " takes exactly one type argument, got '" + spellType(ast) + "'");
  return resolve(typeArg(ast, 0));
}

template <class T>
T parseNumber(const TypeAst& ast, size_t i, T min, T max) {
  if (i >= ast.args.size() || ast.args[i].kind != TypeArg::Kind::Number)
    throwInvalid("argument " + std::to_string(i + 1) + " of " + spellType(ast) + " must be a number");
  const std::string& t = ast.args[i].text;
  T v{};
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || p != t.data() + t.size() || v < min || v > max)
    throwInvalid("argument '" + t + "' of " + spellType(ast) + " is out of range");
  return v;
}

TypePtr makeDecimal(const TypeAst& ast, uint32_t precision, uint32_t scale) {
  if (precision < 1 || precision > 76 || scale > precision)
    throwInvalid("invalid decimal precision/scale in " + spellType(ast));
  TypeParams p;
  p.precision = precision;
  p.scale = scale;
  p.fixed_size = precision <= 9 ? 4 : precision <= 18 ? 8 : precision <= 38 ? 16 : 32;
  return make(TypeKind::Decimal, "Decimal(" + std::to_string(precision) + ", " + std::to_string(scale) + ")", p);
}

TypePtr makeEnum(const TypeAst& ast, TypeKind kind) {
  const bool is8 = kind == TypeKind::Enum8;
  TypeParams p;
  p.fixed_size = is8 ? 1 : 2;
  std::string name = ast.name + "(";
  for (size_t i = 0; i < ast.args.size(); ++i) {
    const TypeArg& a = ast.args[i];
    if (a.kind != TypeArg::Kind::Assigned || !a.name_quoted) throwInvalid(spellType(ast) + ": expected 'name' = value");
    int v = 0;
    auto [ptr, ec] = std::from_chars(a.number.data(), a.number.data() + a.number.size(), v);
    if (ec != std::errc() || ptr != a.number.data() + a.number.size() || v < (is8 ? INT8_MIN : INT16_MIN) ||
        v > (is8 ? INT8_MAX : INT16_MAX))
      throwInvalid(spellType(ast) + ": enum value '" + a.number + "' is out of range");
    p.enum_entries.push_back({a.text, static_cast<int16_t>(v)});
    name += (i ? ", " : "") + quoteTypeString(a.text) + " = " + std::to_string(v);
  }
  if (p.enum_entries.empty()) throwInvalid(spellType(ast) + " has no elements");
  return make(kind, name + ")", p);
}

// Tuple elements: all named or all unnamed.
TypeParams tupleParams(const TypeAst& ast) {
  TypeParams p;
  for (size_t i = 0; i < ast.args.size(); ++i) {
    p.children.push_back(resolve(typeArg(ast, i)));
    p.element_names.push_back(ast.args[i].element_name);
  }
  bool named = !p.element_names.empty() && !p.element_names[0].empty();
  for (const std::string& n : p.element_names)
    if (n.empty() == named) throwInvalid(spellType(ast) + " mixes named and unnamed elements");
  if (!named) p.element_names.clear();
  return p;
}

std::string tupleName(const char* prefix, const TypeParams& p) {
  std::string name = std::string(prefix) + "(";
  for (size_t i = 0; i < p.children.size(); ++i) {
    if (i) name += ", ";
    if (!p.element_names.empty()) name += quoteElementName(p.element_names[i]) + " ";
    name += p.children[i]->name();
  }
  return name + ")";
}

TypePtr makeArray(TypePtr element, std::string name = {}) {
  if (name.empty()) name = "Array(" + element->name() + ")";
  TypeParams p;
  p.children.push_back(std::move(element));
  return make(TypeKind::Array, std::move(name), p);
}

// Geo types are fixed compositions of Float64 (spec §5.11).
TypePtr geoType(std::string_view name) {
  TypeParams point;
  point.children = {make(TypeKind::Float64, "Float64", fixed(8)), make(TypeKind::Float64, "Float64", fixed(8))};
  TypePtr pt = make(TypeKind::Tuple, "Point", point);
  if (name == "Point") return pt;
  if (name == "Ring" || name == "LineString" || name == "MultiPoint") return makeArray(pt, std::string(name));
  TypePtr ring = makeArray(pt, "Ring");
  if (name == "Polygon" || name == "MultiLineString")
    return makeArray(name == "Polygon" ? ring : makeArray(pt, "LineString"), std::string(name));
  if (name == "MultiPolygon") return makeArray(makeArray(ring, "Polygon"), "MultiPolygon");
  return nullptr;
}

}  // namespace

TypePtr makeVariant(std::vector<TypePtr> alternatives) {
  std::sort(alternatives.begin(), alternatives.end(),
            [](const TypePtr& a, const TypePtr& b) { return a->name() < b->name(); });
  for (size_t i = 1; i < alternatives.size(); ++i)
    if (alternatives[i]->name() == alternatives[i - 1]->name())
      throwInvalid("Variant lists " + alternatives[i]->name() + " twice");
  TypeParams p;
  p.children = std::move(alternatives);
  std::string name = "Variant(";
  for (size_t i = 0; i < p.children.size(); ++i) name += (i ? ", " : "") + p.children[i]->name();
  return make(TypeKind::Variant, name + ")", p);
}

namespace {

TypePtr resolve(const TypeAst& ast) {
  const std::string& n = ast.name;
  if (auto it = simpleTypes().find(n); it != simpleTypes().end()) {
    if (ast.has_parens) throwInvalid("type " + n + " takes no arguments");
    return make(it->second.kind, n, fixed(it->second.size));
  }
  if (auto it = intervalUnits().find(n); it != intervalUnits().end()) {
    if (ast.has_parens) throwInvalid("type " + n + " takes no arguments");
    TypeParams p;
    p.fixed_size = 8;
    p.unit = std::string(it->second);
    return make(TypeKind::Interval, n, p);
  }
  if (n == "FixedString") {
    if (ast.args.size() != 1) throwInvalid("FixedString needs one length argument");
    // The server caps N at 0xFFFFFF; anything else is corrupt input.
    size_t len = parseNumber<size_t>(ast, 0, 1, 0xFFFFFF);
    return make(TypeKind::FixedString, "FixedString(" + std::to_string(len) + ")", fixed(len));
  }
  if (n == "DateTime") {
    if (!ast.has_parens) return make(TypeKind::DateTime, n, fixed(4));
    if (ast.args.size() != 1 || ast.args[0].kind != TypeArg::Kind::Quoted)
      throwInvalid("DateTime takes one quoted time zone argument");
    TypeParams p;
    p.fixed_size = 4;
    p.timezone = ast.args[0].text;
    return make(TypeKind::DateTime, "DateTime(" + quoteTypeString(p.timezone) + ")", p);
  }
  if (n == "DateTime64" || n == "Time64") {
    const bool dt = n == "DateTime64";
    if (ast.args.empty() || ast.args.size() > (dt ? 2u : 1u))
      throwInvalid(n + " takes a precision" + (dt ? " and an optional time zone" : ""));
    TypeParams p;
    p.fixed_size = 8;
    p.precision = parseNumber<uint32_t>(ast, 0, 0, 9);
    std::string name = n + "(" + std::to_string(p.precision);
    if (ast.args.size() == 2) {
      if (ast.args[1].kind != TypeArg::Kind::Quoted) throwInvalid("DateTime64 time zone must be quoted");
      p.timezone = ast.args[1].text;
      name += ", " + quoteTypeString(p.timezone);
    }
    return make(dt ? TypeKind::DateTime64 : TypeKind::Time64, name + ")", p);
  }
  if (n == "Decimal") {
    if (ast.args.empty() || ast.args.size() > 2) throwInvalid("Decimal takes (P, S)");
    uint32_t precision = parseNumber<uint32_t>(ast, 0, 1, 76);
    uint32_t scale = ast.args.size() == 2 ? parseNumber<uint32_t>(ast, 1, 0, 76) : 0;
    return makeDecimal(ast, precision, scale);
  }
  if (n == "Decimal32" || n == "Decimal64" || n == "Decimal128" || n == "Decimal256") {
    if (ast.args.size() != 1) throwInvalid(n + " takes one scale argument");
    uint32_t precision = n == "Decimal32" ? 9 : n == "Decimal64" ? 18 : n == "Decimal128" ? 38 : 76;
    return makeDecimal(ast, precision, parseNumber<uint32_t>(ast, 0, 0, precision));
  }
  if (n == "Enum8" || n == "Enum16") return makeEnum(ast, n == "Enum8" ? TypeKind::Enum8 : TypeKind::Enum16);
  if (n == "Nullable") {
    TypePtr inner = resolveSingleTypeArg(ast);
    switch (inner->kind()) {
      case TypeKind::Nullable:
      case TypeKind::Array:
      case TypeKind::Map:
      case TypeKind::LowCardinality: throwInvalid("Nullable(" + inner->name() + ") is not a valid ClickHouse type");
      default: break;
    }
    TypeParams p;
    p.children.push_back(inner);
    return make(TypeKind::Nullable, "Nullable(" + inner->name() + ")", p);
  }
  if (n == "Array") return makeArray(resolveSingleTypeArg(ast));
  if (n == "Tuple") {
    if (ast.args.empty()) return make(TypeKind::Tuple, "Tuple()");  // one 0x30 per row (§4.4)
    TypeParams p = tupleParams(ast);
    return make(TypeKind::Tuple, tupleName("Tuple", p), p);
  }
  if (n == "Nested") {
    TypeParams p = tupleParams(ast);
    if (p.element_names.empty()) throwInvalid("Nested elements must be named: " + spellType(ast));
    std::string name = tupleName("Nested", p);
    return makeArray(make(TypeKind::Tuple, tupleName("Tuple", p), p), name);
  }
  if (n == "Map") {
    if (ast.args.size() != 2) throwInvalid("Map takes (key type, value type)");
    TypeParams kv;
    kv.children = {resolve(typeArg(ast, 0)), resolve(typeArg(ast, 1))};
    kv.element_names = {"keys", "values"};
    if (kv.children[0]->kind() == TypeKind::Nullable) throwInvalid("Map keys cannot be Nullable: " + spellType(ast));
    std::string name = "Map(" + kv.children[0]->name() + ", " + kv.children[1]->name() + ")";
    TypeParams p;
    p.children.push_back(make(TypeKind::Tuple, tupleName("Tuple", kv), kv));
    return make(TypeKind::Map, name, p);
  }
  if (n == "LowCardinality") {
    TypePtr inner = resolveSingleTypeArg(ast);
    TypePtr base = inner->kind() == TypeKind::Nullable ? inner->children()[0] : inner;
    if (!isFixedWidthKind(base->kind()) && base->kind() != TypeKind::String && base->kind() != TypeKind::FixedString)
      throwInvalid("LowCardinality(" + inner->name() + ") is not a valid ClickHouse type");
    TypeParams p;
    p.children.push_back(inner);
    return make(TypeKind::LowCardinality, "LowCardinality(" + inner->name() + ")", p);
  }
  if (n == "SimpleAggregateFunction") {
    // Byte-identical to its last argument; the function is decoration (spec §5.7).
    if (ast.args.size() < 2) throwInvalid("SimpleAggregateFunction takes (function, type)");
    TypePtr inner = resolve(typeArg(ast, ast.args.size() - 1));
    std::string name = "SimpleAggregateFunction(";
    for (size_t i = 0; i + 1 < ast.args.size(); ++i) name += spellType(typeArg(ast, i)) + ", ";
    return renamed(inner, name + inner->name() + ")");
  }
  if (n == "Variant") {
    // Alternatives are kept sorted by full type name; the discriminator is the sorted index.
    TypeParams p;
    for (size_t i = 0; i < ast.args.size(); ++i) {
      TypePtr alt = resolve(typeArg(ast, i));
      switch (alt->kind()) {
        case TypeKind::Nullable:
        case TypeKind::Variant:
        case TypeKind::Dynamic: throwInvalid(alt->name() + " cannot be a Variant alternative");
        case TypeKind::LowCardinality:
          if (alt->children()[0]->kind() == TypeKind::Nullable)
            throwInvalid(alt->name() + " cannot be a Variant alternative");
          break;
        default: break;
      }
      p.children.push_back(alt);
    }
    if (p.children.empty() || p.children.size() > 255) throwInvalid("Variant needs 1 to 255 alternatives");
    return makeVariant(std::move(p.children));
  }
  if (n == "Dynamic") {
    TypeParams p;
    if (ast.args.size() > 1 ||
        (ast.args.size() == 1 && (ast.args[0].kind != TypeArg::Kind::Assigned || ast.args[0].text != "max_types")))
      throwInvalid("Dynamic takes only max_types=N: " + spellType(ast));
    if (ast.args.size() == 1) {
      uint32_t v = 0;
      const std::string& t = ast.args[0].number;
      auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
      if (ec != std::errc() || ptr != t.data() + t.size() || v > 254)
        throwInvalid("Dynamic max_types '" + t + "' is invalid");
      p.max_types = v;
    }
    return make(TypeKind::Dynamic, spellType(ast), p);
  }
  if (n == "JSON") {
    // Typed paths (children + element_names, sorted by path) decide the object layout (§5.10).
    std::vector<std::pair<std::string, TypePtr>> typed;
    TypeParams p;
    for (const TypeArg& a : ast.args) {
      if (a.kind == TypeArg::Kind::Type) {
        if (a.element_name.empty()) throwInvalid("JSON typed path without a path: " + spellType(ast));
        // A typed path of a type this version cannot decode only matters for the object
        // serializations (the STRING form is text): kept as nullptr, reported when read.
        TypePtr path_type;
        try {
          path_type = resolve(a.type.front());
        } catch (const Error& e) {
          if (e.kind() != ErrorKind::Unsupported && e.kind() != ErrorKind::InvalidArgument) throw;
        }
        typed.emplace_back(a.element_name, std::move(path_type));
      } else if (a.kind == TypeArg::Kind::Assigned && a.text == "max_dynamic_types") {
        uint32_t v = 0;
        auto [ptr, ec] = std::from_chars(a.number.data(), a.number.data() + a.number.size(), v);
        if (ec != std::errc() || ptr != a.number.data() + a.number.size())
          throwInvalid("bad max_dynamic_types in " + spellType(ast));
        p.max_types = v;
      }
    }
    std::sort(typed.begin(), typed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 1; i < typed.size(); ++i)
      if (typed[i].first == typed[i - 1].first) throwInvalid("JSON lists typed path " + typed[i].first + " twice");
    p.json_typed_paths = std::move(typed);
    return make(TypeKind::JSON, spellType(ast), p);
  }
  if (!ast.has_parens)
    if (TypePtr geo = geoType(n)) return geo;
  if (n == "Geometry" && !ast.has_parens) {
    // A Variant whose alternatives keep the engine's fixed order, not the sorted one (§5.11).
    TypeParams p;
    for (const char* alt : {"LineString", "MultiLineString", "MultiPolygon", "Point", "Polygon", "Ring", "MultiPoint"})
      p.children.push_back(geoType(alt));
    return make(TypeKind::Variant, "Geometry", p);
  }
  if (n == "QBit") {
    // QBit(T, N): N values of T stored as bit planes (§5.11); exposed as an Array of N elements.
    if (ast.args.size() != 2) throwInvalid("QBit takes (element type, dimension): " + spellType(ast));
    TypePtr element = resolve(typeArg(ast, 0));
    if (element->kind() != TypeKind::BFloat16 && element->kind() != TypeKind::Float32 &&
        element->kind() != TypeKind::Float64)
      throwInvalid("QBit elements must be BFloat16, Float32 or Float64: " + spellType(ast));
    TypeParams p;
    p.children.push_back(element);
    // The dimension N lives only in the name (QBitColumn reads it back): for the C ABI a QBit is an
    // Array with the QBit name, so fixed_size/precision stay 0 as for every Array.
    size_t dim = parseNumber<size_t>(ast, 1, 1, 1 << 24);
    return make(TypeKind::Array, "QBit(" + element->name() + ", " + std::to_string(dim) + ")", p);
  }
  if (n == "AggregateFunction")
    throwUnsupported(
        "AggregateFunction columns carry opaque aggregation states and cannot be read; select "
        "finalizeAggregation(column) or use a -Merge combinator instead (type " +
        spellType(ast) + ")");
  // Every other name: a valid ClickHouse type (or a future one) that this version cannot decode.
  notSupported(spellType(ast));
}

}  // namespace

TypePtr makeType(std::string_view name) { return resolve(parseTypeName(name)); }

bool isIntegerKind(TypeKind kind) noexcept {
  switch (kind) {
    case TypeKind::Int8:
    case TypeKind::Int16:
    case TypeKind::Int32:
    case TypeKind::Int64:
    case TypeKind::UInt8:
    case TypeKind::UInt16:
    case TypeKind::UInt32:
    case TypeKind::UInt64: return true;
    default: return false;
  }
}

bool isSignedKind(TypeKind kind) noexcept {
  return kind == TypeKind::Int8 || kind == TypeKind::Int16 || kind == TypeKind::Int32 || kind == TypeKind::Int64;
}

bool isFixedWidthKind(TypeKind kind) noexcept {
  switch (kind) {
    case TypeKind::String:
    case TypeKind::FixedString:
    case TypeKind::Nullable:
    case TypeKind::Array:
    case TypeKind::Tuple:
    case TypeKind::Map:
    case TypeKind::LowCardinality:
    case TypeKind::Nothing:
    case TypeKind::Variant:
    case TypeKind::Dynamic:
    case TypeKind::JSON: return false;
    default: return true;
  }
}

}  // namespace chc
