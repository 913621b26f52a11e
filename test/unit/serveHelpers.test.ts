import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLoopbackHost } from '../../src/server/createRequestGuard.js';
import { formatAccessLogLine } from '../../src/server/formatAccessLogLine.js';
import { HttpFailure } from '../../src/server/HttpFailure.js';
import { parseTokenIds } from '../../src/server/parseTokenIds.js';

test('isLoopbackHost: localhost, 127.0.0.0/8 and ::1 only', () => {
  for (const h of ['localhost', 'LOCALHOST', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1'])
    assert.equal(isLoopbackHost(h), true, h);
  for (const h of ['0.0.0.0', '::', '192.168.1.5', '128.0.0.1', 'localhost.example', '127.0.0.1.nip.io', 'gpubox'])
    assert.equal(isLoopbackHost(h), false, h);
});

test('parseTokenIds accepts 0..n-1 and names the first bad id', () => {
  assert.deepEqual(parseTokenIds([0, 5, 511], 'tokens', 512), [0, 5, 511]);
  const bad: [unknown, string][] = [
    [[1, 512], "'tokens'[1] is 512: token ids are integers from 0 to 511 (vocabulary of 512)"],
    [[-1], "'tokens'[0] is -1"],
    [[2 ** 32], "'tokens'[0] is 4294967296"],
    [[0.5], "'tokens'[0] is 0.5"],
    [['3'], `'tokens'[0] is "3"`],
    [[{}], "'tokens'[0] is {}"],
    ['1,2', "'tokens' must be a list of token ids"],
  ];
  for (const [value, message] of bad) {
    assert.throws(
      () => parseTokenIds(value, 'tokens', 512),
      (e: unknown) => e instanceof HttpFailure && e.status === 400 && e.message.startsWith(message),
      JSON.stringify(value),
    );
  }
});

test('formatAccessLogLine: one line, no query string, control characters escaped', () => {
  const now = new Date('2026-01-02T03:04:05.006Z');
  assert.equal(
    formatAccessLogLine({ method: 'POST', path: '/v1/completions', status: 200, ms: 41.4, tokens: 812 }, now),
    '2026-01-02T03:04:05.006Z POST /v1/completions 200 41ms tokens=812',
  );
  assert.equal(
    formatAccessLogLine({ method: 'GET', path: '/a\u001b[31m b\n', status: undefined, ms: 3, aborted: true }, now),
    '2026-01-02T03:04:05.006Z GET /a\\x1b[31m\\x20b\\x0a - 3ms aborted',
  );
});
