// ArrowArrayStream export over a source of blocks (a query result).
#include <cerrno>
#include <new>
#include <string>

#include "arrow/ArrowPrivate.hpp"
#include "common/Error.hpp"

namespace chc::arrow {
namespace detail {
namespace {

struct StreamState : Counted {
  BlockSource source;
  bool schema_ready = false;
  bool finished = false;
  std::optional<Block> pending;  // the block read ahead by get_schema
  std::vector<std::string> names;
  std::vector<TypePtr> types;
  std::string last_error;
};

StreamState& state(ArrowArrayStream* s) { return *static_cast<StreamState*>(s->private_data); }

int fail(StreamState& st, int code, std::string message) {
  try {
    st.last_error = std::move(message);
  } catch (...) {
  }
  return code;
}

template <class F>
int guardedCallback(ArrowArrayStream* s, F&& body) noexcept {
  if (!s || !s->release || !s->private_data) return EINVAL;
  StreamState& st = state(s);
  try {
    body(st);
    return 0;
  } catch (const Error& e) {
    switch (e.kind()) {
      case ErrorKind::InvalidArgument:
      case ErrorKind::InvalidState:
      case ErrorKind::Type: return fail(st, EINVAL, e.what());
      case ErrorKind::Unsupported: return fail(st, ENOTSUP, e.what());
      case ErrorKind::NoMemory: return fail(st, ENOMEM, e.what());
      default: return fail(st, EIO, e.what());
    }
  } catch (const std::bad_alloc&) {
    return fail(st, ENOMEM, "out of memory");
  } catch (const std::exception& e) {
    return fail(st, EIO, std::string("internal error: ") + e.what());
  } catch (...) {
    return fail(st, EIO, "internal error: unknown exception");
  }
}

void ensureSchema(StreamState& st) {
  if (st.schema_ready) return;
  std::optional<Block> first = st.source();
  if (first) {
    st.names = first->names;
    for (const ColumnPtr& c : first->columns) st.types.push_back(c->typePtr());
    st.pending = std::move(first);
  } else {
    st.finished = true;
  }
  st.schema_ready = true;
}

int getSchema(ArrowArrayStream* s, ArrowSchema* out) {
  if (!out) return EINVAL;
  return guardedCallback(s, [&](StreamState& st) {
    ensureSchema(st);
    exportSchema(st.names, st.types, out);
  });
}

int getNext(ArrowArrayStream* s, ArrowArray* out) {
  if (!out) return EINVAL;
  return guardedCallback(s, [&](StreamState& st) {
    ensureSchema(st);
    std::optional<Block> block;
    if (st.pending) {
      block = std::move(st.pending);
      st.pending.reset();
    } else if (!st.finished) {
      block = st.source();
    }
    if (!block) {
      st.finished = true;
      zero(out);  // end of stream: release == NULL
      return;
    }
    bool same = block->names == st.names && block->columns.size() == st.types.size();
    for (size_t i = 0; same && i < st.types.size(); ++i) same = block->columns[i]->type().name() == st.types[i]->name();
    if (!same) throw Error(ErrorKind::Protocol, "a block of the result has other columns than the first block");
    exportBlock(std::make_shared<const Block>(std::move(*block)), out);
  });
}

const char* getLastError(ArrowArrayStream* s) {
  if (!s || !s->release || !s->private_data) return nullptr;
  const std::string& e = state(s).last_error;
  return e.empty() ? nullptr : e.c_str();
}

void releaseStream(ArrowArrayStream* s) {
  if (!s || !s->release) return;
  delete static_cast<StreamState*>(s->private_data);
  s->private_data = nullptr;
  s->release = nullptr;
}

}  // namespace
}  // namespace detail

using namespace detail;

void exportStream(BlockSource source, ArrowArrayStream* out) {
  auto st = std::make_unique<StreamState>();
  st->source = std::move(source);
  out->get_schema = getSchema;
  out->get_next = getNext;
  out->get_last_error = getLastError;
  out->release = releaseStream;
  out->private_data = st.release();
}

}  // namespace chc::arrow
