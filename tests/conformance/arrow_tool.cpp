// Conformance helper for the Arrow export: decodes Native bytes with the engine, exports every block
// through the Arrow C Data Interface (chc::arrow::exportSchema / exportBlock) and prints each row as
// one JSON object, read back from the exported ArrowSchema/ArrowArray only (format strings and
// buffers, as any Arrow consumer would), so test_conformance.py can compare it with the engine's
// own `FORMAT JSONEachRow`.
//
//   arrow_tool < native > json-lines
//
// Rendering: integers and floats as numbers, bool, large_binary/utf8 as JSON strings, fields with
// the arrow.json extension as their text, lists as arrays, structs as objects (arrays when the
// field names are "1", "2", ..., i.e. an unnamed Tuple), maps as objects, dense unions as the
// chosen child's value, the null type and invalid slots as null, date32 as "YYYY-MM-DD",
// dictionaries as their values. Exit status: 0 ok, 2 engine error, 3 a format it cannot render.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "arrow/Arrow.hpp"
#include "common/ByteStream.hpp"
#include "common/Error.hpp"
#include "native/NativeBlockReader.hpp"
#include "types/JSONText.hpp"
#include "types/ValueText.hpp"

namespace {

struct RenderError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

template <class T>
T load(const void* buf, int64_t i) {
  T v;
  std::memcpy(&v, static_cast<const uint8_t*>(buf) + i * static_cast<int64_t>(sizeof(T)), sizeof(T));
  return v;
}

bool isJsonExtension(const ArrowSchema& s) {
  if (!s.metadata) return false;
  const char* p = s.metadata;
  auto int32 = [&] {
    int32_t v;
    std::memcpy(&v, p, 4);
    p += 4;
    return v;
  };
  for (int32_t i = 0, n = int32(); i < n; ++i) {
    int32_t kl = int32();
    std::string_view key(p, static_cast<size_t>(kl));
    p += kl;
    int32_t vl = int32();
    std::string_view value(p, static_cast<size_t>(vl));
    p += vl;
    if (key == "ARROW:extension:name" && value == "arrow.json") return true;
  }
  return false;
}

bool validAt(const ArrowArray& a, int64_t i) {
  if (!a.buffers || a.n_buffers == 0 || !a.buffers[0]) return true;
  return (static_cast<const uint8_t*>(a.buffers[0])[i >> 3] >> (i & 7)) & 1;
}

void render(const ArrowSchema& s, const ArrowArray& a, int64_t row, std::string& out);

void renderChild(const ArrowSchema& s, const ArrowArray& a, int64_t row, std::string& out) {
  render(s, a, row + a.offset, out);
}

// `row` is physical (the array's offset already added).
void render(const ArrowSchema& s, const ArrowArray& a, int64_t row, std::string& out) {
  const std::string_view f = s.format;
  if (f == "n") {
    out += "null";
    return;
  }
  if (f.rfind("+ud:", 0) == 0) {  // no validity bitmap: buffer 0 holds the type ids
    const int8_t id = load<int8_t>(a.buffers[0], row);
    std::string_view ids = f.substr(4);
    int64_t child = 0;
    for (size_t pos = 0;; ++child) {
      size_t comma = ids.find(',', pos);
      if (std::stoi(std::string(ids.substr(pos, comma - pos))) == id) break;
      if (comma == std::string_view::npos) throw RenderError("union type id not in the format");
      pos = comma + 1;
    }
    return renderChild(*s.children[child], *a.children[child], load<int32_t>(a.buffers[1], row), out);
  }
  if (!validAt(a, row)) {
    out += "null";
    return;
  }
  if (s.dictionary) {
    int64_t idx = f == "c"   ? load<int8_t>(a.buffers[1], row)
                  : f == "s" ? load<int16_t>(a.buffers[1], row)
                  : f == "i" ? load<int32_t>(a.buffers[1], row)
                             : throw RenderError("dictionary index format " + std::string(f));
    return renderChild(*s.dictionary, *a.dictionary, idx, out);
  }
  if (f == "c") return void(out += std::to_string(load<int8_t>(a.buffers[1], row)));
  if (f == "C") return void(out += std::to_string(load<uint8_t>(a.buffers[1], row)));
  if (f == "s") return void(out += std::to_string(load<int16_t>(a.buffers[1], row)));
  if (f == "S") return void(out += std::to_string(load<uint16_t>(a.buffers[1], row)));
  if (f == "i") return void(out += std::to_string(load<int32_t>(a.buffers[1], row)));
  if (f == "I") return void(out += std::to_string(load<uint32_t>(a.buffers[1], row)));
  if (f == "l") return void(out += std::to_string(load<int64_t>(a.buffers[1], row)));
  if (f == "L") return void(out += std::to_string(load<uint64_t>(a.buffers[1], row)));
  if (f == "f") return void(out += chc::floatText(load<float>(a.buffers[1], row), true));
  if (f == "g") return void(out += chc::floatText(load<double>(a.buffers[1], row), false));
  if (f == "b")
    return void(out += (static_cast<const uint8_t*>(a.buffers[1])[row >> 3] >> (row & 7)) & 1 ? "true" : "false");
  if (f == "tdD") return chc::appendJSONString(chc::dateText(load<int32_t>(a.buffers[1], row)), out);
  if (f == "Z" || f == "U" || f == "u" || f == "z") {
    const bool wide = f == "Z" || f == "U";
    const int64_t b = wide ? load<int64_t>(a.buffers[1], row) : load<int32_t>(a.buffers[1], row);
    const int64_t e = wide ? load<int64_t>(a.buffers[1], row + 1) : load<int32_t>(a.buffers[1], row + 1);
    std::string_view text(static_cast<const char*>(a.buffers[2]) + b, static_cast<size_t>(e - b));
    if (isJsonExtension(s)) return void(out += text);
    return chc::appendJSONString(text, out);
  }
  if (f == "+L" || f == "+m") {
    const bool map = f == "+m";
    const int64_t b = map ? load<int32_t>(a.buffers[1], row) : load<int64_t>(a.buffers[1], row);
    const int64_t e = map ? load<int32_t>(a.buffers[1], row + 1) : load<int64_t>(a.buffers[1], row + 1);
    const ArrowSchema& cs = *s.children[0];
    const ArrowArray& ca = *a.children[0];
    out += map ? '{' : '[';
    for (int64_t i = b; i < e; ++i) {
      if (i != b) out += ',';
      if (!map) {
        renderChild(cs, ca, i, out);
        continue;
      }
      std::string key;
      renderChild(*cs.children[0], *ca.children[0], i + ca.offset, key);
      if (key.empty() || key.front() != '"') key = "\"" + key + "\"";  // JSON keys are strings
      out += key + ':';
      renderChild(*cs.children[1], *ca.children[1], i + ca.offset, out);
    }
    out += map ? '}' : ']';
    return;
  }
  if (f == "+s") {
    bool positional = true;
    for (int64_t k = 0; k < s.n_children; ++k) positional &= s.children[k]->name == std::to_string(k + 1);
    out += positional ? '[' : '{';
    for (int64_t k = 0; k < s.n_children; ++k) {
      if (k) out += ',';
      if (!positional) {
        chc::appendJSONString(s.children[k]->name, out);
        out += ':';
      }
      renderChild(*s.children[k], *a.children[k], row, out);
    }
    out += positional ? ']' : '}';
    return;
  }
  throw RenderError("cannot render Arrow format " + std::string(f));
}

std::vector<uint8_t> readStdin() {
  std::vector<uint8_t> data;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) data.insert(data.end(), buf, buf + n);
  return data;
}

