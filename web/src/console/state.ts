// What the console knows: orders, couriers, sites, alerts and wellness
// checks, merged from the initial listings and the live stream, and the
// queues derived from them. No DOM here (unit-tested under node).

import type { Alert, Courier, GeoPoint, Order, RouteStop, Site, WellnessCase } from '../shared/api';

export const FINAL_STATUSES = new Set(['DELIVERED', 'FAILED', 'CANCELLED', 'REJECTED']);
// Statuses whose order is still being worked on; the initial listing asks for these.
export const ACTIVE_STATUSES = ['PLACED', 'READY', 'ASSIGNED', 'PICKED_UP', 'UNASSIGNED', 'HELD'];
// Alert kinds that put an order in the at-risk queue while open.
const RISK_KINDS = new Set(['LATE_RISK', 'FOOD_SAFETY_RISK', 'DELIVERY_FAILED']);
// Wellness checks are listed as cases (GET /api/v1/wellness), not as alerts.
const WELLNESS_KINDS = new Set(['WELLNESS_CHECK', 'WELLNESS_CLOSED']);
const SEVERITY_RANK: Record<string, number> = { CRITICAL: 0, WARNING: 1, INFO: 2 };

export function isFinal(status: string): boolean {
  return FINAL_STATUSES.has(status);
}

// An order a dispatcher may move to another courier: not yet collected and
// not finished.
export function isReassignable(order: Order): boolean {
  return ['READY', 'ASSIGNED', 'UNASSIGNED', 'HELD'].includes(order.status);
}

export interface PlannedDelivery {
  courierId: string;
  stop: RouteStop;
}

export interface RiskEntry {
  order: Order;
  // Minutes the planned arrival lies after the window; 0 when the risk is an alert.
  lateMinutes: number;
  alert?: Alert;
}

export type InboxEntry = { type: 'wellness'; wellness: WellnessCase } | { type: 'alert'; alert: Alert };

// A stream message, as GET /api/v1/stream sends it: first a snapshot of
// the unfinished orders and the couriers on shift, then one per change.
export type StreamMessage =
  | { type: 'snapshot'; area_id: string | null; orders: Order[]; couriers: Courier[] }
  | { type: 'order'; area_id: string; order: Order }
  | { type: 'courier'; area_id: string; courier: Courier }
  | { type: 'alert'; area_id: string; alert: Alert };

export class ConsoleState {
  readonly orders = new Map<string, Order>();
  readonly couriers = new Map<string, Courier>();
  readonly sites = new Map<string, Site>();
  readonly alerts = new Map<string, Alert>();
  readonly wellness = new Map<string, WellnessCase>();
  // Where each order's door was last seen on a route, so a delivered order
  // stays where it was on the map.
  private readonly lastSeenAt = new Map<string, GeoPoint>();
  private planned: Map<string, PlannedDelivery> | null = null;
  // Bumped on every change; views compare it to skip needless redraws.
  version = 0;

  upsertOrder(order: Order): boolean {
    const existing = this.orders.get(order.order_id);
    // A message older than what is known (a snapshot read before a stream
    // message, or the other way round) never takes a finished order back.
    if (existing && isFinal(existing.status) && !isFinal(order.status)) return false;
    if (existing && !order.timeline && existing.timeline && existing.status === order.status) {
      order = { ...order, timeline: existing.timeline };
    }
    this.orders.set(order.order_id, order);
    this.touch();
    return true;
  }

  upsertCourier(courier: Courier): boolean {
    const existing = this.couriers.get(courier.courier_id);
    if (existing) {
      if (courier.plan_version < existing.plan_version) return false;
      if (courier.plan_version === existing.plan_version && courier.location_ms < existing.location_ms) return false;
    }
    this.couriers.set(courier.courier_id, courier);
    for (const stop of courier.route) {
      if (stop.kind === 'DELIVERY' && stop.location) this.lastSeenAt.set(stop.order_id, stop.location);
    }
    this.planned = null;
    this.touch();
    return true;
  }

  upsertAlert(alert: Alert): void {
    this.alerts.set(alert.alert_id, alert);
    this.touch();
  }

  upsertWellness(c: WellnessCase): void {
    this.wellness.set(c.case_id, c);
    this.touch();
  }

  setSites(sites: Site[]): void {
    this.sites.clear();
    for (const site of sites) this.sites.set(site.site_id, site);
    this.touch();
  }

  // Applies one stream message; returns the wellness case id it concerns,
  // if any, so the caller can fetch the case (alerts carry only its id).
  apply(message: StreamMessage): string | null {
    switch (message.type) {
      case 'snapshot':
        for (const order of message.orders ?? []) this.upsertOrder(order);
        for (const courier of message.couriers ?? []) this.upsertCourier(courier);
        return null;
      case 'order':
        this.upsertOrder(message.order);
        return null;
      case 'courier':
        this.upsertCourier(message.courier);
        return null;
      case 'alert':
        this.upsertAlert(message.alert);
        return WELLNESS_KINDS.has(message.alert.kind) && message.alert.case_id ? message.alert.case_id : null;
    }
    return null;
  }

