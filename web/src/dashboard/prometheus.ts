// The Prometheus text exposition format (version 0.0.4), as /metrics
// serves it, and the arithmetic the dashboard does on successive scrapes:
// counter rates and histogram quantiles, computed the way Prometheus's
// rate() and histogram_quantile() do.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

// Every sample line of `text`; comments (# HELP, # TYPE) and blank lines
// are skipped, and so is a line that does not parse, so that one odd line
// never blanks the dashboard.
export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const sample = parseLine(line);
    if (sample) samples.push(sample);
  }
  return samples;
}

function parseLine(line: string): Sample | null {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) return null;
  const name = nameMatch[0];
  let i = name.length;
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    ++i;
    for (;;) {
      while (line[i] === ' ' || line[i] === ',') ++i;
      if (line[i] === '}') {
        ++i;
        break;
      }
      const key = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(i));
      if (!key) return null;
      i += key[0].length;
      while (line[i] === ' ') ++i;
      if (line[i] !== '=') return null;
      ++i;
      while (line[i] === ' ') ++i;
      if (line[i] !== '"') return null;
      ++i;
      let value = '';
      for (;;) {
        if (i >= line.length) return null;
        const c = line[i++];
        if (c === '"') break;
        if (c === '\\') {
          const e = line[i++];
          value += e === 'n' ? '\n' : e;  // \\ and \" stand for themselves
        } else {
          value += c;
        }
      }
      labels[key[0]] = value;
    }
  }
  const rest = line.slice(i).trim().split(/\s+/);
  if (rest.length < 1 || rest[0] === '') return null;
  const value = parseValue(rest[0]);
  if (value === null) return null;
  return { name, labels, value };
}

function parseValue(text: string): number | null {
  switch (text) {
    case '+Inf':
    case 'Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
    case 'NaN':
      return NaN;
  }
  const v = Number(text);
  return Number.isNaN(v) ? null : v;
}

// One scrape, indexed for the look-ups the dashboard makes.
export class Scrape {
  private readonly byName = new Map<string, Sample[]>();

  constructor(
    readonly timeMs: number,
    samples: Sample[],
  ) {
    for (const s of samples) {
      let list = this.byName.get(s.name);
      if (!list) this.byName.set(s.name, (list = []));
      list.push(s);
    }
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  samples(name: string): Sample[] {
    return this.byName.get(name) ?? [];
  }

  // The sum of every series of `name` whose labels include `match`.
  sum(name: string, match: Record<string, string> = {}): number {
    let total = 0;
    for (const s of this.samples(name)) {
      if (Object.entries(match).every(([k, v]) => s.labels[k] === v)) total += s.value;
    }
    return total;
  }

  // Sums of `name` grouped by the value of label `by`.
  sumBy(name: string, by: string): Map<string, number> {
    const out = new Map<string, number>();
    for (const s of this.samples(name)) {
      const key = s.labels[by] ?? '';
      out.set(key, (out.get(key) ?? 0) + s.value);
    }
    return out;
  }

  // The cumulative buckets of histogram `name` (all its series summed), by
  // upper bound, ascending, +Inf last.
  buckets(name: string): Bucket[] {
    const byLe = new Map<number, number>();
    for (const s of this.samples(`${name}_bucket`)) {
      const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
      if (Number.isNaN(le)) continue;
      byLe.set(le, (byLe.get(le) ?? 0) + s.value);
    }
    return [...byLe.entries()].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
  }
}

export interface Bucket {
  le: number;  // upper bound
  count: number;  // cumulative
}

// Per-second increase of a counter from `before` to `after` over `seconds`.
// A counter that went down was reset (the service restarted): its increase
// is then its new value, as Prometheus's rate() assumes.
export function counterRate(before: number, after: number, seconds: number): number {
  if (seconds <= 0) return 0;
  const increase = after >= before ? after - before : after;
  return increase / seconds;
}

// Buckets counting only the observations between two scrapes (a reset
// counts from zero again).
export function bucketIncrease(before: Bucket[], after: Bucket[]): Bucket[] {
  const old = new Map(before.map((b) => [b.le, b.count]));
  const reset = after.some((b) => b.count < (old.get(b.le) ?? 0));
  return after.map((b) => ({ le: b.le, count: reset ? b.count : b.count - (old.get(b.le) ?? 0) }));
}

// The q-quantile (0..1) of the observations in cumulative `buckets`, as
// histogram_quantile() estimates it: linear within the bucket the rank
// falls in (from 0 for the first bucket); the highest finite bound when
// the rank falls in +Inf. NaN without observations.
export function histogramQuantile(q: number, buckets: Bucket[]): number {
  if (buckets.length === 0) return NaN;
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted[sorted.length - 1].count;
  if (!(total > 0) || sorted[sorted.length - 1].le !== Infinity) return NaN;
  const rank = q * total;
  let i = sorted.findIndex((b) => b.count >= rank);
  if (i < 0) i = sorted.length - 1;
  if (sorted[i].le === Infinity) return sorted.length >= 2 ? sorted[sorted.length - 2].le : NaN;
  const lower = i === 0 ? 0 : sorted[i - 1].le;
  const below = i === 0 ? 0 : sorted[i - 1].count;
  const inBucket = sorted[i].count - below;
  if (inBucket <= 0) return sorted[i].le;
  return lower + (sorted[i].le - lower) * ((rank - below) / inBucket);
}
