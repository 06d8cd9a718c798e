#include "kafka/producer.h"

#include <stdexcept>

namespace meal::kafka {

Producer::Producer(const Properties& props, DeliveryCallback on_delivery)
    : on_delivery_(std::move(on_delivery)) {
  Properties all = {
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"linger.ms", "5"},
      {"compression.type", "lz4"},
      {"queue.buffering.max.messages", "500000"},
  };
  for (const auto& [k, v] : props) all[k] = v;
  Status status;
  ConfPtr conf = MakeConf(all, &status);
  if (!status.ok()) throw std::runtime_error(status.message());
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &Producer::OnDelivery);
  rd_kafka_conf_set_opaque(conf.get(), this);
  char errstr[512];
  rk_.reset(rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), errstr, sizeof errstr));
  if (!rk_) throw std::runtime_error(std::string("kafka producer: ") + errstr);
  conf.release();  // owned by the handle now
}

Producer::~Producer() {
  if (rk_) rd_kafka_flush(rk_.get(), 10000);
}

rd_kafka_resp_err_t Producer::Produce(std::string_view topic, std::string_view key,
                                      std::string_view value, std::int64_t timestamp_ms,
                                      std::uint64_t tag, std::int32_t partition) {
  for (;;) {
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        rk_.get(), RD_KAFKA_V_TOPIC(std::string(topic).c_str()),
        RD_KAFKA_V_PARTITION(partition < 0 ? RD_KAFKA_PARTITION_UA : partition),
        RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_TIMESTAMP(timestamp_ms),
        RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<std::uintptr_t>(tag))),
        RD_KAFKA_V_END);
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) return err;
    rd_kafka_poll(rk_.get(), 10);  // let deliveries drain the queue
  }
}

void Producer::Poll(int timeout_ms) { rd_kafka_poll(rk_.get(), timeout_ms); }

bool Producer::Flush(int timeout_ms) {
  return rd_kafka_flush(rk_.get(), timeout_ms) == RD_KAFKA_RESP_ERR_NO_ERROR;
}

void Producer::OnDelivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  auto* self = static_cast<Producer*>(opaque);
  if (self->on_delivery_) {
    self->on_delivery_(static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(msg->_private)),
                       msg->err);
  }
}

}  // namespace meal::kafka