struct Exported {
  ArrowSchema schema{};
  ArrowArray array{};
  ~Exported() {
    if (schema.release) schema.release(&schema);
    if (array.release) array.release(&array);
  }
};

}  // namespace

int main() {
  try {
    std::vector<uint8_t> input = readStdin();
    chc::MemoryInputStream in(input);
    chc::NativeBlockReader reader(in);
    std::string out;
    while (auto block = reader.next()) {
      auto shared = std::make_shared<const chc::Block>(std::move(*block));
      std::vector<chc::TypePtr> types;
      for (const auto& c : shared->columns) types.push_back(c->typePtr());
      Exported e;
      chc::arrow::exportSchema(shared->names, types, &e.schema);
      chc::arrow::exportBlock(shared, &e.array);
      for (int64_t r = 0; r < e.array.length; ++r) {
        render(e.schema, e.array, r, out);
        out += '\n';
      }
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
    return 0;
  } catch (const chc::Error& e) {
    std::fprintf(stderr, "%s: %s\n", e.kind() == chc::ErrorKind::Unsupported ? "unsupported" : "error", e.what());
    return 2;
  } catch (const RenderError& e) {
    std::fprintf(stderr, "render: %s\n", e.what());
    return 3;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "exception: %s\n", e.what());
    return 4;
  }
}
