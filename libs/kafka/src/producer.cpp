#include "messenger/kafka/producer.hpp"

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "errors.hpp"
#include "handle.hpp"

namespace messenger::kafka {

using internal::FromKafkaError;

namespace {

// Travels with one record through librdkafka (as its opaque) until its delivery report.
struct Delivery {
  std::function<void(Status)> done;
};

const char* PersistenceReason(rd_kafka_msg_status_t status) {
  return status == RD_KAFKA_MSG_STATUS_NOT_PERSISTED ? kReasonNotPersisted : kReasonPossiblyPersisted;
}

}  // namespace

class Producer::Impl {
 public:
  explicit Impl(std::chrono::milliseconds message_timeout) : message_timeout_(message_timeout) {}

  // The handle is created after the Impl because its configuration points at the Impl (delivery reports).
  void Start(internal::HandlePtr rk) {
    rk_ = std::move(rk);
    poller_ = std::thread([this] {
      while (!stopping_.load(std::memory_order_acquire)) rd_kafka_poll(rk_.get(), 100);
    });
  }

  ~Impl() {
    if (!rk_) return;
    // Give outstanding records their chance, then fail the rest so that every callback runs exactly once.
    (void)Flush(message_timeout_);
    rd_kafka_purge(rk_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    (void)Flush(std::chrono::milliseconds(5000));
    stopping_.store(true, std::memory_order_release);
    poller_.join();
    rd_kafka_poll(rk_.get(), 0);  // serve anything the purge produced after the thread stopped
  }

  // The delivery report callback registered on the configuration; runs on the poll thread.
  static void OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque) {
    auto* self = static_cast<Impl*>(opaque);
    std::unique_ptr<Delivery> delivery(static_cast<Delivery*>(message->_private));
    Status status;
    if (message->err == RD_KAFKA_RESP_ERR__FATAL) {
      char detail[512] = "";
      rd_kafka_resp_err_t cause = rd_kafka_fatal_error(rk, detail, sizeof detail);
      status = InternalError(std::string("kafka produce: fatal producer error ") + rd_kafka_err2name(cause) +
                                 ": " + detail,
                             kReasonProducerFatal);
    } else if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      status = FromKafkaError(message->err, "produce", PersistenceReason(rd_kafka_message_status(message)));
    }
    if (delivery && delivery->done) delivery->done(std::move(status));
    self->Finished();
  }

  void SendAsync(const std::string& topic, const std::string& key, const std::string& value,
                 std::function<void(Status)> done) {
    if (rd_kafka_fatal_error(rk_.get(), nullptr, 0) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      char detail[512] = "";
      rd_kafka_fatal_error(rk_.get(), detail, sizeof detail);
      if (done) done(InternalError(std::string("kafka produce: producer is in a fatal state: ") + detail,
                                   kReasonProducerFatal));
      return;
    }
    auto delivery = std::make_unique<Delivery>(Delivery{std::move(done)});
    {
      std::lock_guard lock(mu_);
      ++outstanding_;
    }
    // An empty key is sent as a null key (partition chosen by the sticky partitioner).
    rd_kafka_resp_err_t err = rd_kafka_producev(
        rk_.get(), RD_KAFKA_V_TOPIC(topic.c_str()),
        RD_KAFKA_V_KEY(key.empty() ? nullptr : key.data(), key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(delivery.get()), RD_KAFKA_V_END);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      // librdkafka did not take the record: no delivery report will come.
      Status status = FromKafkaError(err, "produce", kReasonNotPersisted);
      if (delivery->done) delivery->done(std::move(status));
      Finished();
      return;
    }
    delivery.release();  // owned by librdkafka until OnDelivery
  }

  Status Flush(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    if (!drained_.wait_for(lock, timeout, [this] { return outstanding_ == 0; })) {
      return DeadlineExceededError("kafka flush: " + std::to_string(outstanding_) +
                                   " record(s) still without a delivery report");
    }
    return OkStatus();
  }

 private:
  void Finished() {
    std::lock_guard lock(mu_);
    if (--outstanding_ == 0) drained_.notify_all();
  }

  internal::HandlePtr rk_;
  std::chrono::milliseconds message_timeout_;
  std::mutex mu_;
  std::condition_variable drained_;
  int64_t outstanding_ = 0;  // records handed to librdkafka whose callback has not finished
  std::atomic<bool> stopping_{false};
  std::thread poller_;
};

StatusOr<std::unique_ptr<Producer>> Producer::Create(const ProducerOptions& options) {
  if (options.brokers.empty()) return InvalidArgumentError("kafka producer: brokers are empty");
  internal::Properties props = {
      {"bootstrap.servers", options.brokers},
      {"message.timeout.ms", std::to_string(options.message_timeout.count())},
      {"linger.ms", std::to_string(options.linger.count())},
      {"topic.metadata.propagation.max.ms", std::to_string(options.unknown_topic_timeout.count())},
      {"allow.auto.create.topics", "false"},
  };
  if (!options.client_id.empty()) props.emplace_back("client.id", options.client_id);
  for (const auto& kv : options.extra) props.emplace_back(kv);
  // Forced last: the delivery guarantees documented in the header depend on them.
  props.emplace_back("enable.idempotence", "true");
  props.emplace_back("acks", "all");
  MESSENGER_ASSIGN_OR_RETURN(internal::ConfPtr conf, internal::NewConf(props));

  auto impl = std::make_unique<Impl>(options.message_timeout);
  rd_kafka_conf_set_opaque(conf.get(), impl.get());
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &Impl::OnDelivery);
  MESSENGER_ASSIGN_OR_RETURN(internal::HandlePtr rk, internal::NewHandle(RD_KAFKA_PRODUCER, std::move(conf)));
  impl->Start(std::move(rk));
  return std::unique_ptr<Producer>(new Producer(std::move(impl)));
}

Producer::Producer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Producer::~Producer() = default;

Status Producer::Send(const std::string& topic, const std::string& key, const std::string& value,
                      std::chrono::milliseconds timeout) {
  // Shared with the callback, which may run after this call gave up waiting.
  auto result = std::make_shared<std::promise<Status>>();
  std::future<Status> delivered = result->get_future();
  impl_->SendAsync(topic, key, value, [result](Status status) { result->set_value(std::move(status)); });
  if (delivered.wait_for(timeout) != std::future_status::ready) {
    return DeadlineExceededError("kafka produce to " + topic + ": no delivery report within " +
                                     std::to_string(timeout.count()) + "ms; the record is still queued",
                                 kReasonDeliveryPending);
  }
  return delivered.get();
}

void Producer::SendAsync(const std::string& topic, const std::string& key, const std::string& value,
                         std::function<void(Status)> done) {
  impl_->SendAsync(topic, key, value, std::move(done));
}

Status Producer::Flush(std::chrono::milliseconds timeout) { return impl_->Flush(timeout); }

}  // namespace messenger::kafka
