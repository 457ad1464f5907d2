// impl/types: the type-name parser (spec §3.1) and the type factory (the supported set, canonical
// names, wrapping rules, and clear errors for valid-but-unsupported types).
#include <string>
#include <string_view>
#include <vector>

#include "common/Error.hpp"
#include "native_support.hpp"
#include "types/DataType.hpp"
#include "types/TypeFactory.hpp"
#include "types/TypeNameParser.hpp"

// cmocka last: its fail() macro would break C++ standard headers included after it.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
extern "C" {
#include <cmocka.h>
}

using chc::ErrorKind;
using chc::TypeArg;
using chc::TypeAst;
using chc::TypeKind;

namespace {

using Kind = TypeArg::Kind;

const TypeAst& typeOf(const TypeArg& arg) {
  assert_int_equal(static_cast<int>(arg.kind), static_cast<int>(Kind::Type));
  assert_int_equal(arg.type.size(), 1);
  return arg.type.front();
}

void expectPlain(const TypeArg& arg, const char* name, const char* element_name = "") {
  const TypeAst& t = typeOf(arg);
  assert_string_equal(t.name.c_str(), name);
  assert_string_equal(arg.element_name.c_str(), element_name);
}

void expectNumber(const TypeArg& arg, const char* text) {
  assert_int_equal(static_cast<int>(arg.kind), static_cast<int>(Kind::Number));
  assert_string_equal(arg.text.c_str(), text);
}

void expectQuoted(const TypeArg& arg, std::string_view text) {
  assert_int_equal(static_cast<int>(arg.kind), static_cast<int>(Kind::Quoted));
  assert_int_equal(arg.text.size(), text.size());
  assert_memory_equal(arg.text.data(), text.data(), text.size());
}

// JSON's SKIP clauses are kept verbatim.
void expectRaw(const TypeArg& arg, std::string_view text) {
  assert_int_equal(static_cast<int>(arg.kind), static_cast<int>(Kind::Raw));
  assert_int_equal(arg.text.size(), text.size());
  assert_memory_equal(arg.text.data(), text.data(), text.size());
}

void expectAssigned(const TypeArg& arg, std::string_view name, const char* number) {
  assert_int_equal(static_cast<int>(arg.kind), static_cast<int>(Kind::Assigned));
  assert_int_equal(arg.text.size(), name.size());
  assert_memory_equal(arg.text.data(), name.data(), name.size());
  assert_string_equal(arg.number.c_str(), number);
}

// ---------------------------------------------------------------------------------------------
// Parser

void parse_simple_names(void**) {
  for (const char* n : {"UInt8", "String", "JSON", "Int256", "IPv6", "Point", "Some_Future.Type2"}) {
    TypeAst t = chc::parseTypeName(n);
    assert_string_equal(t.name.c_str(), n);
    assert_false(t.has_parens);
    assert_int_equal(t.args.size(), 0);
  }
}

void parse_empty_argument_lists(void**) {
  for (const char* n : {"Tuple()", "Dynamic()", "Tuple( )", " Tuple (\t) "}) {
    TypeAst t = chc::parseTypeName(n);
    assert_true(t.name == "Tuple" || t.name == "Dynamic");
    assert_true(t.has_parens);
    assert_int_equal(t.args.size(), 0);
  }
}

void parse_nested_parens(void**) {
  TypeAst t = chc::parseTypeName("Map(String, Array(Nullable(Decimal(9, 4))))");
  assert_string_equal(t.name.c_str(), "Map");
  assert_int_equal(t.args.size(), 2);
  expectPlain(t.args[0], "String");
  const TypeAst& arr = typeOf(t.args[1]);
  assert_string_equal(arr.name.c_str(), "Array");
  assert_int_equal(arr.args.size(), 1);
  const TypeAst& nul = typeOf(arr.args[0]);
  assert_string_equal(nul.name.c_str(), "Nullable");
  const TypeAst& dec = typeOf(nul.args[0]);
  assert_string_equal(dec.name.c_str(), "Decimal");
  assert_int_equal(dec.args.size(), 2);
  expectNumber(dec.args[0], "9");
  expectNumber(dec.args[1], "4");

  TypeAst lc = chc::parseTypeName("Array(LowCardinality(Nullable(String)))");
  assert_string_equal(typeOf(typeOf(typeOf(lc.args[0]).args[0]).args[0]).name.c_str(), "String");
}

// 18.16 emitted exactly this (spec §8.7): quoted names with escapes, negative values, ' = '.
void parse_enum_with_escapes(void**) {
  TypeAst t = chc::parseTypeName("Enum8('b' = -2, 'a\\'x' = 1)");
  assert_string_equal(t.name.c_str(), "Enum8");
  assert_int_equal(t.args.size(), 2);
  expectAssigned(t.args[0], "b", "-2");
  expectAssigned(t.args[1], "a'x", "1");

  // Whitespace variations and the other quoting forms of spec §3.1.
  TypeAst u = chc::parseTypeName("Enum16('a,b'=1,'c(d)'  =  -32768 ,'it''s'=3, 'e\\\\f' = 4, '\\x41\\n\\t\\0' = 5)");
  assert_int_equal(u.args.size(), 5);
  expectAssigned(u.args[0], "a,b", "1");
  expectAssigned(u.args[1], "c(d)", "-32768");
  expectAssigned(u.args[2], "it's", "3");
  expectAssigned(u.args[3], "e\\f", "4");
  expectAssigned(u.args[4], std::string_view("A\n\t\0", 4), "5");
}

void parse_datetime_forms(void**) {
  TypeAst a = chc::parseTypeName("DateTime('UTC')");
  assert_int_equal(a.args.size(), 1);
  expectQuoted(a.args[0], "UTC");

  TypeAst b = chc::parseTypeName("DateTime64(3, 'Asia/Shanghai')");
  assert_string_equal(b.name.c_str(), "DateTime64");
  assert_int_equal(b.args.size(), 2);
  expectNumber(b.args[0], "3");
  expectQuoted(b.args[1], "Asia/Shanghai");

  TypeAst c = chc::parseTypeName("DateTime64(3)");
  assert_int_equal(c.args.size(), 1);
  expectNumber(c.args[0], "3");
}

void parse_named_tuples(void**) {
  TypeAst t = chc::parseTypeName("Tuple(a UInt32, b String)");
  assert_int_equal(t.args.size(), 2);
  expectPlain(t.args[0], "UInt32", "a");
  expectPlain(t.args[1], "String", "b");

  // Backquoted element names, with escapes and characters that are otherwise separators.
  TypeAst q = chc::parseTypeName("Tuple(`a b` UInt8, `c,d)` Array(String), `e\\`f` Nullable(Int8), g_1 Tuple(h Int8))");
  assert_int_equal(q.args.size(), 4);
  expectPlain(q.args[0], "UInt8", "a b");
  expectPlain(q.args[1], "Array", "c,d)");
  assert_string_equal(typeOf(typeOf(q.args[1]).args[0]).name.c_str(), "String");
  expectPlain(q.args[2], "Nullable", "e`f");
  expectPlain(q.args[3], "Tuple", "g_1");
  expectPlain(typeOf(q.args[3]).args[0], "Int8", "h");

  // An element whose name is itself a type name.
  TypeAst n = chc::parseTypeName("Tuple(String String, Array Array(UInt8))");
  expectPlain(n.args[0], "String", "String");
  expectPlain(n.args[1], "Array", "Array");

  TypeAst nested = chc::parseTypeName("Nested(a UInt32, b Array(String))");
  expectPlain(nested.args[0], "UInt32", "a");
  expectPlain(nested.args[1], "Array", "b");
}

void parse_json_arguments(void**) {
  TypeAst t = chc::parseTypeName("JSON(max_dynamic_paths=10, a.b UInt32, SKIP c, SKIP REGEXP 'x.*')");
  assert_string_equal(t.name.c_str(), "JSON");
  assert_int_equal(t.args.size(), 4);
  expectAssigned(t.args[0], "max_dynamic_paths", "10");
  expectPlain(t.args[1], "UInt32", "a.b");
  expectRaw(t.args[2], "SKIP c");
  expectRaw(t.args[3], "SKIP REGEXP 'x.*'");

  // Separators inside the SKIP clauses' quotes do not split arguments.
  TypeAst u =
      chc::parseTypeName("JSON(max_dynamic_types = 3, `a.b` String, SKIP `x,y`, SKIP REGEXP 'a,b)', c Array(UInt8))");
  assert_int_equal(u.args.size(), 5);
  expectAssigned(u.args[0], "max_dynamic_types", "3");
  expectPlain(u.args[1], "String", "a.b");
  expectRaw(u.args[2], "SKIP `x,y`");
  expectRaw(u.args[3], "SKIP REGEXP 'a,b)'");
  expectPlain(u.args[4], "Array", "c");

  TypeAst d = chc::parseTypeName("Dynamic(max_types=10)");
  expectAssigned(d.args[0], "max_types", "10");
}

void parse_aggregate_functions(void**) {
  TypeAst t = chc::parseTypeName("AggregateFunction(quantiles(0.5, 0.9), UInt64)");
  assert_int_equal(t.args.size(), 2);
  const TypeAst& f = typeOf(t.args[0]);
  assert_string_equal(f.name.c_str(), "quantiles");
  assert_int_equal(f.args.size(), 2);
  expectNumber(f.args[0], "0.5");
  expectNumber(f.args[1], "0.9");
  expectPlain(t.args[1], "UInt64");

  TypeAst v = chc::parseTypeName("AggregateFunction(1, sumMap, Array(UInt8), Array(UInt8))");
  assert_int_equal(v.args.size(), 4);
  expectNumber(v.args[0], "1");
  expectPlain(v.args[1], "sumMap");
  expectPlain(v.args[2], "Array");
  expectPlain(v.args[3], "Array");

  TypeAst s = chc::parseTypeName("SimpleAggregateFunction(anyLast, Nullable(String))");
  expectPlain(s.args[0], "anyLast");
  expectPlain(s.args[1], "Nullable");
}

void parse_whitespace_variations(void**) {
  const char* forms[] = {
      "Map(String, Array(Nullable(Decimal(9, 4))))",
      "Map(String,Array(Nullable(Decimal(9,4))))",
      "  Map ( String ,  Array ( Nullable ( Decimal ( 9 , 4 ) ) ) )  ",
      "\tMap(\n String,\r\n Array(Nullable(Decimal(9,\t4)))\n)\n",
  };
  for (const char* f : forms) {
    TypeAst t = chc::parseTypeName(f);
    assert_string_equal(t.name.c_str(), "Map");
    assert_int_equal(t.args.size(), 2);
    expectPlain(t.args[0], "String");
    const TypeAst& dec = typeOf(typeOf(typeOf(t.args[1]).args[0]).args[0]);
    assert_string_equal(dec.name.c_str(), "Decimal");
    expectNumber(dec.args[0], "9");
    expectNumber(dec.args[1], "4");
  }
}

// Every form listed in spec §3 parses (structure checked in the tests above).
void parse_spec_catalogue(void**) {
  const char* names[] = {
      "Nothing",
      "Nullable(Nothing)",
      "Bool",
      "UUID",
      "IPv4",
      "IPv6",
      "Date32",
      "BFloat16",
      "Time",
      "Time64(3)",
      "Decimal(76, 10)",
      "Decimal32(4)",
      "Int128",
      "UInt256",
      "FixedString(16)",
      "LowCardinality(Nullable(String))",
      "Array(LowCardinality(String))",
      "Tuple(LowCardinality(String), Int32)",
      "Map(LowCardinality(String), UInt64)",
      "Variant(String, UInt32)",
      "Dynamic",
      "Dynamic(max_types=10)",
      "JSON",
      "JSON(max_dynamic_paths=10, max_dynamic_types=2, `a.b` UInt32, SKIP c.d, SKIP REGEXP '^x.*')",
      "Object('json')",
      "IntervalDay",
      "Point",
      "Ring",
      "MultiPolygon",
      "Geometry",
      "QBit(Float32, 8)",
      "Nested(a UInt32, `b c` String)",
      "Enum8('b' = -2, 'a\\'x' = 1)",
      "Enum16('' = 0)",
      "AggregateFunction(1, sumMap, Array(UInt8), Array(UInt8))",
      "SimpleAggregateFunction(sum, UInt64)",
      "Array(Tuple(a Int8, b Map(String, Array(Nullable(DateTime64(9, 'Europe/Berlin'))))))",
  };
  for (const char* n : names) {
    native_test::Outcome o = native_test::capture([&] { chc::parseTypeName(n); });
    if (o.threw) {
      print_error("'%s' failed to parse: %s\n", n, o.message.c_str());
      fail();
    }
  }
}

// 128 levels are allowed; the result is a correct deep tree.
void parse_deep_but_allowed(void**) {
  std::string s;
  for (int i = 0; i < 100; ++i) s += "Array(";
  s += "UInt8";
  for (int i = 0; i < 100; ++i) s += ")";
  TypeAst t = chc::parseTypeName(s);
  const TypeAst* cur = &t;
  for (int i = 0; i < 100; ++i) {
    assert_string_equal(cur->name.c_str(), "Array");
    cur = &typeOf(cur->args[0]);
  }
  assert_string_equal(cur->name.c_str(), "UInt8");
  assert_int_equal(chc::makeType(s)->name().size(), s.size());
}

struct Malformed {
  const char* text;
  const char* position;  // expected "at position N" suffix, or nullptr to only require "position"
};

void parse_malformed(void**) {
  const Malformed cases[] = {
      {"", "position 0"},
      {"   ", "position 3"},
      {"Array(", "position 6"},
      {"Array(UInt8", "position 11"},
      {"Array(UInt8))", "position 12"},
      {"Array((UInt8)", nullptr},
      {"UInt8 garbage", "position 6"},
      {"UInt8)", "position 5"},
      {"Array UInt8", nullptr},
      {"(UInt8)", "position 0"},
      {"DateTime('UTC", nullptr},
      {"DateTime('UTC)", nullptr},
      {"Enum8('a = 1)", nullptr},
      {"Enum8('a' = )", nullptr},
      {"Enum8('a' = 1,)", nullptr},
      {"Tuple(,)", nullptr},
      {"Tuple(UInt8,)", nullptr},
      {"Tuple(`a UInt8)", nullptr},
      {"Tuple(a UInt8 UInt16)", nullptr},
      {"Tuple(UInt8 x y)", nullptr},
      {"Enum8('\\x4' = 1)", nullptr},
      {"Enum8('abc\\", nullptr},
      {"JSON(SKIP REGEXP 'x.*)", nullptr},
      {"`UInt8`", nullptr},
      {"Array(UInt8)Array(UInt8)", nullptr},
      {"Map(String, Array(UInt8)", nullptr},
      {"Array(\xff)", nullptr},
  };
  for (const Malformed& m : cases) {
    native_test::Outcome o = native_test::capture([&] { chc::parseTypeName(m.text); });
    if (!o.chc_error || o.kind != ErrorKind::InvalidArgument) {
      print_error("'%s': expected InvalidArgument, got %s (%s)\n", m.text,
                  o.threw ? (o.chc_error ? native_test::kindName(o.kind) : "non-chc") : "no error", o.message.c_str());
      fail();
    }
    const char* want = m.position ? m.position : "position";
    if (o.message.find(want) == std::string::npos) {
      print_error("'%s': message lacks '%s': %s\n", m.text, want, o.message.c_str());
      fail();
    }
    // makeType reports the same problem as the same kind.
    EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "position", chc::makeType(m.text));
  }
}

