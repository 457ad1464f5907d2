// ArrowSchema export: ClickHouse types -> Arrow format strings (mapping in chconnect.h, section 9).
#include <cstring>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>

#include "arrow/ArrowPrivate.hpp"
#include "common/Error.hpp"

namespace chc::arrow {
namespace detail {

std::atomic<int64_t> g_live{0};

const void* emptyBuffer() noexcept {
  alignas(64) static const uint8_t zeros[64] = {};
  return zeros;
}

SchemaHolder::~SchemaHolder() {
  for (ArrowSchema* c : child_ptrs)
    if (c->release) c->release(c);
  if (dictionary && dictionary->release) dictionary->release(dictionary.get());
}

ArrayHolder::~ArrayHolder() {
  for (ArrowArray* c : child_ptrs)
    if (c->release) c->release(c);
  if (dictionary && dictionary->release) dictionary->release(dictionary.get());
}

void releaseSchema(ArrowSchema* s) {
  if (!s || !s->release) return;
  delete static_cast<SchemaHolder*>(s->private_data);
  s->release = nullptr;
  s->private_data = nullptr;
}

void releaseArray(ArrowArray* a) {
  if (!a || !a->release) return;
  delete static_cast<ArrayHolder*>(a->private_data);
  a->release = nullptr;
  a->private_data = nullptr;
}

void publishSchema(std::unique_ptr<SchemaHolder> h, int64_t flags, ArrowSchema* out) noexcept {
  out->format = h->format.c_str();
  out->name = h->name.c_str();
  out->metadata = h->metadata.empty() ? nullptr : h->metadata.data();
  out->flags = flags;
  out->n_children = static_cast<int64_t>(h->child_ptrs.size());
  out->children = h->child_ptrs.empty() ? nullptr : h->child_ptrs.data();
  out->dictionary = h->dictionary.get();
  out->release = releaseSchema;
  out->private_data = h.release();
}

void publishArray(std::unique_ptr<ArrayHolder> h, int64_t length, int64_t null_count, ArrowArray* out) noexcept {
  out->length = length;
  out->null_count = null_count;
  out->offset = 0;
  out->n_buffers = static_cast<int64_t>(h->buffers.size());
  out->n_children = static_cast<int64_t>(h->child_ptrs.size());
  out->buffers = h->buffers.empty() ? nullptr : h->buffers.data();
  out->children = h->child_ptrs.empty() ? nullptr : h->child_ptrs.data();
  out->dictionary = h->dictionary.get();
  out->release = releaseArray;
  out->private_data = h.release();
}

namespace {
void appendInt32(std::string& out, size_t v) {
  const auto n = static_cast<int32_t>(v);
  out.append(reinterpret_cast<const char*>(&n), sizeof n);  // native byte order, as the spec says
}
}  // namespace

std::string jsonExtensionMetadata() {
  // Two pairs: the extension name, and its (empty) serialized parameters.
  const std::pair<std::string_view, std::string_view> pairs[] = {{"ARROW:extension:name", "arrow.json"},
                                                                 {"ARROW:extension:metadata", ""}};
  std::string out;
  appendInt32(out, std::size(pairs));
  for (const auto& [key, value] : pairs) {
    appendInt32(out, key.size());
    out += key;
    appendInt32(out, value.size());
    out += value;
  }
  return out;
}

const DataType& stripNullable(const DataType& type) {
  return type.kind() == TypeKind::Nullable ? *type.children()[0] : type;
}

const char* enumIndexFormat(const DataType& type) {
  size_t n = type.enumEntries().size();
  if (type.kind() == TypeKind::Enum8 && n <= 128) return "c";
  return n <= 32768 ? "s" : "i";
}

std::string scalarFormat(const DataType& t) {
  switch (t.kind()) {
    case TypeKind::Int8: return "c";
    case TypeKind::Int16: return "s";
    case TypeKind::Int32: return "i";
    case TypeKind::Int64: return "l";
    case TypeKind::UInt8: return "C";
    case TypeKind::UInt16: return "S";
    case TypeKind::UInt32: return "I";
    case TypeKind::UInt64: return "L";
    case TypeKind::Float32: return "f";
    case TypeKind::Float64: return "g";
    case TypeKind::Bool: return "b";
    case TypeKind::String: return "Z";
    case TypeKind::FixedString: return "w:" + std::to_string(t.fixedSize());
    case TypeKind::Date:
    case TypeKind::Date32: return "tdD";
    case TypeKind::DateTime: return "tss:" + t.timezone();
    case TypeKind::DateTime64: {
      uint32_t p = t.precision();
      if (p > 9) throwUnsupported("DateTime64 precision " + std::to_string(p) + " has no Arrow mapping");
      const char* unit = p == 0 ? "tss:" : p <= 3 ? "tsm:" : p <= 6 ? "tsu:" : "tsn:";
      return unit + t.timezone();
    }
    case TypeKind::Decimal:
      return "d:" + std::to_string(t.precision()) + "," + std::to_string(t.scale()) +
             (t.fixedSize() == 32 ? ",256" : "");
    case TypeKind::UUID:
    case TypeKind::IPv6: return "w:16";
    case TypeKind::IPv4: return "I";
    case TypeKind::Interval:
    case TypeKind::Time64: return "l";
    case TypeKind::Time: return "i";
    case TypeKind::Int128:
    case TypeKind::UInt128: return "w:16";
    case TypeKind::Int256:
    case TypeKind::UInt256: return "w:32";
    case TypeKind::BFloat16: return "S";
    case TypeKind::Nothing: return "n";
    default: break;
  }
  throwUnsupported("type " + t.name() + " has no Arrow mapping");
}

namespace {

std::unique_ptr<SchemaHolder> holder(std::string format, std::string name, size_t children) {
  auto h = std::make_unique<SchemaHolder>();
  h->format = std::move(format);
  h->name = std::move(name);
  h->child_structs.resize(children);  // zero-initialised: release == NULL until filled
  for (ArrowSchema& c : h->child_structs) h->child_ptrs.push_back(&c);
  return h;
}

std::unique_ptr<ArrowSchema> newSchema() {
  auto s = std::make_unique<ArrowSchema>();
  zero(s.get());
  return s;
}

void build(const DataType& type, const std::string& name, int64_t flags, ArrowSchema* out) {
  switch (type.kind()) {
    case TypeKind::Nullable: return build(*type.children()[0], name, flags | ARROW_FLAG_NULLABLE, out);
    case TypeKind::LowCardinality: {
      const DataType& inner = *type.children()[0];
      if (inner.kind() == TypeKind::Nullable) flags |= ARROW_FLAG_NULLABLE;
      auto h = holder("i", name, 0);
      h->dictionary = newSchema();
      build(stripNullable(inner), "", 0, h->dictionary.get());
      return publishSchema(std::move(h), flags, out);
    }
    case TypeKind::Enum8:
    case TypeKind::Enum16: {
      auto h = holder(enumIndexFormat(type), name, 0);
      h->dictionary = newSchema();
      publishSchema(holder("u", "", 0), 0, h->dictionary.get());
      return publishSchema(std::move(h), flags, out);
    }
    case TypeKind::Array: {
      auto h = holder("+L", name, 1);
      build(*type.children()[0], "item", 0, h->child_ptrs[0]);
      return publishSchema(std::move(h), flags, out);
    }
    case TypeKind::Map: {
      const DataType& entries = *type.children()[0];  // Tuple(K, V)
      if (entries.kind() != TypeKind::Tuple || entries.children().size() != 2)
        throw Error(ErrorKind::Internal, "Map type without a Tuple(K, V) child: " + type.name());
      auto h = holder("+m", name, 1);
      auto e = holder("+s", "entries", 2);
      build(*entries.children()[0], "key", 0, e->child_ptrs[0]);
      build(*entries.children()[1], "value", 0, e->child_ptrs[1]);
      publishSchema(std::move(e), 0, h->child_ptrs[0]);
      return publishSchema(std::move(h), flags, out);
    }
    case TypeKind::Tuple: {
      const auto& kids = type.children();
      auto h = holder("+s", name, kids.size());
      for (size_t i = 0; i < kids.size(); ++i) {
        const auto& names = type.elementNames();
        std::string n = i < names.size() && !names[i].empty() ? names[i] : std::to_string(i + 1);
        build(*kids[i], n, 0, h->child_ptrs[i]);
      }
      return publishSchema(std::move(h), flags, out);
    }
    case TypeKind::Nothing:  // Arrow's null type: every value is null
      return publishSchema(holder("n", name, 0), flags | ARROW_FLAG_NULLABLE, out);
    case TypeKind::Variant: {
      // Dense union: type id i = alternative i (the discriminator), one more child of the null
      // type for NULL rows (a union has no validity bitmap of its own).
      const auto& alts = type.children();
      if (alts.size() > kMaxUnionAlternatives)
        throwUnsupported(type.name() + " has more than " + std::to_string(kMaxUnionAlternatives) +
                         " alternatives; an Arrow union takes at most 127");
      std::string format = "+ud:";
      for (size_t i = 0; i <= alts.size(); ++i) format += (i ? "," : "") + std::to_string(i);
      auto h = holder(std::move(format), name, alts.size() + 1);
      for (size_t i = 0; i < alts.size(); ++i) build(*alts[i], alts[i]->name(), 0, h->child_ptrs[i]);
      publishSchema(holder("n", "null", 0), ARROW_FLAG_NULLABLE, h->child_ptrs[alts.size()]);
      return publishSchema(std::move(h), flags | ARROW_FLAG_NULLABLE, out);
    }
    case TypeKind::JSON:
    case TypeKind::Dynamic: {  // large_utf8 with one JSON text per row, as the arrow.json extension
      auto h = holder("U", name, 0);
      h->metadata = jsonExtensionMetadata();
      return publishSchema(std::move(h), flags | (type.kind() == TypeKind::Dynamic ? ARROW_FLAG_NULLABLE : 0), out);
    }
    default: return publishSchema(holder(scalarFormat(type), name, 0), flags, out);
  }
}

}  // namespace
}  // namespace detail

using namespace detail;

int64_t liveExports() noexcept { return g_live.load(std::memory_order_relaxed); }

void exportTypeSchema(const DataType& type, const std::string& name, ArrowSchema* out) {
  ArrowSchema tmp;
  zero(&tmp);
  build(type, name, 0, &tmp);
  *out = tmp;
}

void exportSchema(const std::vector<std::string>& names, const std::vector<TypePtr>& types, ArrowSchema* out) {
  if (names.size() != types.size()) throw Error(ErrorKind::Internal, "schema names and types differ in count");
  auto h = holder("+s", "", types.size());
  for (size_t i = 0; i < types.size(); ++i) build(*types[i], names[i], 0, h->child_ptrs[i]);
  ArrowSchema tmp;
  zero(&tmp);
  publishSchema(std::move(h), 0, &tmp);
  *out = tmp;
}

}  // namespace chc::arrow
