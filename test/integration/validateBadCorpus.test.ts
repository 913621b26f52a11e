import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Problem } from '../../src/data/types.js';
import { makeTempDir } from '../helpers/paths.js';
import { runHumanlike } from '../helpers/runCliProcess.js';
import { writeZip } from '../helpers/writeZip.js';

interface Case {
  line: string;
  /** Expected problems on this line: [severity, code, the substring the column must point at (or a number)]. */
  expect: [Problem['severity'], Problem['code'], string | number][];
}

const obj = (o: Record<string, unknown>): string => JSON.stringify(o);
const CASES: Case[] = [
  { line: obj({ text: 'Go <<A>>.', experiment: 'e', participant: 1, RTs: [500] }), expect: [] },
  { line: '{"text": "a <<b>>", "experiment": "e" "participant": 2}', expect: [['error', 'invalid-json', '"participant": 2']] },
  { line: '{"text": "x <<A>>", "experiment": "e", "participant": 3, "age": NaN}', expect: [['warning', 'python-nan', 'NaN}']] },
  { line: obj({ experiment: 'e', participant: 4 }), expect: [['error', 'missing-field', 1]] },
  { line: obj({ text: 'x <<A>>', experiment: 'e', participant: [5] }), expect: [['error', 'wrong-type', '"participant"']] },
  { line: obj({ text: 'x <<A', experiment: 'e', participant: 6 }), expect: [['error', 'unbalanced-marker', '<<A"']] },
  { line: obj({ text: 'x <<A <<B>>', experiment: 'e', participant: 7 }), expect: [['error', 'nested-marker', '<<B>>']] },
  { line: obj({ text: 'x <<>> y <<C>>', experiment: 'e', participant: 8 }), expect: [['error', 'empty-response', '<<>> y']] },
  { line: obj({ text: 'x >>> y <<C>>', experiment: 'e', participant: 9 }), expect: [['error', 'marker-misuse', '>>> y'], ['error', 'unbalanced-marker', '>> y']] },
  { line: obj({ text: 'x <<A>>', experiment: 'e', participant: 10, RTs: [1, 2] }), expect: [['error', 'rt-length-mismatch', '"RTs"']] },
  { line: obj({ text: 'again <<A>>', experiment: 'e', participant: 1 }), expect: [['error', 'duplicate-participant', 1]] },
  { line: obj({ text: 'no responses here', experiment: 'e', participant: 12 }), expect: [['error', 'no-responses', '"text"']] },
  { line: obj({ text: 'long <<A>> ' + 'z'.repeat(300), experiment: 'e', participant: 13 }), expect: [['error', 'text-too-long', '"text"']] },
  { line: obj({ text: 'x <<A>>', experiment: 'e', participant: 14, age: 150 }), expect: [['error', 'implausible-metadata', '"age"']] },
  { line: obj({ text: 'x <<A>>then', experiment: 'e', participant: 15 }), expect: [['warning', 'marker-glued', '>>then']] },
  { line: obj({ text: 'x <<A>>\nnext', experiment: 'e', participant: 16 }), expect: [['warning', 'marker-newline', '>>\\nnext']] },
  { line: '', expect: [['warning', 'blank-line', 1]] },
  { line: obj({ text: '"quoted" \u00e9\t <<open', experiment: 'e', participant: 18 }), expect: [['error', 'unbalanced-marker', '<<open']] },
  { line: obj({ text: 'x <<A>>', experiment: 'e', participant: 19, age: 'old' }), expect: [['warning', 'metadata-type', '"age"']] },
];

function buildCorpus(): string {
  const root = makeTempDir();
  mkdirSync(join(root, 'bad'));
  writeFileSync(join(root, 'bad', 'prompts.jsonl'), CASES.map((c) => c.line).join('\n') + '\n');
  const good = obj({ text: 'ok <<A>>', experiment: 'e', participant: 1 }) + '\n';
  mkdirSync(join(root, 'zipslip'));
  writeZip(join(root, 'zipslip', 'prompts.jsonl.zip'), [{ name: '../../evil.jsonl', data: good }]);
  mkdirSync(join(root, 'zipbomb'));
  writeZip(join(root, 'zipbomb', 'prompts.jsonl.zip'), [{ name: 'prompts.jsonl', data: Buffer.alloc(5_000_000, 0x20) }]);
  mkdirSync(join(root, 'ziplies'));
  writeZip(join(root, 'ziplies', 'prompts.jsonl.zip'), [{ name: 'prompts.jsonl', data: Buffer.alloc(5_000_000, 0x20), declaredSize: 100 }]);
  mkdirSync(join(root, 'zipcorrupt'));
  writeFileSync(join(root, 'zipcorrupt', 'prompts.jsonl.zip'), 'this is not a zip archive');
  mkdirSync(join(root, 'zipok'));
  writeZip(join(root, 'zipok', 'prompts.jsonl.zip'), [
    { name: 'prompts.jsonl', data: good },
    { name: '__MACOSX/._prompts.jsonl', data: 'binary junk' },
    { name: '.hidden.jsonl', data: 'junk' },
  ]);
  return root;
}

