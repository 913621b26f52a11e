import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeMetadata } from '../../src/data/normalizeMetadata.js';

test('aliases map onto canonical fields, case-sensitively where the reference is', () => {
  const { metadata, extras } = normalizeMetadata({
    text: 't',
    experiment: 'e',
    participant: 1,
    sex: 'F',
    location: 'Germany',
    diagnosis: 'none given',
    gad7: '12',
    stai: 40,
    STAI: 35,
    bis: 60,
    bis_total: 55,
    'BDI-II score': 9,
    STICSAsoma: 20,
    bas_reward_response: 17,
    condition: 'static',
    attention: [1, 2],
  });
  assert.equal(metadata.gender, 'female');
  assert.equal(metadata.nationality, 'Germany');
  assert.equal(metadata['clinical diagnosis'], 'none given');
  assert.deepEqual(metadata.scores, {
    'GAD-7': 12,
    'STAI-T': 40,
    'STAI-S': 35,
    'BIS-11': 60,
    'BIS-10': 55,
    'BDI-II': 9,
    'STICSA-T somatic': 20,
    'BAS Reward Responsiveness': 17,
  });
  assert.deepEqual(extras, { condition: 'static', attention: [1, 2] });
});

test('missing markers (N/A, NaN, null, empty) are dropped; numeric strings are parsed', () => {
  const { metadata, issues } = normalizeMetadata({ age: '37', gender: 'N/A', PHQ: Number.NaN, education: null, RTs: ['1159', 877, 'N/A'] });
  assert.equal(metadata.age, 37);
  assert.equal(metadata.gender, undefined);
  assert.equal(metadata.scores, undefined);
  assert.equal(metadata.education, undefined);
  assert.equal(metadata.RTs?.length, 3);
  assert.deepEqual(metadata.RTs?.slice(0, 2), [1159, 877]);
  assert.ok(Number.isNaN(metadata.RTs?.[2]));
  assert.deepEqual(issues, []);
});

test('values of the wrong type are reported, not fatal', () => {
  const { metadata, issues } = normalizeMetadata({ age: 'thirty', RTs: 'fast' });
  assert.equal(metadata.age, undefined);
  assert.deepEqual(
    issues.map((i) => i.field),
    ['age', 'RTs'],
  );
});

test('keys named like Object members are kept as extras and never mistaken for aliases', () => {
  const record = JSON.parse('{"__proto__": {"x": 1}, "constructor": "c", "toString": "t", "hasOwnProperty": 5}') as Record<string, unknown>;
  const { metadata, extras, issues } = normalizeMetadata(record);
  assert.deepEqual(metadata, {});
  assert.deepEqual(issues, []);
  assert.deepEqual(Object.keys(extras), ['__proto__', 'constructor', 'toString', 'hasOwnProperty']);
  assert.deepEqual(Object.getOwnPropertyDescriptor(extras, '__proto__')?.value, { x: 1 });
  assert.equal(Object.getPrototypeOf(extras), Object.prototype);
  assert.equal(extras['toString'], 't');
});
