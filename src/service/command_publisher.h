// Publishes operators' commands to the commands topic for the HTTP API.
// The API never changes state itself: a command is applied by the area's
// owner in log order, like any other input, so the log is the audit trail
// and a replay decides the same. Publish returns once the broker has the
// command (or has refused it), so a 202 means it will be applied.
//
// Thread-safe: HTTP handlers on several threads may publish at once.
#pragma once

#include <mutex>
#include <string>

#include "common/status.h"
#include "kafka/client_config.h"
#include "kafka/producer.h"
#include "model/entities.h"

namespace meal::service {

class CommandPublisher {
 public:
  // Throws std::runtime_error on bad producer properties.
  CommandPublisher(const kafka::Properties& props, std::string topic);

  // Produces `command` (key = its area) and waits up to `timeout_ms` for
  // the broker's acknowledgement.
  Status Publish(const Event& command, int timeout_ms = 10000);

  // Produces a tombstone (null value) for `key` to the compacted `topic`,
  // waiting likewise: a registry record deleted for good.
  Status PublishTombstone(const std::string& topic, const std::string& key, int timeout_ms = 10000);

 private:
  // Produces one record and waits for its acknowledgement. REQUIRES: mu_ held.
  Status ProduceAndWait(const std::string& topic, const std::string& key, std::string_view value,
                        std::int64_t timestamp_ms, int timeout_ms);

  std::mutex mu_;
  std::string topic_;
  rd_kafka_resp_err_t last_error_ = RD_KAFKA_RESP_ERR_NO_ERROR;
  bool delivered_ = false;
  kafka::Producer producer_;
};

}  // namespace meal::service
