// The dispatch console: sign-in, then the map, queues, alert inbox and
// details, kept current by the live stream. Writes (reassign, unassign,
// hold, release, acknowledge) are offered to dispatchers and admins only,
// each with a reason for the audit trail.

import './console.css';

import { Alert, Api, ApiError, Courier, Order, seg, Session, Site, WellnessCase } from '../shared/api';
import { clock, fill, h, span } from '../shared/dom';
import { applyI18n, lang, MessageKey, onLangChange, t, toggleLang, tOr } from '../shared/i18n';
import { askConfirm, toast } from './dialog';
import { focusList, listKeys, renderList } from './lists';
import { MapView, ORDER_DRAG_TYPE } from './map';
import { routeSheet } from './sheet';
import { ACTIVE_STATUSES, ConsoleState, InboxEntry, isFinal, isReassignable, RiskEntry, StreamMessage } from './state';
import { LiveStream, StreamStatus } from './stream';

const TOKEN_KEY = 'meal-dispatch.token';
const FINAL_LIST = 'DELIVERED,FAILED,CANCELLED,REJECTED';
const OUTCOMES = ['elder_safe', 'elder_needed_help', 'taken_to_hospital', 'away_from_home', 'other'];
// While the stream is down, the lists are reloaded this often instead.
const POLL_WHILE_OFFLINE_MS = 15_000;

document.documentElement.lang = lang();
const app = document.getElementById('app')!;

function start(): void {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) void signIn(token, true);
  else showSignIn();
}

// ---- sign-in ----

function showSignIn(message?: string): void {
  const input = h('input', {
    id: 'token',
    type: 'password',
    name: 'token',
    autocomplete: 'off',
    required: true,
    'data-testid': 'token',
  });
  const error = h('p', { class: 'signin-error', role: 'alert' }, message ?? '');
  const form = h(
    'form',
    { class: 'signin', 'data-testid': 'signin' },
    h('h1', { 'data-i18n': 'signin.title' }),
    h('label', { for: 'token', 'data-i18n': 'signin.token' }),
    input,
    h('p', { class: 'hint', 'data-i18n': 'signin.hint' }),
    error,
    h(
      'div',
      { class: 'signin-buttons' },
      h('button', { type: 'button', class: 'lang', 'data-i18n': 'lang.switch', 'data-testid': 'lang' }),
      h('button', { type: 'submit', class: 'primary', 'data-i18n': 'signin.submit' }),
    ),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const token = input.value.trim();
    if (token) void signIn(token, false);
  });
  form.querySelector('button.lang')!.addEventListener('click', () => toggleLang());
  fill(app, h('main', { class: 'signin-page' }, form));
  applyI18n(app);
  document.title = t('app.console');
  input.focus();
}

async function signIn(token: string, remembered: boolean): Promise<void> {
  const api = new Api(token);
  let session: Session;
  try {
    session = await api.get<Session>('/api/v1/session');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      showSignIn(remembered ? undefined : t('signin.rejected'));
    } else {
      showSignIn(t('signin.failed', { message: e instanceof Error ? e.message : String(e) }));
    }
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  new Console(api, token, session).mount();
}

onLangChange(() => {
  applyI18n(document);
});

// ---- the console ----

type Selection = { kind: 'order'; id: string } | { kind: 'courier'; id: string } | null;

class Console {
  private readonly state = new ConsoleState();
  private readonly canWrite: boolean;
  private selection: Selection = null;
  private pickFor: string | null = null;  // reassigning this order: waiting for a courier
  private query = '';
  private drawnVersion = -1;
  private frame = 0;
  private stream: LiveStream | null = null;
  private streamStatus: StreamStatus = { state: 'connecting' };
  private loading: Promise<void> | null = null;
  private buffered: StreamMessage[] | null = [];
  private pollTimer: number | undefined;
  // While an order is dragged, the lists are not redrawn: that would remove
  // the dragged item and its drop targets and cancel the drag.
  private dragging = false;
  private sitesTimer: number | undefined;
  private sitesLoadedAt = 0;
  private readonly el: Record<string, HTMLElement> = {};
  private map!: MapView;

  constructor(
    private readonly api: Api,
    private readonly token: string,
    private readonly session: Session,
  ) {
    this.canWrite = session.role === 'dispatcher' || session.role === 'admin';
    api.onUnauthorized = () => this.signOut();
  }

