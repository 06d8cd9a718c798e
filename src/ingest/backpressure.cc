#include "ingest/backpressure.h"

#include <cassert>

namespace meal::ingest {

Backpressure::Backpressure(std::size_t max_buffered, std::size_t headroom, WaitedOn waited_on, Metrics metrics)
    : max_buffered_(max_buffered),
      hard_limit_(max_buffered + headroom),
      waited_on_(std::move(waited_on)),
      metrics_(metrics) {
  assert(max_buffered_ >= 1);
  assert(metrics_.paused && metrics_.pauses && metrics_.buffered_peak);
}

bool Backpressure::Revoked(const Partition& p) {
  assigned_.erase(p);
  return paused_.erase(p) > 0;
}

Backpressure::Actions Backpressure::OnRecord(std::size_t buffered) {
  Actions actions;
  if (buffered > peak_) {
    peak_ = buffered;
    metrics_.buffered_peak->Set(static_cast<double>(peak_));
  }
  if (!engaged_ && buffered >= max_buffered_) {
    engaged_ = true;
    metrics_.paused->Set(1);
    metrics_.pauses->Inc();
    PauseAllButWaitedOn(&actions);
  } else if (engaged_ && buffered >= hard_limit_) {
    PauseAllButWaitedOn(&actions);
  }
  return actions;
}

void Backpressure::PauseAllButWaitedOn(Actions* actions) {
  for (const Partition& p : assigned_) {
    if (paused_.contains(p) || waited_on_(p)) continue;
    paused_.insert(p);
    actions->pause.push_back(p);
  }
}

Backpressure::Actions Backpressure::Update(std::size_t buffered) {
  Actions actions;
  if (!engaged_) return actions;
  const bool release = buffered * 2 < max_buffered_;
  for (auto it = paused_.begin(); it != paused_.end();) {
    if (release || waited_on_(*it)) {
      actions.resume.push_back(*it);
      it = paused_.erase(it);
    } else {
      ++it;
    }
  }
  if (release) {
    engaged_ = false;
    metrics_.paused->Set(0);
  }
  return actions;
}

}  // namespace meal::ingest
