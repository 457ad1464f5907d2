// Arrow import: ArrowArrayStream of struct arrays -> insert columns, through the column builders.
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>

#include "arrow/ArrowPrivate.hpp"
#include "common/Error.hpp"
#include "types/LowCardinalityColumn.hpp"
#include "types/VariantColumn.hpp"

namespace chc::arrow {
namespace {

constexpr int kMaxDepth = 64;

[[noreturn]] void bad(std::string message) {
  throw Error(ErrorKind::InvalidArgument, "invalid Arrow data: " + message);
}
[[noreturn]] void typeError(std::string message) { throw Error(ErrorKind::Type, std::move(message)); }

// ---- parsed schema ---------------------------------------------------------------------------

enum class AK {
  Null,
  Bool,
  Int,
  Half,
  Float,
  Binary,
  FixedBinary,
  Date32,
  Date64,
  Timestamp,
  Decimal,
  List,
  FixedList,
  Struct,
  Map,
  DenseUnion
};

struct Node {
  AK kind = AK::Null;
  std::string format;
  std::string name;
  int bytes = 0;  // Int/Float: value width; Binary: offset width; FixedBinary: N; Decimal: value width
  bool is_signed = false;
  bool utf8 = false;
  int unit = 0;  // Timestamp: 0, 3, 6, 9 (10^-unit s)
  int precision = 0, scale = 0;
  int64_t list_size = 0;         // FixedList
  std::vector<int8_t> type_ids;  // DenseUnion: the type id of each child
  std::vector<Node> children;
  std::unique_ptr<Node> dict;
};

int64_t parseInt(std::string_view s, const std::string& format) {
  if (s.empty() || s.size() > 18) bad("malformed format string '" + format + "'");
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') bad("malformed format string '" + format + "'");
    v = v * 10 + (c - '0');
  }
  return v;
}

Node parseSchema(const ArrowSchema* s, int depth) {
  if (!s) bad("NULL schema");
  if (depth > kMaxDepth) bad("schema nested deeper than " + std::to_string(kMaxDepth));
  if (!s->release) bad("released schema");
  if (!s->format) bad("schema without a format string");
  Node n;
  n.format = s->format;
  n.name = s->name ? s->name : "";
  if (s->n_children < 0 || (s->n_children > 0 && !s->children)) bad("schema '" + n.name + "' has a bad child list");
  for (int64_t i = 0; i < s->n_children; ++i) n.children.push_back(parseSchema(s->children[i], depth + 1));
  const std::string& f = n.format;
  auto noChildren = [&] {
    if (!n.children.empty()) bad("format '" + f + "' takes no children");
  };
  auto intFmt = [&](int bytes, bool sign) {
    n.kind = AK::Int;
    n.bytes = bytes;
    n.is_signed = sign;
  };
  if (f.size() == 1) {
    noChildren();
    switch (f[0]) {
      case 'n': n.kind = AK::Null; break;
      case 'b': n.kind = AK::Bool; break;
      case 'c': intFmt(1, true); break;
      case 'C': intFmt(1, false); break;
      case 's': intFmt(2, true); break;
      case 'S': intFmt(2, false); break;
      case 'i': intFmt(4, true); break;
      case 'I': intFmt(4, false); break;
      case 'l': intFmt(8, true); break;
      case 'L': intFmt(8, false); break;
      case 'e':
        n.kind = AK::Half;
        n.bytes = 2;
        break;
      case 'f':
        n.kind = AK::Float;
        n.bytes = 4;
        break;
      case 'g':
        n.kind = AK::Float;
        n.bytes = 8;
        break;
      case 'z':
        n.kind = AK::Binary;
        n.bytes = 4;
        break;
      case 'Z':
        n.kind = AK::Binary;
        n.bytes = 8;
        break;
      case 'u':
        n.kind = AK::Binary;
        n.bytes = 4;
        n.utf8 = true;
        break;
      case 'U':
        n.kind = AK::Binary;
        n.bytes = 8;
        n.utf8 = true;
        break;
      default: typeError("Arrow format '" + f + "' is not supported for import");
    }
  } else if (f.rfind("w:", 0) == 0) {
    noChildren();
    n.kind = AK::FixedBinary;
    int64_t w = parseInt(std::string_view(f).substr(2), f);
    if (w <= 0 || w > (1 << 20)) bad("fixed_size_binary width in '" + f + "'");
    n.bytes = static_cast<int>(w);
  } else if (f.rfind("d:", 0) == 0) {
    noChildren();
    n.kind = AK::Decimal;
    std::string_view rest = std::string_view(f).substr(2);
    size_t c1 = rest.find(',');
    if (c1 == std::string_view::npos) bad("malformed decimal format '" + f + "'");
    size_t c2 = rest.find(',', c1 + 1);
    n.precision = static_cast<int>(parseInt(rest.substr(0, c1), f));
    std::string_view sc = rest.substr(c1 + 1, c2 == std::string_view::npos ? std::string_view::npos : c2 - c1 - 1);
    bool neg = !sc.empty() && sc[0] == '-';
    n.scale = static_cast<int>(parseInt(neg ? sc.substr(1) : sc, f)) * (neg ? -1 : 1);
    int64_t bits = c2 == std::string_view::npos ? 128 : parseInt(rest.substr(c2 + 1), f);
    if (bits != 32 && bits != 64 && bits != 128 && bits != 256) bad("decimal bit width in '" + f + "'");
    if (n.precision < 1 || n.precision > 76) bad("decimal precision in '" + f + "'");
    if (n.scale < 0) typeError("negative decimal scale in '" + f + "' is not supported");
    n.bytes = static_cast<int>(bits / 8);
  } else if (f == "tdD") {
    noChildren();
    n.kind = AK::Date32;
  } else if (f == "tdm") {
    noChildren();
    n.kind = AK::Date64;
  } else if (f.size() >= 4 && f.rfind("ts", 0) == 0 && f[3] == ':') {
    noChildren();
    n.kind = AK::Timestamp;
    switch (f[2]) {
      case 's': n.unit = 0; break;
      case 'm': n.unit = 3; break;
      case 'u': n.unit = 6; break;
      case 'n': n.unit = 9; break;
      default: bad("timestamp unit in '" + f + "'");
    }
  } else if (f == "+l" || f == "+L") {
    n.kind = AK::List;
    n.bytes = f == "+l" ? 4 : 8;
    if (n.children.size() != 1) bad("list format '" + f + "' needs exactly one child");
  } else if (f.rfind("+w:", 0) == 0) {
    n.kind = AK::FixedList;
    n.list_size = parseInt(std::string_view(f).substr(3), f);
    if (n.list_size <= 0) bad("fixed_size_list size in '" + f + "'");
    if (n.children.size() != 1) bad("list format '" + f + "' needs exactly one child");
  } else if (f.rfind("+ud:", 0) == 0) {
    n.kind = AK::DenseUnion;
    std::string_view ids = std::string_view(f).substr(4);
    while (!ids.empty()) {
      size_t comma = ids.find(',');
      int64_t id = parseInt(ids.substr(0, comma), f);
      if (id > 127) bad("union type id above 127 in '" + f + "'");
      for (int8_t seen : n.type_ids)
        if (seen == id) bad("union type id listed twice in '" + f + "'");
      n.type_ids.push_back(static_cast<int8_t>(id));
      ids = comma == std::string_view::npos ? std::string_view() : ids.substr(comma + 1);
    }
    if (n.type_ids.size() != n.children.size())
      bad("union format '" + f + "' lists another number of type ids than children");
  } else if (f == "+s") {
    n.kind = AK::Struct;
  } else if (f == "+m") {
    n.kind = AK::Map;
    n.bytes = 4;  // int32 offsets
    if (n.children.size() != 1 || n.children[0].kind != AK::Struct || n.children[0].children.size() != 2)
      bad("map needs one struct child with two fields");
  } else {
    typeError("Arrow format '" + f + "' is not supported for import");
  }
  if (s->dictionary) {
    if (n.kind != AK::Int)
      bad("dictionary-encoded field '" + n.name + "' needs an integer index format, not '" + f + "'");
    n.dict = std::make_unique<Node>(parseSchema(s->dictionary, depth + 1));
  }
  return n;
}

// ---- array validation ------------------------------------------------------------------------

int64_t expectedBuffers(const Node& n) {
  switch (n.kind) {
    case AK::Null: return 0;
    case AK::Binary: return 3;
    case AK::FixedList:
    case AK::Struct: return 1;
    default: return 2;
  }
}

template <class T>
T load(const void* p, int64_t i) {
  T v;
  std::memcpy(&v, static_cast<const uint8_t*>(p) + i * static_cast<int64_t>(sizeof(T)), sizeof(T));
  return v;
}

int64_t offsetAt(const Node& n, const ArrowArray& a, int64_t phys) {
  return n.bytes == 4 ? load<int32_t>(a.buffers[1], phys) : load<int64_t>(a.buffers[1], phys);
}

// The child index of union row `phys` (bad() for a type id the format does not list).
int64_t unionChild(const Node& n, const ArrowArray& a, int64_t phys) {
  const int8_t id = load<int8_t>(a.buffers[0], phys);
  for (size_t k = 0; k < n.type_ids.size(); ++k)
    if (n.type_ids[k] == id) return static_cast<int64_t>(k);
  bad("union type id " + std::to_string(id) + " of '" + n.name + "' is not in its format '" + n.format + "'");
}

void validate(const Node& n, const ArrowArray* a, int depth) {
  if (!a) bad("NULL array for field '" + n.name + "'");
  if (depth > kMaxDepth) bad("array nested too deep");
  if (a->length < 0) bad("negative length " + std::to_string(a->length) + " in field '" + n.name + "'");
  if (a->offset < 0) bad("negative offset in field '" + n.name + "'");
  if (a->null_count < -1) bad("null_count below -1 in field '" + n.name + "'");
  if (a->length > (INT64_MAX >> 4) - a->offset) bad("length in field '" + n.name + "' is impossibly large");
  const int64_t want = expectedBuffers(n);
  if (a->n_buffers != want)
    bad("field '" + n.name + "' (format '" + n.format + "') has " + std::to_string(a->n_buffers) +
        " buffers, expected " + std::to_string(want));
  if (want > 0 && !a->buffers) bad("field '" + n.name + "' has no buffer list");
  const int64_t end = a->offset + a->length;
  if (n.kind == AK::DenseUnion && !a->buffers[0] && a->length > 0) bad("union '" + n.name + "' has no type ids buffer");
  for (int64_t b = 1; b < want; ++b)
    if (!a->buffers[b] && a->length > 0 && !(n.kind == AK::Binary && b == 2))
      bad("field '" + n.name + "' has a NULL data buffer " + std::to_string(b));
  const size_t kids = n.kind == AK::List || n.kind == AK::FixedList || n.kind == AK::Map ? 1
                      : n.kind == AK::Struct || n.kind == AK::DenseUnion                 ? n.children.size()
                                                                                         : 0;
  if (a->n_children != static_cast<int64_t>(kids))
    bad("field '" + n.name + "' has " + std::to_string(a->n_children) + " children, expected " + std::to_string(kids));
  if (kids > 0 && !a->children) bad("field '" + n.name + "' has no child list");
  for (size_t k = 0; k < kids; ++k) validate(n.children[k], a->children[k], depth + 1);
  if (n.dict) {
    if (!a->dictionary) bad("dictionary-encoded field '" + n.name + "' has no dictionary array");
    validate(*n.dict, a->dictionary, depth + 1);
  } else if (a->dictionary) {
    bad("field '" + n.name + "' has a dictionary array but its schema has none");
  }
  // Offsets must be monotonic and stay within the child (lists); binary offsets non-negative.
  if ((n.kind == AK::Binary || n.kind == AK::List || n.kind == AK::Map) && a->length > 0) {
    int64_t prev = offsetAt(n, *a, a->offset);
    const int64_t first = prev;
    if (prev < 0) bad("negative offset in field '" + n.name + "'");
    for (int64_t i = a->offset + 1; i <= end; ++i) {
      int64_t o = offsetAt(n, *a, i);
      if (o < prev) bad("offsets of field '" + n.name + "' are not monotonic");
      prev = o;
    }
    if (n.kind != AK::Binary && prev > a->children[0]->length)
      bad("offsets of field '" + n.name + "' run past its child");
    if (n.kind == AK::Binary && prev > first && !a->buffers[2]) bad("field '" + n.name + "' has a NULL data buffer 2");
  }
  if (n.kind == AK::FixedList && end > a->children[0]->length / n.list_size)
    bad("fixed_size_list child of '" + n.name + "' is too short");
  if (n.kind == AK::Struct)
    for (size_t k = 0; k < kids; ++k)
      if (a->children[k]->length < end)
        bad("struct child " + std::to_string(k) + " of '" + n.name + "' is shorter than the struct");
  if (n.kind == AK::DenseUnion)  // every row: a listed type id and an offset inside that child
    for (int64_t i = a->offset; i < end; ++i) {
      const int64_t child = unionChild(n, *a, i);
      const int64_t off = load<int32_t>(a->buffers[1], i);
      if (off < 0 || off >= a->children[child]->length)
        bad("union offset " + std::to_string(off) + " of '" + n.name + "' is outside child " + std::to_string(child));
    }
}

bool valid(const ArrowArray& a, int64_t phys) {
  if (a.n_buffers == 0) return false;  // null type
  const auto* bits = static_cast<const uint8_t*>(a.buffers[0]);
  return !bits || (bits[phys >> 3] >> (phys & 7)) & 1;
}

bool anyNull(const Node& n, const ArrowArray& a, int64_t pb, int64_t pe) {
  if (n.kind == AK::Null) return pe > pb;
  if (!a.buffers[0] || a.null_count == 0) return false;
  for (int64_t i = pb; i < pe; ++i)
    if (!valid(a, i)) return true;
  return false;
}

int64_t intAt(const Node& n, const ArrowArray& a, int64_t phys, bool* is_unsigned_big = nullptr,
              uint64_t* u = nullptr) {
  const void* d = a.buffers[1];
  switch (n.bytes) {
    case 1: return n.is_signed ? int64_t{load<int8_t>(d, phys)} : int64_t{load<uint8_t>(d, phys)};
    case 2: return n.is_signed ? int64_t{load<int16_t>(d, phys)} : int64_t{load<uint16_t>(d, phys)};
    case 4: return n.is_signed ? int64_t{load<int32_t>(d, phys)} : int64_t{load<uint32_t>(d, phys)};
    default: {
      if (n.is_signed) return load<int64_t>(d, phys);
      uint64_t v = load<uint64_t>(d, phys);
      if (u) *u = v;
      if (is_unsigned_big) *is_unsigned_big = v > static_cast<uint64_t>(INT64_MAX);
      return static_cast<int64_t>(v);
    }
  }
}

// ---- value conversion -------------------------------------------------------------------------

const DataType& baseType(const DataType& t) {
  const DataType* p = &t;
  if (p->kind() == TypeKind::Nullable) p = p->children()[0].get();
  if (p->kind() == TypeKind::LowCardinality) p = p->children()[0].get();
  if (p->kind() == TypeKind::Nullable) p = p->children()[0].get();
  return *p;
}

int64_t pow10(int e) {
  int64_t v = 1;
  while (e-- > 0) v *= 10;
  return v;
}

int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// Ticks of 10^-from s -> ticks of 10^-to s (floor when coarsening; overflow is a Type error).
int64_t rescale(int64_t v, int from, int to) {
  if (to >= from) {
    int64_t out;
    if (__builtin_mul_overflow(v, pow10(to - from), &out)) typeError("time value " + std::to_string(v) + " overflows");
    return out;
  }
  return floorDiv(v, pow10(from - to));
}

// A time point (ticks of 10^-unit s since the epoch) into a date/time column.
void appendTime(Column& dst, int64_t v, int unit) {
  const DataType& b = baseType(dst.type());
  switch (b.kind()) {
    case TypeKind::Date:
    case TypeKind::Date32: return dst.appendInt64(floorDiv(rescale(v, unit, 0), 86400));
    case TypeKind::DateTime: return dst.appendInt64(rescale(v, unit, 0));
    case TypeKind::DateTime64: return dst.appendInt64(rescale(v, unit, static_cast<int>(b.precision())));
    case TypeKind::Int64: return dst.appendInt64(v);
    default: typeError("an Arrow date/timestamp cannot become " + dst.type().name());
  }
}

// Little-endian two's-complement integer of `bytes` bytes -> decimal text with `scale` digits after the point.
std::string decimalText(const uint8_t* p, int bytes, int scale) {
  uint32_t limb[8] = {};
  std::memcpy(limb, p, static_cast<size_t>(bytes));
  const int nl = bytes / 4;
  bool neg = (p[bytes - 1] & 0x80) != 0;
  if (neg) {  // two's complement negate within nl limbs
    uint64_t carry = 1;
    for (int i = 0; i < nl; ++i) {
      uint64_t v = static_cast<uint64_t>(static_cast<uint32_t>(~limb[i])) + carry;
      limb[i] = static_cast<uint32_t>(v);
      carry = v >> 32;
    }
  }
  std::string digits;
  for (;;) {
    bool zero = true;
    uint64_t rem = 0;
    for (int i = nl - 1; i >= 0; --i) {
      uint64_t cur = (rem << 32) | limb[i];
      limb[i] = static_cast<uint32_t>(cur / 10);
      rem = cur % 10;
      zero &= limb[i] == 0;
    }
    digits.push_back(static_cast<char>('0' + rem));
    if (zero) break;
  }
  while (static_cast<int>(digits.size()) <= scale) digits.push_back('0');
  std::string out = neg ? "-" : "";
  for (int i = static_cast<int>(digits.size()) - 1; i >= 0; --i) {
    out.push_back(digits[static_cast<size_t>(i)]);
    if (i == scale && scale > 0) out.push_back('.');
  }
  return out;
}

double halfToDouble(uint16_t h) {
  int e = (h >> 10) & 0x1f, m = h & 0x3ff;
  double v = e == 0 ? std::ldexp(m, -24) : e == 31 ? (m ? NAN : INFINITY) : std::ldexp(m + 1024, e - 25);
  return (h & 0x8000) ? -v : v;
}

void appendScalar(Column& dst, const Node& n, const ArrowArray& a, int64_t phys, int depth);

void appendDictionaryValue(Column& dst, const Node& n, const ArrowArray& a, int64_t phys, int depth) {
  bool big = false;
  int64_t idx = intAt(n, a, phys, &big);
  const ArrowArray& d = *a.dictionary;
  if (big || idx < 0 || idx >= d.length)
    bad("dictionary index " + std::to_string(idx) + " out of range in '" + n.name + "'");
  appendScalar(dst, *n.dict, d, d.offset + idx, depth + 1);
}

void appendScalar(Column& dst, const Node& n, const ArrowArray& a, int64_t phys, int depth) {
  if (depth > kMaxDepth) bad("dictionary nested too deep");
  // Checked first: buffer 0 of a union holds type ids, not validity.
  if (n.kind == AK::DenseUnion) typeError("an Arrow union cannot become " + dst.type().name());
  if (!valid(a, phys)) return dst.appendNull();  // Type error for a column that is not Nullable
  if (n.dict) return appendDictionaryValue(dst, n, a, phys, depth);
  const DataType& base = baseType(dst.type());
  switch (n.kind) {
    case AK::Null: return dst.appendNull();
    case AK::Bool: {
      const auto* bits = static_cast<const uint8_t*>(a.buffers[1]);
      return dst.appendUInt64((bits[phys >> 3] >> (phys & 7)) & 1);
    }
    case AK::Int: {
      bool big = false;
      uint64_t u = 0;
      int64_t v = intAt(n, a, phys, &big, &u);
      if (big) return dst.appendUInt64(u);
      if (!n.is_signed) return dst.appendUInt64(static_cast<uint64_t>(v));
      return dst.appendInt64(v);
    }
    case AK::Half: return dst.appendDouble(halfToDouble(load<uint16_t>(a.buffers[1], phys)));
    case AK::Float:
      return dst.appendDouble(n.bytes == 4 ? static_cast<double>(load<float>(a.buffers[1], phys))
                                           : load<double>(a.buffers[1], phys));
    case AK::Binary: {
      int64_t b = offsetAt(n, a, phys), e = offsetAt(n, a, phys + 1);
      const char* chars = static_cast<const char*>(a.buffers[2]);
      return dst.appendString(std::string_view(chars + b, static_cast<size_t>(e - b)));
    }
    case AK::FixedBinary: {
      const uint8_t* p = static_cast<const uint8_t*>(a.buffers[1]) + phys * n.bytes;
      const size_t w = static_cast<size_t>(n.bytes);
      switch (base.kind()) {
        case TypeKind::UUID: {
          if (w != 16) break;
          uint8_t wire[16];  // RFC byte order -> two little-endian halves, high first
          for (int i = 0; i < 8; ++i) {
            wire[i] = p[7 - i];
            wire[8 + i] = p[15 - i];
          }
          return dst.appendFixed(std::span<const uint8_t>(wire, 16));
        }
        case TypeKind::FixedString:
        case TypeKind::String: return dst.appendString(std::string_view(reinterpret_cast<const char*>(p), w));
        case TypeKind::IPv6:
        case TypeKind::Int128:
        case TypeKind::UInt128:
        case TypeKind::Int256:
        case TypeKind::UInt256:
          if (base.fixedSize() == w) return dst.appendFixed(std::span<const uint8_t>(p, w));
          break;
        default: break;
      }
      typeError("Arrow fixed_size_binary(" + std::to_string(w) + ") cannot become " + dst.type().name());
    }
    case AK::Date32: {
      int64_t days = load<int32_t>(a.buffers[1], phys);
      if (base.kind() == TypeKind::Date || base.kind() == TypeKind::Date32 || base.kind() == TypeKind::Int32)
        return dst.appendInt64(days);
      int64_t secs;
      if (__builtin_mul_overflow(days, int64_t{86400}, &secs)) typeError("date overflows");
      return appendTime(dst, secs, 0);
    }
    case AK::Date64: return appendTime(dst, load<int64_t>(a.buffers[1], phys), 3);
    case AK::Timestamp: return appendTime(dst, load<int64_t>(a.buffers[1], phys), n.unit);
    case AK::Decimal: {
      std::string text = decimalText(static_cast<const uint8_t*>(a.buffers[1]) + phys * n.bytes, n.bytes, n.scale);
      switch (base.kind()) {
        case TypeKind::Decimal: return dst.appendString(text);
        case TypeKind::Float32:
        case TypeKind::Float64: return dst.appendDouble(std::strtod(text.c_str(), nullptr));
        default:
          if (isIntegerKind(base.kind()) && n.scale == 0) {
            errno = 0;
            if (text[0] == '-') {
              long long v = std::strtoll(text.c_str(), nullptr, 10);
              if (errno == 0) return dst.appendInt64(v);
            } else {
              unsigned long long v = std::strtoull(text.c_str(), nullptr, 10);
              if (errno == 0) return dst.appendUInt64(v);
            }
            typeError("decimal " + text + " does not fit " + dst.type().name());
          }
      }
      typeError("Arrow decimal cannot become " + dst.type().name());
    }
    default: break;
  }
  typeError("Arrow format '" + n.format + "' cannot become " + dst.type().name());
}

bool exactNumeric(const Node& n, TypeKind k) {
  if (n.dict) return false;
  if (n.kind == AK::Float) return (n.bytes == 4 && k == TypeKind::Float32) || (n.bytes == 8 && k == TypeKind::Float64);
  if (n.kind != AK::Int) return false;
  switch (k) {
    case TypeKind::Int8: return n.bytes == 1 && n.is_signed;
    case TypeKind::Int16: return n.bytes == 2 && n.is_signed;
    case TypeKind::Int32: return n.bytes == 4 && n.is_signed;
    case TypeKind::Int64: return n.bytes == 8 && n.is_signed;
    case TypeKind::UInt8: return n.bytes == 1 && !n.is_signed;
    case TypeKind::UInt16: return n.bytes == 2 && !n.is_signed;
    case TypeKind::UInt32: return n.bytes == 4 && !n.is_signed;
    case TypeKind::UInt64: return n.bytes == 8 && !n.is_signed;
    default: return false;
  }
}

void appendRows(Column& dst, const Node& n, const ArrowArray& a, int64_t begin, int64_t end, int depth);

// Dense union rows into a Variant column. A union child goes to the alternative whose type name is
// the child's name (the export names them so); a child of the null type holds NULL rows; any other
// child of a scalar type goes to the first alternative that accepts each value.
void appendUnionRows(VariantColumn& dst, const Node& n, const ArrowArray& a, int64_t pb, int64_t pe, int depth) {
  std::vector<int64_t> target(n.children.size(), -1);  // alternative per union child, -1 = first accepting
  for (size_t k = 0; k < n.children.size(); ++k)
    for (size_t i = 0; i < dst.childCount(); ++i)
      if (dst.child(i)->type().name() == n.children[k].name) target[k] = static_cast<int64_t>(i);
  for (int64_t p = pb; p < pe; ++p) {
    const int64_t k = unionChild(n, a, p);
    const Node& cn = n.children[static_cast<size_t>(k)];
    const ArrowArray& ca = *a.children[k];
    const int64_t row = load<int32_t>(a.buffers[1], p);  // validated: inside the child
    const int64_t phys = ca.offset + row;
    if (cn.kind == AK::Null || (cn.kind != AK::DenseUnion && !valid(ca, phys))) {
      dst.appendNull();
    } else if (target[k] >= 0) {
      // Straight into the alternative's column; appendTo records the row's discriminator.
      dst.appendTo(static_cast<size_t>(target[k]),
                   [&](Column& alt) { appendRows(alt, cn, ca, row, row + 1, depth + 1); });
    } else if (cn.kind == AK::List || cn.kind == AK::FixedList || cn.kind == AK::Struct || cn.kind == AK::Map ||
               cn.kind == AK::DenseUnion) {
      typeError("union child '" + cn.name + "' (format '" + cn.format + "') matches no alternative of " +
                dst.type().name() + " by name");
    } else {
      appendScalar(dst, cn, ca, phys, depth + 1);
    }
  }
}

// Appends logical rows [begin, end) of `a` to `dst`.
void appendRows(Column& dst, const Node& n, const ArrowArray& a, int64_t begin, int64_t end, int depth) {
  if (depth > kMaxDepth) bad("array nested too deep");
  const int64_t pb = a.offset + begin, pe = a.offset + end;
  const DataType& t = dst.type();
  if (n.kind == AK::DenseUnion) {
    if (t.kind() != TypeKind::Variant) typeError("an Arrow union cannot become " + t.name());
    return appendUnionRows(static_cast<VariantColumn&>(dst), n, a, pb, pe, depth);
  }
  switch (t.kind()) {
    case TypeKind::Array:
    case TypeKind::Map: {
      const bool map = t.kind() == TypeKind::Map;
      if (!(n.kind == AK::List || n.kind == AK::FixedList || n.kind == AK::Map) || n.dict ||
          (map && !(n.kind == AK::Map || (n.children[0].kind == AK::Struct && n.children[0].children.size() == 2))))
        typeError("Arrow format '" + n.format + "' cannot become " + t.name());
      const ArrowArray& child = *a.children[0];
      for (int64_t p = pb; p < pe; ++p) {
        if (!valid(a, p)) typeError("NULL list cannot become " + t.name() + " (not Nullable)");
        int64_t cb = n.kind == AK::FixedList ? p * n.list_size : offsetAt(n, a, p);
        int64_t ce = n.kind == AK::FixedList ? cb + n.list_size : offsetAt(n, a, p + 1);
        appendRows(*dst.child(0), n.children[0], child, cb, ce, depth + 1);
        dst.endArray();
      }
      return;
    }
    case TypeKind::Tuple: {
      if (n.kind != AK::Struct || n.children.size() != dst.childCount())
        typeError("Arrow format '" + n.format + "' with " + std::to_string(n.children.size()) +
                  " fields cannot become " + t.name());
      if (anyNull(n, a, pb, pe)) typeError("NULL struct cannot become " + t.name() + " (not Nullable)");
      for (size_t k = 0; k < n.children.size(); ++k)
        appendRows(*dst.child(k), n.children[k], *a.children[k], pb, pe, depth + 1);
      return;
    }
    default: break;
  }
  // Fast path: identical fixed-width numeric layout and no NULLs in the range.
  const DataType& inner = t.kind() == TypeKind::Nullable ? *t.children()[0] : t;
  if (exactNumeric(n, inner.kind()) && !anyNull(n, a, pb, pe)) {
    const auto* d = static_cast<const uint8_t*>(a.buffers[1]);
    return dst.appendFixed(std::span<const uint8_t>(d + pb * n.bytes, static_cast<size_t>((pe - pb) * n.bytes)));
  }
  if (n.kind == AK::List || n.kind == AK::FixedList || n.kind == AK::Struct || n.kind == AK::Map)
    typeError("Arrow format '" + n.format + "' cannot become " + t.name());
  for (int64_t p = pb; p < pe; ++p) appendScalar(dst, n, a, p, depth);
}

// ---- staging helpers --------------------------------------------------------------------------

bool emptyDeep(const Column& c) {
  if (c.size() != 0) return false;
  for (size_t i = 0; i < c.childCount(); ++i)
    if (c.type().kind() != TypeKind::LowCardinality && !emptyDeep(*c.child(i))) return false;
  return true;
}

void appendValue(Column& dst, const Column& src, size_t row) {
  const DataType& t = src.type();
  switch (t.kind()) {
    case TypeKind::String:
    case TypeKind::JSON: {
      std::span<const int64_t> o = src.offsets();
      std::span<const uint8_t> d = src.data();
      return dst.appendString(
          std::string_view(reinterpret_cast<const char*>(d.data()) + o[row], static_cast<size_t>(o[row + 1] - o[row])));
    }
    case TypeKind::Nothing: return dst.appendDefault();
    default: {
      std::span<const uint8_t> d = src.data();
      size_t w = t.fixedSize();
      if (w == 0 || d.size() < (row + 1) * w) throw Error(ErrorKind::Internal, "cannot copy a value of " + t.name());
      return dst.appendFixed(d.subspan(row * w, w));
    }
  }
}

void appendRange(Column& dst, const Column& src, size_t b, size_t e) {
  const DataType& t = src.type();
  switch (t.kind()) {
    case TypeKind::Nullable: {
      const uint8_t* nm = src.nullMap();
      for (size_t r = b; r < e; ++r) {
        if (nm[r])
          dst.appendNull();
        else
          appendValue(dst, *src.child(0), r);
      }
      return;
    }
    case TypeKind::LowCardinality: {
      const auto& lc = static_cast<const LowCardinalityColumn&>(src);
      const uint8_t* nm = lc.nullMap();
      for (size_t r = b; r < e; ++r) {
        if (nm && nm[r])
          dst.appendNull();
        else
          appendValue(dst, *lc.child(0), lc.indexAt(r));
      }
      return;
    }
    case TypeKind::Array:
    case TypeKind::Map: {
      std::span<const int64_t> o = src.offsets();
      for (size_t r = b; r < e; ++r) {
        appendRange(*dst.child(0), *src.child(0), static_cast<size_t>(o[r]), static_cast<size_t>(o[r + 1]));
        dst.endArray();
      }
      return;
    }
    case TypeKind::Tuple:
      for (size_t k = 0; k < src.childCount(); ++k) appendRange(*dst.child(k), *src.child(k), b, e);
      return;
    case TypeKind::String:
    case TypeKind::JSON:  // held as text, like String
    case TypeKind::Nothing:
      for (size_t r = b; r < e; ++r) appendValue(dst, src, r);
      return;
    case TypeKind::Variant: {
      const auto& v = static_cast<const VariantColumn&>(src);
      auto& out = static_cast<VariantColumn&>(dst);
      for (size_t r = b; r < e; ++r) {
        const uint8_t d = v.discriminator(r);
        if (d == VariantColumn::kNull) {
          out.appendNull();
          continue;
        }
        const size_t m = v.memberRow(r);
        out.appendTo(d, [&](Column& alt) { appendRange(alt, *v.child(d), m, m + 1); });
      }
      return;
    }
    default: {
      size_t w = t.fixedSize();
      if (e > b) dst.appendFixed(src.data().subspan(b * w, (e - b) * w));
      return;
    }
  }
}

struct StreamGuard {
  ArrowArrayStream* s;
  ~StreamGuard() {
    if (s && s->release) s->release(s);
  }
};
struct SchemaGuard {
  ArrowSchema s{};
  ~SchemaGuard() {
    if (s.release) s.release(&s);
  }
};
struct ArrayGuard {
  ArrowArray a{};
  ~ArrayGuard() {
    if (a.release) a.release(&a);
  }
};

[[noreturn]] void streamFailed(ArrowArrayStream* s, int rc, const char* what) {
  const char* msg = s->get_last_error ? s->get_last_error(s) : nullptr;
  throw Error(ErrorKind::Network, std::string("Arrow stream ") + what + " failed (error " + std::to_string(rc) + ")" +
                                      (msg ? std::string(": ") + msg : std::string()));
}

}  // namespace

