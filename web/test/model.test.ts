import assert from 'node:assert/strict';
import { test } from 'node:test';

import { DashboardModel } from '../src/dashboard/model';
import { parsePrometheus, Scrape } from '../src/dashboard/prometheus';

// /metrics text with the given counters.
function metrics(v: { orders: number; couriers: number; dlq: number; lag0: number; lag1: number; fast: number; slow: number; onTime: number; late: number; open: number }): string {
  return `meal_events_total{topic="meal.orders"} ${v.orders}
meal_events_total{topic="meal.couriers"} ${v.couriers}
meal_dead_letters_total{topic="meal.orders"} ${v.dlq}
meal_consumer_lag{topic="meal.orders",partition="0"} ${v.lag0}
meal_consumer_lag{topic="meal.couriers",partition="0"} 1
meal_consumer_lag{topic="meal.orders",partition="1"} ${v.lag1}
meal_decision_latency_seconds_bucket{le="0.01"} ${v.fast}
meal_decision_latency_seconds_bucket{le="0.1"} ${v.fast + v.slow}
meal_decision_latency_seconds_bucket{le="+Inf"} ${v.fast + v.slow}
meal_deliveries_total{on_time="true"} ${v.onTime}
meal_deliveries_total{on_time="false"} ${v.late}
meal_alerts_open{kind="WELLNESS_CHECK"} ${v.open}
meal_alerts_open{kind="LATE_RISK"} 2
`;
}

test('rates, lag, quantiles, on-time rate and open alerts from successive scrapes', () => {
  const m = new DashboardModel();
  const base = { orders: 100, couriers: 50, dlq: 0, lag0: 5, lag1: -1, fast: 0, slow: 0, onTime: 0, late: 0, open: 1 };
  m.add(new Scrape(0, parsePrometheus(metrics(base))));
  assert.equal(m.latest.eventsPerS, null);  // one scrape: no rate yet
  assert.deepEqual(m.lag.values.get('0'), [6]);
  assert.equal(m.lag.values.has('1'), false);  // -1: not known yet
  assert.equal(m.latest.openAlerts, 3);

  m.add(new Scrape(2000, parsePrometheus(metrics({ ...base, orders: 140, couriers: 60, dlq: 2, lag1: 7, fast: 99, slow: 1, onTime: 9, late: 1 }))));
  assert.deepEqual(m.events.values.get('meal.orders'), [null, 20]);
  assert.deepEqual(m.events.values.get('meal.couriers'), [null, 5]);
  assert.equal(m.latest.eventsPerS, 25);
  assert.equal(m.latest.deadLettersPerS, 1);
  assert.deepEqual(m.lag.values.get('1'), [null, 7]);
  assert.equal(m.latest.maxLag, 7);
  // 100 decisions, 99 under 10 ms: p50 in the first bucket, p99 at its top.
  assert.ok(m.latest.p50! > 0 && m.latest.p50! <= 0.01);
  assert.ok(Math.abs(m.latest.p99! - 0.01) < 1e-9);
  assert.equal(m.latest.onTime, 0.9);
  assert.deepEqual(m.onTime.values.get('rate'), [null, 0.9]);
  assert.deepEqual(m.times, [0, 2]);

  // Nothing decided since: the latency window still holds the earlier observations.
  m.add(new Scrape(4000, parsePrometheus(metrics({ ...base, orders: 140, couriers: 60, dlq: 2, lag1: 0, fast: 99, slow: 1, onTime: 9, late: 1 }))));
  assert.equal(m.latest.eventsPerS, 0);
  assert.ok(m.latest.p99 !== null);
});

test('keeps a bounded number of points', () => {
  const m = new DashboardModel();
  const base = { orders: 0, couriers: 0, dlq: 0, lag0: 0, lag1: 0, fast: 0, slow: 0, onTime: 0, late: 0, open: 0 };
  for (let i = 0; i < 320; ++i) m.add(new Scrape(i * 2000, parsePrometheus(metrics({ ...base, orders: i }))));
  assert.equal(m.times.length, 300);
  assert.equal(m.events.values.get('meal.orders')!.length, 300);
  assert.equal(m.latest.eventsPerS, 0.5);
});
