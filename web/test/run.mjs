// Type-checks, then runs the unit tests (test/*.test.ts) under node's test
// runner: esbuild bundles each to plain JavaScript first (node 20 runs no
// TypeScript).
// Usage: node test/run.mjs [--out DIR]   (default: a fresh temporary folder)
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const out = outIndex >= 0 ? path.resolve(args[outIndex + 1]) : mkdtempSync(path.join(os.tmpdir(), 'meal-web-test-'));
rmSync(out, { recursive: true, force: true });

// The tests and the code they test are type-checked first.
const tsc = spawnSync(process.execPath, [path.join(here, '../node_modules/typescript/bin/tsc'), '--noEmit', '-p', here], {
  stdio: 'inherit',
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

const tests = readdirSync(here).filter((f) => f.endsWith('.test.ts')).sort();
await build({
  absWorkingDir: path.dirname(here),
  entryPoints: tests.map((f) => path.join('test', f)),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node18',
  outdir: out,
  outExtension: { '.js': '.mjs' },
  packages: 'external',
  logLevel: 'warning',
});
const files = tests.map((f) => path.join(out, f.replace(/\.ts$/, '.mjs')));
const run = spawnSync(process.execPath, ['--test', ...files], { stdio: 'inherit' });
if (outIndex < 0) rmSync(out, { recursive: true, force: true });
process.exit(run.status ?? 1);
