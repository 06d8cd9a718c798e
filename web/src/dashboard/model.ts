// The dashboard's numbers, from successive scrapes of /metrics: each scrape
// adds one point to every chart. Pure (no DOM), so it is unit-tested.

import { Bucket, bucketIncrease, counterRate, histogramQuantile, Scrape } from './prometheus';

// Points kept per chart: 10 minutes at one scrape every 2 s.
export const MAX_POINTS = 300;
// Quantiles are taken over the observations of about this long, so that a
// quiet interval between two scrapes does not blank the chart.
export const LATENCY_WINDOW_MS = 30_000;
// The on-time chart, and the latency tile, cover about this long.
export const SUMMARY_WINDOW_MS = 5 * 60_000;

export const METRICS = {
  events: 'meal_events_total',
  lag: 'meal_consumer_lag',
  latency: 'meal_decision_latency_seconds',
  deadLetters: 'meal_dead_letters_total',
  deliveries: 'meal_deliveries_total',  // label on_time="true"|"false"
  openAlerts: 'meal_alerts_open',  // gauge, label kind
} as const;

// Named series aligned with `times`: a series that appears later is null
// before it appeared.
export class SeriesSet {
  readonly values = new Map<string, (number | null)[]>();

  push(length: number, point: Map<string, number | null>): void {
    for (const [name, v] of point) {
      if (!this.values.has(name)) this.values.set(name, new Array<number | null>(length - 1).fill(null));
      this.values.get(name)!.push(v);
    }
    for (const [name, list] of this.values) if (!point.has(name)) list.push(null);
  }

  trim(drop: number): void {
    for (const list of this.values.values()) list.splice(0, drop);
  }

  names(): string[] {
    return [...this.values.keys()].sort();
  }
}

export interface Latest {
  eventsPerS: number | null;
  maxLag: number | null;
  p50: number | null;  // over the last SUMMARY_WINDOW_MS
  p99: number | null;
  onTime: number | null;  // 0..1, all deliveries counted since the service started
  onTimeDeliveries: number;
  deadLettersPerS: number | null;
  openAlerts: number | null;
}

export class DashboardModel {
  readonly times: number[] = [];  // seconds since the epoch (uPlot's x)
  readonly events = new SeriesSet();  // per topic
  readonly lag = new SeriesSet();  // per partition (all topics)
  readonly latency = new SeriesSet();  // p50, p99
  readonly onTime = new SeriesSet();  // rate
  readonly deadLetters = new SeriesSet();  // per topic
  readonly openAlerts = new SeriesSet();  // per kind, and total
  latest: Latest = {
    eventsPerS: null,
    maxLag: null,
    p50: null,
    p99: null,
    onTime: null,
    onTimeDeliveries: 0,
    deadLettersPerS: null,
    openAlerts: null,
  };
  private history: Scrape[] = [];

