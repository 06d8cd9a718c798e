// The map: an SVG in metres around the sites' centre (no tiles), with each
// site's service radius, the couriers, their planned routes and the orders
// coloured by status. Wheel or +/- to zoom, drag the background to pan,
// drag an order onto a courier to reassign it.

import type { Courier, GeoPoint, Order } from '../shared/api';
import { s } from '../shared/dom';
import { t, tOr } from '../shared/i18n';
import { Box, fitBox, Point, Projection, zoomBox } from './projection';
import { ConsoleState, isFinal } from './state';

export interface MapCallbacks {
  selectOrder(orderId: string): void;
  selectCourier(courierId: string): void;
  dropOrderOnCourier(orderId: string, courierId: string): void;
}

export interface MapSelection {
  orderId: string | null;
  courierId: string | null;
  canDrag: boolean;
  atRisk: Set<string>;
}

// The MIME type an order carries while dragged (list items and map dots alike).
export const ORDER_DRAG_TYPE = 'application/x-meal-order';

export class MapView {
  readonly svg: SVGSVGElement;
  private projection: Projection | null = null;
  private view: Box | null = null;
  private fitted = false;
  private readonly layers: Record<'sites' | 'routes' | 'orders' | 'couriers', SVGGElement>;
  private last: { state: ConsoleState; selection: MapSelection } | null = null;
  private pan: { pointerId: number; start: Point; view: Box } | null = null;

  constructor(
    container: HTMLElement,
    private readonly callbacks: MapCallbacks,
  ) {
    this.layers = {
      sites: s('g', { class: 'layer-sites' }),
      routes: s('g', { class: 'layer-routes' }),
      orders: s('g', { class: 'layer-orders' }),
      couriers: s('g', { class: 'layer-couriers' }),
    };
    this.svg = s(
      'svg',
      { class: 'map', role: 'img', preserveAspectRatio: 'xMidYMid meet', 'data-testid': 'map' },
      this.layers.sites,
      this.layers.routes,
      this.layers.orders,
      this.layers.couriers,
    );
    container.append(this.svg);
    this.svg.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    this.svg.addEventListener('pointerdown', (e) => this.onPointerDown(e));
    this.svg.addEventListener('dragover', (e) => {
      if (e.dataTransfer?.types.includes(ORDER_DRAG_TYPE) && courierUnder(e.target)) e.preventDefault();
    });
    this.svg.addEventListener('drop', (e) => {
      const courierId = courierUnder(e.target);
      const orderId = e.dataTransfer?.getData(ORDER_DRAG_TYPE);
      if (courierId && orderId) {
        e.preventDefault();
        this.callbacks.dropOrderOnCourier(orderId, courierId);
      }
    });
    new ResizeObserver(() => this.redraw()).observe(this.svg);
  }

  zoom(factor: number): void {
    if (!this.view) return;
    this.view = zoomBox(this.view, factor, { x: this.view.x + this.view.w / 2, y: this.view.y + this.view.h / 2 });
    this.redraw();
  }

  resetView(): void {
    this.fitted = false;
    this.redraw();
  }

  render(state: ConsoleState, selection: MapSelection): void {
    this.last = { state, selection };
    this.redraw();
  }

