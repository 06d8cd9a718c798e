// A courier's route sheet: the planned stops as a table to print and hand to
// a volunteer without a phone. Print CSS (console.css) shows only this.

import type { Courier } from '../shared/api';
import { clock, dateTime, h, span } from '../shared/dom';
import { t } from '../shared/i18n';
import type { ConsoleState } from './state';

export function routeSheet(courier: Courier, state: ConsoleState, nowMs: number): HTMLElement {
  const rows = courier.route.map((stop, i) => {
    const order = state.orders.get(stop.order_id);
    const site = state.sites.get(stop.site_id);
    const place =
      stop.kind === 'PICKUP'
        ? `${site?.name ?? stop.site_id} (${stop.site_id})`
        : [order?.elder_id, order?.hub_household_id ? `${t('field.hub')} ${order.hub_household_id}` : '', coords(stop.location)]
            .filter(Boolean)
            .join(' · ');
    return h(
      'tr',
      { 'data-stop': i },
      h('td', null, i + 1),
      h('td', null, t(stop.kind === 'PICKUP' ? 'stop.PICKUP' : 'stop.DELIVERY')),
      h('td', null, stop.order_id),
      h('td', null, place),
      h('td', null, clock(stop.planned_arrival_ms)),
      h('td', null, order ? span(order.window.start_ms, order.window.end_ms) : ''),
      h('td', null, order ? order.meals : ''),
      h('td', { class: 'blank' }),
      h('td', { class: 'blank wide' }),
    );
  });
  return h(
    'article',
    { class: 'sheet', 'data-courier-id': courier.courier_id },
    h('h1', null, t('sheet.title')),
    h(
      'p',
      { class: 'sheet-meta' },
      t('sheet.courier', { courier: courier.courier_id }),
      courier.team_id ? ` · ${t('courier.team')} ${courier.team_id}` : '',
      courier.shift_end_ms ? ` · ${t('courier.shiftEnd')} ${clock(courier.shift_end_ms)}` : '',
      ` · ${t('sheet.printed', { time: dateTime(nowMs) })}`,
    ),
    rows.length === 0
      ? h('p', null, t('sheet.empty'))
      : h(
          'table',
          null,
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              h('th', null, t('sheet.col.seq')),
              h('th', null, t('sheet.col.kind')),
              h('th', null, t('sheet.col.order')),
              h('th', null, t('sheet.col.place')),
              h('th', null, t('sheet.col.arrival')),
              h('th', null, t('sheet.col.window')),
              h('th', null, t('sheet.col.meals')),
              h('th', null, t('sheet.col.done')),
              h('th', null, t('sheet.col.sign')),
            ),
          ),
          h('tbody', null, rows),
        ),
    h('p', { class: 'sheet-note' }, t('sheet.noAnswer')),
  );
}

function coords(p: { lat: number; lon: number } | undefined): string {
  return p ? `${p.lat.toFixed(5)}, ${p.lon.toFixed(5)}` : '';
}