  mount(): void {
    const list = (id: string, label: MessageKey) =>
      h('ul', { id, class: 'list', 'aria-label': t(label), 'data-testid': id });
    const section = (id: string, title: MessageKey, ...body: HTMLElement[]) =>
      h(
        'section',
        { class: `panel ${id}`, 'aria-labelledby': `${id}-title` },
        h('h2', { id: `${id}-title` }, h('span', { 'data-i18n': title }), ' ', h('span', { class: 'count', id: `${id}-count` })),
        ...body,
      );
    const search = h('input', {
      id: 'search',
      type: 'search',
      'data-i18n-placeholder': 'search.placeholder',
      'data-testid': 'search',
      autocomplete: 'off',
    });
    search.addEventListener('input', () => {
      this.query = search.value;
      this.schedule(true);
    });
    const mapWrap = h('div', { class: 'map-wrap', id: 'map-wrap' });
    const zoom = (factor: number | null, key: MessageKey, text: string) => {
      const b = h('button', { type: 'button', 'data-i18n-title': key }, text);
      b.addEventListener('click', () => (factor === null ? this.map.resetView() : this.map.zoom(factor)));
      return b;
    };
    mapWrap.append(
      h('div', { class: 'map-tools' }, zoom(1 / 1.5, 'map.zoomIn', '+'), zoom(1.5, 'map.zoomOut', '−'), zoom(null, 'map.zoomReset', '⤢')),
      legend(),
    );
    const header = h(
      'header',
      { class: 'topbar' },
      h('h1', { 'data-i18n': 'app.console' }),
      h('nav', null, h('a', { href: '/dashboard/', 'data-i18n': 'nav.dashboard' })),
      h('span', { id: 'conn', class: 'conn', 'data-testid': 'conn' }),
      h('span', { class: 'who', 'data-testid': 'who' }, this.session.name, ' · ', h('span', { 'data-i18n': `role.${this.session.role}` as MessageKey })),
      h('button', { type: 'button', id: 'lang', 'data-i18n': 'lang.switch', 'data-testid': 'lang' }),
      h('button', { type: 'button', id: 'help', 'data-i18n': 'help.open', 'aria-keyshortcuts': '?' }),
      h('button', { type: 'button', id: 'signout', 'data-i18n': 'signout' }),
    );
    const layout = h(
      'main',
      { class: `layout${this.canWrite ? '' : ' read-only'}` },
      h(
        'aside',
        { class: 'left' },
        section('unassigned', 'panel.unassigned', list('unassigned-list', 'panel.unassigned')),
        section('atrisk', 'panel.atRisk', list('atrisk-list', 'panel.atRisk')),
        section('orders', 'panel.orders', search, list('orders-list', 'panel.orders')),
        section('couriers', 'panel.couriers', list('couriers-list', 'panel.couriers')),
      ),
      h(
        'section',
        { class: 'center', 'aria-label': t('panel.map') },
        h('div', { id: 'pick-banner', class: 'pick-banner', hidden: true, role: 'status', 'data-testid': 'pick-banner' }),
        mapWrap,
      ),
      h(
        'aside',
        { class: 'right' },
        section('alerts', 'panel.alerts', list('alerts-list', 'panel.alerts')),
        section('detail', 'panel.detail', h('div', { id: 'detail-body', class: 'detail-body', 'data-testid': 'detail' })),
      ),
    );
    fill(app, header, layout, h('div', { id: 'route-sheet', class: 'route-sheet', 'data-testid': 'route-sheet' }), helpDialog());
    for (const id of ['unassigned-list', 'atrisk-list', 'orders-list', 'couriers-list', 'alerts-list', 'detail-body', 'conn', 'pick-banner', 'route-sheet']) {
      this.el[id] = document.getElementById(id)!;
    }
    for (const id of ['unassigned-list', 'atrisk-list', 'orders-list', 'couriers-list', 'alerts-list']) {
      listKeys(this.el[id] as HTMLUListElement);
    }
    this.map = new MapView(mapWrap, {
      selectOrder: (id) => this.selectOrder(id),
      selectCourier: (id) => this.courierChosen(id),
      dropOrderOnCourier: (orderId, courierId) => void this.reassign(orderId, courierId),
    });
    document.getElementById('lang')!.addEventListener('click', () => toggleLang());
    document.getElementById('help')!.addEventListener('click', () => toggleHelp());
    document.getElementById('signout')!.addEventListener('click', () => this.signOut());
    document.addEventListener('keydown', (e) => this.onKey(e));
    onLangChange(() => {
      document.title = t('app.console');
      this.schedule(true);
    });
    applyI18n(document);
    document.title = t('app.console');
    this.renderConn();
    window.setInterval(() => this.renderConn(), 1000);

    // The stream first, so nothing that changes during the initial load is
    // missed: its messages wait in `buffered` until the load is applied.
    this.stream = new LiveStream({
      token: this.token,
      onMessage: (m) => this.onMessage(m),
      onOpen: (reconnected) => {
        if (reconnected) void this.reload();
      },
      onStatus: (status) => {
        this.streamStatus = status;
        this.renderConn();
      },
      onFatal: () => this.signOut(),
    });
    this.stream.start();
    void this.reload();
    // While the stream is down (or not offered), reload now and then.
    this.pollTimer = window.setInterval(() => {
      if (this.streamStatus.state !== 'live') void this.reload();
    }, POLL_WHILE_OFFLINE_MS);
  }

  private signOut(): void {
    sessionStorage.removeItem(TOKEN_KEY);
    this.stream?.stop();
    window.clearInterval(this.pollTimer);
    location.reload();
  }