  private touch(): void {
    ++this.version;
  }

  // Order id -> the courier and stop that will deliver it, from the routes.
  plannedDeliveries(): Map<string, PlannedDelivery> {
    if (this.planned) return this.planned;
    const out = new Map<string, PlannedDelivery>();
    for (const courier of this.couriers.values()) {
      for (const stop of courier.route) {
        if (stop.kind === 'DELIVERY') out.set(stop.order_id, { courierId: courier.courier_id, stop });
      }
    }
    this.planned = out;
    return out;
  }

  // Orders waiting for a dispatcher: no courier could take them, or they are held.
  unassignedQueue(): Order[] {
    return [...this.orders.values()]
      .filter((o) => o.status === 'UNASSIGNED' || o.status === 'HELD')
      .sort((a, b) => a.window.start_ms - b.window.start_ms || a.order_id.localeCompare(b.order_id));
  }

  // Unfinished orders with an open risk alert, or planned to arrive after
  // their window; the latest first.
  atRiskQueue(): RiskEntry[] {
    const byOrder = new Map<string, RiskEntry>();
    for (const alert of this.alerts.values()) {
      if (alert.status !== 'open' || !RISK_KINDS.has(alert.kind) || !alert.order_id) continue;
      const order = this.orders.get(alert.order_id);
      if (!order || isFinal(order.status)) continue;
      byOrder.set(order.order_id, { order, lateMinutes: 0, alert });
    }
    for (const [orderId, planned] of this.plannedDeliveries()) {
      const order = this.orders.get(orderId);
      if (!order || isFinal(order.status)) continue;
      const late = planned.stop.planned_arrival_ms - order.window.end_ms;
      if (late <= 0) continue;
      const entry = byOrder.get(orderId) ?? { order, lateMinutes: 0 };
      entry.lateMinutes = Math.ceil(late / 60000);
      byOrder.set(orderId, entry);
    }
    return [...byOrder.values()].sort(
      (a, b) => b.lateMinutes - a.lateMinutes || (b.alert ? 1 : 0) - (a.alert ? 1 : 0) || a.order.order_id.localeCompare(b.order.order_id),
    );
  }

  // Open wellness checks first (oldest first: someone may have fallen),
  // then the other open alerts by severity, newest first.
  inbox(): InboxEntry[] {
    const cases: InboxEntry[] = [...this.wellness.values()]
      .filter((c) => c.status === 'open')
      .sort((a, b) => a.opened_ms - b.opened_ms || a.case_id.localeCompare(b.case_id))
      .map((wellness) => ({ type: 'wellness', wellness }));
    const alerts: InboxEntry[] = [...this.alerts.values()]
      .filter((a) => a.status === 'open' && !WELLNESS_KINDS.has(a.kind))
      .sort(
        (a, b) =>
          (SEVERITY_RANK[a.severity] ?? 3) - (SEVERITY_RANK[b.severity] ?? 3) ||
          b.time_ms - a.time_ms ||
          a.alert_id.localeCompare(b.alert_id),
      )
      .map((alert) => ({ type: 'alert', alert }));
    return [...cases, ...alerts];
  }

  // Every known order matching `query` (a substring of its id, elder, site
  // or courier); unfinished first, then by window.
  ordersList(query: string): Order[] {
    const q = query.trim().toLowerCase();
    return [...this.orders.values()]
      .filter((o) => !q || [o.order_id, o.elder_id, o.site_id, o.courier_id].some((v) => v.toLowerCase().includes(q)))
      .sort(
        (a, b) =>
          Number(isFinal(a.status)) - Number(isFinal(b.status)) ||
          a.window.start_ms - b.window.start_ms ||
          a.order_id.localeCompare(b.order_id),
      );
  }

  // Every courier, on shift first.
  couriersList(): Courier[] {
    return [...this.couriers.values()]
      .sort((a, b) => Number(b.on_shift) - Number(a.on_shift) || a.courier_id.localeCompare(b.courier_id));
  }

  // Where to draw an order: its door while on a route (or when last seen
  // there), else beside its site, spread by a hash of its id so orders of
  // one site do not sit on top of each other. Null when neither is known.
  orderPosition(order: Order): GeoPoint | null {
    const planned = this.plannedDeliveries().get(order.order_id);
    if (planned?.stop.location) return planned.stop.location;
    const seen = this.lastSeenAt.get(order.order_id);
    if (seen) return seen;
    const site = this.sites.get(order.site_id);
    if (!site) return null;
    const h = hash(order.order_id);
    const angle = ((h % 3600) / 3600) * 2 * Math.PI;
    const distanceM = 60 + ((h >>> 12) % 140);
    const latM = 111_320;
    const lonM = 111_320 * Math.cos((site.location.lat * Math.PI) / 180);
    return {
      lat: site.location.lat + (Math.sin(angle) * distanceM) / latM,
      lon: site.location.lon + (Math.cos(angle) * distanceM) / lonM,
    };
  }
}

// FNV-1a, 32 bits.
export function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; ++i) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