// Spec §3.1: a type is a NAME, and names start with a letter or '_' (the parser already insists on
// that for arguments). A leading digit or dot is malformed, not an unknown type.
void parse_name_must_start_with_letter(void**) {
  int failures = 0;
  for (const char* text : {"8UInt", "123", ".x", "Array(UInt8", "Tuple(a 1)", "Tuple(a .b)"}) {
    native_test::Outcome o = native_test::capture([&] { chc::parseTypeName(text); });
    if (!o.chc_error || o.kind != ErrorKind::InvalidArgument) {
      print_error("'%s': expected InvalidArgument, got %s (%s)\n", text,
                  o.threw ? (o.chc_error ? native_test::kindName(o.kind) : "non-chc") : "no error", o.message.c_str());
      ++failures;
    }
  }
  assert_int_equal(failures, 0);
}

// Hostile nesting is an error, not a stack overflow (closed or not, and through every path the
// parser recurses on: plain types, named elements, function-style arguments).
void parse_deep_nesting_rejected(void**) {
  const int depth = 10000;
  std::string open, closed, named, func;
  for (int i = 0; i < depth; ++i) open += "Array(";
  closed = open + "UInt8" + std::string(depth, ')');
  for (int i = 0; i < depth; ++i) named += "Tuple(a ";
  named += "UInt8" + std::string(depth, ')');
  for (int i = 0; i < depth; ++i) func += "f(";
  func += "1" + std::string(depth, ')');
  for (const std::string* s : {&open, &closed, &named, &func}) {
    EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "position", chc::parseTypeName(*s));
    EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "", chc::makeType(*s));
  }
  // A million levels of nothing but parentheses, too.
  std::string parens(1000000, '(');
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "", chc::parseTypeName("Array" + parens));
}