  // ---- data ----

  private reload(): Promise<void> {
    if (this.loading) return this.loading;
    this.buffered ??= [];
    this.loading = this.loadAll().finally(() => {
      const pending = this.buffered ?? [];
      this.buffered = null;
      for (const m of pending) this.applyMessage(m);
      this.loading = null;
      this.schedule(true);
    });
    return this.loading;
  }

  private async loadAll(): Promise<void> {
    const api = this.api;
    const active = api
      .getAll<Order>(`/api/v1/orders?status=${ACTIVE_STATUSES.join(',')}&limit=1000`, 'orders', 10)
      .catch((e) => {
        // A service that does not know one of the statuses yet: everything, unfiltered.
        if (e instanceof ApiError && e.status === 400) return api.getAll<Order>('/api/v1/orders?limit=1000', 'orders', 10);
        throw e;
      });
    const [sites, couriers, orders, finished, wellness, alerts] = await Promise.allSettled([
      api.get<{ sites: Site[] }>('/api/v1/sites'),
      api.get<{ couriers: Courier[] }>('/api/v1/couriers'),
      active,
      api.get<{ orders: Order[] }>(`/api/v1/orders?status=${FINAL_LIST}&limit=500`),
      api.get<{ cases: WellnessCase[] }>('/api/v1/wellness?status=open'),
      api.getAll<Alert>('/api/v1/alerts?status=open&limit=500', 'alerts', 4),
    ]);
    if (sites.status === 'fulfilled') {
      this.state.setSites(sites.value.sites);
      this.sitesLoadedAt = Date.now();
    }
    if (couriers.status === 'fulfilled') for (const c of couriers.value.couriers) this.state.upsertCourier(c);
    if (finished.status === 'fulfilled') for (const o of finished.value.orders) this.state.upsertOrder(o);
    if (orders.status === 'fulfilled') for (const o of orders.value) this.state.upsertOrder(o);
    if (wellness.status === 'fulfilled') {
      const open = new Set(wellness.value.cases.map((c) => c.case_id));
      for (const c of wellness.value.cases) this.state.upsertWellness(c);
      // Cases closed while we were not listening.
      for (const c of this.state.wellness.values()) if (c.status === 'open' && !open.has(c.case_id)) void this.refreshCase(c.case_id);
    }
    if (alerts.status === 'fulfilled') {
      const open = new Set(alerts.value.map((a) => a.alert_id));
      for (const a of this.state.alerts.values()) if (a.status === 'open' && !open.has(a.alert_id)) this.state.upsertAlert({ ...a, status: 'acknowledged' });
      for (const a of alerts.value) this.state.upsertAlert(a);
    }
    for (const r of [sites, couriers, orders, finished, wellness, alerts]) {
      if (r.status === 'rejected') console.warn('console: a listing failed:', r.reason);
    }
  }

  private onMessage(m: StreamMessage): void {
    if (this.buffered) this.buffered.push(m);
    else this.applyMessage(m);
  }

  private applyMessage(m: StreamMessage): void {
    // The stream brings no sites: a site not known yet is fetched.
    const sites = m.type === 'order' ? [m.order.site_id] : m.type === 'snapshot' ? m.orders.map((o) => o.site_id) : [];
    if (sites.some((id) => id && !this.state.sites.has(id))) this.refreshSites();
    const caseId = this.state.apply(m);
    if (caseId) void this.refreshCase(caseId);
    if (m.type === 'order' && this.selection?.kind === 'order' && this.selection.id === m.order.order_id && !m.order.timeline) {
      void this.fetchOrder(m.order.order_id);
    }
    this.schedule(false);
  }

  // Reloads the sites, at most once every 5 s.
  private refreshSites(): void {
    if (this.sitesTimer !== undefined) return;
    const wait = Math.max(0, this.sitesLoadedAt + 5000 - Date.now());
    this.sitesTimer = window.setTimeout(async () => {
      this.sitesLoadedAt = Date.now();
      try {
        this.state.setSites((await this.api.get<{ sites: Site[] }>('/api/v1/sites')).sites);
        this.schedule(true);
      } catch (e) {
        console.warn('console: sites', e);
      } finally {
        this.sitesTimer = undefined;
      }
    }, wait);
  }

  private async refreshCase(caseId: string): Promise<void> {
    try {
      this.state.upsertWellness(await this.api.get<WellnessCase>(`/api/v1/wellness/${seg(caseId)}`));
      this.schedule(false);
    } catch (e) {
      console.warn('console: wellness check', caseId, e);
    }
  }

  private async fetchCourier(courierId: string): Promise<void> {
    try {
      this.state.upsertCourier(await this.api.get<Courier>(`/api/v1/couriers/${seg(courierId)}`));
      this.schedule(true);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return;
      console.warn('console: courier', courierId, e);
    }
  }

