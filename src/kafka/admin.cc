#include "kafka/admin.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <thread>

namespace meal::kafka {
namespace {

struct QueueDeleter {
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
};
struct EventDeleter {
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
};

// A client handle of `type`. A bad property is the returned status; a
// handle librdkafka refuses leaves `*rk` empty with its reason in `why`.
Status NewHandle(const Properties& props, rd_kafka_type_t type, HandlePtr* rk, std::string* why) {
  Status status;
  ConfPtr conf = MakeConf(props, &status);
  if (!status.ok()) return status;
  char errstr[512];
  rk->reset(rd_kafka_new(type, conf.get(), errstr, sizeof errstr));
  if (!*rk) {
    *why = errstr;
    return Status::Ok();
  }
  conf.release();  // owned by the handle now
  return Status::Ok();
}

// A consumer handle for one request; no group membership.
Status OpenConsumer(const Properties& props, HandlePtr* rk) {
  std::string why;
  if (Status s = NewHandle(props, RD_KAFKA_CONSUMER, rk, &why); !s.ok()) return s;
  if (!*rk) return Status::Io("kafka consumer: " + why);
  return Status::Ok();
}

}  // namespace

Status CommittedOffset(const Properties& props, const std::string& group, const std::string& topic,
                       std::int32_t partition, int timeout_ms, std::optional<std::int64_t>* offset) {
  Properties all = props;
  all["group.id"] = group;
  all["isolation.level"] = "read_committed";  // asks the broker for stable offsets only
  HandlePtr rk;
  Status status = OpenConsumer(all, &rk);
  if (!status.ok()) return status;
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, topic.c_str(), partition);
  const rd_kafka_resp_err_t err = rd_kafka_committed(rk.get(), list, timeout_ms);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR && list->elems[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const std::int64_t committed = list->elems[0].offset;
    *offset = committed >= 0 ? std::optional<std::int64_t>(committed) : std::nullopt;
  } else {
    status = Status::Io("committed offset of group " + group + ": " +
                        ErrorText(err ? err : list->elems[0].err));
  }
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_consumer_close(rk.get());
  return status;
}

Status Watermarks(const Properties& props, const std::string& topic, std::int32_t partition, int timeout_ms,
                  std::int64_t* low, std::int64_t* high) {
  HandlePtr rk;
  if (Status s = OpenConsumer(props, &rk); !s.ok()) return s;
  const rd_kafka_resp_err_t err =
      rd_kafka_query_watermark_offsets(rk.get(), topic.c_str(), partition, low, high, timeout_ms);
  if (err) return Status::Io("watermarks of " + topic + "[" + std::to_string(partition) + "]: " + ErrorText(err));
  return Status::Ok();
}

Status PartitionCount(rd_kafka_t* rk, const std::string& topic, int timeout_ms, int* count) {
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, timeout_ms);
  rd_kafka_topic_destroy(rkt);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return Status::Io("metadata for " + topic + ": " + ErrorText(err));
  Status status = Status::NotFound("topic " + topic + " does not exist");
  if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    *count = md->topics[0].partition_cnt;
    status = Status::Ok();
  }
  rd_kafka_metadata_destroy(md);
  return status;
}

Status OpenAdminClient(const Properties& props, HandlePtr* rk) {
  std::string why;
  if (Status s = NewHandle(props, RD_KAFKA_PRODUCER, rk, &why); !s.ok()) return s;
  if (!*rk) return Status::Invalid("kafka admin client: " + why);
  return Status::Ok();
}