test('validate reports every rule of the bad-input corpus at the right place, without crashing', () => {
  const root = buildCorpus();
  const r = runHumanlike(['validate', root, '--json', '--max-text-chars', '200', '--max-inflate-bytes', '1000000']);
  assert.equal(r.code, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  const { summary, problems } = JSON.parse(r.stdout) as { summary: { errors: number; warnings: number }; problems: Problem[] };
  const badFile = join(root, 'bad', 'prompts.jsonl');
  CASES.forEach((c, i) => {
    const lineNo = i + 1;
    const found = problems.filter((p) => p.file === badFile && p.line === lineNo);
    assert.deepEqual(found.map((p) => [p.severity, p.code]), c.expect.map(([s, code]) => [s, code]), `line ${lineNo}: ${JSON.stringify(found)}`);
    c.expect.forEach(([, , at], k) => {
      const p = found[k]!;
      if (typeof at === 'number') assert.equal(p.column, at, `line ${lineNo} column`);
      else assert.ok(c.line.slice(p.column - 1).startsWith(at), `line ${lineNo} ${p.code}: column ${p.column} points at ${JSON.stringify(c.line.slice(p.column - 1, p.column + 12))}, expected ${JSON.stringify(at)}`);
      assert.ok(p.message.length > 10, 'a message saying what was expected');
    });
  });
  const byFile = (dir: string): Problem[] => problems.filter((p) => p.file.startsWith(join(root, dir)));
  assert.deepEqual(byFile('zipslip').map((p) => p.code), ['unsafe-archive']);
  assert.match(byFile('zipslip')[0]!.message, /\.\.\/\.\.\/evil\.jsonl.*'\.\.'/);
  assert.deepEqual(byFile('zipbomb').map((p) => p.code), ['unsafe-archive']);
  assert.match(byFile('zipbomb')[0]!.message, /zip bomb/);
  assert.deepEqual(byFile('ziplies').map((p) => p.code), ['unsafe-archive']);
  assert.deepEqual(byFile('zipcorrupt').map((p) => p.code), ['unreadable-file']);
  assert.deepEqual(byFile('zipok'), []);
  const expectedErrors = CASES.flatMap((c) => c.expect).filter(([s]) => s === 'error').length + 4;
  assert.equal(summary.errors, expectedErrors);
});

test('text output names file:line:column and a summary per kind; exit 0 with warnings only', () => {
  const root = makeTempDir();
  writeFileSync(join(root, 'warn.jsonl'), '{"text": "a <<b>>", "experiment": "e", "participant": 1, "age": NaN}\n');
  const r = runHumanlike(['validate', join(root, 'warn.jsonl')]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /warn\.jsonl:1:65: warning \[python-nan\]/);
  assert.match(r.stdout, /warning\s+python-nan\s+1/);
  assert.match(r.stdout, /OK: 0 errors, 1 warnings/);
});

test('user errors print one clear line and exit 2', () => {
  const missing = runHumanlike(['validate', '/nonexistent/data']);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr.trim(), 'humanlike: /nonexistent/data: no such file or folder');
  const root = makeTempDir();
  writeFileSync(join(root, 'notes.txt'), 'hello');
  const wrong = runHumanlike(['stats', join(root, 'notes.txt')]);
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /notes\.txt: expected a \.jsonl, \.jsonl\.zip or \.parquet file/);
  const noSplit = runHumanlike(['stats', root, '--test-only']);
  assert.equal(noSplit.code, 2);
  assert.match(noSplit.stderr, /no study found|no split manifest/);
  const badFlag = runHumanlike(['split', root, '--out', join(root, 'o'), '--seed', 'abc']);
  assert.equal(badFlag.code, 2);
  assert.doesNotMatch(badFlag.stderr, /\n\s+at /);
});
