#include "handle.hpp"

#include "messenger/common/logging.hpp"

namespace messenger::kafka::internal {
namespace {

// librdkafka reports connection trouble and similar through its log callback; it runs on librdkafka's
// threads. Syslog levels: 0..3 error, 4 warning, 5..6 notice/info, 7 debug.
void LogCallback(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  log::Level our = level <= 3 ? log::Level::kError : level == 4 ? log::Level::kWarn : log::Level::kDebug;
  log::Write(our, "librdkafka", {{"client", rd_kafka_name(rk)}, {"facility", facility}, {"detail", message}});
}

}  // namespace

StatusOr<ConfPtr> NewConf(const Properties& properties) {
  ConfPtr conf(rd_kafka_conf_new());
  char errstr[512];
  for (const auto& [name, value] : properties) {
    if (rd_kafka_conf_set(conf.get(), name.c_str(), value.c_str(), errstr, sizeof errstr) !=
        RD_KAFKA_CONF_OK) {
      return InvalidArgumentError("kafka config " + name + ": " + errstr);
    }
  }
  rd_kafka_conf_set_log_cb(conf.get(), LogCallback);
  return conf;
}

StatusOr<HandlePtr> NewHandle(rd_kafka_type_t type, ConfPtr conf) {
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), errstr, sizeof errstr);
  if (rk == nullptr) return InvalidArgumentError(std::string("kafka client: ") + errstr);
  conf.release();  // now owned by rk
  return HandlePtr(rk);
}

}  // namespace messenger::kafka::internal
