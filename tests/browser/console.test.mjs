// The console and the dashboard in headless Chromium, against a real
// meal-dispatchd fed by meal-sim (one small fixed-seed day) through the
// test broker: sign in, watch orders arrive, reassign an order and see it on
// the new courier's route, acknowledge a wellness check, switch language,
// use the keyboard, print a route sheet, and as a viewer see masked data
// and no write buttons. Screenshots go to $MEAL_ARTIFACTS_DIR.
//
// Every wait is for a condition with a deadline (Playwright's waitFor /
// waitForFunction, or harness.waitFor), never a fixed sleep.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { ARTIFACTS_DIR, CHROMIUM, playwright, Run, SOURCE_DIR, TOKENS, waitFor, whyNotRunnable } from './harness.mjs';

const skip = whyNotRunnable() ?? false;
const SECOND = 1000;
const VIEWPORT = { width: 1600, height: 1000 };
const DOC_IMAGES = new Set(['console.png', 'dashboard.png', 'route-sheet.png']);  // in docs/img

let run;
let browser;
let page;  // the dispatcher's
let dashboard;  // open from the start, so its charts hold the whole run
const seenErrors = new Set();

async function newPage() {
  const context = await browser.newContext({ viewport: VIEWPORT, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const p = await context.newPage();
  // Printing opens no dialog in a test: count the calls instead.
  await p.addInitScript(() => {
    window.print = () => {
      window.__printed = (window.__printed ?? 0) + 1;
    };
  });
  p.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  p.on('console', (m) => {
    // Each distinct message once (a stream that cannot connect says so at every retry).
    const text = m.text().replace(/:\d+\//, ':PORT/');
    if (m.type() === 'error' && !seenErrors.has(text)) {
      seenErrors.add(text);
      console.error(`browser console: ${m.text()}`);
    }
  });
  return p;
}

async function signIn(p, token) {
  await p.goto(`${run.url}/`);
  await p.waitForURL(/\/console\/$/);
  await p.locator('[data-testid=token]').fill(token);
  await p.locator('[data-testid=token]').press('Enter');
  await p.locator('[data-testid=who]').waitFor({ timeout: 15 * SECOND });
}

async function screenshot(p, name) {
  // No passing notice in the picture.
  await p.waitForFunction(() => document.querySelectorAll('#toasts .toast').length === 0, null, { timeout: 15 * SECOND });
  const file = path.join(ARTIFACTS_DIR, name);
  await p.screenshot({ path: file });
  // MEAL_UPDATE_DOC_IMAGES=1 also refreshes the copies the README shows.
  if (process.env.MEAL_UPDATE_DOC_IMAGES === '1' && DOC_IMAGES.has(name)) {
    mkdirSync(path.join(SOURCE_DIR, 'docs/img'), { recursive: true });
    copyFileSync(file, path.join(SOURCE_DIR, 'docs/img', name));
  }
  return file;
}

// Each step starts from a quiet console: no dialog open, no selection.
async function settle(p) {
  await p.evaluate(() => document.querySelectorAll('dialog[open]').forEach((d) => d.close()));
  await p.locator('[data-testid=search]').fill('');
  await p.locator('header.topbar h1').click();
  await p.keyboard.press('Escape');
}

async function search(p, text) {
  await p.locator('[data-testid=search]').fill(text);
}

before(async () => {
  if (skip) return;
  run = new Run('console');
  await run.startService();
  browser = await playwright().chromium.launch({ executablePath: CHROMIUM, headless: true });
  page = await newPage();
  dashboard = await newPage();
  await dashboard.goto(`${run.url}/dashboard/`);
});

after(async () => {
  await browser?.close();
  await run?.stop();
});

test('a dispatcher signs in with a token', { skip }, async () => {
  await signIn(page, TOKENS.dispatcher);
  assert.match(await page.locator('[data-testid=who]').innerText(), /demo-dispatcher/);
  assert.equal(await page.locator('header.topbar h1').innerText(), '助餐配送调度台');  // Chinese by default
  // The token stays in this tab only.
  assert.equal(await page.evaluate(() => sessionStorage.getItem('meal-dispatch.token')), TOKENS.dispatcher);
  assert.equal(await page.evaluate(() => localStorage.getItem('meal-dispatch.token')), null);
});

test('a wrong token is refused on the sign-in page', { skip }, async () => {
  const p = await newPage();
  await p.goto(`${run.url}/console/`);
  await p.locator('[data-testid=token]').fill('not-a-token');
  await p.locator('[data-testid=token]').press('Enter');
  await p.locator('.signin-error').filter({ hasText: '令牌无效' }).waitFor({ timeout: 10 * SECOND });
  await p.context().close();
});

test('the live stream connects', { skip }, async () => {
  await page.locator('[data-testid=conn][data-state=live]').waitFor({ timeout: 30 * SECOND });
});

test('orders appear while the simulator plays the day', { skip }, async () => {
  run.startSim();
  await page.locator('#orders-list li[data-order-id]').first().waitFor({ timeout: 90 * SECOND });
  await page.locator('svg.map .site').first().waitFor({ timeout: 30 * SECOND });
  await page.locator('svg.map circle.order').first().waitFor({ timeout: 30 * SECOND });
  // More keep coming without a reload.
  const first = await page.locator('#orders-list li[data-order-id]').count();
  await page.waitForFunction((n) => document.querySelectorAll('#orders-list li[data-order-id]').length > n, first, {
    timeout: 90 * SECOND,
  });
});

// An assigned order whose pickup is furthest ahead (the most time to move it
// before its courier collects it), and an on-shift courier to take it.
async function pickReassignment(exclude) {
  const { couriers } = await run.api('/api/v1/couriers');
  const { orders } = await run.api('/api/v1/orders?status=ASSIGNED&limit=1000');
  let best = null;
  for (const o of orders) {
    if (exclude.has(o.order_id)) continue;
    const c = couriers.find((x) => x.courier_id === o.courier_id);
    const pickup = c?.route.find((s) => s.kind === 'PICKUP' && s.order_id === o.order_id);
    if (!pickup) continue;
    const slack = pickup.planned_arrival_ms - c.location_ms;
    if (!best || slack > best.slack) best = { order: o, slack };
  }
  if (!best) return null;
  const targets = couriers
    .filter((c) => c.on_shift && c.available && c.area_id === best.order.area_id && c.courier_id !== best.order.courier_id)
    .sort((a, b) => a.route.length - b.route.length);
  return targets.length ? { orderId: best.order.order_id, from: best.order.courier_id, to: targets[0].courier_id } : null;
}

test('an order is reassigned (select, then a courier) and shows on the new courier\'s route', { skip }, async () => {
  await settle(page);
  const tried = new Set();
  let done = null;
  // The courier may collect the chosen order before the command is applied
  // (the service then refuses it); a few other orders are tried then.
  for (let attempt = 0; attempt < 5 && !done; ++attempt) {
    const move = await waitFor('an assigned order and another courier on shift', () => pickReassignment(tried), 180 * SECOND, 500);
    tried.add(move.orderId);
    await search(page, move.orderId);
    await page.locator(`#orders-list li[data-order-id="${move.orderId}"]`).click();
    await page.locator(`[data-testid=detail] .order-detail[data-order-id="${move.orderId}"]`).waitFor({ timeout: 10 * SECOND });
    const reassign = page.locator('[data-testid=detail] [data-write=reassign]');
    if (!(await reassign.isVisible())) continue;  // collected meanwhile
    await reassign.click();
    await page.locator('[data-testid=pick-banner]').waitFor({ state: 'visible', timeout: 5 * SECOND });
    await page.locator(`#couriers-list li[data-courier-id="${move.to}"]`).click();
    await page.locator('[data-testid=dialog-text]').fill('骑手车辆故障，改派给附近骑手');
    await page.locator('[data-testid=dialog-confirm]').click();
    try {
      await waitFor(
        `order ${move.orderId} on ${move.to}`,
        async () => (await run.api(`/api/v1/orders/${encodeURIComponent(move.orderId)}`)).courier_id === move.to,
        20 * SECOND,
        300,
      );
      done = move;
    } catch {
      // Refused (collected in between): try another.
    }
  }
  assert.ok(done, 'no reassignment took effect in 5 tries');
  // The console shows it: the order's courier, then the courier's route with the order on it.
  const detail = page.locator(`[data-testid=detail] .order-detail[data-order-id="${done.orderId}"]`);
  await detail.locator('button.link', { hasText: done.to }).waitFor({ timeout: 15 * SECOND });
  await detail.locator('button.link', { hasText: done.to }).click();
  await page
    .locator(`[data-testid=detail] .courier-detail[data-courier-id="${done.to}"] [data-testid=route-stops] li[data-order-id="${done.orderId}"]`)
    .first()
    .waitFor({ timeout: 15 * SECOND });
  // And the map draws the new courier's route, highlighted.
  await page.locator(`svg.map polyline.route-selected[data-route-of="${done.to}"]`).waitFor({ timeout: 10 * SECOND });
});

test('dragging an order onto a courier asks to reassign it', { skip }, async () => {
  await settle(page);
  const first = page.locator('#orders-list li[draggable=true]').first();
  await first.waitFor({ timeout: 60 * SECOND });
  const orderId = await first.getAttribute('data-order-id');
  // Alone in the list, so that no live update moves it under the pointer.
  await search(page, orderId);
  const item = page.locator(`#orders-list li[data-order-id="${orderId}"][draggable=true]`);
  await item.waitFor({ timeout: 10 * SECOND });
  const itemText = await item.innerText();
  // Any courier but the order's own.
  const couriers = await page.locator('#couriers-list li[data-courier-id]').evaluateAll((lis) => lis.map((li) => li.dataset.courierId));
  const to = couriers.find((id) => !itemText.includes(id));
  assert.ok(to, 'a courier other than the order\'s');
  await item.dragTo(page.locator(`#couriers-list li[data-courier-id="${to}"]`));
  const dialog = page.locator('[data-testid=dialog]');
  await dialog.waitFor({ timeout: 5 * SECOND });
  assert.match(await dialog.locator('h2').innerText(), new RegExp(`${orderId}.*${to}`));
  await page.locator('[data-testid=dialog-cancel]').click();
  await dialog.waitFor({ state: 'detached', timeout: 5 * SECOND });
});

test('a wellness check is first in the inbox and is acknowledged with a note', { skip }, async () => {
  await settle(page);
  const item = page.locator('#alerts-list li[data-case-id]').first();
  await item.waitFor({ timeout: 240 * SECOND });
  // Wellness checks come before any other alert.
  assert.ok(await page.locator('#alerts-list li[data-key]').first().evaluate((li) => li.hasAttribute('data-case-id')));
  const caseId = await item.getAttribute('data-case-id');
  await item.locator('[data-write=ack]').click();
  await page.locator('[data-testid=dialog-choice]').selectOption('elder_safe');
  await page.locator('[data-testid=dialog-text]').fill('电话联系上老人，老人在邻居家，平安');
  await page.locator('[data-testid=dialog-confirm]').click();
  await page.locator(`#alerts-list li[data-case-id="${caseId}"]`).waitFor({ state: 'detached', timeout: 30 * SECOND });
  const c = await run.api(`/api/v1/wellness/${encodeURIComponent(caseId)}`);
  assert.equal(c.status, 'closed');
  assert.equal(c.closed.outcome, 'elder_safe');
  assert.equal(c.closed.by, 'demo-dispatcher');  // who, from the token
});

test('the language switches to English and back', { skip }, async () => {
  await settle(page);
  await page.locator('[data-testid=lang]').click();
  await page.waitForFunction(() => document.querySelector('header.topbar h1')?.textContent === 'Meal dispatch console', null, { timeout: 5 * SECOND });
  assert.match(await page.locator('#unassigned-title').innerText(), /Unassigned/);
  assert.match(await page.locator('#alerts-title').innerText(), /Alert inbox/);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  await page.locator('[data-testid=lang]').click();
  await page.waitForFunction(() => document.querySelector('header.topbar h1')?.textContent === '助餐配送调度台', null, { timeout: 5 * SECOND });
  assert.match(await page.locator('#unassigned-title').innerText(), /待分配/);
});

test('the keyboard reaches the lists, opens an order and shows the help', { skip }, async () => {
  await settle(page);  // focus on no list, nothing selected
  await page.keyboard.press('o');
  assert.ok(await page.evaluate(() => !!document.activeElement?.closest('#orders-list')));
  await page.keyboard.press('ArrowDown');
  const key = await page.evaluate(() => document.activeElement?.getAttribute('data-key'));
  await page.keyboard.press('Enter');
  await page.locator(`[data-testid=detail] .order-detail[data-order-id="${key}"]`).waitFor({ timeout: 5 * SECOND });
  await page.keyboard.press('?');
  await page.locator('[data-testid=help]').waitFor({ state: 'visible', timeout: 5 * SECOND });
  assert.match(await page.locator('[data-testid=help]').innerText(), /改派所选订单/);
  await page.keyboard.press('Escape');
  await page.locator('[data-testid=help]').waitFor({ state: 'hidden', timeout: 5 * SECOND });
});

test('a courier\'s route sheet prints on its own', { skip }, async () => {
  const courierId = await waitFor(
    'a courier with planned stops',
    async () => (await run.api('/api/v1/couriers')).couriers.find((c) => c.route.length > 0)?.courier_id,
    120 * SECOND,
    500,
  );
  await settle(page);
  await page.locator(`#couriers-list li[data-courier-id="${courierId}"]`).click();
  await page.locator('[data-testid=print-sheet]').click();
  await page.waitForFunction(() => window.__printed >= 1, null, { timeout: 5 * SECOND });
  const sheet = page.locator(`[data-testid=route-sheet] .sheet[data-courier-id="${courierId}"]`);
  await sheet.waitFor({ state: 'attached', timeout: 5 * SECOND });
  assert.ok((await sheet.locator('tbody tr').count()) >= 1 || (await sheet.innerText()).includes('没有计划'));
  // In print, only the sheet shows.
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('header.topbar').isVisible(), false);
  assert.equal(await sheet.isVisible(), true);
  await screenshot(page, 'route-sheet.png');
  await page.emulateMedia({ media: 'screen' });
});

test('screenshot of the console', { skip }, async () => {
  await settle(page);
  await page.locator('svg.map circle.order').first().waitFor({ timeout: 10 * SECOND });
  // An order on its way, with its timeline and its courier's route highlighted.
  const moving = page.locator('#orders-list li[data-status=PICKED_UP], #orders-list li[data-status=ASSIGNED]').first();
  if (await moving.count()) {
    await moving.click();
    await page.locator('[data-testid=timeline] li').first().waitFor({ timeout: 10 * SECOND });
  }
  const file = await screenshot(page, 'console.png');
  console.log(`console screenshot: ${file}`);
});

test('the dashboard charts the service\'s metrics', { skip }, async () => {
  const dash = dashboard;
  assert.equal(await dash.locator('header.topbar h1').innerText(), '助餐配送运营看板');
  // Open since the run began: rates need two scrapes, and there have been many more.
  await dash.waitForFunction(() => Number(document.body.dataset.scrapes ?? 0) >= 4, null, { timeout: 30 * SECOND });
  await dash.locator('[data-testid=chart-events][data-series]:not([data-series="0"]) canvas').waitFor({ timeout: 10 * SECOND });
  await dash.waitForFunction(() => document.querySelector('[data-testid=tile-events]')?.textContent !== '–', null, { timeout: 10 * SECOND });
  for (const id of ['events', 'lag', 'latency', 'ontime', 'dlq', 'alerts']) {
    assert.equal(await dash.locator(`[data-testid=chart-${id}] canvas`).count(), 1, id);
  }
  // Decisions were made and deliveries finished while it watched.
  await dash.waitForFunction(() => document.querySelector('[data-testid=tile-p99]')?.textContent !== '–', null, { timeout: 30 * SECOND });
  const file = await screenshot(dash, 'dashboard.png');
  console.log(`dashboard screenshot: ${file}`);
});

test('a viewer sees masked data and no write buttons', { skip }, async () => {
  const viewer = await newPage();
  await signIn(viewer, TOKENS.viewer);
  assert.match(await viewer.locator('[data-testid=who]').innerText(), /demo-viewer/);
  await viewer.locator('#orders-list li[data-order-id]').first().waitFor({ timeout: 30 * SECOND });
  const delivered = await waitFor(
    'a delivered order',
    async () => (await run.api('/api/v1/orders?status=DELIVERED&limit=1')).orders[0]?.order_id,
    120 * SECOND,
    500,
  );
  await viewer.locator('[data-testid=search]').fill(delivered);
  await viewer.locator(`#orders-list li[data-order-id="${delivered}"]`).click();
  const detail = viewer.locator(`[data-testid=detail] .order-detail[data-order-id="${delivered}"]`);
  await detail.waitFor({ timeout: 10 * SECOND });
  // The proof of delivery (a photo or signature reference) is masked for a viewer.
  await detail.locator('dd', { hasText: '***' }).first().waitFor({ timeout: 10 * SECOND });
  assert.equal(await viewer.locator('[data-write]').count(), 0);
  assert.equal(await viewer.locator('[draggable=true]').count(), 0);
  // And the API says the same to the viewer's token.
  const viaApi = await run.api(`/api/v1/orders/${encodeURIComponent(delivered)}`, TOKENS.viewer);
  assert.equal(viaApi.proof_ref, '***');
  await screenshot(viewer, 'console-viewer.png');
  await viewer.context().close();
});