  // The order and the couriers a command on it may have changed.
  private async refreshAround(orderId: string, ...courierIds: string[]): Promise<void> {
    const before = this.state.orders.get(orderId)?.courier_id;
    await this.fetchOrder(orderId);
    const after = this.state.orders.get(orderId)?.courier_id;
    const ids = new Set([before, after, ...courierIds].filter((id): id is string => !!id));
    await Promise.all([...ids].map((id) => this.fetchCourier(id)));
  }

  private async fetchOrder(orderId: string): Promise<void> {
    try {
      const order = await this.api.get<Order>(`/api/v1/orders/${seg(orderId)}`);
      this.state.upsertOrder(order);
      this.schedule(true);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return;
      console.warn('console: order', orderId, e);
    }
  }

  // ---- drawing ----

  private schedule(force: boolean): void {
    if (force) this.drawnVersion = -1;
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    if (this.dragging || this.drawnVersion === this.state.version) return;
    this.drawnVersion = this.state.version;
    const risks = this.state.atRiskQueue();
    const riskIds = new Set(risks.map((r) => r.order.order_id));
    const unassigned = this.state.unassignedQueue();
    const orders = this.state.ordersList(this.query);
    // The search narrows the orders (by order, elder, site or courier id); the couriers stay all there.
    const couriers = this.state.couriersList();
    const inbox = this.state.inbox();
    this.count('unassigned', unassigned.length);
    this.count('atrisk', risks.length);
    this.count('orders', orders.length);
    this.count('couriers', couriers.filter((c) => c.on_shift).length);
    this.count('alerts', inbox.length);

    const orderSpec = {
      key: (o: Order) => o.order_id,
      render: (o: Order) => this.orderItem(o, riskIds.has(o.order_id)),
      onOpen: (o: Order) => this.selectOrder(o.order_id),
    };
    renderList(this.el['unassigned-list'] as HTMLUListElement, unassigned, orderSpec);
    renderList(this.el['atrisk-list'] as HTMLUListElement, risks, {
      key: (r: RiskEntry) => r.order.order_id,
      render: (r: RiskEntry) => {
        const li = this.orderItem(r.order, true);
        li.append(
          h(
            'span',
            { class: 'risk' },
            r.lateMinutes > 0 ? t('risk.late', { minutes: r.lateMinutes }) : r.alert ? tOr('kind', r.alert.kind) : '',
          ),
        );
        return li;
      },
      onOpen: (r: RiskEntry) => this.selectOrder(r.order.order_id),
    });
    renderList(this.el['orders-list'] as HTMLUListElement, orders, orderSpec);
    renderList(this.el['couriers-list'] as HTMLUListElement, couriers, {
      key: (c: Courier) => c.courier_id,
      render: (c: Courier) => this.courierItem(c),
      onOpen: (c: Courier) => this.courierChosen(c.courier_id),
    });
    renderList(this.el['alerts-list'] as HTMLUListElement, inbox, {
      key: (e: InboxEntry) => (e.type === 'wellness' ? `w:${e.wellness.case_id}` : `a:${e.alert.alert_id}`),
      render: (e: InboxEntry) => (e.type === 'wellness' ? this.wellnessItem(e.wellness) : this.alertItem(e.alert)),
      onOpen: (e: InboxEntry) => {
        const orderId = e.type === 'wellness' ? e.wellness.order_id : e.alert.order_id;
        const courierId = e.type === 'alert' ? e.alert.courier_id : '';
        if (orderId && this.state.orders.has(orderId)) this.selectOrder(orderId);
        else if (orderId) void this.fetchOrder(orderId).then(() => this.selectOrder(orderId));
        else if (courierId) this.selectCourier(courierId);
      },
    });
    this.drawDetail();
    this.drawPickBanner();
    this.map.render(this.state, {
      orderId: this.selection?.kind === 'order' ? this.selection.id : this.pickFor,
      courierId: this.selection?.kind === 'courier' ? this.selection.id : this.selectedOrderCourier(),
      canDrag: this.canWrite,
      atRisk: riskIds,
    });
  }

  private count(id: string, n: number): void {
    const el = document.getElementById(`${id}-count`);
    if (el) el.textContent = String(n);
  }

  private renderConn(): void {
    const el = this.el['conn'];
    if (!el) return;
    const s = this.streamStatus;
    el.className = `conn conn-${s.state}`;
    el.dataset.state = s.state;
    el.textContent =
      s.state === 'live'
        ? t('conn.live')
        : s.state === 'connecting'
          ? t('conn.connecting')
          : t('conn.retry', { seconds: Math.max(1, Math.round((s.retryAtMs - Date.now()) / 1000)) });
  }