void appendAllRows(Column& dst, const Column& src) {
  if (dst.type().name() != src.type().name())
    throw Error(ErrorKind::Internal, "appendAllRows: " + src.type().name() + " into " + dst.type().name());
  appendRange(dst, src, 0, src.size());
}

void importBatch(const std::vector<std::string>& names, const std::vector<Column*>& columns, const ArrowSchema& schema,
                 const ArrowArray& array) {
  Node root = parseSchema(&schema, 0);
  if (root.kind != AK::Struct || root.dict) bad("a batch must be a struct array ('+s'), not '" + root.format + "'");
  if (!array.release) bad("released array");
  validate(root, &array, 0);
  if (anyNull(root, array, array.offset, array.offset + array.length))
    typeError("the batch struct array has NULL rows");
  std::unordered_map<std::string, size_t> field;
  for (size_t j = 0; j < root.children.size(); ++j)
    if (!field.emplace(root.children[j].name, j).second)
      bad("field '" + root.children[j].name + "' appears twice in the stream");
  for (const Node& f : root.children) {
    bool known = false;
    for (const std::string& nm : names) known |= nm == f.name;
    if (!known) throw Error(ErrorKind::NotFound, "stream field '" + f.name + "' is not a column of the insert");
  }
  for (size_t i = 0; i < columns.size(); ++i) {
    auto it = field.find(names[i]);
    if (it == field.end())
      throw Error(ErrorKind::NotFound, "column '" + names[i] + "' is missing from the Arrow stream");
    size_t j = it->second;
    try {
      appendRows(*columns[i], root.children[j], *array.children[j], array.offset, array.offset + array.length, 1);
    } catch (const Error& e) {
      throw Error(e.kind(), "column '" + names[i] + "': " + e.what());
    }
  }
}

