// Reading another process's resident memory, CPU time and open-file limit from /proc (Linux).
#pragma once

#include <cstdint>

namespace messenger::bench {

struct ProcSample {
  bool ok = false;
  int64_t rss_kib = 0;           // VmRSS
  double cpu_seconds = 0;        // utime + stime
  int64_t open_files_limit = 0;  // soft "Max open files"
  int64_t threads = 0;
};

ProcSample SampleProcess(int pid);

// Raises this process's RLIMIT_NOFILE soft limit to its hard limit; returns the new soft limit.
int64_t RaiseOpenFilesLimit();

}  // namespace messenger::bench
