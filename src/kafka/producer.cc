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
                                      std::uint64_t tag, std::int32_t partition,
                                      std::span<const Header> headers) {
  for (;;) {
    // producev takes the headers over only when it succeeds.
    rd_kafka_headers_t* hdrs = nullptr;
    if (!headers.empty()) {
      hdrs = rd_kafka_headers_new(headers.size());
      for (const Header& h : headers) {
        rd_kafka_header_add(hdrs, h.name.data(), static_cast<ssize_t>(h.name.size()), h.value.data(),
                            static_cast<ssize_t>(h.value.size()));
      }
    }
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        rk_.get(), RD_KAFKA_V_TOPIC(std::string(topic).c_str()),
        RD_KAFKA_V_PARTITION(partition < 0 ? RD_KAFKA_PARTITION_UA : partition),
        RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_TIMESTAMP(timestamp_ms),
        RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<std::uintptr_t>(tag))),
        RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
    if (err && hdrs) rd_kafka_headers_destroy(hdrs);
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) return err;
    rd_kafka_poll(rk_.get(), 10);  // let deliveries drain the queue
  }
}

void Producer::Poll(int timeout_ms) { rd_kafka_poll(rk_.get(), timeout_ms); }

bool Producer::Flush(int timeout_ms) {
  return rd_kafka_flush(rk_.get(), timeout_ms) == RD_KAFKA_RESP_ERR_NO_ERROR;
}

namespace {

// Takes ownership of `error` (nullptr is success).
TxnResult ToResult(rd_kafka_error_t* error) {
  if (!error) return {};
  TxnResult r;
  r.message = rd_kafka_error_string(error);
  if (rd_kafka_error_is_fatal(error)) {
    r.outcome = TxnOutcome::kFatal;
  } else if (rd_kafka_error_txn_requires_abort(error)) {
    r.outcome = TxnOutcome::kAbort;
  } else if (rd_kafka_error_is_retriable(error)) {
    r.outcome = TxnOutcome::kRetry;
  } else {
    r.outcome = TxnOutcome::kFatal;  // a state error: calls out of order
  }
  rd_kafka_error_destroy(error);
  return r;
}

}  // namespace

TxnResult Producer::InitTransactions(int timeout_ms) {
  return ToResult(rd_kafka_init_transactions(rk_.get(), timeout_ms));
}

TxnResult Producer::BeginTransaction() { return ToResult(rd_kafka_begin_transaction(rk_.get())); }

TxnResult Producer::SendOffsets(const std::string& group, const std::vector<GroupOffset>& offsets, int timeout_ms) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size()));
  for (const GroupOffset& o : offsets) {
    rd_kafka_topic_partition_list_add(list, o.topic.c_str(), o.partition)->offset = o.offset;
  }
  rd_kafka_consumer_group_metadata_t* metadata = rd_kafka_consumer_group_metadata_new(group.c_str());
  TxnResult r = ToResult(rd_kafka_send_offsets_to_transaction(rk_.get(), list, metadata, timeout_ms));
  rd_kafka_consumer_group_metadata_destroy(metadata);
  rd_kafka_topic_partition_list_destroy(list);
  return r;
}

TxnResult Producer::CommitTransaction(int timeout_ms) {
  return ToResult(rd_kafka_commit_transaction(rk_.get(), timeout_ms));
}

TxnResult Producer::AbortTransaction(int timeout_ms) {
  return ToResult(rd_kafka_abort_transaction(rk_.get(), timeout_ms));
}

void Producer::OnDelivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  auto* self = static_cast<Producer*>(opaque);
  if (self->on_delivery_) {
    self->on_delivery_(static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(msg->_private)),
                       msg->err);
  }
}

}  // namespace meal::kafka
