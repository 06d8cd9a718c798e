// The operations dashboard: scrapes the serving instance's /metrics every
// few seconds (no token: metrics hold no personal data) and charts events/s
// per topic, consumer lag per partition, decision latency p50/p99, the
// on-time rate, dead letters/s and open alerts with uPlot.

import 'uplot/dist/uPlot.min.css';
import './dashboard.css';

import uPlot from 'uplot';

import { clock, fill, h } from '../shared/dom';
import { applyI18n, lang, MessageKey, onLangChange, t, toggleLang, tOr } from '../shared/i18n';
import { DashboardModel, MAX_POINTS, SeriesSet } from './model';
import { parsePrometheus, Scrape } from './prometheus';

const SCRAPE_MS = 2000;
const PALETTE = ['#0b63c5', '#e8710a', '#1e8e3e', '#c5221f', '#7b3fc4', '#00838f', '#d4a106', '#5f6b7a', '#ad1457', '#2e7d32'];

document.documentElement.lang = lang();
const model = new DashboardModel();

interface ChartSpec {
  id: string;
  title: MessageKey;
  set: (m: DashboardModel) => SeriesSet;
  label?: (name: string) => string;
  format: (v: number) => string;
  min?: number;
  max?: number;
  // The y axis reaches at least this high (whole counts need no 0.25 ticks).
  atLeast?: number;
}

// "meal.orders" (or a test's "run7.meal.orders") -> "orders".
const topic = (name: string) => name.slice(name.lastIndexOf('.') + 1) || name;
// The x axis spans at most what the model keeps.
const WINDOW_S = (MAX_POINTS * SCRAPE_MS) / 1000;

const rate = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const count = (v: number) => Math.round(v).toLocaleString(lang());
const seconds = (v: number) => (v >= 1 ? `${v.toFixed(2)} s` : `${(v * 1000).toFixed(v < 0.01 ? 2 : 0)} ms`);
const percent = (v: number) => `${(v * 100).toFixed(1)}%`;

const CHARTS: ChartSpec[] = [
  { id: 'events', title: 'dash.events', set: (m) => m.events, label: topic, format: rate, min: 0, atLeast: 1 },
  { id: 'lag', title: 'dash.lag', set: (m) => m.lag, label: (p) => t('dash.partition', { partition: p }), format: count, min: 0, atLeast: 5 },
  { id: 'latency', title: 'dash.latency', set: (m) => m.latency, label: (q) => t(q === 'p50' ? 'dash.p50' : 'dash.p99'), format: seconds, min: 0, atLeast: 0.005 },
  { id: 'ontime', title: 'dash.onTime', set: (m) => m.onTime, label: () => t('dash.onTime'), format: percent, min: 0, max: 1 },
  { id: 'dlq', title: 'dash.dlq', set: (m) => m.deadLetters, label: topic, format: rate, min: 0, atLeast: 0.1 },
  { id: 'alerts', title: 'dash.alerts', set: (m) => m.openAlerts, label: (kind) => tOr('kind', kind), format: count, min: 0, atLeast: 5 },
];

