// librdkafka configuration built from key/value pairs, with errors that name
// the offending key.
#pragma once

#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>
#include <string>

#include "common/status.h"

namespace meal::kafka {

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;

struct HandleDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using HandlePtr = std::unique_ptr<rd_kafka_t, HandleDeleter>;

using Properties = std::map<std::string, std::string>;

// Builds a librdkafka configuration. On failure `error` says which key and why.
ConfPtr MakeConf(const Properties& props, Status* error);

// Text for a librdkafka error code, for logs and exceptions.
std::string ErrorText(rd_kafka_resp_err_t err);

}  // namespace meal::kafka
