// A query's response body as bytes, in whatever format the SQL asked for, pulled incrementally with
// bounded memory. Exceptions the server writes into the body after it started (spec §9.2) become
// errors instead of data: see RawResult::read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "client/SessionLock.hpp"
#include "common/ByteStream.hpp"
#include "common/Error.hpp"
#include "transport/HttpClient.hpp"

namespace chc {

// One thread at a time.
class RawResult {
 public:
  // Longest in-body exception report recognised (the tagged form is at most 16 KiB; an 18.x text
  // with a stack trace fits easily). Also the most bytes ever held back from the caller.
  static constexpr size_t kHoldCap = size_t{256} << 10;
  static constexpr size_t kReadChunk = size_t{64} << 10;  // bytes pulled from the body at a time

  // `session`: the client's SessionLock when the request carried its session, marked if this
  // result is destroyed before its end.
  RawResult(std::unique_ptr<transport::HttpResponse> response, std::string query_id,
            std::shared_ptr<transport::CancelToken> cancel = nullptr, std::shared_ptr<SessionLock> session = nullptr);
  ~RawResult();
  RawResult(const RawResult&) = delete;
  RawResult& operator=(const RawResult&) = delete;

  // Copies up to dst.size() body bytes (Content-Encoding decoded) into dst; returns 0 only at the
  // end, and 0 again on every later call. Blocks until at least one byte can be delivered.
  //
  // Mid-stream exceptions: bytes that could start an in-body exception report are held back until
  // it is known whether they are one: from an occurrence of "Code: " (anywhere, not only at a
  // line start) or of "\r\n__exception__" (25.x marker and tagged forms), for at most kHoldCap
  // bytes, after which they are delivered as data. At the end of the body, the first held
  // candidate that parses as a ClickHouse exception ("Code: N[.,] ..." whose text mentions
  // DB::Exception, or a marker block followed by "Code: ") ends the stream: the bytes before it are
  // delivered, then read() throws Error(Server) with its code and name (HTTP status 200). When
  // the transfer fails instead (connection cut, timeout, decoding error), the held bytes are
  // searched the same way; the server's exception is thrown if found, else the transport error.
  // Not detected: an exception text longer than kHoldCap, and a body whose own data ends in a
  // valid-looking "Code: N, ... DB::Exception ..." text (taken for an exception, as commands do).
  //
  // Errors are sticky: once read() threw, every later call throws the same error. Cancelled: the
  // CancelToken was cancelled or the progress observer returned false.
  size_t read(std::span<uint8_t> dst);

  const std::string& queryId() const { return query_id_; }

 private:
  void fill();    // pulls the next piece of the body into the buffer
  void rescan();  // recomputes safe_ after new bytes arrived
  void finish();  // end of body: decides on the held bytes
  [[noreturn]] void fail(Error e);

  std::string query_id_;
  std::unique_ptr<InputStream> body_;  // decoding chain owning the HTTP response; null once ended
  std::shared_ptr<transport::CancelToken> cancel_;
  std::shared_ptr<SessionLock> session_;
  std::unique_ptr<uint8_t[]> buf_;        // kHoldCap + kReadChunk bytes
  size_t head_ = 0;                       // next byte to deliver
  size_t safe_ = 0;                       // [head_, safe_) may be delivered; [safe_, tail_) is held back
  size_t tail_ = 0;                       // end of the received bytes
  size_t scan_from_ = 0;                  // candidates before this offset were ruled out
  bool eof_ = false;                      // the body ended normally
  bool done_ = false;                     // finish() ran and found no exception
  std::optional<Error> pending_failure_;  // thrown once [head_, safe_) is delivered
  std::optional<Error> failure_;          // sticky
};

}  // namespace chc
