// libFuzzer target: the Native block reader (impl/native/NativeBlockReader) on arbitrary bytes.
//
// For every input:
//   1. decode all blocks from a MemoryInputStream (reader A) and, in lockstep, from an InputStream
//      that hands out small chunks whose sizes derive from the input (reader B); both must yield
//      the same blocks and end the same way (clean end, or chc::Error of the same kind);
//   2. touch every value of every decoded column (and of their children) through
//      types/ValueAccess.hpp, with the accessors the column's kind allows;
//   3. re-encode the decoded blocks with writeNativeBlock, decode that again: it must decode
//      without error to structurally equal blocks (decode(encode(decode(x))) == decode(x)), and
//      re-encoding those must give the very same bytes (encode is idempotent on decoded data).
//
// A NativeDecodeError (Protocol or Unsupported) while decoding arbitrary input is the expected
// outcome. Anything else is a finding: a sanitizer report, a crash, an exception that is not
// chc::Error (libFuzzer reports it as a deadly signal via std::terminate), a chc::Error of another
// kind (next() passes only transport failures through, and memory streams have none), a property
// violation (abort() below), or exceeding the -rss_limit_mb / -malloc_limit_mb given on the
// command line.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/ByteStream.hpp"
#include "common/Error.hpp"
#include "native/Block.hpp"
#include "native/NativeBlockReader.hpp"
#include "native/NativeBlockWriter.hpp"
#include "types/Column.hpp"
#include "types/DataType.hpp"
#include "types/LowCardinalityColumn.hpp"
#include "types/ValueAccess.hpp"

namespace {

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "\n*** fuzz_native_reader property violated: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

// An InputStream that returns the input in small chunks (1..16 bytes mostly, sometimes up to 4 KiB)
// whose sizes come from a PRNG seeded by the input, so a given input always splits the same way.
class ChunkedInputStream final : public chc::InputStream {
 public:
  ChunkedInputStream(std::span<const uint8_t> data, uint64_t seed) : data_(data), state_(seed | 1) {}

  size_t read(std::span<uint8_t> dst) override {
    if (dst.empty() || pos_ == data_.size()) return 0;
    size_t n = std::min({nextChunk(), dst.size(), data_.size() - pos_});
    std::memcpy(dst.data(), data_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  size_t nextChunk() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    uint64_t r = state_;
    switch (r & 7) {
      case 0: return 1 + ((r >> 3) % 4096);
      case 1: return 1;
      default: return 1 + ((r >> 3) % 16);
    }
  }

  std::span<const uint8_t> data_;
  size_t pos_ = 0;
  uint64_t state_;
};

// Forwards to the stream of the current execution. The readers below live across executions:
// each NativeBlockReader owns a 256 KiB ReadBuffer, and allocating three of those per input under
// ASan (mmap + page faults) cost ~10x the decoding itself. Every input is read to its clean end or
// to a chc::Error, after both of which the ReadBuffer is empty again (diagnosticWindow() resets it),
// so what carries over is only the type-name cache and the error-window history, neither of which
// changes what a block decodes to. CHC_FUZZ_FRESH_READERS=1 builds fresh readers for every input.
class ForwardingInputStream final : public chc::InputStream {
 public:
  size_t read(std::span<uint8_t> dst) override { return cur_ ? cur_->read(dst) : 0; }
  void set(chc::InputStream* s) { cur_ = s; }

