// Internal invariants, checked in debug and sanitizer builds (SIO_CHECK_INVARIANTS) and free
// in release builds. A broken invariant is a bug in the library, never the peer's doing: it
// aborts with where and what, so that a sanitizer run or a debug build stops at the cause.
#pragma once

#include "sio/transport/event_loops.hpp"

namespace sio::util {
[[noreturn]] void invariant_failed(const char* condition, const char* what, const char* file, int line) noexcept;
}  // namespace sio::util

#if defined(SIO_CHECK_INVARIANTS)
#define SIO_ASSERT(condition, what) \
  ((condition) ? (void)0 : ::sio::util::invariant_failed(#condition, what, __FILE__, __LINE__))
#else
#define SIO_ASSERT(condition, what) ((void)0)
#endif

// An object that lives on event loop `loop` (a session, a socket, a channel) is touched only by
// that loop's thread.
#define SIO_ASSERT_ON_LOOP(loop) \
  SIO_ASSERT(::sio::transport::EventLoops::current() == (loop), "touched from a thread other than its event loop's")
