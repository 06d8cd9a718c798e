#include "kafka/client_config.h"

namespace meal::kafka {

ConfPtr MakeConf(const Properties& props, Status* error) {
  ConfPtr conf(rd_kafka_conf_new());
  char errstr[512];
  for (const auto& [key, value] : props) {
    if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), errstr, sizeof errstr) !=
        RD_KAFKA_CONF_OK) {
      *error = Status::Invalid("kafka property '" + key + "': " + errstr);
      return nullptr;
    }
  }
  *error = Status::Ok();
  return conf;
}

std::string ErrorText(rd_kafka_resp_err_t err) { return rd_kafka_err2str(err); }

}  // namespace meal::kafka