void quote_type_string(void**) {
  assert_string_equal(chc::quoteTypeString("UTC").c_str(), "'UTC'");
  assert_string_equal(chc::quoteTypeString("a'x").c_str(), "'a\\'x'");
  assert_string_equal(chc::quoteTypeString("a\\b").c_str(), "'a\\\\b'");
  assert_string_equal(chc::quoteTypeString("\n\t\r").c_str(), "'\\n\\t\\r'");
  assert_string_equal(chc::quoteTypeString(std::string_view("a\0b", 3)).c_str(), "'a\\0b'");
  assert_string_equal(chc::quoteTypeString("").c_str(), "''");
  // Quoting then parsing gives the value back, for every byte.
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  TypeAst t = chc::parseTypeName("DateTime(" + chc::quoteTypeString(all) + ")");
  expectQuoted(t.args[0], all);
}

// ---------------------------------------------------------------------------------------------
// Factory

struct Expect {
  const char* name;
  TypeKind kind;
  size_t fixed;
  const char* tz;
};

void factory_supported_kinds(void**) {
  const Expect cases[] = {
      {"Int8", TypeKind::Int8, 1, ""},
      {"Int16", TypeKind::Int16, 2, ""},
      {"Int32", TypeKind::Int32, 4, ""},
      {"Int64", TypeKind::Int64, 8, ""},
      {"UInt8", TypeKind::UInt8, 1, ""},
      {"UInt16", TypeKind::UInt16, 2, ""},
      {"UInt32", TypeKind::UInt32, 4, ""},
      {"UInt64", TypeKind::UInt64, 8, ""},
      {"Float32", TypeKind::Float32, 4, ""},
      {"Float64", TypeKind::Float64, 8, ""},
      {"String", TypeKind::String, 0, ""},
      {"FixedString(1)", TypeKind::FixedString, 1, ""},
      {"FixedString(16)", TypeKind::FixedString, 16, ""},
      {"FixedString(16777215)", TypeKind::FixedString, 16777215, ""},
      {"Date", TypeKind::Date, 2, ""},
      {"DateTime", TypeKind::DateTime, 4, ""},
      {"DateTime('UTC')", TypeKind::DateTime, 4, "UTC"},
      {"DateTime('Asia/Shanghai')", TypeKind::DateTime, 4, "Asia/Shanghai"},
      {"DateTime('a\\'b')", TypeKind::DateTime, 4, "a'b"},
      {"Nullable(UInt8)", TypeKind::Nullable, 0, ""},
      {"Nullable(String)", TypeKind::Nullable, 0, ""},
      {"Nullable(DateTime('UTC'))", TypeKind::Nullable, 0, ""},
      {"Array(UInt8)", TypeKind::Array, 0, ""},
      {"Array(Nullable(String))", TypeKind::Array, 0, ""},
      {"Array(Array(Nullable(String)))", TypeKind::Array, 0, ""},
      {"Array(FixedString(3))", TypeKind::Array, 0, ""},
      {"Array(DateTime('Europe/Moscow'))", TypeKind::Array, 0, ""},
  };
  for (const Expect& e : cases) {
    chc::TypePtr t = chc::makeType(e.name);
    assert_non_null(t.get());
    if (t->kind() != e.kind) {
      print_error("%s: kind %d, want %d\n", e.name, static_cast<int>(t->kind()), static_cast<int>(e.kind));
      fail();
    }
    assert_string_equal(t->name().c_str(), e.name);  // canonical names round-trip
    assert_int_equal(t->fixedSize(), e.fixed);
    assert_string_equal(t->timezone().c_str(), e.tz);
    const bool wrapper = e.kind == TypeKind::Nullable || e.kind == TypeKind::Array;
    assert_int_equal(t->children().size(), wrapper ? 1 : 0);
    // The canonical name of the result resolves to the same thing again.
    assert_string_equal(chc::makeType(t->name())->name().c_str(), e.name);
  }
  // Public constants of the header: kinds keep their numbers.
  assert_int_equal(static_cast<int>(TypeKind::Int8), 1);
  assert_int_equal(static_cast<int>(TypeKind::String), 11);
  assert_int_equal(static_cast<int>(TypeKind::Array), 16);
}

