// Key layout of the state store. Every key starts with a one-letter family
// and a slash, so a family is one prefix scan:
//   a/<area>                 area record (stream time)
//   c/<courier>              courier and its route
//   d/<area>/<event id>      seen event ids (duplicate suppression)
//   e/<elder>                elder registry record
//   g/<standing order>       standing order with its suspensions
//   h/<elder>                the courier who last delivered to the elder
//   i/instance               the instance id the state's outputs are published under
//   k/<topic>/<partition>    next input offset to consume (8 bytes, big-endian)
//   l/<date>/<site>/<order>  subsidy ledger: one delivered order
//   n/<alert id>             an alert as raised, open or acknowledged (ids hold '/')
//   t/<site>/<batch>/<order> food-safety trace: an order of a kitchen batch
//   o/<order>                order with its timeline
//   r/<site>/<batch>         a recalled kitchen batch (its audit record)
//   s/<site>                 meal-site registry record
//   u/<time>/<command id>    audit trail of operator commands, oldest first
//   w/<case>                 wellness check
//   p/<area>                 the area's task: the input partition its events arrive on
//   x/<seq>                  outbox: an output not yet in a committed Kafka transaction
//   y/<seq>                  outbox held back: an earlier run's output of a task not yet
//                            known to be this instance's (service/outbox.h)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace meal::state {

inline constexpr std::string_view kAreaPrefix = "a/";
inline constexpr std::string_view kCourierPrefix = "c/";
inline constexpr std::string_view kDedupPrefix = "d/";
inline constexpr std::string_view kElderPrefix = "e/";
inline constexpr std::string_view kStandingPrefix = "g/";
inline constexpr std::string_view kLastCourierPrefix = "h/";
inline constexpr std::string_view kInstancePrefix = "i/";
inline constexpr std::string_view kInstanceKey = "i/instance";
inline constexpr std::string_view kOffsetPrefix = "k/";
inline constexpr std::string_view kLedgerPrefix = "l/";
inline constexpr std::string_view kAlertPrefix = "n/";
inline constexpr std::string_view kTracePrefix = "t/";
inline constexpr std::string_view kOrderPrefix = "o/";
inline constexpr std::string_view kRecallPrefix = "r/";
inline constexpr std::string_view kAuditPrefix = "u/";
inline constexpr std::string_view kWellnessPrefix = "w/";
inline constexpr std::string_view kSitePrefix = "s/";
inline constexpr std::string_view kOutboxPrefix = "x/";
inline constexpr std::string_view kHeldPrefix = "y/";
inline constexpr std::string_view kAreaTaskPrefix = "p/";

std::string AreaKey(std::string_view area_id);
std::string CourierKey(std::string_view courier_id);
std::string DedupKey(std::string_view area_id, std::string_view event_id);
std::string ElderKey(std::string_view elder_id);
std::string OffsetKey(std::string_view topic, std::int32_t partition);
std::string OrderKey(std::string_view order_id);
// A batch's trace entries as a scan prefix (`order_id` empty), or one order's.
std::string TraceKey(std::string_view site, std::string_view batch, std::string_view order_id = {});
// A day's ledger (`site` empty) or one site's day, as a scan prefix; with an
// order, that order's entry.
std::string LedgerKey(std::string_view date, std::string_view site = {}, std::string_view order_id = {});
std::string SiteKey(std::string_view site_id);
std::string StandingKey(std::string_view standing_id);
std::string LastCourierKey(std::string_view elder_id);
std::string AlertKey(std::string_view alert_id);
std::string RecallKey(std::string_view site_id, std::string_view batch_id);
// Big-endian time first, so the trail scans in time order.
std::string AuditKey(std::int64_t time_ms, std::string_view command_id);
std::string WellnessKey(std::string_view case_id);
// Big-endian so outbox keys sort in sequence order.
std::string OutboxKey(std::uint64_t seq);
std::string HeldKey(std::uint64_t seq);
std::string AreaTaskKey(std::string_view area_id);

std::string EncodeOffset(std::int64_t offset);
// Returns false iff `bytes` is not an encoded offset.
bool DecodeOffset(std::string_view bytes, std::int64_t* offset);
// Parses an OffsetKey; false iff it is not one.
bool DecodeOffsetKey(std::string_view key, std::string* topic, std::int32_t* partition);
// Parses an OutboxKey (or, with kHeldPrefix, a HeldKey); false iff it is not one.
bool DecodeOutboxKey(std::string_view key, std::uint64_t* seq, std::string_view prefix = kOutboxPrefix);

}  // namespace meal::state
