#include "messenger/common/logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "messenger/common/config.hpp"

namespace messenger::log {
namespace {

std::string g_service = "messenger";
Level g_min_level = Level::kInfo;
thread_local std::string t_request_id;

std::shared_ptr<spdlog::logger> Logger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = std::make_shared<spdlog::logger>("json", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    l->set_pattern("%v");
    l->set_level(spdlog::level::trace);
    l->flush_on(spdlog::level::trace);
    return l;
  }();
  return logger;
}

std::string_view LevelName(Level l) {
  switch (l) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}

std::string Timestamp() {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(ms));
  return buf;
}

}  // namespace

std::string JsonEscape(std::string_view in) {
  std::string out;
  out.reserve(in.size() + 8);
  for (unsigned char c : in) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

std::string FormatLineForTest(Level level, std::string_view service, std::string_view request_id,
                              std::string_view message, std::initializer_list<Field> fields) {
  std::string line = "{\"ts\":\"" + Timestamp() + "\",\"level\":\"" + std::string(LevelName(level)) +
                     "\",\"service\":\"" + JsonEscape(service) + "\"";
  if (!request_id.empty()) line += ",\"request_id\":\"" + JsonEscape(request_id) + "\"";
  line += ",\"msg\":\"" + JsonEscape(message) + "\"";
  for (const Field& f : fields) {
    line += ",\"" + JsonEscape(f.key) + "\":";
    line += f.numeric ? f.value : "\"" + JsonEscape(f.value) + "\"";
  }
  line += "}";
  return line;
}

void Init(std::string_view service) {
  g_service = std::string(service);
  std::string level = EnvString("LOG_LEVEL", "info");
  if (level == "debug") g_min_level = Level::kDebug;
  else if (level == "warn") g_min_level = Level::kWarn;
  else if (level == "error") g_min_level = Level::kError;
  else g_min_level = Level::kInfo;
}

void Write(Level level, std::string_view message, std::initializer_list<Field> fields) {
  if (level < g_min_level) return;
  Logger()->info(FormatLineForTest(level, g_service, t_request_id, message, fields));
}

RequestScope::RequestScope(std::string request_id) : previous_(std::move(t_request_id)) {
  t_request_id = std::move(request_id);
}

RequestScope::~RequestScope() { t_request_id = std::move(previous_); }

const std::string& CurrentRequestId() { return t_request_id; }

}  // namespace messenger::log
