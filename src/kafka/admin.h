// Topic administration through librdkafka's Admin API, a consumer group's
// committed offsets and its members.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "kafka/client_config.h"

namespace meal::kafka {

struct TopicSpec {
  std::string name;
  int partitions = 4;
  int replication_factor = 1;
  bool compacted = false;
  std::vector<std::pair<std::string, std::string>> configs;  // further topic configs, set at creation
};

// Creates the topics that do not exist yet and checks that existing ones
// have the expected partition count (area-scoped topics must agree, or one
// area would land in different partitions per topic). Blocks up to timeout_ms.
Status EnsureTopics(const Properties& props, const std::vector<TopicSpec>& topics,
                    int timeout_ms);

// The first offset and the end (high watermark) of a partition.
Status Watermarks(const Properties& props, const std::string& topic, std::int32_t partition, int timeout_ms,
                  std::int64_t* low, std::int64_t* high);

// Number of partitions of `topic`, or a status when it does not exist.
Status PartitionCount(rd_kafka_t* rk, const std::string& topic, int timeout_ms, int* count);

// The offset `group` has committed for (topic, partition), waiting for any
// transaction still committing it (read_committed); nullopt when the group
// has committed none there.
Status CommittedOffset(const Properties& props, const std::string& group, const std::string& topic,
                       std::int32_t partition, int timeout_ms, std::optional<std::int64_t>* offset);

// A client handle for admin requests (DescribeGroup, PartitionCount), to be
// kept and reused: each handle holds its own broker connections.
Status OpenAdminClient(const Properties& props, HandlePtr* rk);

// One member of a consumer group, as the group coordinator knows it.
struct GroupMember {
  std::string instance_id;  // group.instance.id; empty for a dynamic member
  std::string client_id;    // the member's client.id, as it joined
  std::vector<std::int32_t> partitions;  // assigned partitions of the topic asked about, ascending
};

// The members of consumer group `group`, with the partitions of `topic` each
// is assigned (none while the group rebalances). A group that does not
// exist, or has no members, gives an empty list. Blocks up to timeout_ms.
// Thread-safe: librdkafka handles may be shared between threads.
Status DescribeGroup(rd_kafka_t* rk, const std::string& group, const std::string& topic, int timeout_ms,
                     std::vector<GroupMember>* members);

}  // namespace meal::kafka