void importStream(Block& target, ArrowArrayStream* stream) {
  if (!stream) throwInvalid("stream must not be NULL");
  if (!stream->release) throwInvalid("the Arrow stream was already released");
  StreamGuard guard{stream};
  if (!stream->get_schema || !stream->get_next) throwInvalid("the Arrow stream has no get_schema/get_next callbacks");
  SchemaGuard schema;
  if (int rc = stream->get_schema(stream, &schema.s)) streamFailed(stream, rc, "get_schema");
  if (!schema.s.release) bad("get_schema returned a released schema");

  bool direct = true;
  for (const ColumnPtr& c : target.columns) direct &= emptyDeep(*c);
  std::vector<ColumnPtr> staging;
  std::vector<Column*> cols;
  for (const ColumnPtr& c : target.columns) {
    if (direct) {
      cols.push_back(c.get());
    } else {
      staging.push_back(makeColumn(c->typePtr()));
      cols.push_back(staging.back().get());
    }
  }
  try {
    for (;;) {
      ArrayGuard batch;
      if (int rc = stream->get_next(stream, &batch.a)) streamFailed(stream, rc, "get_next");
      if (!batch.a.release) break;  // end of stream
      importBatch(target.names, cols, schema.s, batch.a);
    }
    for (size_t i = 1; i < cols.size(); ++i)
      if (cols[i]->size() != cols[0]->size()) throw Error(ErrorKind::Internal, "imported columns differ in length");
  } catch (...) {
    if (direct)
      for (Column* c : cols) c->clear();
    throw;
  }
  if (!direct)
    for (size_t i = 0; i < cols.size(); ++i) appendAllRows(*target.columns[i], *cols[i]);
}

}  // namespace chc::arrow