void factory_children(void**) {
  chc::TypePtr t = chc::makeType("Array(Array(Nullable(DateTime('UTC'))))");
  assert_int_equal(static_cast<int>(t->kind()), static_cast<int>(TypeKind::Array));
  const chc::TypePtr& inner = t->children()[0];
  assert_string_equal(inner->name().c_str(), "Array(Nullable(DateTime('UTC')))");
  assert_int_equal(static_cast<int>(inner->kind()), static_cast<int>(TypeKind::Array));
  const chc::TypePtr& nul = inner->children()[0];
  assert_string_equal(nul->name().c_str(), "Nullable(DateTime('UTC'))");
  assert_int_equal(static_cast<int>(nul->kind()), static_cast<int>(TypeKind::Nullable));
  const chc::TypePtr& leaf = nul->children()[0];
  assert_int_equal(static_cast<int>(leaf->kind()), static_cast<int>(TypeKind::DateTime));
  assert_string_equal(leaf->timezone().c_str(), "UTC");
  assert_int_equal(leaf->fixedSize(), 4);
  assert_int_equal(leaf->children().size(), 0);

  chc::TypePtr fs = chc::makeType("Nullable(FixedString(7))");
  assert_int_equal(fs->children()[0]->fixedSize(), 7);
  assert_string_equal(fs->children()[0]->name().c_str(), "FixedString(7)");

  assert_true(chc::isIntegerKind(TypeKind::UInt64));
  assert_true(chc::isIntegerKind(TypeKind::Int8));
  assert_false(chc::isIntegerKind(TypeKind::Float64));
  assert_false(chc::isIntegerKind(TypeKind::Date));
  assert_true(chc::isSignedKind(TypeKind::Int64));
  assert_false(chc::isSignedKind(TypeKind::UInt8));
}