Status DescribeGroup(rd_kafka_t* rk, const std::string& group, const std::string& topic, int timeout_ms,
                     std::vector<GroupMember>* members) {
  members->clear();
  std::unique_ptr<rd_kafka_queue_t, QueueDeleter> queue(rd_kafka_queue_new(rk));
  rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS);
  char errstr[512];
  rd_kafka_AdminOptions_set_request_timeout(options, timeout_ms, errstr, sizeof errstr);
  const char* groups[] = {group.c_str()};
  rd_kafka_DescribeConsumerGroups(rk, groups, 1, options, queue.get());
  rd_kafka_AdminOptions_destroy(options);

  std::unique_ptr<rd_kafka_event_t, EventDeleter> event(rd_kafka_queue_poll(queue.get(), timeout_ms + 1000));
  if (!event) return Status::Io("timed out describing group " + group);
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Io("describing group " + group + ": " + rd_kafka_event_error_string(event.get()));
  }
  size_t n = 0;
  const rd_kafka_ConsumerGroupDescription_t** descriptions =
      rd_kafka_DescribeConsumerGroups_result_groups(rd_kafka_event_DescribeConsumerGroups_result(event.get()), &n);
  if (n != 1) return Status::Io("describing group " + group + ": no description returned");
  if (const rd_kafka_error_t* error = rd_kafka_ConsumerGroupDescription_error(descriptions[0])) {
    return Status::Io("describing group " + group + ": " + rd_kafka_error_string(error));
  }
  for (size_t i = 0; i < rd_kafka_ConsumerGroupDescription_member_count(descriptions[0]); ++i) {
    const rd_kafka_MemberDescription_t* m = rd_kafka_ConsumerGroupDescription_member(descriptions[0], i);
    GroupMember member;
    const char* instance_id = rd_kafka_MemberDescription_group_instance_id(m);
    member.instance_id = instance_id ? instance_id : "";
    member.client_id = rd_kafka_MemberDescription_client_id(m);
    const rd_kafka_topic_partition_list_t* assigned =
        rd_kafka_MemberAssignment_partitions(rd_kafka_MemberDescription_assignment(m));
    for (int k = 0; assigned && k < assigned->cnt; ++k) {
      if (topic == assigned->elems[k].topic) member.partitions.push_back(assigned->elems[k].partition);
    }
    std::sort(member.partitions.begin(), member.partitions.end());
    members->push_back(std::move(member));
  }
  return Status::Ok();
}

Status EnsureTopics(const Properties& props, const std::vector<TopicSpec>& topics,
                    int timeout_ms) {
  HandlePtr rk;
  if (Status s = OpenAdminClient(props, &rk); !s.ok()) return s;
  char errstr[512];

  std::vector<rd_kafka_NewTopic_t*> new_topics;
  for (const TopicSpec& spec : topics) {
    rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(spec.name.c_str(), spec.partitions,
                                                    spec.replication_factor, errstr, sizeof errstr);
    if (!nt) return Status::Invalid("topic " + spec.name + ": " + errstr);
    if (spec.compacted) rd_kafka_NewTopic_set_config(nt, "cleanup.policy", "compact");
    for (const auto& [name, value] : spec.configs) rd_kafka_NewTopic_set_config(nt, name.c_str(), value.c_str());
    // Record timestamps are event times chosen by producers (a simulated day,
    // a replay, a phone with a skewed clock); Kafka 4 rejects those more than
    // an hour ahead of the broker's clock unless told otherwise.
    rd_kafka_NewTopic_set_config(nt, "message.timestamp.after.max.ms", "9223372036854775807");
    new_topics.push_back(nt);
  }
  std::unique_ptr<rd_kafka_queue_t, QueueDeleter> queue(rd_kafka_queue_new(rk.get()));
  rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(rk.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_operation_timeout(options, timeout_ms, errstr, sizeof errstr);
  rd_kafka_CreateTopics(rk.get(), new_topics.data(), new_topics.size(), options, queue.get());
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_NewTopic_destroy_array(new_topics.data(), new_topics.size());

  std::unique_ptr<rd_kafka_event_t, EventDeleter> event(rd_kafka_queue_poll(queue.get(), timeout_ms + 2000));
  if (!event) return Status::Io("timed out creating topics");
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Io(std::string("creating topics: ") + rd_kafka_event_error_string(event.get()));
  }
  size_t n = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event.get()), &n);
  for (size_t i = 0; i < n; ++i) {
    const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      return Status::Io(std::string("topic ") + rd_kafka_topic_result_name(results[i]) + ": " +
                        ErrorText(err));
    }
  }
  // A just-created topic reaches the brokers' metadata a little later.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (const TopicSpec& spec : topics) {
    int count = 0;
    Status s = PartitionCount(rk.get(), spec.name, timeout_ms, &count);
    while (s.code() == StatusCode::kNotFound && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      s = PartitionCount(rk.get(), spec.name, timeout_ms, &count);
    }
    if (!s.ok()) return s;
    if (count != spec.partitions) {
      return Status::Precondition("topic " + spec.name + " has " + std::to_string(count) +
                                  " partitions, configured " + std::to_string(spec.partitions));
    }
  }
  return Status::Ok();
}

}  // namespace meal::kafka
