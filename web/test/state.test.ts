import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { Alert, Courier, Order, WellnessCase } from '../src/shared/api';
import { ConsoleState } from '../src/console/state';
import { backoffMs } from '../src/console/stream';
import { fitBox, Projection, zoomBox } from '../src/console/projection';

const MIN = 60_000;

function order(id: string, status: string, extra: Partial<Order> = {}): Order {
  return {
    order_id: id, area_id: 'a', site_id: 'site-1', elder_id: `elder-${id}`, status, courier_id: '', meals: 1,
    window: { start_ms: 100 * MIN, end_ms: 130 * MIN }, placed_ms: 0, ready_ms: 0, picked_up_ms: 0, done_ms: 0,
    batch_id: '', hub_household_id: '', standing_id: '', proof_ref: '', ...extra,
  };
}

function courier(id: string, stops: [string, number][], extra: Partial<Courier> = {}): Courier {
  return {
    courier_id: id, area_id: 'a', team_id: '', on_shift: true, available: true, box_capacity: 6, shift_end_ms: 0,
    location_ms: 1, plan_version: 1,
    route: stops.map(([orderId, arrival], i) => ({
      kind: 'DELIVERY', order_id: orderId, site_id: 'site-1', planned_arrival_ms: arrival, planned_departure_ms: arrival,
      stop_index: i, location: { lat: 41.8 + i / 1000, lon: 123.4 },
    })),
    location: { lat: 41.8, lon: 123.4 }, ...extra,
  };
}

function alert(id: string, kind: string, severity: string, orderId = '', time = 0): Alert {
  return {
    alert_id: id, area_id: 'a', kind, severity, order_id: orderId, courier_id: '', elder_id: '', site_id: '', case_id: '',
    reason: '', time_ms: time, status: 'open',
  };
}

test('a stale order or courier never replaces a newer one', () => {
  const s = new ConsoleState();
  s.upsertOrder(order('o1', 'DELIVERED'));
  assert.equal(s.upsertOrder(order('o1', 'ASSIGNED')), false);
  assert.equal(s.orders.get('o1')!.status, 'DELIVERED');
  s.upsertCourier(courier('c1', [], { plan_version: 5, location_ms: 10 }));
  assert.equal(s.upsertCourier(courier('c1', [], { plan_version: 4, location_ms: 20 })), false);
  assert.equal(s.upsertCourier(courier('c1', [], { plan_version: 5, location_ms: 9 })), false);
  assert.equal(s.upsertCourier(courier('c1', [], { plan_version: 5, location_ms: 11 })), true);
});

test('the timeline of a detail survives a list update of the same status', () => {
  const s = new ConsoleState();
  s.upsertOrder(order('o1', 'ASSIGNED', { timeline: [{ time_ms: 1, status: 'ASSIGNED', note: '' }] }));
  s.upsertOrder(order('o1', 'ASSIGNED'));
  assert.equal(s.orders.get('o1')!.timeline!.length, 1);
  s.upsertOrder(order('o1', 'PICKED_UP'));
  assert.equal(s.orders.get('o1')!.timeline, undefined);
});

test('queues: unassigned and held; at risk by alert or by a late plan', () => {
  const s = new ConsoleState();
  s.upsertOrder(order('o1', 'UNASSIGNED', { window: { start_ms: 200 * MIN, end_ms: 230 * MIN } }));
  s.upsertOrder(order('o2', 'HELD'));
  s.upsertOrder(order('o3', 'ASSIGNED'));
  s.upsertOrder(order('o4', 'ASSIGNED'));
  s.upsertOrder(order('o5', 'DELIVERED'));
  s.upsertCourier(courier('c1', [['o3', 140 * MIN], ['o4', 120 * MIN]]));
  s.upsertAlert(alert('al1', 'LATE_RISK', 'WARNING', 'o4'));
  s.upsertAlert(alert('al2', 'LATE_RISK', 'WARNING', 'o5'));  // finished: not at risk
  assert.deepEqual(s.unassignedQueue().map((o) => o.order_id), ['o2', 'o1']);
  const risk = s.atRiskQueue();
  assert.deepEqual(risk.map((r) => [r.order.order_id, r.lateMinutes]), [['o3', 10], ['o4', 0]]);
  assert.equal(risk[1].alert!.alert_id, 'al1');
});

