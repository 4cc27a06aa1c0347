#include "loadgen/proc_stats.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace messenger::bench {

ProcSample SampleProcess(int pid) {
  ProcSample sample;
  if (pid <= 0) return sample;
  const std::string dir = "/proc/" + std::to_string(pid);
  std::ifstream status(dir + "/status");
  std::ifstream stat(dir + "/stat");
  std::ifstream limits(dir + "/limits");
  if (!status || !stat) return sample;
  std::string line;
  while (std::getline(status, line)) {
    std::istringstream fields(line);
    std::string key;
    fields >> key;
    if (key == "VmRSS:") fields >> sample.rss_kib;
    if (key == "Threads:") fields >> sample.threads;
  }
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // The command name may hold spaces and parentheses: the fields start after the last ')'.
  const auto close = text.rfind(')');
  if (close == std::string::npos) return sample;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  uint64_t utime = 0, stime = 0;
  for (int i = 0; fields >> field; ++i) {
    if (i == 11) utime = std::stoull(field);
    if (i == 12) {
      stime = std::stoull(field);
      break;
    }
  }
  sample.cpu_seconds = static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  while (limits && std::getline(limits, line)) {
    if (line.rfind("Max open files", 0) == 0) {
      std::istringstream values(line.substr(std::string("Max open files").size()));
      values >> sample.open_files_limit;
    }
  }
  sample.ok = true;
  return sample;
}

int64_t RaiseOpenFilesLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  getrlimit(RLIMIT_NOFILE, &limit);
  return static_cast<int64_t>(limit.rlim_cur);
}

}  // namespace messenger::bench