// Times on the x axis: the scrapes' wall-clock time, to the second.
let wallClock = new Intl.DateTimeFormat(lang(), { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

// One uPlot chart, made again when its set of series changes (a new topic,
// partition or alert kind) or the language does.
class LiveChart {
  private plot: uPlot | null = null;
  private key = '';

  constructor(
    private readonly el: HTMLElement,
    private readonly spec: ChartSpec,
  ) {
    new ResizeObserver(() => this.plot?.setSize(this.size())).observe(el);
  }

  update(force = false): void {
    const set = this.spec.set(model);
    const names = set.names();
    const key = `${lang()}|${names.join(',')}`;
    const data: uPlot.AlignedData = [model.times, ...names.map((n) => set.values.get(n)!)];
    if (!this.plot || key !== this.key || force) {
      this.plot?.destroy();
      this.key = key;
      this.plot = new uPlot(this.options(names), data, this.el);
    } else {
      this.plot.setData(data);
    }
    this.el.dataset.points = String(model.times.length);
    this.el.dataset.series = String(names.length);
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(200, this.el.clientWidth), height: 190 };
  }

  private options(names: string[]): uPlot.Options {
    const { format, label } = this.spec;
    return {
      ...this.size(),
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
      scales: {
        // What was scraped, at least a minute and at most what the model keeps.
        x: { time: true, range: (_u, lo, hi) => [Math.max(hi - WINDOW_S, Math.min(lo, hi - 60)), hi] },
        y: {
          range: (_u, lo, hi) => {
            const min = this.spec.min ?? lo;
            const max = this.spec.max ?? Math.max(hi ?? 0, min + (this.spec.atLeast ?? 1));
            return [Math.min(min, lo ?? min), max];
          },
        },
      },
      axes: [
        {
          stroke: '#5f6b7a',
          grid: { stroke: '#eef1f4' },
          space: 70,
          values: (_u, vals) => vals.map((v) => (v == null ? '' : wallClock.format(v * 1000))),
        },
        { stroke: '#5f6b7a', grid: { stroke: '#eef1f4' }, size: 72, values: (_u, vals) => vals.map((v) => (v == null ? '' : format(v))) },
      ],
      series: [
        { label: t('field.time'), value: (_u, v) => (v == null ? '' : clock(v * 1000)) },
        ...names.map((name, i) => ({
          label: label ? label(name) : name,
          stroke: PALETTE[i % PALETTE.length],
          width: 2,
          value: (_u: uPlot, v: number | null) => (v == null ? '–' : format(v)),
        })),
      ],
    };
  }
}

function tile(id: string, title: MessageKey, note?: MessageKey): HTMLElement {
  return h(
    'div',
    { class: 'tile', id: `tile-${id}` },
    h('div', { class: 'tile-title', 'data-i18n': title }),
    h('div', { class: 'tile-value', 'data-testid': `tile-${id}` }, '–'),
    note ? h('div', { class: 'tile-note', 'data-i18n': note }) : null,
  );
}

function mount(): { charts: LiveChart[]; status: HTMLElement } {
  const app = document.getElementById('app')!;
  const status = h('span', { class: 'scrape-status', 'data-testid': 'scrape-status' });
  const langButton = h('button', { type: 'button', 'data-i18n': 'lang.switch', 'data-testid': 'lang' });
  langButton.addEventListener('click', () => toggleLang());
  const cards = CHARTS.map((spec) =>
    h('section', { class: 'card', 'aria-labelledby': `chart-${spec.id}-title` }, h('h2', { id: `chart-${spec.id}-title`, 'data-i18n': spec.title }), h('div', { class: 'chart', id: `chart-${spec.id}`, 'data-testid': `chart-${spec.id}` })),
  );
  fill(
    app,
    h(
      'header',
      { class: 'topbar' },
      h('h1', { 'data-i18n': 'app.dashboard' }),
      h('nav', null, h('a', { href: '/console/', 'data-i18n': 'nav.console' })),
      status,
      langButton,
    ),
    h(
      'main',
      { class: 'dashboard' },
      h(
        'div',
        { class: 'tiles' },
        tile('events', 'dash.events'),
        tile('lag', 'dash.lag', 'dash.tileMax'),
        tile('p99', 'dash.latency', 'dash.tileLatency'),
        tile('ontime', 'dash.onTime', 'dash.tileOnTime'),
        tile('dlq', 'dash.dlq'),
        tile('alerts', 'dash.alerts'),
      ),
      h('div', { class: 'grid' }, cards),
    ),
  );
  applyI18n(document);
  document.title = t('app.dashboard');
  const charts = CHARTS.map((spec) => new LiveChart(document.getElementById(`chart-${spec.id}`)!, spec));
  return { charts, status };
}

function showTiles(): void {
  const l = model.latest;
  const set = (id: string, text: string) => {
    const el = document.querySelector(`[data-testid=tile-${id}]`);
    if (el) el.textContent = text;
  };
  set('events', l.eventsPerS == null ? '–' : rate(l.eventsPerS));
  set('lag', l.maxLag == null ? '–' : count(l.maxLag));
  set('p99', l.p99 == null ? '–' : `${seconds(l.p50 ?? 0)} / ${seconds(l.p99)}`);
  set('ontime', l.onTime == null ? '–' : `${percent(l.onTime)} (${count(l.onTimeDeliveries)})`);
  set('dlq', l.deadLettersPerS == null ? '–' : rate(l.deadLettersPerS));
  set('alerts', l.openAlerts == null ? '–' : count(l.openAlerts));
}

const { charts, status } = mount();
let lastOk = 0;
let lastError = '';

function showStatus(): void {
  status.classList.toggle('failed', lastError !== '');
  status.textContent = lastError
    ? t('dash.scrapeFailed', { message: lastError })
    : model.times.length < 2
      ? t('dash.waiting')
      : t('dash.scraped', { time: new Date(lastOk).toLocaleTimeString(lang(), { hour12: false }), seconds: SCRAPE_MS / 1000 });
}

async function scrapeOnce(): Promise<void> {
  try {
    const response = await fetch('/metrics', { cache: 'no-store' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const text = await response.text();
    lastOk = Date.now();
    lastError = '';
    model.add(new Scrape(lastOk, parsePrometheus(text)));
    for (const chart of charts) chart.update();
    showTiles();
    document.body.dataset.scrapes = String(model.times.length);
  } catch (e) {
    lastError = e instanceof Error ? e.message : String(e);
  }
  showStatus();
}

async function loop(): Promise<void> {
  await scrapeOnce();
  window.setTimeout(() => void loop(), SCRAPE_MS);
}

onLangChange(() => {
  wallClock = new Intl.DateTimeFormat(lang(), { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  applyI18n(document);
  document.title = t('app.dashboard');
  for (const chart of charts) chart.update(true);
  showTiles();
  showStatus();
});

void loop();
