#include "proc.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace parley_bench {

namespace {

struct StatLine {
  int ppid = 0;
  uint64_t utime = 0, stime = 0;  // clock ticks
};

// /proc/PID/stat: "pid (comm) state ppid ... utime(14) stime(15) ..."; comm may hold spaces
// and parentheses, so fields are counted from the last ')'.
std::optional<StatLine> read_stat(int pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(file, line)) return std::nullopt;
  auto close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(close + 2));
  std::string state;
  StatLine stat;
  fields >> state >> stat.ppid;
  std::string skip;
  for (int field = 5; field < 14; ++field) fields >> skip;  // pgrp .. cmajflt
  fields >> stat.utime >> stat.stime;
  if (!fields) return std::nullopt;
  return stat;
}

uint64_t read_rss_kb(int pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(file, line)) {
    if (line.starts_with("VmRSS:")) return std::strtoull(line.c_str() + 6, nullptr, 10);
  }
  return 0;
}

}  // namespace

std::vector<int> process_tree(int root) {
  std::multimap<int, int> children;  // ppid -> pid
  if (DIR* dir = opendir("/proc")) {
    while (dirent* entry = readdir(dir)) {
      int pid = 0;
      std::string_view name = entry->d_name;
      auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), pid);
      if (ec != std::errc() || end != name.data() + name.size()) continue;
      if (auto stat = read_stat(pid)) children.emplace(stat->ppid, pid);
    }
    closedir(dir);
  }
  if (!read_stat(root)) return {};
  std::vector<int> tree{root};
  for (std::size_t i = 0; i < tree.size(); ++i) {
    auto [first, last] = children.equal_range(tree[i]);
    for (auto it = first; it != last; ++it) tree.push_back(it->second);
  }
  return tree;
}

std::optional<ProcessSample> sample_process_tree(int pid) {
  auto tree = process_tree(pid);
  if (tree.empty()) return std::nullopt;
  static const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  ProcessSample sample;
  for (int p : tree) {
    auto stat = read_stat(p);
    if (!stat) continue;
    sample.cpu_s += static_cast<double>(stat->utime + stat->stime) / ticks;
    sample.rss_kb += read_rss_kb(p);
    ++sample.processes;
  }
  return sample;
}

double machine_busy_cpu_seconds() {
  // "cpu  user nice system idle iowait irq softirq steal guest guest_nice", in clock ticks.
  std::ifstream file("/proc/stat");
  std::string label;
  uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  if (!(file >> label >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal) || label != "cpu") {
    return 0;
  }
  static const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  return static_cast<double>(user + nice + system + irq + softirq + steal) / ticks;
}

double own_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

uint64_t own_rss_kb() { return read_rss_kb(static_cast<int>(getpid())); }

uint64_t raise_file_limit(uint64_t wanted) {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur >= wanted) return limit.rlim_cur;
  if (limit.rlim_max < wanted) {
    // Only root may raise the hard limit; the kernel caps it at fs.nr_open.
    rlimit raised{wanted, wanted};
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) return wanted;
  }
  limit.rlim_cur = std::min<rlim_t>(wanted, limit.rlim_max);
  setrlimit(RLIMIT_NOFILE, &limit);
  getrlimit(RLIMIT_NOFILE, &limit);
  return limit.rlim_cur;
}

}  // namespace parley_bench
