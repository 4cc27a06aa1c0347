// Structured JSON logs, one object per line on standard error. Each line carries the service name and,
// when one is known, the request ID of the request being served.
//
// Never log secrets: passwords, tokens, refresh tokens and keys are not to be passed as fields.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace messenger::log {

enum class Level { kDebug, kInfo, kWarn, kError };

struct Field {
  std::string_view key;
  std::string value;
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(v) {}
  Field(std::string_view k, const std::string& v) : key(k), value(v) {}
  Field(std::string_view k, long long v) : key(k), value(std::to_string(v)), numeric(true) {}
  Field(std::string_view k, long v) : key(k), value(std::to_string(v)), numeric(true) {}
  Field(std::string_view k, int v) : key(k), value(std::to_string(v)), numeric(true) {}
  Field(std::string_view k, unsigned long v) : key(k), value(std::to_string(v)), numeric(true) {}
  Field(std::string_view k, double v) : key(k), value(std::to_string(v)), numeric(true) {}
  bool numeric = false;
};

// Sets the service name and the minimum level (from LOG_LEVEL: debug, info, warn, error).
void Init(std::string_view service);

void Write(Level level, std::string_view message, std::initializer_list<Field> fields = {});
inline void Debug(std::string_view m, std::initializer_list<Field> f = {}) { Write(Level::kDebug, m, f); }
inline void Info(std::string_view m, std::initializer_list<Field> f = {}) { Write(Level::kInfo, m, f); }
inline void Warn(std::string_view m, std::initializer_list<Field> f = {}) { Write(Level::kWarn, m, f); }
inline void Error(std::string_view m, std::initializer_list<Field> f = {}) { Write(Level::kError, m, f); }

// The request ID that log lines written on this thread carry, for as long as the scope lives.
class RequestScope {
 public:
  explicit RequestScope(std::string request_id);
  ~RequestScope();
  RequestScope(const RequestScope&) = delete;
  RequestScope& operator=(const RequestScope&) = delete;

 private:
  std::string previous_;
};

const std::string& CurrentRequestId();

// Escapes a string for a JSON string literal (without the quotes).
std::string JsonEscape(std::string_view in);

// One formatted log line, exposed for tests.
std::string FormatLineForTest(Level level, std::string_view service, std::string_view request_id,
                              std::string_view message, std::initializer_list<Field> fields);

}  // namespace messenger::log