// Any accepted spelling resolves to the canonical name.
void factory_canonicalises(void**) {
  const std::pair<const char*, const char*> cases[] = {
      {" Array ( UInt8 ) ", "Array(UInt8)"},
      {"Array(\n\tNullable( String )\n)", "Array(Nullable(String))"},
      {"DateTime( 'UTC' )", "DateTime('UTC')"},
      {"DateTime('it''s')", "DateTime('it\\'s')"},
      {"DateTime('\\x55TC')", "DateTime('UTC')"},
      {"FixedString( 8 )", "FixedString(8)"},
      {"FixedString(016)", "FixedString(16)"},
      {"Nullable (DateTime('Europe/Moscow'))", "Nullable(DateTime('Europe/Moscow'))"},
  };
  for (auto [in, want] : cases) {
    chc::TypePtr t = chc::makeType(in);
    if (t->name() != want) {
      print_error("makeType(\"%s\")->name() = \"%s\", want \"%s\"\n", in, t->name().c_str(), want);
      fail();
    }
  }
  assert_string_equal(chc::makeType("DateTime('it''s')")->timezone().c_str(), "it's");
}

void factory_wrapping_rules(void**) {
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "Nullable(UInt8)", chc::makeType("Nullable(Nullable(UInt8))"));
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "Array(UInt8)", chc::makeType("Nullable(Array(UInt8))"));
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "", chc::makeType("Array(Nullable(Nullable(String)))"));
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "", chc::makeType("Array(Nullable(Array(String)))"));
  // Argument counts and kinds.
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "", chc::makeType("Nullable"));
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "", chc::makeType("Nullable()"));
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "", chc::makeType("Nullable(UInt8, UInt8)"));
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "", chc::makeType("Array"));
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "", chc::makeType("Array(1)"));
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "", chc::makeType("Array('UInt8')"));
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "", chc::makeType("Array(a UInt8)"));
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "", chc::makeType("UInt8()"));
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "", chc::makeType("String(1)"));
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "", chc::makeType("DateTime()"));
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "", chc::makeType("DateTime(3)"));
  EXPECT_CHC_KIND(ErrorKind::InvalidArgument, "", chc::makeType("DateTime('UTC', 'UTC')"));
}

