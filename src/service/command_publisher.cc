#include "service/command_publisher.h"

#include <chrono>

#include "codec/encode.h"

namespace meal::service {

CommandPublisher::CommandPublisher(const kafka::Properties& props, std::string topic)
    : topic_(std::move(topic)), producer_(props, [this](std::uint64_t, rd_kafka_resp_err_t err) {
        last_error_ = err;
        delivered_ = true;
      }) {}

Status CommandPublisher::Publish(const Event& command, int timeout_ms) {
  std::lock_guard lock(mu_);
  return ProduceAndWait(topic_, command.area_id, codec::EncodeCommand(command), command.time_ms, timeout_ms);
}

Status CommandPublisher::PublishTombstone(const std::string& topic, const std::string& key, int timeout_ms) {
  std::lock_guard lock(mu_);
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  return ProduceAndWait(topic, key, std::string_view{}, now, timeout_ms);
}

Status CommandPublisher::ProduceAndWait(const std::string& topic, const std::string& key, std::string_view value,
                                        std::int64_t timestamp_ms, int timeout_ms) {
  delivered_ = false;
  if (rd_kafka_resp_err_t err = producer_.Produce(topic, key, value, timestamp_ms, 0);
      err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Io(std::string("cannot queue the record: ") + rd_kafka_err2str(err));
  }
  // One record in flight at a time (under the lock): its callback is ours.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!delivered_ && std::chrono::steady_clock::now() < deadline) producer_.Poll(50);
  if (!delivered_) return Status::Io("the broker did not acknowledge " + topic + " in time");
  if (last_error_ != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Io("the broker refused the record for " + topic + ": " + rd_kafka_err2str(last_error_));
  }
  return Status::Ok();
}

}  // namespace meal::service
