#include "state/keys.h"

#include <charconv>

namespace meal::state {
namespace {

std::string Join(std::string_view prefix, std::string_view a) {
  std::string out;
  out.reserve(prefix.size() + a.size());
  out.append(prefix).append(a);
  return out;
}

void AppendBigEndian(std::string* out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>((v >> shift) & 0xff));
}

std::uint64_t ReadBigEndian(std::string_view bytes) {
  std::uint64_t v = 0;
  for (unsigned char c : bytes) v = (v << 8) | c;
  return v;
}

}  // namespace

std::string AreaKey(std::string_view area_id) { return Join(kAreaPrefix, area_id); }
std::string CourierKey(std::string_view courier_id) { return Join(kCourierPrefix, courier_id); }
std::string DedupKey(std::string_view area_id, std::string_view event_id) {
  std::string out = Join(kDedupPrefix, area_id);
  out.push_back('/');
  out.append(event_id);
  return out;
}
std::string ElderKey(std::string_view elder_id) { return Join(kElderPrefix, elder_id); }
std::string OffsetKey(std::string_view topic, std::int32_t partition) {
  std::string out = Join(kOffsetPrefix, topic);
  out.push_back('/');
  out.append(std::to_string(partition));
  return out;
}
std::string OrderKey(std::string_view order_id) { return Join(kOrderPrefix, order_id); }
std::string TraceKey(std::string_view site, std::string_view batch, std::string_view order_id) {
  std::string out = Join(kTracePrefix, site);
  out.push_back('/');
  out.append(batch).push_back('/');
  out.append(order_id);
  return out;
}
std::string LedgerKey(std::string_view date, std::string_view site, std::string_view order_id) {
  std::string out = Join(kLedgerPrefix, date);
  out.push_back('/');
  if (site.empty()) return out;
  out.append(site).push_back('/');
  out.append(order_id);
  return out;
}
std::string SiteKey(std::string_view site_id) { return Join(kSitePrefix, site_id); }
std::string StandingKey(std::string_view standing_id) { return Join(kStandingPrefix, standing_id); }
std::string LastCourierKey(std::string_view elder_id) { return Join(kLastCourierPrefix, elder_id); }
std::string AlertKey(std::string_view alert_id) { return Join(kAlertPrefix, alert_id); }
std::string RecallKey(std::string_view site_id, std::string_view batch_id) {
  std::string out = Join(kRecallPrefix, site_id);
  out.push_back('/');
  out.append(batch_id);
  return out;
}
std::string AuditKey(std::int64_t time_ms, std::string_view command_id) {
  std::string out(kAuditPrefix);
  AppendBigEndian(&out, static_cast<std::uint64_t>(time_ms));
  out.push_back('/');
  out.append(command_id);
  return out;
}
std::string WellnessKey(std::string_view case_id) { return Join(kWellnessPrefix, case_id); }
std::string OutboxKey(std::uint64_t seq) {
  std::string out(kOutboxPrefix);
  AppendBigEndian(&out, seq);
  return out;
}
std::string HeldKey(std::uint64_t seq) {
  std::string out(kHeldPrefix);
  AppendBigEndian(&out, seq);
  return out;
}
std::string AreaTaskKey(std::string_view area_id) { return Join(kAreaTaskPrefix, area_id); }

std::string EncodeOffset(std::int64_t offset) {
  std::string out;
  AppendBigEndian(&out, static_cast<std::uint64_t>(offset));
  return out;
}

bool DecodeOffset(std::string_view bytes, std::int64_t* offset) {
  if (bytes.size() != 8) return false;
  *offset = static_cast<std::int64_t>(ReadBigEndian(bytes));
  return true;
}

bool DecodeOffsetKey(std::string_view key, std::string* topic, std::int32_t* partition) {
  if (!key.starts_with(kOffsetPrefix)) return false;
  key.remove_prefix(kOffsetPrefix.size());
  const std::size_t slash = key.rfind('/');
  if (slash == 0 || slash == std::string_view::npos) return false;
  const char* end = key.data() + key.size();
  const auto [parsed_to, error] = std::from_chars(key.data() + slash + 1, end, *partition);
  if (error != std::errc() || parsed_to != end || slash + 1 == key.size() || *partition < 0) return false;
  topic->assign(key.substr(0, slash));
  return true;
}

bool DecodeOutboxKey(std::string_view key, std::uint64_t* seq, std::string_view prefix) {
  if (!key.starts_with(prefix) || key.size() != prefix.size() + 8) return false;
  *seq = ReadBigEndian(key.substr(prefix.size()));
  return true;
}

}  // namespace meal::state