void factory_fixedstring_lengths(void**) {
  for (const char* bad : {"FixedString(0)", "FixedString(abc)", "FixedString(99999999)", "FixedString(16777216)",
                          "FixedString(-1)", "FixedString(1.5)", "FixedString(1 2)", "FixedString()", "FixedString",
                          "FixedString(1, 2)", "FixedString('4')", "FixedString(99999999999999999999999)"}) {
    native_test::Outcome o = native_test::capture([&] { chc::makeType(bad); });
    if (!o.chc_error || o.kind != ErrorKind::InvalidArgument) {
      print_error("%s: expected InvalidArgument, got %s (%s)\n", bad,
                  o.threw ? (o.chc_error ? native_test::kindName(o.kind) : "non-chc") : "no error", o.message.c_str());
      fail();
    }
  }
  assert_int_equal(chc::makeType("FixedString(16777215)")->fixedSize(), 0xFFFFFF);
}

// Valid ClickHouse types this version cannot decode: Unsupported, naming the type.
void factory_unsupported_types(void**) {
  const char* names[] = {
      "SomeFutureType(1)",
      "Object('json')",
      "MultiPoint(1)",
      "Geometry(1)",
  };
  for (const char* n : names) {
    native_test::Outcome o = native_test::capture([&] { chc::makeType(n); });
    if (!o.chc_error || o.kind != ErrorKind::Unsupported) {
      print_error("%s: expected Unsupported, got %s (%s)\n", n,
                  o.threw ? (o.chc_error ? native_test::kindName(o.kind) : "non-chc") : "no error", o.message.c_str());
      fail();
    }
    if (o.message.find(n) == std::string::npos) {
      print_error("%s: message does not name the type: %s\n", n, o.message.c_str());
      fail();
    }
  }
  // Unsupported inside supported wrappers: still Unsupported, naming the inner type.
  EXPECT_CHC_KIND(ErrorKind::Unsupported, "Future(Float32, 8)", chc::makeType("Array(Future(Float32, 8))"));
  EXPECT_CHC_KIND(ErrorKind::Unsupported, "Object('json')", chc::makeType("Map(String, Object('json'))"));
  EXPECT_CHC_KIND(ErrorKind::Unsupported, "SomeFutureType", chc::makeType("Array(Array(Tuple(a SomeFutureType)))"));
  // (Tuple(), Geometry and QBit(T, N) are supported since the JSON/geo/QBit work: test_types_json.cpp)
  // Names are case-sensitive: `uint8` is not UInt8.
  EXPECT_CHC_KIND(ErrorKind::Unsupported, "uint8", chc::makeType("uint8"));
}