 private:
  chc::InputStream* cur_ = nullptr;
};

struct Readers {
  ForwardingInputStream sa, sb, sr;
  chc::NativeBlockReader ra{sa}, rb{sb}, rr{sr};
};

Readers& readers() {
  static const bool fresh = [] {
    const char* e = std::getenv("CHC_FUZZ_FRESH_READERS");
    return e && *e == '1';
  }();
  static Readers* shared = new Readers;
  static thread_local std::unique_ptr<Readers> own;
  if (!fresh) return *shared;
  own = std::make_unique<Readers>();
  return *own;
}

uint64_t seedOf(const uint8_t* data, size_t size) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 1099511628211ull;
  return h;
}

volatile uint64_t g_sink;  // keeps the value reads from being optimised away

void consume(std::string_view s) {
  uint64_t h = 0;
  for (char c : s) h = h * 31 + static_cast<uint8_t>(c);  // reads every byte: ASan checks the view
  g_sink = g_sink + h;
}

// The kind whose value a cell finally holds (Nullable and LowCardinality resolved).
chc::TypeKind valueKind(const chc::DataType& t) {
  const chc::DataType* cur = &t;
  for (;;) {
    switch (cur->kind()) {
      case chc::TypeKind::Nullable:
      case chc::TypeKind::LowCardinality: cur = cur->children()[0].get(); break;
      default: return cur->kind();
    }
  }
}

bool integerLike(chc::TypeKind k) {
  using K = chc::TypeKind;
  switch (k) {
    case K::Int8:
    case K::Int16:
    case K::Int32:
    case K::Int64:
    case K::UInt8:
    case K::UInt16:
    case K::UInt32:
    case K::UInt64:
    case K::Enum8:
    case K::Enum16:
    case K::Date:
    case K::Date32:
    case K::DateTime:
    case K::DateTime64:
    case K::Time:
    case K::Time64:
    case K::Interval:
    case K::Bool:
    case K::IPv4: return true;
    default: return false;
  }
}

// Reads every value of `col` (and, recursively, of its children) with the accessors its kind
// allows. Errors from the accessors (value out of range, NULL, ...) are fine.
void touchColumn(const chc::Column& col, int depth) {
  const size_t rows = col.size();
  const chc::TypeKind k = valueKind(col.type());
  const bool as_int = integerLike(k);
  const bool as_double = chc::isIntegerKind(k) || k == chc::TypeKind::Float32 || k == chc::TypeKind::Float64 ||
                         k == chc::TypeKind::BFloat16;
  const bool as_string = k == chc::TypeKind::String || k == chc::TypeKind::FixedString || k == chc::TypeKind::Enum8 ||
                         k == chc::TypeKind::Enum16;
  for (size_t r = 0; r < rows; ++r) {
    if (chc::isNullAt(col, r)) continue;
    if (as_int) {
      try {
        g_sink = g_sink + static_cast<uint64_t>(chc::getInt64(col, r));
      } catch (const chc::Error&) {
      }
      try {
        g_sink = g_sink + chc::getUInt64(col, r);
      } catch (const chc::Error&) {
      }
    }
    if (as_double) {
      try {
        double d = chc::getDouble(col, r);
        uint64_t b;
        std::memcpy(&b, &d, 8);
        g_sink = g_sink + b;
      } catch (const chc::Error&) {
      }
    }
    if (as_string) {
      try {
        consume(chc::getString(col, r));
      } catch (const chc::Error&) {
      }
    }
  }
  // One call past the end must be rejected, not read out of bounds.
  try {
    (void)chc::getInt64(col, rows);
    fail("getInt64 past the end did not throw");
  } catch (const chc::Error&) {
  }
  if (depth < 64)
    for (size_t i = 0; i < col.childCount(); ++i)
      if (const chc::Column* c = col.child(i)) touchColumn(*c, depth + 1);
}

// Structural equality of two columns; on a difference, describes it in `why`.
bool sameColumn(const chc::Column& a, const chc::Column& b, const std::string& path, std::string& why) {
  auto differ = [&](const std::string& what) {
    why = path + ": " + what;
    return false;
  };
  if (a.type().name() != b.type().name()) return differ("type " + a.type().name() + " vs " + b.type().name());
  if (a.type().kind() != b.type().kind()) return differ("kind");
  if (a.size() != b.size()) return differ("size " + std::to_string(a.size()) + " vs " + std::to_string(b.size()));
  const size_t rows = a.size();
  const uint8_t* na = a.nullMap();
  const uint8_t* nb = b.nullMap();
  if ((na == nullptr) != (nb == nullptr)) return differ("null map presence");
  if (na && rows && std::memcmp(na, nb, rows) != 0) return differ("null map");
  if (a.type().kind() == chc::TypeKind::LowCardinality) {
    // The writer picks the narrowest index width, so compare index values, not bytes.
    const auto& la = static_cast<const chc::LowCardinalityColumn&>(a);
    const auto& lb = static_cast<const chc::LowCardinalityColumn&>(b);
    if (la.data().size() != rows * la.indexWidth()) return differ("LowCardinality index bytes (a)");
    if (lb.data().size() != rows * lb.indexWidth()) return differ("LowCardinality index bytes (b)");
    for (size_t r = 0; r < rows; ++r)
      if (la.indexAt(r) != lb.indexAt(r)) return differ("LowCardinality index at row " + std::to_string(r));
  } else {
    auto da = a.data();
    auto db = b.data();
    if (da.size() != db.size())
      return differ("data size " + std::to_string(da.size()) + " vs " + std::to_string(db.size()));
    if (!da.empty() && std::memcmp(da.data(), db.data(), da.size()) != 0) return differ("data bytes");
  }
  auto oa = a.offsets();
  auto ob = b.offsets();
  if (oa.size() != ob.size()) return differ("offsets size");
  for (size_t i = 0; i < oa.size(); ++i)
    if (oa[i] != ob[i]) return differ("offset " + std::to_string(i));
  if (a.childCount() != b.childCount()) return differ("child count");
  for (size_t i = 0; i < a.childCount(); ++i) {
    const chc::Column* ca = a.child(i);
    const chc::Column* cb = b.child(i);
    if ((ca == nullptr) != (cb == nullptr)) return differ("child presence");
    if (ca && !sameColumn(*ca, *cb, path + "/" + std::to_string(i), why)) return false;
  }
  return true;
}

bool sameBlock(const chc::Block& a, const chc::Block& b, std::string& why) {
  if (a.rows != b.rows) {
    why = "block rows";
    return false;
  }
  if (a.names != b.names) {
    why = "column names";
    return false;
  }
  if (a.columns.size() != b.columns.size()) {
    why = "column count";
    return false;
  }
  for (size_t i = 0; i < a.columns.size(); ++i)
    if (!sameColumn(*a.columns[i], *b.columns[i], "column " + std::to_string(i) + " '" + a.names[i] + "'", why))
      return false;
  return true;
}

// One step of a reader: a block, the clean end, or a chc::Error.
struct Step {
  std::optional<chc::Block> block;
  bool error = false;
  chc::ErrorKind kind{};
  std::string message;
};

Step step(chc::NativeBlockReader& reader) {
  Step s;
  try {
    s.block = reader.next();
  } catch (const chc::NativeDecodeError& e) {
    s.error = true;
    s.kind = e.kind();
    s.message = e.what();
  } catch (const chc::Error& e) {
    // Such an error leaves the shared reader mid-stream: the next input would decode its rest.
    fail("the reader threw error kind " + std::to_string(static_cast<int>(e.kind())) +
         ", not a decode error: " + e.what());
  }
  return s;
}

std::string describe(const Step& s) {
  if (s.error) return "error kind " + std::to_string(static_cast<int>(s.kind)) + " (" + s.message + ")";
  return s.block ? "a block" : "end of stream";
}

// Encodes `blocks` as one stream; false if the writer rejected one (a chc::Error).
bool encode(const std::vector<chc::Block>& blocks, std::vector<uint8_t>& out) {
  out.clear();
  std::vector<uint8_t> one;
  for (const chc::Block& b : blocks) {
    try {
      writeNativeBlock(b, one);
    } catch (const chc::Error& e) {
      // A block the reader produced should always be writable.
      fail(std::string("writeNativeBlock rejected a decoded block: ") + e.what());
    }
    out.insert(out.end(), one.begin(), one.end());
    one.clear();
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);

  // 1. Reader A (whole buffer) and reader B (small chunks) in lockstep.
  chc::MemoryInputStream mem(input);
  ChunkedInputStream chunked(input, seedOf(data, size));
  Readers& rd = readers();
  rd.sa.set(&mem);
  rd.sb.set(&chunked);
  chc::NativeBlockReader& ra = rd.ra;
  chc::NativeBlockReader& rb = rd.rb;
  std::vector<chc::Block> blocks;
  for (;;) {
    Step a = step(ra);
    Step b = step(rb);
    if (a.error != b.error || a.block.has_value() != b.block.has_value() || (a.error && a.kind != b.kind))
      fail("memory and chunked readers disagree at block " + std::to_string(blocks.size()) + ": " + describe(a) +
           " vs " + describe(b));
    if (!a.block) break;  // clean end, or the same error from both
    std::string why;
    if (!sameBlock(*a.block, *b.block, why))
      fail("memory and chunked readers decoded block " + std::to_string(blocks.size()) + " differently: " + why);
    // 2. Every value through the accessors.
    for (const auto& col : a.block->columns) {
      if (col->size() != a.block->rows)
        fail("column has " + std::to_string(col->size()) + " rows, block has " + std::to_string(a.block->rows));
      touchColumn(*col, 0);
    }
    blocks.push_back(std::move(*a.block));
  }
  if (blocks.empty()) return 0;

  // 3. Round trip.
  std::vector<uint8_t> enc1;
  encode(blocks, enc1);
  chc::MemoryInputStream mem2(enc1);
  rd.sr.set(&mem2);
  chc::NativeBlockReader& rr = rd.rr;
  std::vector<chc::Block> again;
  for (size_t i = 0;; ++i) {
    Step s = step(rr);
    if (s.error) fail("re-decoding our own encoding failed at block " + std::to_string(i) + ": " + s.message);
    if (!s.block) break;
    if (i >= blocks.size()) fail("re-decoding yielded more blocks than were encoded");
    std::string why;
    if (!sameBlock(blocks[i], *s.block, why))
      fail("decode(encode(decode(x))) differs from decode(x) at block " + std::to_string(i) + ": " + why);
    again.push_back(std::move(*s.block));
  }
  if (again.size() != blocks.size())
    fail("re-decoding yielded " + std::to_string(again.size()) + " blocks, " + std::to_string(blocks.size()) +
         " were encoded");
  std::vector<uint8_t> enc2;
  encode(again, enc2);
  if (enc1 != enc2) fail("encode(decode(encode(decode(x)))) != encode(decode(x))");
  return 0;
}
