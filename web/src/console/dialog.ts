// The confirmation dialog every write goes through: a title, an optional
// choice (a wellness check's outcome) and a required reason or note, which
// the service records in the audit trail. Native <dialog>: modal, Esc
// cancels, focus stays inside.

import { h } from '../shared/dom';
import { MessageKey, t } from '../shared/i18n';

export interface DialogRequest {
  title: string;
  // 'field.reason' or 'field.note'.
  textLabel: MessageKey;
  requiredMessage: MessageKey;
  choice?: { label: MessageKey; options: { value: string; label: string }[] };
}

export interface DialogAnswer {
  text: string;
  choice?: string;
}

export function askConfirm(request: DialogRequest): Promise<DialogAnswer | null> {
  return new Promise((resolve) => {
    const textarea = h('textarea', { name: 'text', rows: 3, required: true, maxlength: 1000, 'data-testid': 'dialog-text' });
    const error = h('p', { class: 'dialog-error', role: 'alert' });
    const select = request.choice
      ? h(
          'select',
          { name: 'choice', 'data-testid': 'dialog-choice' },
          request.choice.options.map((o) => h('option', { value: o.value }, o.label)),
        )
      : null;
    const form = h(
      'form',
      { method: 'dialog' },
      h('h2', null, request.title),
      request.choice && select ? h('label', null, t(request.choice.label), select) : null,
      h('label', null, t(request.textLabel), textarea),
      error,
      h(
        'div',
        { class: 'dialog-buttons' },
        h('button', { type: 'button', value: 'cancel', 'data-testid': 'dialog-cancel' }, t('action.cancel')),
        h('button', { type: 'submit', value: 'confirm', class: 'primary', 'data-testid': 'dialog-confirm' }, t('action.confirm')),
      ),
    );
    const dialog = h('dialog', { class: 'confirm', 'data-testid': 'dialog' }, form);
    let settled = false;
    const finish = (answer: DialogAnswer | null) => {
      if (settled) return;
      settled = true;
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const text = textarea.value.trim();
      if (!text) {
        error.textContent = t(request.requiredMessage);
        textarea.focus();
        return;
      }
      finish({ text, choice: select?.value });
    });
    form.querySelector('button[value=cancel]')!.addEventListener('click', () => finish(null));
    dialog.addEventListener('cancel', () => finish(null));
    dialog.addEventListener('close', () => finish(null));  // closed some other way
    document.body.append(dialog);
    dialog.showModal();
    (select ?? textarea).focus();
  });
}

// A short message at the bottom of the screen, gone after a few seconds;
// also read out by screen readers.
export function toast(text: string, kind: 'ok' | 'error' = 'ok'): void {
  let box = document.getElementById('toasts');
  if (!box) {
    box = h('div', { id: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(box);
  }
  const item = h('div', { class: `toast ${kind}` }, text);
  box.append(item);
  window.setTimeout(() => item.remove(), kind === 'error' ? 8000 : 4000);
}