  add(scrape: Scrape): void {
    const prev = this.history[this.history.length - 1];
    this.times.push(scrape.timeMs / 1000);
    const n = this.times.length;
    const dt = prev ? (scrape.timeMs - prev.timeMs) / 1000 : 0;

    // Events per second, per topic (none for the first scrape).
    const events = ratesByTopic(METRICS.events, prev, scrape, dt);
    this.events.push(n, events.perTopic);

    // Consumer lag per partition, summed over topics; -1 (not known yet) left out.
    const lag = new Map<string, number | null>();
    let maxLag: number | null = null;
    for (const s of scrape.samples(METRICS.lag)) {
      if (!(s.value >= 0)) continue;
      const p = s.labels.partition ?? '';
      lag.set(p, (lag.get(p) ?? 0) + s.value);
    }
    for (const v of lag.values()) maxLag = Math.max(maxLag ?? 0, v ?? 0);
    this.lag.push(n, lag);

    // Decision latency over the last LATENCY_WINDOW_MS.
    const base = this.scrapeBefore(scrape.timeMs - LATENCY_WINDOW_MS);
    let p50: number | null = null;
    let p99: number | null = null;
    if (base) {
      const window = bucketIncrease(base.buckets(METRICS.latency), scrape.buckets(METRICS.latency));
      p50 = finite(histogramQuantile(0.5, window));
      p99 = finite(histogramQuantile(0.99, window));
    }
    this.latency.push(n, new Map([['p50', p50], ['p99', p99]]));
    const summaryBase = this.scrapeBefore(scrape.timeMs - SUMMARY_WINDOW_MS);
    const summaryLatency = summaryBase
      ? bucketIncrease(summaryBase.buckets(METRICS.latency), scrape.buckets(METRICS.latency))
      : [];

    // On-time rate of the deliveries in the last SUMMARY_WINDOW_MS.
    const onTimeBase = summaryBase;
    const nowCounts = deliveries(scrape);
    let windowRate: number | null = null;
    if (onTimeBase) {
      const thenCounts = deliveries(onTimeBase);
      const reset = nowCounts.total < thenCounts.total;
      const total = reset ? nowCounts.total : nowCounts.total - thenCounts.total;
      const onTime = reset ? nowCounts.onTime : nowCounts.onTime - thenCounts.onTime;
      windowRate = total > 0 ? onTime / total : null;
    }
    this.onTime.push(n, new Map([['rate', windowRate]]));

    // Dead letters per second, per input topic.
    const dlq = ratesByTopic(METRICS.deadLetters, prev, scrape, dt);
    this.deadLetters.push(n, dlq.perTopic);

    // Open alerts, per kind.
    const alerts = new Map<string, number | null>();
    let openTotal: number | null = null;
    if (scrape.has(METRICS.openAlerts)) {
      openTotal = 0;
      for (const [kind, v] of scrape.sumBy(METRICS.openAlerts, 'kind')) {
        alerts.set(kind || 'total', v);
        openTotal += v;
      }
    }
    this.openAlerts.push(n, alerts);

    this.latest = {
      eventsPerS: events.total,
      maxLag,
      p50: finite(histogramQuantile(0.5, summaryLatency)),
      p99: finite(histogramQuantile(0.99, summaryLatency)),
      onTime: nowCounts.total > 0 ? nowCounts.onTime / nowCounts.total : null,
      onTimeDeliveries: nowCounts.total,
      deadLettersPerS: dlq.total,
      openAlerts: openTotal,
    };

    // Keep what the windows need, and MAX_POINTS points.
    this.history.push(scrape);
    const oldest = scrape.timeMs - Math.max(LATENCY_WINDOW_MS, SUMMARY_WINDOW_MS) - 60_000;
    while (this.history.length > 2 && this.history[1].timeMs <= oldest) this.history.shift();
    if (this.times.length > MAX_POINTS) {
      const drop = this.times.length - MAX_POINTS;
      this.times.splice(0, drop);
      for (const set of [this.events, this.lag, this.latency, this.onTime, this.deadLetters, this.openAlerts]) set.trim(drop);
    }
  }

  // The latest kept scrape taken at or before `timeMs`, else the oldest one
  // kept (a window shorter than asked while the page is young).
  private scrapeBefore(timeMs: number): Scrape | undefined {
    let found: Scrape | undefined;
    for (const s of this.history) {
      if (s.timeMs <= timeMs) found = s;
      else break;
    }
    return found ?? this.history[0];
  }
}

// Per-second rates of counter `name` per topic between two scrapes, and
// their sum; null for a topic new in `scrape`, and none for the first scrape.
function ratesByTopic(name: string, prev: Scrape | undefined, scrape: Scrape, dt: number) {
  const perTopic = new Map<string, number | null>();
  if (!prev || dt <= 0) return { perTopic, total: null };
  const before = prev.sumBy(name, 'topic');
  let total = 0;
  for (const [topic, value] of scrape.sumBy(name, 'topic')) {
    const r = before.has(topic) ? counterRate(before.get(topic)!, value, dt) : null;
    perTopic.set(topic, r);
    total += r ?? 0;
  }
  return { perTopic, total };
}

function deliveries(scrape: Scrape): { onTime: number; total: number } {
  return { onTime: scrape.sum(METRICS.deliveries, { on_time: 'true' }), total: scrape.sum(METRICS.deliveries) };
}

function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

export type { Bucket };