// The message names the type as the server spells it, also when its arguments are quoted
// strings, bare `name=value` settings or backquoted element names.
void factory_unsupported_message_spells_type(void**) {
  int failures = 0;
  for (const char* n : {"Object('json')", "Future(Float32, 8)", "Future(max_x=10)", "Future(`a b` UInt8, SKIP c)",
                        "Future(Enum8('it\\'s' = 1), String)"}) {
    native_test::Outcome o = native_test::capture([&] { chc::makeType(n); });
    if (!o.chc_error || o.kind != ErrorKind::Unsupported) {
      print_error("%s: expected Unsupported, got %s\n", n, o.message.c_str());
      ++failures;
    } else if (o.message.find(n) == std::string::npos) {
      print_error("%s: message does not name the type as written: %s\n", n, o.message.c_str());
      ++failures;
    }
  }
  assert_int_equal(failures, 0);
}

// Every supported family: kind, canonical name (round trip), width and parameters.
void factory_all_supported_families(void**) {
  struct Case {
    const char* name;
    TypeKind kind;
    size_t fixed;
  };
  const Case cases[] = {
      {"Int128", TypeKind::Int128, 16},
      {"UInt128", TypeKind::UInt128, 16},
      {"Int256", TypeKind::Int256, 32},
      {"UInt256", TypeKind::UInt256, 32},
      {"BFloat16", TypeKind::BFloat16, 2},
      {"Bool", TypeKind::Bool, 1},
      {"Decimal(9, 4)", TypeKind::Decimal, 4},
      {"Decimal(18, 0)", TypeKind::Decimal, 8},
      {"Decimal(38, 10)", TypeKind::Decimal, 16},
      {"Decimal(76, 76)", TypeKind::Decimal, 32},
      {"Date32", TypeKind::Date32, 4},
      {"DateTime64(3)", TypeKind::DateTime64, 8},
      {"DateTime64(9, 'Asia/Shanghai')", TypeKind::DateTime64, 8},
      {"Time", TypeKind::Time, 4},
      {"Time64(6)", TypeKind::Time64, 8},
      {"UUID", TypeKind::UUID, 16},
      {"IPv4", TypeKind::IPv4, 4},
      {"IPv6", TypeKind::IPv6, 16},
      {"Enum8('b' = -2, 'a\\'x' = 1)", TypeKind::Enum8, 1},
      {"Enum16('x' = -300, 'y' = 1000)", TypeKind::Enum16, 2},
      {"IntervalDay", TypeKind::Interval, 8},
      {"IntervalNanosecond", TypeKind::Interval, 8},
      {"Nothing", TypeKind::Nothing, 1},
      {"Nullable(Nothing)", TypeKind::Nullable, 0},
      {"Nullable(Tuple(Int8, String))", TypeKind::Nullable, 0},
      {"Tuple(UInt8, String)", TypeKind::Tuple, 0},
      {"Tuple(a UInt32, `b c` String)", TypeKind::Tuple, 0},
      {"Map(String, Array(Nullable(Decimal(9, 4))))", TypeKind::Map, 0},
      {"LowCardinality(String)", TypeKind::LowCardinality, 0},
      {"LowCardinality(Nullable(FixedString(3)))", TypeKind::LowCardinality, 0},
      {"Nested(a UInt32, b String)", TypeKind::Array, 0},
      {"Point", TypeKind::Tuple, 0},
      {"Ring", TypeKind::Array, 0},
      {"LineString", TypeKind::Array, 0},
      {"MultiLineString", TypeKind::Array, 0},
      {"Polygon", TypeKind::Array, 0},
      {"MultiPolygon", TypeKind::Array, 0},
      {"SimpleAggregateFunction(sum, UInt64)", TypeKind::UInt64, 8},
      {"SimpleAggregateFunction(anyLast, Nullable(String))", TypeKind::Nullable, 0},
      {"Variant(Array(UInt8), String, UInt32)", TypeKind::Variant, 0},
      {"Dynamic", TypeKind::Dynamic, 0},
      {"Dynamic(max_types=10)", TypeKind::Dynamic, 0},
      {"JSON", TypeKind::JSON, 0},
      {"JSON(max_dynamic_paths=10, `a.b` UInt32, SKIP c)", TypeKind::JSON, 0},
  };
  int failures = 0;
  for (const Case& c : cases) {
    native_test::Outcome o = native_test::capture([&] {
      chc::TypePtr t = chc::makeType(c.name);
      if (t->kind() != c.kind || t->fixedSize() != c.fixed || t->name() != c.name) {
        print_error("%s: kind %d size %zu name %s\n", c.name, static_cast<int>(t->kind()), t->fixedSize(),
                    t->name().c_str());
        ++failures;
      }
    });
    if (o.threw) {
      print_error("%s: %s\n", c.name, o.message.c_str());
      ++failures;
    }
  }
  assert_int_equal(failures, 0);
  // Spellings the server normalises.
  assert_string_equal(chc::makeType("Decimal32(4)")->name().c_str(), "Decimal(9, 4)");
  assert_string_equal(chc::makeType("Decimal256(3)")->name().c_str(), "Decimal(76, 3)");
  assert_string_equal(chc::makeType("Enum8('a'=1,'b'=2)")->name().c_str(), "Enum8('a' = 1, 'b' = 2)");
  // Parameters.
  chc::TypePtr d = chc::makeType("Decimal(20, 3)");
  assert_int_equal(d->precision(), 20);
  assert_int_equal(d->scale(), 3);
  chc::TypePtr e = chc::makeType("Enum8('b' = -2, 'a' = 1)");
  assert_int_equal(e->enumEntries().size(), 2);
  assert_int_equal(e->enumEntries()[0].value, -2);
  assert_string_equal(e->enumEntries()[1].name.c_str(), "a");
  chc::TypePtr t = chc::makeType("Tuple(a UInt32, b String)");
  assert_string_equal(t->elementNames()[1].c_str(), "b");
  chc::TypePtr m = chc::makeType("Map(String, UInt64)");
  assert_int_equal(m->children()[0]->children().size(), 2);
  assert_string_equal(chc::makeType("IntervalHour")->unit().c_str(), "Hour");
  assert_string_equal(chc::makeType("DateTime64(3, 'UTC')")->timezone().c_str(), "UTC");
  assert_int_equal(chc::makeType("DateTime64(3, 'UTC')")->precision(), 3);
  // Invalid parameters and compositions.
  for (const char* bad : {"Decimal(0, 0)", "Decimal(77, 1)", "Decimal(9, 10)", "DateTime64(10)", "Enum8('a' = 300)",
                          "Enum8()", "Nullable(LowCardinality(String))", "Map(Nullable(String), UInt8)",
                          "LowCardinality(Array(UInt8))", "Tuple(a UInt8, String)", "Nested(UInt8)"}) {
    native_test::Outcome o = native_test::capture([&] { chc::makeType(bad); });
    if (!o.chc_error || o.kind != ErrorKind::InvalidArgument) {
      print_error("%s: expected InvalidArgument, got %s\n", bad, o.threw ? o.message.c_str() : "no error");
      ++failures;
    }
  }
  assert_int_equal(failures, 0);
}

