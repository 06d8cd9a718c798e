// The read-only subcommands: order, courier, offsets, verify.
#include <algorithm>
#include <ostream>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "admin/commands.h"
#include "admin/state_dir.h"
#include "admin/verify.h"
#include "codec/state_codec.h"
#include "service/record_json.h"
#include "state/keys.h"

namespace meal::admin {
namespace {

void PrintJson(const nlohmann::json& j, std::ostream& out) {
  // Ids come from producers' input: a stray byte must not abort the dump.
  out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace

int RunOrder(const std::string& state_dir, const std::string& order_id, std::ostream& out, std::ostream& err) {
  std::unique_ptr<state::RocksDbStore> store;
  if (Status s = OpenStateDir(state_dir, &store); !s.ok()) return Fail(err, s);
  std::string bytes;
  if (Status s = store->Get(state::OrderKey(order_id), &bytes); !s.ok()) {
    return Fail(err, s.code() == StatusCode::kNotFound ? Status::NotFound("no order " + order_id + " in " + state_dir)
                                                       : s);
  }
  Order order;
  if (Status s = codec::DecodeOrder(bytes, &order); !s.ok()) return Fail(err, s);
  PrintJson(service::OrderJson(order), out);
  return kExitOk;
}

int RunCourier(const std::string& state_dir, const std::string& courier_id, const dispatch::EngineOptions& options,
               std::ostream& out, std::ostream& err) {
  std::unique_ptr<state::RocksDbStore> store;
  if (Status s = OpenStateDir(state_dir, &store); !s.ok()) return Fail(err, s);
  nlohmann::json courier;
  if (Status s = service::CourierJson(*store, courier_id, options, {.door_locations = false}, &courier); !s.ok()) {
    return Fail(err, s);
  }
  PrintJson(courier, out);
  return kExitOk;
}

int RunOffsets(const std::string& state_dir, const std::optional<std::string>& topic, std::ostream& out,
               std::ostream& err) {
  std::unique_ptr<state::RocksDbStore> store;
  if (Status s = OpenStateDir(state_dir, &store); !s.ok()) return Fail(err, s);
  // Keys sort partition 10 before 2; the listing goes by number.
  std::vector<std::tuple<std::string, std::int32_t, std::int64_t>> rows;
  Status bad = Status::Ok();
  const std::string prefix = std::string(state::kOffsetPrefix) + (topic ? *topic + "/" : "");
  const Status scan = store->Scan(prefix, [&](std::string_view key, std::string_view value) {
    std::string t;
    std::int32_t partition = 0;
    std::int64_t offset = 0;
    if (!state::DecodeOffsetKey(key, &t, &partition) || !state::DecodeOffset(value, &offset)) {
      bad = Status::Internal("undecodable offset record " + std::string(key) + " (meal-admin verify lists all)");
      return false;
    }
    rows.emplace_back(std::move(t), partition, offset);
    return true;
  });
  if (!scan.ok()) return Fail(err, scan);
  if (!bad.ok()) return Fail(err, bad);
  std::sort(rows.begin(), rows.end());
  out << "topic\tpartition\tnext_offset\n";
  for (const auto& [t, partition, offset] : rows) out << t << "\t" << partition << "\t" << offset << "\n";
  return kExitOk;
}

int RunVerify(const std::string& state_dir, std::ostream& out, std::ostream& err) {
  std::unique_ptr<state::RocksDbStore> store;
  if (Status s = OpenStateDir(state_dir, &store); !s.ok()) return Fail(err, s);
  VerifyReport report;
  if (Status s = Verify(*store, &report); !s.ok()) return Fail(err, s);
  PrintReport(report, out);
  return report.problems.empty() ? kExitOk : kExitFailed;
}

}  // namespace meal::admin
