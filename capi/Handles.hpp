// The structs behind the opaque C handles, and the one place exceptions become statuses.
#pragma once

#include <memory>
#include <new>
#include <string>
#include <vector>

#include "chconnect/chconnect.h"
#include "client/Client.hpp"
#include "client/ClientConfig.hpp"
#include "client/QuerySpec.hpp"
#include "common/Error.hpp"
#include "native/Block.hpp"

struct chc_error {
  chc_status status;
  std::string message;
  chc::ServerInfo server;
};

struct chc_config {
  chc::ClientConfig config;
};

struct chc_client {
  std::shared_ptr<chc::Client> client;
};

struct chc_query {
  chc::QuerySpec spec;
};

struct chc_cancel {
  std::shared_ptr<chc::transport::CancelToken> token = std::make_shared<chc::transport::CancelToken>();
};

struct chc_response {
  chc::Response response;
};

// A type plus handles for its children, so borrowed child pointers stay valid with the parent.
struct chc_type {
  chc::TypePtr type;
  std::vector<std::unique_ptr<chc_type>> children;
};

struct chc_result {
  std::shared_ptr<chc::Client> client;  // keeps the transport alive while the body streams
  std::unique_ptr<chc::QueryResult> result;
  // Shared with the request: chc_result_cancel may use it from any thread (also after the result
  // was moved into an Arrow stream).
  std::shared_ptr<chc::transport::CancelToken> cancel;
};

struct chc_raw_result {
  std::shared_ptr<chc::Client> client;  // keeps the transport alive while the body streams
  std::unique_ptr<chc::RawResult> raw;
  std::shared_ptr<chc::transport::CancelToken> cancel;  // for chc_raw_result_cancel, any thread
};

// Valid only during a progress callback.
struct chc_progress {
  const chc::Progress* progress;
};

struct chc_block {
  std::shared_ptr<const chc::Block> block;
};

struct chc_column {
  std::shared_ptr<const chc::Block> owner;  // the block whose memory `column` lives in
  const chc::Column* column;
  std::string name;
  std::unique_ptr<chc_type> type;
};

struct chc_builder {
  chc::Column* column;
  std::vector<std::unique_ptr<chc_builder>> children;
};

struct chc_insert {
  std::shared_ptr<chc::Client> client;
  std::string table;  // quoted
  chc::QuerySpec options;
  chc::Block block;
  std::vector<std::unique_ptr<chc_type>> types;
  std::vector<std::unique_ptr<chc_builder>> builders;
  bool finished = false;
};

namespace chc::capi {

std::unique_ptr<chc_type> makeTypeHandle(const TypePtr& type);
std::unique_ptr<chc_builder> makeBuilderHandle(Column* column);

chc_status report(chc_error** err, chc_status status, std::string message, ServerInfo info = {});

// Runs `body`, turning every exception into a status (and an error object when err != NULL).
template <class F>
chc_status guarded(chc_error** err, F&& body) noexcept {
  try {
    body();
    return CHC_OK;
  } catch (const Error& e) {
    return report(err, static_cast<chc_status>(e.kind()), e.what(), e.server());
  } catch (const std::bad_alloc&) {
    return report(err, CHC_E_NOMEM, "out of memory");
  } catch (const std::exception& e) {
    return report(err, CHC_E_INTERNAL, std::string("internal error: ") + e.what());
  } catch (...) {
    return report(err, CHC_E_INTERNAL, "internal error: unknown exception");
  }
}

inline chc_status nullArgument(chc_error** err, const char* what) {
  return report(err, CHC_E_INVALID_ARGUMENT, std::string(what) + " must not be NULL");
}

// Hands ownership of a new handle to the C caller.
template <class T>
T* release(std::unique_ptr<T> p) noexcept {
  return p.release();
}
// Takes ownership back from the C caller (for *_free).
template <class T>
void destroy(T* p) noexcept {
  std::unique_ptr<T> owned(p);
}

}  // namespace chc::capi
