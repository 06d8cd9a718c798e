// Runs meal-dispatchd and meal-sim for the browser tests, against the broker
// that ./scripts/test started, on topics of the test's own, and starts
// Debian's Chromium through playwright-core (from web/node_modules).
//
// Environment (ctest sets the last three; ./scripts/test exports the first two):
//   MEAL_TEST_BOOTSTRAP  the broker, e.g. 127.0.0.1:29092 (the tests skip without it)
//   MEAL_TEST_BIN_DIR    the folder with meal-dispatchd and meal-sim
//   MEAL_WEB_DIR         the built pages (<build>/web)
//   MEAL_ARTIFACTS_DIR   where screenshots and logs go (<build>/artifacts)
//   MEAL_SOURCE_DIR      the repository (for web/node_modules and the demo tokens)
//   MEAL_CHROMIUM        the browser (default /usr/bin/chromium)
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SOURCE_DIR = process.env.MEAL_SOURCE_DIR ?? path.resolve(here, '../..');
export const BOOTSTRAP = process.env.MEAL_TEST_BOOTSTRAP ?? '';
export const BIN_DIR = process.env.MEAL_TEST_BIN_DIR ?? '';
export const WEB_DIR = process.env.MEAL_WEB_DIR ?? '';
export const ARTIFACTS_DIR = process.env.MEAL_ARTIFACTS_DIR ?? path.join(os.tmpdir(), 'meal-browser-artifacts');
export const CHROMIUM = process.env.MEAL_CHROMIUM ?? '/usr/bin/chromium';

// The demo's tokens (scripts/lib/demo-tokens.toml holds their hashes).
export const TOKENS = {
  viewer: 'demo-viewer-token',
  dispatcher: 'demo-dispatcher-token',
  admin: 'demo-admin-token',
};

// playwright-core lives in web/node_modules, outside this file's lookup path.
export function playwright() {
  return createRequire(path.join(SOURCE_DIR, 'web/package.json'))('playwright-core');
}

export function whyNotRunnable() {
  if (!BOOTSTRAP) return 'MEAL_TEST_BOOTSTRAP is not set (./scripts/test starts a broker and sets it)';
  if (!BIN_DIR) return 'MEAL_TEST_BIN_DIR is not set';
  if (!WEB_DIR) return 'MEAL_WEB_DIR is not set';
  return null;
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Polls `check` every `everyMs` until it returns a truthy value, which is
// returned; throws with `what` after `timeoutMs`.
export async function waitFor(what, check, timeoutMs, everyMs = 200) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

const TOPICS = ['orders', 'couriers', 'deliveries', 'commands', 'sites', 'elders', 'assignments', 'alerts', 'dlq'];

class Child {
  constructor(name, argv, env, logPath) {
    this.name = name;
    this.log = createWriteStream(logPath);
    this.proc = spawn(argv[0], argv.slice(1), { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout.pipe(this.log);
    this.proc.stderr.pipe(this.log);
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
    this.running = true;
    this.exited.then(() => (this.running = false));
  }

  // SIGTERM, then SIGKILL if it has not exited within `graceMs`.
  async stop(graceMs = 15000) {
    if (!this.running) return this.exited;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.running && this.proc.kill('SIGKILL'), graceMs);
    const result = await this.exited;
    clearTimeout(timer);
    return result;
  }
}

// One run: a service on a free port with the demo tokens and the built
// pages, on topics and a consumer group of its own, and (started later)
// the simulator playing a small fixed-seed day against it.
export class Run {
  constructor(name) {
    this.name = name;
    this.prefix = `browser.${name}.${process.pid}.`;
    this.dir = mkdtempSync(path.join(os.tmpdir(), `meal-browser-${name}-`));
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  async startService() {
    this.port = await freePort();
    const sets = [
      `kafka.bootstrap_servers="${BOOTSTRAP}"`,
      `kafka.group_id="${this.prefix}group"`,
      `state.path="${path.join(this.dir, 'state')}"`,
      `http.port=${this.port}`,
      `http.web_dir="${WEB_DIR}"`,
      ...TOPICS.map((t) => `topics.${t}="${this.prefix}meal.${t}"`),
    ];
    const argv = [path.join(BIN_DIR, 'meal-dispatchd'), '--config', path.join(SOURCE_DIR, 'scripts/lib/demo-tokens.toml')];
    for (const s of sets) argv.push('--set', s);
    this.service = new Child('meal-dispatchd', argv, {}, path.join(ARTIFACTS_DIR, `${this.name}-meal-dispatchd.log`));
    await waitFor(
      'meal-dispatchd to answer /healthz',
      async () => {
        if (!this.service.running) throw new Error(`meal-dispatchd exited (see ${this.service.log.path})`);
        const r = await fetch(`${this.url}/healthz`);
        return r.ok;
      },
      90_000,
    );
  }

  // The simulated day: one area, few couriers, many unanswered doors, no
  // simulated operator (the test acknowledges the wellness checks), the
  // day stretched over `seconds` of wall time.
  startSim({ seed = 7, orders = 60, couriers = 5, seconds = 300 } = {}) {
    const argv = [
      path.join(BIN_DIR, 'meal-sim'),
      '--bootstrap', BOOTSTRAP,
      '--topic-prefix', this.prefix,
      '--seed', String(seed),
      '--areas', '1',
      '--sites', '2',
      '--elders', '30',
      '--couriers', String(couriers),
      '--orders', String(orders),
      '--duration-s', String(seconds),
      '--drain-timeout-s', '5',
      '--partitions', '4',
      '--registry-partitions', '1',
      '--no-operator',
      '--no-answer-share', '0.3',
      '--service-url', this.url,
      '--quiet',
    ];
    this.sim = new Child('meal-sim', argv, { MEAL_API_TOKEN: TOKENS.viewer }, path.join(ARTIFACTS_DIR, `${this.name}-meal-sim.log`));
  }

  // GET with a token, parsed.
  async api(pathAndQuery, token = TOKENS.dispatcher) {
    const r = await fetch(`${this.url}${pathAndQuery}`, { headers: { Authorization: `Bearer ${token}` } });
    if (!r.ok) throw new Error(`GET ${pathAndQuery}: ${r.status} ${await r.text()}`);
    return r.json();
  }

  async stop() {
    await this.sim?.stop();
    await this.service?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
