#include "sim/operator_desk.h"

#include <algorithm>
#include <utility>

#include "mealdispatch/v1/events.pb.h"
#include "common/random.h"

namespace meal::sim {
namespace {

namespace pb = ::mealdispatch::v1;

constexpr std::uint64_t kDelaySalt = 0x6465736B64656C61ull;

}  // namespace

OperatorDesk::OperatorDesk(DeskOptions options) : options_(std::move(options)) {}

bool OperatorDesk::OnAlert(const pb::Alert& alert) {
  if (alert.kind() != pb::WELLNESS_CHECK || alert.case_id().empty() || alert.header().area_id().empty()) return false;
  if (!seen_cases_.insert(alert.case_id()).second) return false;
  const auto minutes =
      static_cast<std::uint64_t>(std::max<DurationMs>((options_.max_delay_ms - options_.min_delay_ms) / kMinuteMs + 1, 1));
  const DurationMs delay =
      options_.min_delay_ms +
      static_cast<DurationMs>(HashId(options_.seed ^ kDelaySalt, alert.case_id()) % minutes) * kMinuteMs;
  due_.emplace(std::make_pair(alert.header().event_time_ms() + delay, alert.case_id()), alert.header().area_id());
  return true;
}

std::vector<SimRecord> OperatorDesk::Advance(EventTimeMs now_ms) {
  std::vector<SimRecord> out;
  now_ms = std::max(now_ms, clock_ms_);
  while (!due_.empty() && due_.begin()->first.first <= now_ms) {
    auto node = due_.extract(due_.begin());
    const std::string& case_id = node.key().second;
    const EventTimeMs t = std::max(node.key().first, clock_ms_);
    pb::CommandEvent e;
    e.mutable_header()->set_event_id("ev-s" + std::to_string(options_.seed) + "-o-" + std::to_string(++event_seq_));
    e.mutable_header()->set_area_id(node.mapped());
    e.mutable_header()->set_event_time_ms(t);
    e.set_actor(options_.actor);
    e.set_reason("reached the elder by phone");
    pb::AcknowledgeWellness* a = e.mutable_acknowledge_wellness();
    a->set_case_id(case_id);
    a->set_outcome(pb::ELDER_SAFE);
    a->set_note("elder safe at home, had not heard the door");
    out.push_back({options_.topics.commands, node.mapped(), e.SerializeAsString(), t});
    ++acknowledged_;
  }
  clock_ms_ = now_ms;
  return out;
}

EventTimeMs OperatorDesk::NextDueMs() const {
  return due_.empty() ? std::numeric_limits<EventTimeMs>::max() : due_.begin()->first.first;
}

}  // namespace meal::sim