test('the inbox puts open wellness checks first, then alerts by severity and time', () => {
  const s = new ConsoleState();
  s.upsertAlert(alert('info', 'OUTSIDE_RADIUS', 'INFO', '', 5));
  s.upsertAlert(alert('crit', 'FOOD_SAFETY_RISK', 'CRITICAL', '', 1));
  s.upsertAlert(alert('warn-old', 'LATE_RISK', 'WARNING', '', 1));
  s.upsertAlert(alert('warn-new', 'LATE_RISK', 'WARNING', '', 9));
  s.upsertAlert(alert('w', 'WELLNESS_CHECK', 'CRITICAL', '', 9));  // shown as its case
  s.upsertAlert({ ...alert('done', 'LATE_RISK', 'CRITICAL'), status: 'acknowledged' });
  const c = (id: string, opened: number, status: 'open' | 'closed' = 'open'): WellnessCase => ({
    case_id: id, area_id: 'a', order_id: 'o', elder_id: 'e', courier_id: 'c', site_id: 's', opened_ms: opened, status,
    step: 'phone_call',
  });
  s.upsertWellness(c('case-2', 20));
  s.upsertWellness(c('case-1', 10));
  s.upsertWellness(c('case-0', 5, 'closed'));
  const ids = s.inbox().map((e) => (e.type === 'wellness' ? e.wellness.case_id : e.alert.alert_id));
  assert.deepEqual(ids, ['case-1', 'case-2', 'crit', 'warn-new', 'warn-old', 'info']);
});

test('an order is drawn at its door while routed, where it was last seen, else beside its site', () => {
  const s = new ConsoleState();
  s.setSites([{ site_id: 'site-1', area_id: 'a', name: 'S', facility_number: 'ZC', location: { lat: 41.8, lon: 123.4 }, radius_m: 1000 }]);
  s.upsertOrder(order('o1', 'ASSIGNED'));
  s.upsertOrder(order('o2', 'UNASSIGNED'));
  s.upsertCourier(courier('c1', [['o1', 0]]));
  assert.deepEqual(s.orderPosition(s.orders.get('o1')!), { lat: 41.8, lon: 123.4 });
  s.upsertCourier(courier('c1', [], { plan_version: 2 }));
  assert.deepEqual(s.orderPosition(s.orders.get('o1')!), { lat: 41.8, lon: 123.4 });
  const near = s.orderPosition(s.orders.get('o2')!)!;
  const p = new Projection({ lat: 41.8, lon: 123.4 }).toPlane(near);
  const d = Math.hypot(p.x, p.y);
  assert.ok(d >= 59 && d <= 201, `${d} m from the site`);
  assert.deepEqual(s.orderPosition(s.orders.get('o2')!), near);  // the same place every time
});

test('stream messages: a snapshot, then changes; an alert about a wellness check names its case', () => {
  const s = new ConsoleState();
  s.apply({ type: 'snapshot', area_id: null, orders: [order('o1', 'ASSIGNED')], couriers: [courier('c1', [['o1', 0]])] });
  assert.equal(s.orders.get('o1')!.status, 'ASSIGNED');
  assert.equal(s.plannedDeliveries().get('o1')!.courierId, 'c1');
  s.apply({ type: 'order', area_id: 'a', order: order('o1', 'PICKED_UP') });
  assert.equal(s.orders.get('o1')!.status, 'PICKED_UP');
  s.apply({ type: 'courier', area_id: 'a', courier: courier('c1', [], { plan_version: 2 }) });
  assert.equal(s.plannedDeliveries().size, 0);
  assert.equal(s.apply({ type: 'alert', area_id: 'a', alert: { ...alert('w1', 'WELLNESS_CHECK', 'CRITICAL'), case_id: 'case-9' } }), 'case-9');
  assert.equal(s.apply({ type: 'alert', area_id: 'a', alert: alert('l1', 'LATE_RISK', 'WARNING') }), null);
});

test('stream backoff doubles from 1 s to 30 s with ±20% jitter', () => {
  assert.equal(backoffMs(1, () => 0.5), 1000);
  assert.equal(backoffMs(3, () => 0.5), 4000);
  assert.equal(backoffMs(20, () => 0.5), 30000);
  assert.equal(backoffMs(1, () => 0), 800);
  assert.equal(backoffMs(1, () => 1), 1200);
});

test('projection round-trips and fits circles', () => {
  const proj = new Projection({ lat: 41.8, lon: 123.43 });
  const p = proj.toPlane({ lat: 41.81, lon: 123.44 });
  assert.ok(Math.abs(p.y + 1105.74) < 0.01);  // north is up (y negative)
  assert.ok(p.x > 820 && p.x < 840);
  const back = proj.toGeo(p);
  assert.ok(Math.abs(back.lat - 41.81) < 1e-9 && Math.abs(back.lon - 123.44) < 1e-9);
  const box = fitBox([{ p: { x: 0, y: 0 }, r: 1000 }], 0);
  assert.deepEqual(box, { x: -1000, y: -1000, w: 2000, h: 2000 });
  assert.deepEqual(zoomBox(box, 0.5, { x: 0, y: 0 }), { x: -500, y: -500, w: 1000, h: 1000 });
});
