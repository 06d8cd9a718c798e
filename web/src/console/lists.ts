// Keyboard-usable lists: every item is focusable, ↑/↓/Home/End move
// between items, Enter opens one. A list is redrawn whole on each change,
// and the item that had the focus gets it back.

import { fill, h } from '../shared/dom';
import { t } from '../shared/i18n';

// Items drawn at most per list; the rest is counted.
export const MAX_ITEMS = 200;

export interface ListSpec<T> {
  key: (item: T) => string;
  render: (item: T) => HTMLElement;  // an <li>; it gets tabindex and data-key here
  onOpen: (item: T) => void;
}

export function renderList<T>(ul: HTMLUListElement, items: T[], spec: ListSpec<T>): void {
  const active = document.activeElement;
  const focusedKey = active instanceof HTMLElement && ul.contains(active) ? active.closest('li')?.dataset.key : undefined;
  const focusWasOnItem = active instanceof HTMLElement && active.tagName === 'LI' && ul.contains(active);
  const shown = items.slice(0, MAX_ITEMS);
  const lis = shown.map((item) => {
    const li = spec.render(item);
    li.dataset.key = spec.key(item);
    li.tabIndex = -1;
    li.setAttribute('role', 'option');
    li.addEventListener('click', (e) => {
      if ((e.target as Element).closest('button, a')) return;
      spec.onOpen(item);
    });
    li.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && e.target === li) {
        e.preventDefault();
        spec.onOpen(item);
      }
    });
    return li;
  });
  if (lis.length === 0) {
    fill(ul, h('li', { class: 'empty', role: 'option', 'aria-disabled': 'true' }, t('list.empty')));
  } else {
    fill(ul, lis, items.length > shown.length ? h('li', { class: 'more', 'aria-disabled': 'true' }, t('list.more', { count: items.length - shown.length })) : null);
  }
  // One tab stop per list: the focused item, else the first.
  const again = focusedKey !== undefined ? lis.find((li) => li.dataset.key === focusedKey) : undefined;
  (again ?? lis[0])?.setAttribute('tabindex', '0');
  if (again && focusWasOnItem) again.focus();
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