  private redraw(): void {
    if (!this.last) return;
    const { state, selection } = this.last;
    if (!this.projection) {
      const origin = centre([...state.sites.values()].map((site) => site.location));
      if (!origin) return;  // nothing to place the map on yet
      this.projection = new Projection(origin);
    }
    const proj = this.projection;
    if (!this.fitted || !this.view) {
      const circles = [...state.sites.values()].map((site) => ({ p: proj.toPlane(site.location), r: site.radius_m }));
      for (const c of state.couriers.values()) if (c.location && c.on_shift) circles.push({ p: proj.toPlane(c.location), r: 50 });
      this.view = fitBox(circles);
      this.fitted = state.sites.size > 0;
    }
    const v = this.view;
    this.svg.setAttribute('viewBox', `${v.x} ${v.y} ${v.w} ${v.h}`);
    const px = this.metresPerPixel();

    // Sites and their service radius.
    const sites = [...state.sites.values()].map((site) => {
      const p = proj.toPlane(site.location);
      return s(
        'g',
        { class: 'site', 'data-site-id': site.site_id },
        s('circle', { class: 'site-radius', cx: p.x, cy: p.y, r: site.radius_m }),
        s('rect', { class: 'site-mark', x: p.x - 6 * px, y: p.y - 6 * px, width: 12 * px, height: 12 * px }),
        s('text', { class: 'site-label', x: p.x + 9 * px, y: p.y - 8 * px, 'font-size': 12 * px }, site.name || site.site_id),
        s('title', null, `${site.name} (${site.site_id}, ${site.facility_number}), ${site.radius_m} m`),
      );
    });
    this.layers.sites.replaceChildren(...sites);

    // Planned routes: from the courier's position through its stops.
    const routes: SVGElement[] = [];
    for (const courier of state.couriers.values()) {
      if (courier.route.length === 0) continue;
      const points: Point[] = [];
      if (courier.location) points.push(proj.toPlane(courier.location));
      for (const stop of courier.route) {
        const where = stop.location ?? (stop.kind === 'PICKUP' ? state.sites.get(stop.site_id)?.location : undefined);
        if (where) points.push(proj.toPlane(where));
      }
      if (points.length < 2) continue;
      const selected = courier.courier_id === selection.courierId;
      routes.push(
        s('polyline', {
          class: selected ? 'route route-selected' : 'route',
          points: points.map((p) => `${p.x},${p.y}`).join(' '),
          'data-route-of': courier.courier_id,
        }),
      );
    }
    this.layers.routes.replaceChildren(...routes);

    // Orders: finished ones small and underneath.
    const orders = [...state.orders.values()].sort((a, b) => Number(isFinal(b.status)) - Number(isFinal(a.status)));
    const dots: SVGElement[] = [];
    for (const order of orders) {
      const where = state.orderPosition(order);
      if (!where) continue;
      const p = proj.toPlane(where);
      const selected = order.order_id === selection.orderId;
      const r = (isFinal(order.status) ? 3 : 5) * px * (selected ? 1.6 : 1);
      const classes = ['order', `status-${order.status}`];
      if (selected) classes.push('selected');
      if (selection.atRisk.has(order.order_id)) classes.push('at-risk');
      dots.push(
        s(
          'circle',
          { class: classes.join(' '), cx: p.x, cy: p.y, r, 'data-order-id': order.order_id },
          s('title', null, orderTitle(order)),
        ),
      );
    }
    this.layers.orders.replaceChildren(...dots);

    // Couriers on shift, with a short label.
    const couriers: SVGElement[] = [];
    for (const courier of state.couriers.values()) {
      if (!courier.location || !courier.on_shift) continue;
      const p = proj.toPlane(courier.location);
      const selected = courier.courier_id === selection.courierId;
      couriers.push(
        s(
          'g',
          {
            class: `courier${selected ? ' selected' : ''}${courier.available ? '' : ' unavailable'}`,
            'data-courier-id': courier.courier_id,
          },
          s('circle', { cx: p.x, cy: p.y, r: (selected ? 10 : 8) * px }),
          s('text', { x: p.x, y: p.y + 3.5 * px, 'font-size': 9 * px, 'text-anchor': 'middle' }, shortId(courier)),
          s('title', null, `${courier.courier_id} · ${t('courier.stops', { count: courier.route.length })}`),
        ),
      );
    }
    this.layers.couriers.replaceChildren(...couriers);
  }

  // Metres one screen pixel spans (viewBox "meet": the larger of the two ratios).
  private metresPerPixel(): number {
    const v = this.view!;
    const w = this.svg.clientWidth || 800;
    const h = this.svg.clientHeight || 600;
    return Math.max(v.w / w, v.h / h);
  }

