// Domain outputs -> wire bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model/entities.h"

namespace meal::codec {

std::string EncodeAssignment(const Assignment& assignment);
std::string EncodeAlert(const Alert& alert);
// An operator command (RecallBatch, AcknowledgeWellness, EraseElder,
// ReassignOrder, UnassignOrder, HoldOrder, ReleaseOrder, AcknowledgeAlert or
// Tick in `event.body`) as a meal.commands record.
std::string EncodeCommand(const Event& event);

struct DeadLetterInfo {
  std::string_view topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::string_view key;
  std::string_view value;
  std::string_view reason;
  std::int64_t record_timestamp_ms = 0;
};
std::string EncodeDeadLetter(const DeadLetterInfo& info);

}  // namespace meal::codec
