import assert from 'node:assert/strict';
import { test } from 'node:test';

import { dictionariesForTest, t } from '../src/shared/i18n';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('both languages have every message, none empty, with the same placeholders', () => {
  const zh = dictionariesForTest['zh-CN'];
  const en = dictionariesForTest.en;
  assert.deepEqual(Object.keys(en).sort(), Object.keys(zh).sort());
  for (const key of Object.keys(zh) as (keyof typeof zh)[]) {
    assert.ok(zh[key].trim() && en[key].trim(), key);
    assert.deepEqual(placeholders(en[key]), placeholders(zh[key]), key);
  }
});

test('Chinese is the default and placeholders are filled', () => {
  assert.equal(t('panel.unassigned'), '待分配');
  assert.equal(t('courier.stops', { count: 3 }), '3 站');
});
