// Builds the pages into static files for meal-dispatchd's http.web_dir:
//   <out>/console/index.html, <out>/dashboard/index.html,
//   <out>/assets/<page>-<hash>.js and .css (content-hashed, so the service
//   may let browsers cache them for good).
// Usage: node build.mjs [--out DIR]   (default: dist/ beside this file)
import { build } from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const out = path.resolve(outIndex >= 0 ? args[outIndex + 1] : path.join(here, 'dist'));
// Each page and its title before the script sets it (Chinese, the default language).
const pages = { console: '助餐配送调度台', dashboard: '助餐配送运营看板' };

// Only what this script writes is removed, never the folder itself.
for (const dir of ['assets', ...Object.keys(pages)]) await rm(path.join(out, dir), { recursive: true, force: true });
await mkdir(path.join(out, 'assets'), { recursive: true });

const result = await build({
  absWorkingDir: here,
  entryPoints: Object.fromEntries(Object.keys(pages).map((p) => [p, `src/${p}/main.ts`])),
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  outdir: path.join(out, 'assets'),
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'eof',
  logLevel: 'warning',
});

// Each page's HTML (src/page.html) gets its title and the hashed names of its
// script and stylesheet.
const outputs = Object.entries(result.metafile.outputs);
const template = await readFile(path.join(here, 'src/page.html'), 'utf8');
for (const [page, title] of Object.entries(pages)) {
  const entry = `src/${page}/main.ts`;
  const js = outputs.find(([, o]) => o.entryPoint === entry);
  if (!js) throw new Error(`no output for ${entry}`);
  const css = js[1].cssBundle;
  const name = (file) => path.basename(file);
  const tags = [
    css ? `<link rel="stylesheet" href="/assets/${name(css)}" />` : '',
    `<script type="module" src="/assets/${name(js[0])}"></script>`,
  ]
    .filter(Boolean)
    .join('\n    ');
  await mkdir(path.join(out, page), { recursive: true });
  await writeFile(path.join(out, page, 'index.html'), template.replace('<!-- title -->', title).replace('<!-- assets -->', tags));
}
const sizes = outputs.map(([file, o]) => `${path.basename(file)} ${(o.bytes / 1024).toFixed(1)} KiB`);
console.log(`web: built ${Object.keys(pages).join(', ')} into ${out} (${sizes.join(', ')})`);
