#include "util/invariants.hpp"

#include <cstdio>
#include <cstdlib>

namespace sio::util {

void invariant_failed(const char* condition, const char* what, const char* file, int line) noexcept {
  std::fprintf(stderr, "sio: invariant broken at %s:%d: %s (%s)\n", file, line, what, condition);
  std::abort();
}

}  // namespace sio::util