void factory_aggregate_function(void**) {
  EXPECT_CHC_KIND(ErrorKind::Unsupported, "finalizeAggregation", chc::makeType("AggregateFunction(sum, UInt64)"));
  EXPECT_CHC_KIND(ErrorKind::Unsupported, "AggregateFunction(sum, UInt64)",
                  chc::makeType("AggregateFunction(sum, UInt64)"));
  EXPECT_CHC_KIND(ErrorKind::Unsupported, "finalizeAggregation",
                  chc::makeType("AggregateFunction(quantiles(0.5, 0.9), UInt64)"));
  EXPECT_CHC_KIND(ErrorKind::Unsupported, "finalizeAggregation",
                  chc::makeType("Array(AggregateFunction(1, sumMap, Array(UInt8), Array(UInt8)))"));
}

}  // namespace

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(parse_simple_names),
      cmocka_unit_test(parse_empty_argument_lists),
      cmocka_unit_test(parse_nested_parens),
      cmocka_unit_test(parse_enum_with_escapes),
      cmocka_unit_test(parse_datetime_forms),
      cmocka_unit_test(parse_named_tuples),
      cmocka_unit_test(parse_json_arguments),
      cmocka_unit_test(factory_all_supported_families),
      cmocka_unit_test(parse_aggregate_functions),
      cmocka_unit_test(parse_whitespace_variations),
      cmocka_unit_test(parse_spec_catalogue),
      cmocka_unit_test(parse_deep_but_allowed),
      cmocka_unit_test(parse_malformed),
      cmocka_unit_test(parse_name_must_start_with_letter),
      cmocka_unit_test(parse_deep_nesting_rejected),
      cmocka_unit_test(quote_type_string),
      cmocka_unit_test(factory_supported_kinds),
      cmocka_unit_test(factory_children),
      cmocka_unit_test(factory_canonicalises),
      cmocka_unit_test(factory_wrapping_rules),
      cmocka_unit_test(factory_fixedstring_lengths),
      cmocka_unit_test(factory_unsupported_types),
      cmocka_unit_test(factory_unsupported_message_spells_type),
      cmocka_unit_test(factory_aggregate_function),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