  private orderItem(o: Order, atRisk: boolean): HTMLLIElement {
    const selected = this.selection?.kind === 'order' && this.selection.id === o.order_id;
    const li = h(
      'li',
      {
        class: `item order-item${selected ? ' selected' : ''}${atRisk ? ' at-risk' : ''}`,
        'data-order-id': o.order_id,
        'data-status': o.status,
        draggable: this.canWrite && isReassignable(o) ? 'true' : null,
        'aria-selected': selected ? 'true' : 'false',
      },
      h('span', { class: `pill status-${o.status}` }, tOr('status', o.status)),
      h('span', { class: 'id' }, o.order_id),
      h('span', { class: 'sub' }, span(o.window.start_ms, o.window.end_ms), ' · ', this.siteName(o.site_id), o.courier_id ? ` · ${o.courier_id}` : ''),
    );
    if (this.canWrite && isReassignable(o)) {
      li.addEventListener('dragstart', (e) => {
        e.dataTransfer?.setData(ORDER_DRAG_TYPE, o.order_id);
        e.dataTransfer?.setData('text/plain', o.order_id);
        if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
        this.dragging = true;
      });
      li.addEventListener('dragend', () => {
        this.dragging = false;
        this.schedule(true);
      });
    }
    return li;
  }

  private courierItem(c: Courier): HTMLLIElement {
    const selected = this.selection?.kind === 'courier' && this.selection.id === c.courier_id;
    const state = !c.on_shift ? t('courier.offShift') : c.available ? t('courier.onShift') : t('courier.unavailable');
    const li = h(
      'li',
      {
        class: `item courier-item${selected ? ' selected' : ''}${c.on_shift ? '' : ' off-shift'}${this.pickFor ? ' pick-target' : ''}`,
        'data-courier-id': c.courier_id,
        'aria-selected': selected ? 'true' : 'false',
      },
      h('span', { class: `pill courier-${c.on_shift ? (c.available ? 'on' : 'paused') : 'off'}` }, state),
      h('span', { class: 'id' }, c.courier_id),
      h('span', { class: 'sub' }, t('courier.stops', { count: c.route.length }), c.team_id ? ` · ${c.team_id}` : ''),
    );
    if (this.canWrite) {
      li.addEventListener('dragover', (e) => {
        if (e.dataTransfer?.types.includes(ORDER_DRAG_TYPE)) {
          e.preventDefault();
          li.classList.add('drop-target');
        }
      });
      li.addEventListener('dragleave', () => li.classList.remove('drop-target'));
      li.addEventListener('drop', (e) => {
        li.classList.remove('drop-target');
        const orderId = e.dataTransfer?.getData(ORDER_DRAG_TYPE);
        if (!orderId) return;
        e.preventDefault();
        void this.reassign(orderId, c.courier_id);
      });
    }
    return li;
  }

  private wellnessItem(c: WellnessCase): HTMLLIElement {
    return h(
      'li',
      { class: 'item alert-item wellness severity-CRITICAL', 'data-case-id': c.case_id, 'data-kind': 'WELLNESS_CHECK' },
      h('span', { class: 'pill kind-WELLNESS_CHECK' }, t('kind.WELLNESS_CHECK')),
      h('span', { class: 'id' }, `${t('field.elder')} ${c.elder_id}`),
      h('span', { class: 'sub' }, t('wellness.opened', { time: clock(c.opened_ms) }), ` · ${t('field.order')} ${c.order_id}`),
      h('span', { class: 'sub' }, t('wellness.step', { step: tOr('step', c.step), time: clock(c.escalates_at_ms) })),
      this.canWrite ? this.writeButton('action.acknowledge', () => void this.acknowledgeWellness(c), 'ack') : null,
    );
  }

  private alertItem(a: Alert): HTMLLIElement {
    const target = [a.order_id && `${t('field.order')} ${a.order_id}`, a.courier_id && `${t('field.courier')} ${a.courier_id}`]
      .filter(Boolean)
      .join(' · ');
    return h(
      'li',
      { class: `item alert-item severity-${a.severity}`, 'data-alert-id': a.alert_id, 'data-kind': a.kind },
      h('span', { class: `pill kind-${a.kind}` }, tOr('kind', a.kind)),
      h('span', { class: 'id' }, `${tOr('severity', a.severity)} · ${clock(a.time_ms)}`),
      target ? h('span', { class: 'sub' }, target) : null,
      a.reason ? h('span', { class: 'sub reason' }, a.reason) : null,
      this.canWrite ? this.writeButton('action.acknowledge', () => void this.acknowledgeAlert(a), 'ack') : null,
    );
  }

  private writeButton(label: MessageKey, onClick: () => void, name: string): HTMLButtonElement {
    const b = h('button', { type: 'button', class: `write ${name}`, 'data-write': name }, t(label));
    b.addEventListener('click', (e) => {
      e.stopPropagation();
      onClick();
    });
    return b;
  }

  private siteName(siteId: string): string {
    return this.state.sites.get(siteId)?.name || siteId;
  }

  private selectedOrderCourier(): string | null {
    if (this.selection?.kind !== 'order') return null;
    return this.state.orders.get(this.selection.id)?.courier_id || null;
  }

  private drawPickBanner(): void {
    const banner = this.el['pick-banner'];
    banner.hidden = !this.pickFor;
    banner.textContent = this.pickFor ? t('pick.banner', { order: this.pickFor }) : '';
    document.body.classList.toggle('picking', !!this.pickFor);
  }

