#include "types/BinaryTypeDecoder.hpp"

#include <string>

#include "common/Error.hpp"
#include "types/TypeFactory.hpp"
#include "types/TypeNameParser.hpp"

namespace chc {
namespace {

constexpr int kMaxDepth = 64;
constexpr size_t kMaxName = 1 << 16;
constexpr uint64_t kMaxElements = 1 << 16;  // tuple elements, enum entries, variant alternatives

uint64_t readCount(ReadBuffer& in, const char* what) {
  uint64_t n = in.readVarUInt();
  if (n > kMaxElements)
    throwProtocol(std::string("binary type encoding: ") + what + " count " + std::to_string(n) +
                  " is impossibly large");
  return n;
}

std::string readType(ReadBuffer& in, int depth);

std::string typeList(ReadBuffer& in, int depth, uint64_t n) {
  std::string s;
  for (uint64_t i = 0; i < n; ++i) s += (i ? ", " : "") + readType(in, depth + 1);
  return s;
}

std::string namedList(ReadBuffer& in, int depth, uint64_t n) {
  std::string s;
  for (uint64_t i = 0; i < n; ++i) {
    std::string name = in.readString(kMaxName);
    s += (i ? ", " : "") + quoteElementName(name) + " " + readType(in, depth + 1);
  }
  return s;
}

template <class T>
std::string enumType(ReadBuffer& in, const char* name) {
  uint64_t n = readCount(in, "enum element");
  std::string s = std::string(name) + "(";
  for (uint64_t i = 0; i < n; ++i) {
    std::string key = in.readString(kMaxName);
    T v = in.readLE<T>();
    s += (i ? ", " : "") + quoteTypeString(key) + " = " + std::to_string(v);
  }
  return s + ")";
}

std::string intervalName(uint8_t kind) {
  static const char* names[] = {"Nanosecond", "Microsecond", "Millisecond", "Second", "Minute",
                                "Hour",       "Day",         "Week",        "Month",  "Quarter"};
  if (kind < 10) return std::string("Interval") + names[kind];
  if (kind == 0x0A || kind == 0x1A) return "IntervalYear";
  throwProtocol("binary type encoding: unknown interval kind " + std::to_string(kind));
}

std::string readType(ReadBuffer& in, int depth) {
  if (depth > kMaxDepth) throwProtocol("binary type encoding nests too deeply");
  uint8_t tag = in.readByte();
  switch (tag) {
    case 0x00: return "Nothing";
    case 0x01: return "UInt8";
    case 0x02: return "UInt16";
    case 0x03: return "UInt32";
    case 0x04: return "UInt64";
    case 0x05: return "UInt128";
    case 0x06: return "UInt256";
    case 0x07: return "Int8";
    case 0x08: return "Int16";
    case 0x09: return "Int32";
    case 0x0A: return "Int64";
    case 0x0B: return "Int128";
    case 0x0C: return "Int256";
    case 0x0D: return "Float32";
    case 0x0E: return "Float64";
    case 0x0F: return "Date";
    case 0x10: return "Date32";
    case 0x11: return "DateTime";
    case 0x12: return "DateTime(" + quoteTypeString(in.readString(kMaxName)) + ")";
    case 0x13: return "DateTime64(" + std::to_string(in.readByte()) + ")";
    case 0x14: {
      uint8_t p = in.readByte();
      return "DateTime64(" + std::to_string(p) + ", " + quoteTypeString(in.readString(kMaxName)) + ")";
    }
    case 0x15: return "String";
    case 0x16: return "FixedString(" + std::to_string(in.readVarUInt()) + ")";
    case 0x17: return enumType<int8_t>(in, "Enum8");
    case 0x18: return enumType<int16_t>(in, "Enum16");
    case 0x19:
    case 0x1A:
    case 0x1B:
    case 0x1C: {
      uint8_t p = in.readByte();
      uint8_t s = in.readByte();
      return "Decimal(" + std::to_string(p) + ", " + std::to_string(s) + ")";
    }
    case 0x1D: return "UUID";
    case 0x1E: return "Array(" + readType(in, depth + 1) + ")";
    case 0x1F: return "Tuple(" + typeList(in, depth, readCount(in, "tuple element")) + ")";
    case 0x20: return "Tuple(" + namedList(in, depth, readCount(in, "tuple element")) + ")";
    case 0x22: return intervalName(in.readByte());
    case 0x23: return "Nullable(" + readType(in, depth + 1) + ")";
    case 0x26: return "LowCardinality(" + readType(in, depth + 1) + ")";
    case 0x27: {
      std::string k = readType(in, depth + 1);
      return "Map(" + k + ", " + readType(in, depth + 1) + ")";
    }
    case 0x28: return "IPv4";
    case 0x29: return "IPv6";
    case 0x2A: return "Variant(" + typeList(in, depth, readCount(in, "variant alternative")) + ")";
    case 0x2B: return "Dynamic(max_types=" + std::to_string(in.readByte()) + ")";
    case 0x2C: return in.readString(kMaxName);  // custom name: Point, Ring, Geometry, ...
    case 0x2D: return "Bool";
    case 0x2F: return "Nested(" + namedList(in, depth, readCount(in, "nested element")) + ")";
    case 0x30: {  // JSON: version, max paths, max types, typed paths, SKIP paths, SKIP REGEXPs
      in.readByte();
      uint64_t max_paths = in.readVarUInt();
      uint8_t max_types = in.readByte();
      std::string s =
          "JSON(max_dynamic_types=" + std::to_string(max_types) + ", max_dynamic_paths=" + std::to_string(max_paths);
      uint64_t typed = readCount(in, "JSON typed path");
      for (uint64_t i = 0; i < typed; ++i) {
        std::string path = in.readString(kMaxName);
        s += ", " + quoteElementName(path) + " " + readType(in, depth + 1);
      }
      uint64_t skip = readCount(in, "JSON SKIP path");
      for (uint64_t i = 0; i < skip; ++i) s += ", SKIP " + quoteElementName(in.readString(kMaxName));
      uint64_t regexps = readCount(in, "JSON SKIP REGEXP");
      for (uint64_t i = 0; i < regexps; ++i) s += ", SKIP REGEXP " + quoteTypeString(in.readString(kMaxName));
      return s + ")";
    }
    case 0x31: return "BFloat16";
    case 0x32: return "Time";
    case 0x34: return "Time64(" + std::to_string(in.readByte()) + ")";
    case 0x36: {
      std::string t = readType(in, depth + 1);
      return "QBit(" + t + ", " + std::to_string(in.readVarUInt()) + ")";
    }
    case 0x21: throwUnsupported("binary type encoding: Set values are not supported");
    case 0x24: throwUnsupported("binary type encoding: Function values are not supported");
    case 0x25: throwUnsupported("AggregateFunction values cannot be read (binary type encoding)");
    case 0x2E: throwUnsupported("binary type encoding: SimpleAggregateFunction values are not supported yet");
    default: {
      static const char* hex = "0123456789abcdef";
      throwProtocol(std::string("binary type encoding: unknown type tag 0x") + hex[tag >> 4] + hex[tag & 15]);
    }
  }
}

}  // namespace

std::string readBinaryTypeName(ReadBuffer& in) { return readType(in, 0); }

TypePtr readBinaryType(ReadBuffer& in) {
  std::string name = readBinaryTypeName(in);
  try {
    return makeType(name);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::InvalidArgument)
      throwProtocol("binary type encoding gives an invalid type: " + std::string(e.what()));
    throw;
  }
}

}  // namespace chc
