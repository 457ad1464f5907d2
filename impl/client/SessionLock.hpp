// What a client knows about its server session being briefly locked after it gave up on a result.
//
// A ClickHouse server runs one request per session at a time. When the client drops a result of a
// session before its end (freed early, failed mid-stream, cancelled), it closes the connection,
// but the server frees the session only once that query notices: it writes again, or its next
// block is ready. Until then every request of the session fails at once, without running, with
// SESSION_IS_LOCKED. Results of session requests mark the session when they are dropped early;
// Client retries SESSION_IS_LOCKED only while the mark is set, so two requests that really run at
// the same time (a caller's mistake) still fail at once.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace chc {

// ClickHouse's SESSION_IS_LOCKED exception code.
inline constexpr int32_t kSessionIsLockedCode = 373;
// How long a request waits, retrying, for a session a dropped result still holds.
inline constexpr std::chrono::milliseconds kSessionLockWait{5000};

// Shared by a client and the results of its session requests (which may outlive it). Thread-safe.
class SessionLock {
 public:
  void markAbandoned() noexcept { abandoned_.store(true, std::memory_order_release); }
  bool abandoned() const noexcept { return abandoned_.load(std::memory_order_acquire); }
  // The server answered a request of the session: whatever held it is gone.
  void clear() noexcept { abandoned_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> abandoned_{false};
};

}  // namespace chc
