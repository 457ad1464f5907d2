#include "client/RawResult.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "client/ServerException.hpp"
#include "compress/ContentEncoding.hpp"

namespace chc {
namespace {

constexpr std::string_view kCodeNeedle = "Code: ";
constexpr std::string_view kMarkerNeedle = "\r\n__exception__";

// Offset of the first "Code: " or "\r\n__exception__" at or after `from`, else npos.
size_t findCandidate(std::string_view s, size_t from) {
  return std::min(s.find(kCodeNeedle, from), s.find(kMarkerNeedle, from));
}

// Length of the longest suffix of s (at most the needle lengths) that is a proper prefix of a needle.
size_t partialCandidate(std::string_view s) {
  for (size_t k = std::min(s.size(), kMarkerNeedle.size() - 1); k > 0; --k) {
    std::string_view tail = s.substr(s.size() - k);
    if (kMarkerNeedle.starts_with(tail) || (k < kCodeNeedle.size() && kCodeNeedle.starts_with(tail))) return k;
  }
  return 0;
}

// The exception report that starts at offset 0 of s (a candidate), if it is one.
std::optional<ParsedException> exceptionAt(std::string_view s) {
  if (s.starts_with(kMarkerNeedle)) return findMidStreamException(s);
  auto parsed = parseExceptionText(s);
  if (parsed && parsed->message.find("DB::Exception") != std::string::npos) return parsed;
  return std::nullopt;
}

}  // namespace

RawResult::RawResult(std::unique_ptr<transport::HttpResponse> response, std::string query_id,
                     std::shared_ptr<transport::CancelToken> cancel, std::shared_ptr<SessionLock> session)
    : query_id_(std::move(query_id)),
      cancel_(std::move(cancel)),
      session_(std::move(session)),
      buf_(std::make_unique_for_overwrite<uint8_t[]>(kHoldCap + kReadChunk)) {
  const std::string* enc = response->header("Content-Encoding");
  auto encoding = enc ? compress::parseContentEncoding(*enc) : compress::ContentEncoding::Identity;
  body_ = compress::makeDecodingStream(encoding, std::move(response));
}

RawResult::~RawResult() {
  if (session_ && !done_) session_->markAbandoned();
}

void RawResult::fail(Error e) {
  e.server().query_id = query_id_;
  failure_ = std::move(e);
  body_.reset();  // aborts an unfinished transfer: the connection is closed, not reused
  throw *failure_;
}

size_t RawResult::read(std::span<uint8_t> dst) {
  if (failure_) throw *failure_;
  if (dst.empty()) return 0;
  if (cancel_ && cancel_->cancelled() && !done_)
    fail(Error(ErrorKind::Cancelled, "query cancelled", ServerInfo{0, {}, 200, {}}));
  for (;;) {
    if (head_ < safe_) {
      size_t n = std::min(dst.size(), safe_ - head_);
      std::memcpy(dst.data(), buf_.get() + head_, n);
      head_ += n;
      return n;
    }
    if (pending_failure_) fail(*pending_failure_);
    if (done_) return 0;
    if (eof_) {
      finish();
      continue;
    }
    try {
      fill();
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::Cancelled)
        fail(Error(ErrorKind::Cancelled, "query cancelled", ServerInfo{0, {}, 200, {}}));
      // A server that fails mid-stream may write its exception and then cut the connection.
      std::string_view held(reinterpret_cast<const char*>(buf_.get()) + head_, tail_ - head_);
      for (size_t c = findCandidate(held, 0); c != std::string_view::npos; c = findCandidate(held, c + 1)) {
        if (auto parsed = exceptionAt(held.substr(c)))
          fail(Error(ErrorKind::Server, "server failed mid-stream: " + parsed->message,
                     ServerInfo{parsed->code, parsed->name, 200, {}}));
      }
      ServerInfo info = e.server();
      if (info.http_status == 0) info.http_status = 200;
      fail(Error(e.kind(), e.what(), info));
    }
  }
}

void RawResult::fill() {
  // Only held bytes remain (head_ == safe_); they are at most kHoldCap + a partial needle.
  if (tail_ > kHoldCap || head_ == tail_) {
    std::memmove(buf_.get(), buf_.get() + head_, tail_ - head_);
    tail_ -= head_;
    scan_from_ = scan_from_ > head_ ? scan_from_ - head_ : 0;
    safe_ = head_ = 0;
  }
  size_t n = body_->read(std::span<uint8_t>(buf_.get() + tail_, kReadChunk));
  if (n == 0) {
    eof_ = true;
    body_.reset();  // read to the end: the connection goes back to the pool
    return;
  }
  tail_ += n;
  rescan();
}

void RawResult::rescan() {
  std::string_view s(reinterpret_cast<const char*>(buf_.get()), tail_);
  size_t from = std::max(scan_from_, head_);
  for (;;) {
    size_t c = findCandidate(s, from);
    if (c == std::string_view::npos) {
      c = tail_ - partialCandidate(s.substr(from));
    } else if (tail_ - c > kHoldCap) {
      from = c + 1;  // too long ago to be an exception report: it is data
      continue;
    }
    scan_from_ = safe_ = c;
    return;
  }
}

void RawResult::finish() {
  std::string_view held(reinterpret_cast<const char*>(buf_.get()) + head_, tail_ - head_);
  for (size_t c = findCandidate(held, 0); c != std::string_view::npos; c = findCandidate(held, c + 1)) {
    if (auto parsed = exceptionAt(held.substr(c))) {
      safe_ = head_ + c;  // the data before the report is delivered first
      pending_failure_ = Error(ErrorKind::Server, "server failed mid-stream: " + parsed->message,
                               ServerInfo{parsed->code, parsed->name, 200, {}});
      return;
    }
  }
  safe_ = tail_;
  done_ = true;
}

}  // namespace chc
