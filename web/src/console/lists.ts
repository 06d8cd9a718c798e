// Keyboard-usable lists: every item is focusable, ↑/↓/Home/End move
// between items, Enter opens one. A list is redrawn on every change, but an
// item whose markup is unchanged keeps its element: a busy stream must not
// swallow a click (a press and a release on two different elements make no
// click), a drag or the keyboard focus.

import { h } from '../shared/dom';
import { t } from '../shared/i18n';

// Items drawn at most per list; the rest is counted.
export const MAX_ITEMS = 200;

export interface ListSpec<T> {
  key: (item: T) => string;
  render: (item: T) => HTMLElement;  // an <li>; it gets tabindex and data-key here
  onOpen: (item: T) => void;
}

interface Drawn {
  li: HTMLElement;
  markup: string;  // as rendered, before tabindex: what "unchanged" compares
}

const drawn = new WeakMap<HTMLUListElement, Map<string, Drawn>>();

export function renderList<T>(ul: HTMLUListElement, items: T[], spec: ListSpec<T>): void {
  const active = document.activeElement;
  const focusedKey = active instanceof HTMLElement && ul.contains(active) ? active.closest('li')?.dataset.key : undefined;
  const focusWasOnItem = active instanceof HTMLElement && active.tagName === 'LI' && ul.contains(active);
  const before = drawn.get(ul) ?? new Map<string, Drawn>();
  const now = new Map<string, Drawn>();
  const shown = items.slice(0, MAX_ITEMS);
  const lis = shown.map((item) => {
    const key = spec.key(item);
    const fresh = spec.render(item);
    fresh.dataset.key = key;
    const markup = fresh.outerHTML;
    const kept = before.get(key);
    if (kept && kept.markup === markup) {
      now.set(key, kept);
      return kept.li;
    }
    fresh.setAttribute('role', 'option');
    fresh.addEventListener('click', (e) => {
      if ((e.target as Element).closest('button, a')) return;
      spec.onOpen(item);
    });
    fresh.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && e.target === fresh) {
        e.preventDefault();
        spec.onOpen(item);
      }
    });
    now.set(key, { li: fresh, markup });
    return fresh;
  });
  drawn.set(ul, now);

  const wanted: Element[] = [...lis];
  if (lis.length === 0) wanted.push(h('li', { class: 'empty', role: 'option', 'aria-disabled': 'true' }, t('list.empty')));
  if (items.length > shown.length) {
    wanted.push(h('li', { class: 'more', 'aria-disabled': 'true' }, t('list.more', { count: items.length - shown.length })));
  }
  // Remove what is gone, then put the rest in order, moving only what is out of place.
  const keep = new Set(wanted);
  for (const child of [...ul.children]) if (!keep.has(child)) child.remove();
  wanted.forEach((el, i) => {
    if (ul.children[i] !== el) ul.insertBefore(el, ul.children[i] ?? null);
  });

  // One tab stop per list: the focused item, else the first.
  const again = focusedKey !== undefined ? lis.find((li) => li.dataset.key === focusedKey) : undefined;
  for (const li of lis) li.tabIndex = -1;
  (again ?? lis[0])?.setAttribute('tabindex', '0');
  if (again && focusWasOnItem && document.activeElement !== again) again.focus();
}

// Arrow-key movement inside `ul` (installed once per list).
export function listKeys(ul: HTMLUListElement): void {
  ul.setAttribute('role', 'listbox');
  ul.addEventListener('keydown', (e) => {
    const items = [...ul.querySelectorAll<HTMLLIElement>('li[data-key]')];
    if (items.length === 0) return;
    const current = (e.target as Element).closest('li');
    const i = current ? items.indexOf(current as HTMLLIElement) : -1;
    let next = -1;
    if (e.key === 'ArrowDown') next = Math.min(items.length - 1, i + 1);
    else if (e.key === 'ArrowUp') next = Math.max(0, i - 1);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = items.length - 1;
    else return;
    e.preventDefault();
    for (const li of items) li.tabIndex = -1;
    items[next].tabIndex = 0;
    items[next].focus();
  });
}

// Focuses the list's current item (its tab stop), or the list itself when empty.
export function focusList(ul: HTMLUListElement): void {
  const target = ul.querySelector<HTMLElement>('li[tabindex="0"]') ?? ul.querySelector<HTMLElement>('li[data-key]');
  if (target) target.focus();
  else {
    ul.tabIndex = -1;
    ul.focus();
  }
}
