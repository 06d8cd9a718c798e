import assert from 'node:assert/strict';
import { test } from 'node:test';

import { bucketIncrease, counterRate, histogramQuantile, parsePrometheus, Scrape } from '../src/dashboard/prometheus';

const TEXT = `# HELP meal_events_total Input records read, per topic
# TYPE meal_events_total counter
meal_events_total{topic="meal.orders"} 120
meal_events_total{topic="meal.couriers"} 30
# TYPE meal_ready gauge
meal_ready 1
meal_odd{path="C:\\\\dir",quote="say \\"hi\\"",nl="a\\nb"} 2.5e3 1700000000000
meal_lat_bucket{le="0.1"} 4
meal_lat_bucket{le="0.2"} 8
meal_lat_bucket{le="+Inf"} 10
meal_gauge_nan NaN
not a metric line {
`;

test('parses names, labels with escapes, values and skips comments', () => {
  const samples = parsePrometheus(TEXT);
  assert.equal(samples.length, 8);
  assert.deepEqual(samples[0], { name: 'meal_events_total', labels: { topic: 'meal.orders' }, value: 120 });
  assert.deepEqual(samples[2], { name: 'meal_ready', labels: {}, value: 1 });
  const odd = samples.find((s) => s.name === 'meal_odd')!;
  assert.deepEqual(odd.labels, { path: 'C:\\dir', quote: 'say "hi"', nl: 'a\nb' });
  assert.equal(odd.value, 2500);
  assert.ok(Number.isNaN(samples.find((s) => s.name === 'meal_gauge_nan')!.value));
});

test('a scrape sums, groups and reads histogram buckets', () => {
  const scrape = new Scrape(0, parsePrometheus(TEXT));
  assert.equal(scrape.sum('meal_events_total'), 150);
  assert.equal(scrape.sum('meal_events_total', { topic: 'meal.couriers' }), 30);
  assert.deepEqual([...scrape.sumBy('meal_events_total', 'topic')], [['meal.orders', 120], ['meal.couriers', 30]]);
  assert.deepEqual(scrape.buckets('meal_lat'), [
    { le: 0.1, count: 4 },
    { le: 0.2, count: 8 },
    { le: Infinity, count: 10 },
  ]);
  assert.equal(scrape.sum('meal_absent'), 0);
});

test('counter rates survive a reset', () => {
  assert.equal(counterRate(100, 160, 2), 30);
  assert.equal(counterRate(100, 6, 2), 3);  // restarted: 6 since
  assert.equal(counterRate(1, 2, 0), 0);
});

test('histogram quantiles interpolate as histogram_quantile does', () => {
  const b = [
    { le: 0.1, count: 4 },
    { le: 0.2, count: 8 },
    { le: Infinity, count: 10 },
  ];
  // rank 5 of 10: second bucket, 1 of its 4 observations in -> 0.1 + 0.1 * 1/4.
  assert.ok(Math.abs(histogramQuantile(0.5, b) - 0.125) < 1e-12);
  // rank 2: first bucket, from 0.
  assert.ok(Math.abs(histogramQuantile(0.2, b) - 0.05) < 1e-12);
  // rank 9.9 falls in +Inf: the highest finite bound.
  assert.equal(histogramQuantile(0.99, b), 0.2);
  assert.ok(Number.isNaN(histogramQuantile(0.5, [{ le: 0.1, count: 0 }, { le: Infinity, count: 0 }])));
  assert.ok(Number.isNaN(histogramQuantile(0.5, [])));
});

test('bucket increases between scrapes, and after a reset', () => {
  const before = [
    { le: 1, count: 2 },
    { le: Infinity, count: 3 },
  ];
  const after = [
    { le: 1, count: 5 },
    { le: Infinity, count: 7 },
  ];
  assert.deepEqual(bucketIncrease(before, after), [
    { le: 1, count: 3 },
    { le: Infinity, count: 4 },
  ]);
  assert.deepEqual(bucketIncrease(after, before), before);
});