  private drawDetail(): void {
    const body = this.el['detail-body'];
    const sel = this.selection;
    if (!sel) {
      fill(body, h('p', { class: 'muted' }, t('detail.none')));
      return;
    }
    if (sel.kind === 'order') {
      const o = this.state.orders.get(sel.id);
      fill(body, o ? this.orderDetail(o) : h('p', { class: 'muted' }, t('detail.loading')));
    } else {
      const c = this.state.couriers.get(sel.id);
      fill(body, c ? this.courierDetail(c) : h('p', { class: 'muted' }, t('detail.loading')));
    }
  }

  private orderDetail(o: Order): HTMLElement {
    const row = (label: MessageKey, value: Node | string | number | null) =>
      value === null || value === '' ? null : [h('dt', null, t(label)), h('dd', null, value)];
    const courierLink = o.courier_id ? this.linkButton(o.courier_id, () => this.selectCourier(o.courier_id)) : null;
    const buttons: HTMLElement[] = [];
    if (this.canWrite) {
      if (isReassignable(o)) buttons.push(this.writeButton('action.reassign', () => this.startPick(o.order_id), 'reassign'));
      if (o.status === 'ASSIGNED') buttons.push(this.writeButton('action.unassign', () => void this.orderCommand(o.order_id, 'unassign'), 'unassign'));
      if (o.status === 'HELD') buttons.push(this.writeButton('action.release', () => void this.orderCommand(o.order_id, 'release'), 'release'));
      else if (!isFinal(o.status) && o.status !== 'PICKED_UP') buttons.push(this.writeButton('action.hold', () => void this.orderCommand(o.order_id, 'hold'), 'hold'));
    }
    const timeline = o.timeline ?? [];
    return h(
      'div',
      { class: 'order-detail', 'data-order-id': o.order_id, 'data-status': o.status },
      h('h3', null, h('span', { class: `pill status-${o.status}` }, tOr('status', o.status)), ' ', h('span', { class: 'id' }, o.order_id)),
      h(
        'dl',
        null,
        row('field.elder', o.elder_id),
        row('field.site', `${this.siteName(o.site_id)} (${o.site_id})`),
        row('field.courier', courierLink),
        row('field.meals', o.meals),
        row('field.window', span(o.window.start_ms, o.window.end_ms)),
        row('field.placed', clock(o.placed_ms)),
        row('field.ready', o.ready_ms ? clock(o.ready_ms) : null),
        row('field.pickedUp', o.picked_up_ms ? clock(o.picked_up_ms) : null),
        row('field.done', o.done_ms ? clock(o.done_ms) : null),
        row('field.batch', o.batch_id),
        row('field.hub', o.hub_household_id),
        row('field.standing', o.standing_id),
        row('field.proof', o.proof_ref ?? null),
      ),
      buttons.length ? h('div', { class: 'actions' }, buttons) : null,
      h('h4', null, t('field.timeline')),
      h(
        'ol',
        { class: 'timeline', 'data-testid': 'timeline' },
        timeline.map((e) =>
          h('li', null, h('time', null, clock(e.time_ms)), ' ', h('span', { class: `pill status-${e.status}` }, tOr('status', e.status)), e.note ? ` ${e.note}` : ''),
        ),
      ),
    );
  }

  private courierDetail(c: Courier): HTMLElement {
    const state = !c.on_shift ? t('courier.offShift') : c.available ? t('courier.onShift') : t('courier.unavailable');
    const print = h('button', { type: 'button', class: 'print', 'data-testid': 'print-sheet', 'aria-keyshortcuts': 'p' }, t('action.print'));
    print.addEventListener('click', () => this.printSheet(c.courier_id));
    return h(
      'div',
      { class: 'courier-detail', 'data-courier-id': c.courier_id },
      h('h3', null, h('span', { class: `pill courier-${c.on_shift ? (c.available ? 'on' : 'paused') : 'off'}` }, state), ' ', h('span', { class: 'id' }, c.courier_id)),
      h(
        'dl',
        null,
        h('dt', null, t('courier.team')),
        h('dd', null, c.team_id || '–'),
        h('dt', null, t('courier.capacity')),
        h('dd', null, c.box_capacity),
        h('dt', null, t('courier.shiftEnd')),
        h('dd', null, clock(c.shift_end_ms)),
        h('dt', null, t('courier.lastSeen')),
        h('dd', null, clock(c.location_ms)),
      ),
      h('div', { class: 'actions' }, print),
      h('h4', null, t('field.route')),
      h(
        'ol',
        { class: 'route-stops', 'data-testid': 'route-stops' },
        c.route.map((stop) =>
          h(
            'li',
            { 'data-order-id': stop.order_id, 'data-kind': stop.kind },
            h('time', null, clock(stop.planned_arrival_ms)),
            ' ',
            h('span', { class: `pill stop-${stop.kind}` }, t(stop.kind === 'PICKUP' ? 'stop.PICKUP' : 'stop.DELIVERY')),
            ' ',
            this.linkButton(stop.order_id, () => this.selectOrder(stop.order_id)),
          ),
        ),
      ),
    );
  }

