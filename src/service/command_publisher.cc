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
  delivered_ = false;
  const std::string value = codec::EncodeCommand(command);
  if (rd_kafka_resp_err_t err = producer_.Produce(topic_, command.area_id, value, command.time_ms, 0);
      err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Io(std::string("cannot queue the command: ") + rd_kafka_err2str(err));
  }
  // One record in flight at a time (under the lock): its callback is ours.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!delivered_ && std::chrono::steady_clock::now() < deadline) producer_.Poll(50);
  if (!delivered_) return Status::Io("the broker did not acknowledge the command in time");
  if (last_error_ != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Io(std::string("the broker refused the command: ") + rd_kafka_err2str(last_error_));
  }
  return Status::Ok();
}

}  // namespace meal::service
