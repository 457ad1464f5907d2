// chc_error and status names.
#include "Handles.hpp"

namespace chc::capi {

chc_status report(chc_error** err, chc_status status, std::string message, ServerInfo info) {
  if (err != nullptr) {
    try {
      *err = release(std::make_unique<chc_error>(chc_error{status, std::move(message), std::move(info)}));
    } catch (...) {
      *err = nullptr;  // out of memory while reporting: the status still tells
    }
  }
  return status;
}

}  // namespace chc::capi

extern "C" {

const char* chc_status_name(chc_status status) {
  switch (status) {
    case CHC_OK: return "CHC_OK";
    case CHC_E_INVALID_ARGUMENT: return "CHC_E_INVALID_ARGUMENT";
    case CHC_E_INVALID_STATE: return "CHC_E_INVALID_STATE";
    case CHC_E_NOT_FOUND: return "CHC_E_NOT_FOUND";
    case CHC_E_NOT_SUPPORTED: return "CHC_E_NOT_SUPPORTED";
    case CHC_E_NOMEM: return "CHC_E_NOMEM";
    case CHC_E_IO: return "CHC_E_IO";
    case CHC_E_TLS: return "CHC_E_TLS";
    case CHC_E_TIMEOUT: return "CHC_E_TIMEOUT";
    case CHC_E_CANCELLED: return "CHC_E_CANCELLED";
    case CHC_E_AUTH: return "CHC_E_AUTH";
    case CHC_E_SERVER: return "CHC_E_SERVER";
    case CHC_E_PROTOCOL: return "CHC_E_PROTOCOL";
    case CHC_E_TYPE: return "CHC_E_TYPE";
    case CHC_E_INTERNAL: return "CHC_E_INTERNAL";
    default: return "CHC_E_UNKNOWN";
  }
}

void chc_error_free(chc_error* err) { chc::capi::destroy(err); }
chc_status chc_error_status(const chc_error* err) { return err ? err->status : CHC_E_INVALID_ARGUMENT; }
const char* chc_error_message(const chc_error* err) { return err ? err->message.c_str() : ""; }
int32_t chc_error_server_code(const chc_error* err) { return err ? err->server.code : 0; }
const char* chc_error_server_name(const chc_error* err) { return err ? err->server.name.c_str() : ""; }
int32_t chc_error_http_status(const chc_error* err) { return err ? err->server.http_status : 0; }
const char* chc_error_query_id(const chc_error* err) { return err ? err->server.query_id.c_str() : ""; }

const char* chc_version(void) { return CHC_VERSION_STRING; }
uint32_t chc_version_number(void) { return CHC_VERSION_NUMBER; }
uint32_t chc_abi_version(void) { return CHC_ABI_VERSION; }

}  // extern "C"
