#include "kafka/reader.h"

#include <chrono>
#include <stdexcept>

#include "kafka/admin.h"

namespace meal::kafka {

Reader::Reader(const Properties& props, const std::vector<std::string>& topics,
               const std::map<TopicPartition, std::int64_t>& start_offsets) {
  Open(props);
  std::map<TopicPartition, std::int64_t> partitions;
  for (const std::string& topic : topics) {
    int count = 0;
    if (Status s = PartitionCount(rk_.get(), topic, 10000, &count); !s.ok()) throw std::runtime_error(s.message());
    for (int p = 0; p < count; ++p) {
      auto it = start_offsets.find({topic, p});
      partitions[{topic, p}] = it == start_offsets.end() ? RD_KAFKA_OFFSET_BEGINNING : it->second;
    }
  }
  Assign(partitions);
}

Reader::Reader(const Properties& props, const std::map<TopicPartition, std::int64_t>& partitions) {
  Open(props);
  Assign(partitions);
}

void Reader::Open(const Properties& props) {
  Properties all = {
      {"group.id", "meal-reader"},  // required by the client; nothing is committed
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"enable.partition.eof", "true"},
      {"auto.offset.reset", "earliest"},
  };
  for (const auto& [k, v] : props) all[k] = v;
  Status status;
  ConfPtr conf = MakeConf(all, &status);
  if (!status.ok()) throw std::runtime_error(status.message());
  char errstr[512];
  rk_.reset(rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), errstr, sizeof errstr));
  if (!rk_) throw std::runtime_error(std::string("kafka reader: ") + errstr);
  conf.release();
  rd_kafka_poll_set_consumer(rk_.get());
}

void Reader::Assign(const std::map<TopicPartition, std::int64_t>& partitions) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size()));
  for (const auto& [tp, offset] : partitions) {
    rd_kafka_topic_partition_list_add(list, tp.first.c_str(), tp.second)->offset = offset;
    at_eof_[tp] = false;
  }
  const rd_kafka_resp_err_t err = rd_kafka_assign(rk_.get(), list);
  rd_kafka_topic_partition_list_destroy(list);
  if (err) throw std::runtime_error("kafka reader assign: " + ErrorText(err));
}

Reader::~Reader() {
  if (rk_) rd_kafka_consumer_close(rk_.get());
}

std::size_t Reader::Poll(std::vector<Record>* out, std::size_t max, int timeout_ms) {
  std::size_t n = 0;
  int wait = timeout_ms;
  while (n < max) {
    rd_kafka_message_t* msg = rd_kafka_consumer_poll(rk_.get(), wait);
    if (!msg) break;
    wait = 0;  // after the first, take only what is already here
    const std::string topic = msg->rkt ? rd_kafka_topic_name(msg->rkt) : "";
    if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      at_eof_[{topic, msg->partition}] = true;
    } else if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      at_eof_[{topic, msg->partition}] = false;
      Record r;
      r.topic = topic;
      r.partition = msg->partition;
      r.offset = msg->offset;
      r.timestamp_ms = rd_kafka_message_timestamp(msg, nullptr);
      if (msg->key) r.key.assign(static_cast<const char*>(msg->key), msg->key_len);
      if (msg->payload) r.value.assign(static_cast<const char*>(msg->payload), msg->len);
      r.null_value = msg->payload == nullptr;
      rd_kafka_headers_t* headers = nullptr;
      if (rd_kafka_message_headers(msg, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* name = nullptr;
        const void* value = nullptr;
        std::size_t size = 0;
        for (std::size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
             ++i) {
          r.headers.emplace_back(name, value ? std::string(static_cast<const char*>(value), size) : std::string());
        }
      }
      out->push_back(std::move(r));
      ++n;
    }
    rd_kafka_message_destroy(msg);
  }
  return n;
}

bool Reader::AtEnd() const {
  for (const auto& [tp, eof] : at_eof_) {
    if (!eof) return false;
  }
  return true;
}

bool Reader::ReadToEnd(std::vector<Record>* out, int deadline_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(deadline_ms);
  while (!AtEnd()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    Poll(out, 10000, 100);
  }
  return true;
}

}  // namespace meal::kafka
