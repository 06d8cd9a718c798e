// bench-bare-consumer: the whole-system benchmark's floor, (a). librdkafka
// reads the service's input topics from their beginning in a consumer group
// of its own, with the service's fetch settings and poll cycle, and does
// nothing else with the records.
//
//   bench-bare-consumer --bootstrap 127.0.0.1:39092 --topics t1,t2,t3 --expect N
//                       [--json FILE] [--samples FILE.csv] [--timeout-s 600]
//
// Exit codes: 0 when `expect` records were read, 1 on bad flags or a client
// error, 3 on timeout.
#include <unistd.h>

#include <cstdio>
#include <stdexcept>

#include "common.h"

int main(int argc, char** argv) {
  namespace bench = meal::bench;
  bench::ReadFlags flags;
  CLI::App app{"bench-bare-consumer: reads topics with librdkafka and does nothing else"};
  bench::AddReadFlags(app, &flags);
  CLI11_PARSE(app, argc, argv);

  meal::kafka::HandlePtr consumer;
  try {
    consumer = bench::SubscribeFromStart(flags.bootstrap, "bench-bare-" + std::to_string(getpid()),
                                         bench::SplitList(flags.topics));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench-bare-consumer: %s\n", e.what());
    return 1;
  }
  const bench::ConsumeResult result =
      bench::ConsumeAll(consumer.get(), flags.expect, bench::kMaxBatch, flags.timeout_s, [](auto) {});
  rd_kafka_consumer_close(consumer.get());
  bench::Report("bare consumer", result, result.complete, flags);
  return result.complete ? 0 : 3;
}