  private linkButton(text: string, onClick: () => void): HTMLButtonElement {
    const b = h('button', { type: 'button', class: 'link' }, text);
    b.addEventListener('click', onClick);
    return b;
  }

  // ---- selection ----

  private selectOrder(orderId: string): void {
    if (this.pickFor) this.pickFor = null;
    this.selection = { kind: 'order', id: orderId };
    void this.fetchOrder(orderId);
    this.schedule(true);
  }

  private selectCourier(courierId: string): void {
    this.selection = { kind: 'courier', id: courierId };
    this.schedule(true);
  }

  // A courier clicked (map or list) or opened with Enter: the target of a
  // reassignment in progress, else the courier to show.
  private courierChosen(courierId: string): void {
    if (this.pickFor) {
      const orderId = this.pickFor;
      this.pickFor = null;
      this.schedule(true);
      void this.reassign(orderId, courierId);
    } else {
      this.selectCourier(courierId);
    }
  }

  private startPick(orderId: string): void {
    if (!this.canWrite) return;
    this.pickFor = orderId;
    this.schedule(true);
    requestAnimationFrame(() => focusList(this.el['couriers-list'] as HTMLUListElement));
  }

  // ---- commands ----

  private async reassign(orderId: string, courierId: string): Promise<void> {
    if (!this.canWrite) return;
    const order = this.state.orders.get(orderId);
    if (order && order.courier_id === courierId && order.status === 'ASSIGNED') return;
    const answer = await askConfirm({
      title: t('dialog.reassign', { order: orderId, courier: courierId }),
      textLabel: 'field.reason',
      requiredMessage: 'dialog.reasonRequired',
    });
    if (!answer) return;
    await this.send(t('action.reassign'), `/api/v1/orders/${seg(orderId)}/reassign`, { courier_id: courierId, reason: answer.text }, () =>
      this.refreshAround(orderId, courierId, order?.courier_id ?? ''),
    );
    this.selection = { kind: 'order', id: orderId };
    this.schedule(true);
  }

  private async orderCommand(orderId: string, action: 'unassign' | 'hold' | 'release'): Promise<void> {
    const titles = { unassign: 'dialog.unassign', hold: 'dialog.hold', release: 'dialog.release' } as const;
    const labels = { unassign: 'action.unassign', hold: 'action.hold', release: 'action.release' } as const;
    const answer = await askConfirm({ title: t(titles[action], { order: orderId }), textLabel: 'field.reason', requiredMessage: 'dialog.reasonRequired' });
    if (!answer) return;
    const courierId = this.state.orders.get(orderId)?.courier_id ?? '';
    await this.send(t(labels[action]), `/api/v1/orders/${seg(orderId)}/${action}`, { reason: answer.text }, () =>
      this.refreshAround(orderId, courierId),
    );
  }

  private async acknowledgeWellness(c: WellnessCase): Promise<void> {
    const answer = await askConfirm({
      title: t('dialog.ackWellness', { case: c.case_id, elder: c.elder_id }),
      textLabel: 'field.note',
      requiredMessage: 'dialog.noteRequired',
      choice: { label: 'field.outcome', options: OUTCOMES.map((o) => ({ value: o, label: tOr('outcome', o) })) },
    });
    if (!answer) return;
    await this.send(
      t('action.acknowledge'),
      `/api/v1/wellness/${seg(c.case_id)}/acknowledge`,
      { outcome: answer.choice ?? 'elder_safe', note: answer.text },
      () => this.refreshCase(c.case_id),
    );
  }

  private async acknowledgeAlert(a: Alert): Promise<void> {
    const answer = await askConfirm({ title: t('dialog.ackAlert', { kind: tOr('kind', a.kind) }), textLabel: 'field.note', requiredMessage: 'dialog.noteRequired' });
    if (!answer) return;
    await this.send(t('action.acknowledge'), `/api/v1/alerts/${seg(a.alert_id)}/acknowledge`, { note: answer.text }, async () => {
      const open = await this.api.getAll<Alert>('/api/v1/alerts?status=open&limit=500', 'alerts', 4);
      if (!open.some((x) => x.alert_id === a.alert_id)) this.state.upsertAlert({ ...a, status: 'acknowledged' });
      this.schedule(false);
    });
  }

  // Posts a command. The service answers 202 once it is in the commands log;
  // the area's owner applies it a moment later, which the stream shows. In
  // case the stream is down, `recheck` runs a few times over the next seconds.
  private async send(action: string, path: string, body: unknown, recheck: () => Promise<unknown>): Promise<void> {
    try {
      await this.api.post(path, body);
    } catch (e) {
      if (e instanceof ApiError && e.status === 403) toast(t('toast.forbidden'), 'error');
      else toast(t('toast.failed', { message: e instanceof Error ? e.message : String(e) }), 'error');
      return;
    }
    toast(t('toast.sent', { action }));
    for (const delay of [300, 1000, 2500, 5000, 10000]) window.setTimeout(() => void recheck().catch(() => undefined), delay);
  }