  private toSvg(e: { clientX: number; clientY: number }): Point {
    const ctm = this.svg.getScreenCTM();
    if (!ctm) return { x: 0, y: 0 };
    const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(ctm.inverse());
    return { x: p.x, y: p.y };
  }

  private onWheel(e: WheelEvent): void {
    if (!this.view) return;
    e.preventDefault();
    this.view = zoomBox(this.view, e.deltaY > 0 ? 1.2 : 1 / 1.2, this.toSvg(e));
    this.redraw();
  }

  private onPointerDown(e: PointerEvent): void {
    if (e.button !== 0) return;
    const target = e.target as Element;
    const orderEl = target.closest('[data-order-id]');
    const courierEl = target.closest('[data-courier-id]');
    if (orderEl) {
      this.startOrderDrag(e, orderEl.getAttribute('data-order-id')!);
    } else if (courierEl) {
      this.callbacks.selectCourier(courierEl.getAttribute('data-courier-id')!);
    } else if (this.view) {
      this.pan = { pointerId: e.pointerId, start: { x: e.clientX, y: e.clientY }, view: { ...this.view } };
      this.svg.setPointerCapture(e.pointerId);
      const move = (ev: PointerEvent) => {
        if (!this.pan || ev.pointerId !== this.pan.pointerId) return;
        const px = this.metresPerPixel();
        this.view = {
          ...this.pan.view,
          x: this.pan.view.x - (ev.clientX - this.pan.start.x) * px,
          y: this.pan.view.y - (ev.clientY - this.pan.start.y) * px,
        };
        this.redraw();
      };
      const up = () => {
        this.pan = null;
        this.svg.removeEventListener('pointermove', move);
        this.svg.removeEventListener('pointerup', up);
        this.svg.removeEventListener('pointercancel', up);
      };
      this.svg.addEventListener('pointermove', move);
      this.svg.addEventListener('pointerup', up);
      this.svg.addEventListener('pointercancel', up);
    }
  }

  // A press on an order: a click selects it; a drag that ends on a courier
  // (on the map or in a list) reassigns it.
  private startOrderDrag(e: PointerEvent, orderId: string): void {
    e.preventDefault();
    const start = { x: e.clientX, y: e.clientY };
    let dragging = false;
    const canDrag = this.last?.selection.canDrag ?? false;
    const move = (ev: PointerEvent) => {
      if (!canDrag) return;
      if (!dragging && Math.hypot(ev.clientX - start.x, ev.clientY - start.y) > 5) {
        dragging = true;
        document.body.classList.add('dragging-order');
      }
    };
    const up = (ev: PointerEvent) => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      document.body.classList.remove('dragging-order');
      if (!dragging) {
        this.callbacks.selectOrder(orderId);
        return;
      }
      const courierId = courierUnder(document.elementFromPoint(ev.clientX, ev.clientY));
      if (courierId) this.callbacks.dropOrderOnCourier(orderId, courierId);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  }
}

function courierUnder(target: EventTarget | null): string | null {
  if (!(target instanceof Element)) return null;
  return target.closest('[data-courier-id]')?.getAttribute('data-courier-id') ?? null;
}

function centre(points: GeoPoint[]): GeoPoint | null {
  if (points.length === 0) return null;
  const lat = points.reduce((sum, p) => sum + p.lat, 0) / points.length;
  const lon = points.reduce((sum, p) => sum + p.lon, 0) / points.length;
  return { lat, lon };
}

function shortId(courier: Courier): string {
  const m = courier.courier_id.match(/(\d+)$/);
  return m ? m[1].replace(/^0+(?=\d)/, '') : courier.courier_id.slice(-3);
}

function orderTitle(order: Order): string {
  return `${order.order_id} · ${tOr('status', order.status)}${order.courier_id ? ` · ${order.courier_id}` : ''}`;
}
