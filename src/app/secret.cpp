#include "app/secret.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "sio/util/random.hpp"

namespace parley::app {

LoadedSecret load_or_create_secret(const std::string& path) {
  std::string secret = sio::util::random_token(32);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    std::string line = secret + "\n";
    bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
    return {secret, true};
  }
  if (errno != EEXIST) throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::string stored;
  std::getline(in, stored);
  if (stored.empty()) throw std::runtime_error(path + " is empty: delete it to have a new secret made");
  return {stored, false};
}

}  // namespace parley::app