  private printSheet(courierId: string): void {
    const c = this.state.couriers.get(courierId);
    if (!c) return;
    fill(this.el['route-sheet'], routeSheet(c, this.state, Date.now()));
    window.print();
  }

  // ---- keyboard ----

  private onKey(e: KeyboardEvent): void {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    if (document.querySelector('dialog[open]:not(#help-dialog)')) return;
    const target = e.target as HTMLElement;
    const typing = target.closest('input, textarea, select');
    if (e.key === 'Escape') {
      if (typing) (target as HTMLInputElement).blur();
      if (this.pickFor) this.pickFor = null;
      else this.selection = null;
      this.schedule(true);
      return;
    }
    if (typing) return;
    const go = (id: string) => focusList(this.el[id] as HTMLUListElement);
    const order = this.selection?.kind === 'order' ? this.state.orders.get(this.selection.id) : undefined;
    const handled = ((): boolean => {
      switch (e.key) {
        case '?': toggleHelp(); return true;
        case '/': document.getElementById('search')!.focus(); return true;
        case 'u': go('unassigned-list'); return true;
        case 'k': go('atrisk-list'); return true;
        case 'a': go('alerts-list'); return true;
        case 'o': go('orders-list'); return true;
        case 'c': go('couriers-list'); return true;
        case 'l': toggleLang(); return true;
        case '+': case '=': this.map.zoom(1 / 1.5); return true;
        case '-': this.map.zoom(1.5); return true;
        case '0': this.map.resetView(); return true;
        case 'r':
          if (order && this.canWrite && isReassignable(order)) this.startPick(order.order_id);
          return true;
        case 'h':
          if (order && this.canWrite && !isFinal(order.status) && order.status !== 'PICKED_UP') void this.orderCommand(order.order_id, order.status === 'HELD' ? 'release' : 'hold');
          return true;
        case 'x':
          if (order && this.canWrite && order.status === 'ASSIGNED') void this.orderCommand(order.order_id, 'unassign');
          return true;
        case 'p': {
          const courierId = this.selection?.kind === 'courier' ? this.selection.id : order?.courier_id;
          if (courierId) this.printSheet(courierId);
          return true;
        }
      }
      return false;
    })();
    if (handled) e.preventDefault();
  }
}

function legend(): HTMLElement {
  const statuses = ['READY', 'ASSIGNED', 'PICKED_UP', 'DELIVERED', 'FAILED', 'UNASSIGNED', 'HELD'];
  return h(
    'div',
    { class: 'legend', 'aria-hidden': 'true' },
    h('span', { class: 'legend-site' }, h('i'), h('span', { 'data-i18n': 'map.legend.site' })),
    h('span', { class: 'legend-courier' }, h('i'), h('span', { 'data-i18n': 'map.legend.courier' })),
    h('span', { class: 'legend-route' }, h('i'), h('span', { 'data-i18n': 'map.legend.route' })),
    statuses.map((s) => h('span', { class: `legend-order status-${s}` }, h('i'), h('span', { 'data-i18n': `status.${s}` as MessageKey }))),
    h('span', { class: 'legend-note', 'data-i18n': 'map.legend.note' }),
  );
}

const SHORTCUTS: [string, MessageKey][] = [
  ['?', 'help.key.help'],
  ['/', 'help.key.search'],
  ['u', 'help.key.unassigned'],
  ['k', 'help.key.atRisk'],
  ['a', 'help.key.alerts'],
  ['o', 'help.key.orders'],
  ['c', 'help.key.couriers'],
  ['r', 'help.key.reassign'],
  ['h', 'help.key.hold'],
  ['x', 'help.key.unassign'],
  ['p', 'help.key.print'],
  ['l', 'help.key.lang'],
  ['+ − 0', 'help.key.zoom'],
  ['Esc', 'help.key.escape'],
];

function helpDialog(): HTMLDialogElement {
  const close = h('button', { type: 'button', 'data-i18n': 'help.close' });
  const dialog = h(
    'dialog',
    { id: 'help-dialog', class: 'help', 'aria-labelledby': 'help-title', 'data-testid': 'help' },
    h('h2', { id: 'help-title', 'data-i18n': 'help.title' }),
    h('p', { 'data-i18n': 'help.intro' }),
    h('table', null, h('tbody', null, SHORTCUTS.map(([keys, label]) => h('tr', null, h('th', null, h('kbd', null, keys)), h('td', { 'data-i18n': label }))))),
    h('p', { 'data-i18n': 'help.drag' }),
    h('div', { class: 'dialog-buttons' }, close),
  );
  close.addEventListener('click', () => dialog.close());
  return dialog;
}

function toggleHelp(): void {
  const dialog = document.getElementById('help-dialog') as HTMLDialogElement | null;
  if (!dialog) return;
  if (dialog.open) dialog.close();
  else dialog.showModal();
}

start();
