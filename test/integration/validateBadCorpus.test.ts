import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Problem } from '../../src/data/types.js';
import { makeTempDir } from '../helpers/paths.js';
import { runHumanlike, runHumanlikeMeasured } from '../helpers/runCliProcess.js';
import { writeRepeatedZip, writeZip } from '../helpers/writeZip.js';

interface Case {
  /** The raw line (a Buffer for bytes that are not UTF-8). */
  line: string | Buffer;
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
  {
    line: obj({ text: 'x >>> y <<C>>', experiment: 'e', participant: 9 }),
    expect: [
      ['error', 'marker-misuse', '>>> y'],
      ['error', 'unbalanced-marker', '>> y'],
    ],
  },
  { line: obj({ text: 'x <<A>>', experiment: 'e', participant: 10, RTs: [1, 2] }), expect: [['warning', 'rt-length-mismatch', '"RTs"']] },
  { line: obj({ text: 'again <<A>>', experiment: 'e', participant: 1 }), expect: [['error', 'duplicate-participant', 1]] },
  { line: obj({ text: 'no responses here', experiment: 'e', participant: 12 }), expect: [['error', 'no-responses', '"text"']] },
  {
    line: obj({ text: 'long <<A>> ' + 'z'.repeat(300), experiment: 'e', participant: 13 }),
    expect: [['error', 'text-too-long', '"text"']],
  },
  { line: obj({ text: 'x <<A>>', experiment: 'e', participant: 14, age: 150 }), expect: [['warning', 'implausible-metadata', '"age"']] },
  { line: obj({ text: 'x <<A>>then', experiment: 'e', participant: 15 }), expect: [['warning', 'marker-glued', '>>then']] },
  { line: obj({ text: 'x <<A>>\nnext', experiment: 'e', participant: 16 }), expect: [['warning', 'marker-newline', '>>\\nnext']] },
  { line: '', expect: [['warning', 'blank-line', 1]] },
  { line: obj({ text: '"quoted" \u00e9\t <<open', experiment: 'e', participant: 18 }), expect: [['error', 'unbalanced-marker', '<<open']] },
  { line: obj({ text: 'x <<A>>', experiment: 'e', participant: 19, age: 'old' }), expect: [['warning', 'metadata-type', '"age"']] },
  // Over the line cap (8 × --max-text-chars + 1 MiB): reported at its line, and the next line is read as usual.
  { line: '{"text": "' + 'a'.repeat(1_100_000) + '"}', expect: [['error', 'line-too-long', 1]] },
  { line: obj({ text: 'after the long line <<A>>', experiment: 'e', participant: 21 }), expect: [] },
  // Byte 0xff cannot occur in UTF-8: the column is the byte column of the bad byte.
  {
    line: Buffer.concat([
      Buffer.from('{"text": "caf\u00e9 x <<'),
      Buffer.from([0xff]),
      Buffer.from('>>", "experiment": "e", "participant": 22}'),
    ]),
    expect: [['error', 'invalid-utf8', 21]],
  },
  { line: obj({ text: 'x <<A>>', experiment: 'e', participant: ' ' }), expect: [['warning', 'empty-id', '"participant"']] },
  {
    line: '{"text": "x <<A>>", "experiment": "e", "participant": 23, "text": "y <<B>>"}',
    expect: [['warning', 'duplicate-key', '"text": "y']],
  },
  {
    line: obj({ text: 'x <<A>>', experiment: 'e', participant: 24 }).slice(0, -1) + ', "m": ' + '['.repeat(5000) + ']'.repeat(5000) + '}',
    expect: [['error', 'json-too-deep', '['.repeat(10)]],
  },
  { line: '{"text": "x <<A>>", "m": ' + '['.repeat(6000), expect: [['error', 'invalid-json', 6000 + 26]] },
];

function buildCorpus(): string {
  const root = makeTempDir();
  mkdirSync(join(root, 'bad'));
  writeFileSync(join(root, 'bad', 'prompts.jsonl'), Buffer.concat(CASES.flatMap((c) => [Buffer.from(c.line), Buffer.from('\n')])));
  const good = obj({ text: 'ok <<A>>', experiment: 'e', participant: 1 }) + '\n';
  mkdirSync(join(root, 'zipslip'));
  writeZip(join(root, 'zipslip', 'prompts.jsonl.zip'), [{ name: '../../evil.jsonl', data: good }]);
  mkdirSync(join(root, 'zipbomb'));
  writeZip(join(root, 'zipbomb', 'prompts.jsonl.zip'), [{ name: 'prompts.jsonl', data: Buffer.alloc(5_000_000, 0x20) }]);
  mkdirSync(join(root, 'ziplies'));
  writeZip(join(root, 'ziplies', 'prompts.jsonl.zip'), [{ name: 'prompts.jsonl', data: Buffer.alloc(5_000_000, 0x20), declaredSize: 100 }]);
  mkdirSync(join(root, 'zipcorrupt'));
  writeFileSync(join(root, 'zipcorrupt', 'prompts.jsonl.zip'), 'this is not a zip archive');
  mkdirSync(join(root, 'zipemptyentry'));
  writeZip(join(root, 'zipemptyentry', 'prompts.jsonl.zip'), [
    { name: 'prompts.jsonl', data: good },
    { name: 'more.jsonl', data: '' },
  ]);
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
    assert.deepEqual(
      found.map((p) => [p.severity, p.code]),
      c.expect.map(([s, code]) => [s, code]),
      `line ${lineNo}: ${JSON.stringify(found)}`,
    );
    c.expect.forEach(([, , at], k) => {
      const p = found[k]!;
      if (typeof at === 'number') assert.equal(p.column, at, `line ${lineNo} column`);
      else
        assert.ok(
          typeof c.line === 'string' && c.line.slice(p.column - 1).startsWith(at),
          `line ${lineNo} ${p.code}: column ${p.column} points at ${JSON.stringify(c.line.slice(p.column - 1, p.column + 12).toString())}, expected ${JSON.stringify(at)}`,
        );
      assert.ok(p.message.length > 10, 'a message saying what was expected');
    });
  });
  const byFile = (dir: string): Problem[] => problems.filter((p) => p.file.startsWith(join(root, dir)));
  assert.deepEqual(
    byFile('zipslip').map((p) => p.code),
    ['unsafe-archive'],
  );
  assert.match(byFile('zipslip')[0]!.message, /\.\.\/\.\.\/evil\.jsonl.*'\.\.'/);
  assert.deepEqual(
    byFile('zipbomb').map((p) => p.code),
    ['unsafe-archive'],
  );
  assert.match(byFile('zipbomb')[0]!.message, /zip bomb/);
  assert.deepEqual(
    byFile('ziplies').map((p) => p.code),
    ['unsafe-archive'],
  );
  assert.deepEqual(
    byFile('zipcorrupt').map((p) => p.code),
    ['unreadable-file'],
  );
  assert.deepEqual(byFile('zipok'), []);
  // An empty entry beside one with records is named (the zip as a whole has records, so no file-level warning).
  assert.deepEqual(
    byFile('zipemptyentry').map((p) => [p.severity, p.code, p.file.slice(p.file.indexOf('prompts.jsonl.zip'))]),
    [['warning', 'nothing-to-read', 'prompts.jsonl.zip!more.jsonl']],
  );
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
  assert.match(r.stdout, /OK: 0 errors, 1 warning\n/);
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

const record = (participant: number, text = 'ok <<A>>'): string => obj({ text, experiment: 'e', participant }) + '\n';
type Report = { summary: { records: number; transcripts: number; errors: number; warnings: number }; problems: Problem[] };

test('a zip entry inflating to one 200 MB line: line-too-long at its line, the next line read, memory bounded', () => {
  const root = makeTempDir();
  const zip = join(root, 'huge.jsonl.zip');
  const size = writeRepeatedZip(zip, 'huge.jsonl', {
    head: Buffer.from(record(1) + '{"text": "'),
    repeat: Buffer.alloc(1024 * 1024, 'a'),
    times: 200,
    tail: Buffer.from('"}\n' + record(2)),
  });
  assert.ok(size > 200 * 1024 * 1024);
  const r = runHumanlikeMeasured(['validate', zip, '--json', '--max-text-chars', '1000']);
  assert.equal(r.code, 1, r.stderr);
  const { summary, problems } = JSON.parse(r.stdout) as Report;
  assert.deepEqual(
    problems.map((p) => [p.file, p.line, p.severity, p.code]),
    [[`${zip}!huge.jsonl`, 2, 'error', 'line-too-long']],
  );
  assert.match(problems[0]!.message, /209,715,212 bytes.*limit of 1,056,576 bytes/);
  assert.equal(summary.transcripts, 2);
  assert.ok(r.maxRssMb < 160, `peak RSS ${r.maxRssMb.toFixed(0)} MB`);
});

test('invalid UTF-8 is an error with its byte column; split leaves that record out and copies the rest byte for byte', () => {
  const root = makeTempDir();
  mkdirSync(join(root, 's'));
  const good = Buffer.from(record(1, 'caf\u00e9 \u{1F600} <<A>>'));
  const bad = Buffer.concat([
    Buffer.from('{"text": "x <<'),
    Buffer.from([0xc3, 0x28]),
    Buffer.from('>>", "experiment": "e", "participant": 2}\n'),
  ]);
  writeFileSync(join(root, 's', 'prompts.jsonl'), Buffer.concat([good, bad]));
  const v = runHumanlike(['validate', root, '--json']);
  assert.equal(v.code, 1, v.stderr);
  const { problems } = JSON.parse(v.stdout) as Report;
  assert.deepEqual(
    problems.map((p) => [p.line, p.column, p.code]),
    [[2, 15, 'invalid-utf8']],
  );
  assert.match(problems[0]!.message, /byte 15.*0xc3/);
  const out = join(makeTempDir(), 'split');
  const s = runHumanlike(['split', root, '--seed', '1', '--out', out]);
  assert.equal(s.code, 0, s.stderr);
  assert.match(s.stdout, /skipped 1 record that is not a readable transcript/);
  assert.deepEqual(readFileSync(join(out, 's', 'prompts.jsonl')), good);
});

test('CRC-32 of zip entries is verified: a flipped byte in a stored entry is an error naming the entry', () => {
  const root = makeTempDir();
  const data = Buffer.from(record(1) + record(2));
  const okZip = join(root, 'ok.jsonl.zip');
  writeZip(okZip, [{ name: 'prompts.jsonl', data, method: 'store' }]);
  const ok = runHumanlike(['validate', okZip, '--json']);
  assert.equal(ok.code, 0, ok.stdout);
  const badZip = join(root, 'flipped.jsonl.zip');
  writeZip(badZip, [{ name: 'prompts.jsonl', data, method: 'store' }]);
  const bytes = readFileSync(badZip);
  const at = bytes.indexOf(data) + data.indexOf('ok <<A>>');
  bytes[at] = 'O'.charCodeAt(0);
  writeFileSync(badZip, bytes);
  const r = runHumanlike(['validate', badZip, '--json']);
  assert.equal(r.code, 1, r.stdout);
  const { problems } = JSON.parse(r.stdout) as Report;
  assert.deepEqual(
    problems.map((p) => [p.severity, p.code]),
    [['error', 'unreadable-file']],
  );
  assert.match(problems[0]!.message, /flipped\.jsonl\.zip!prompts\.jsonl: corrupt entry: CRC-32/);
});

test('a byte-order mark at the start of a file or zip entry is accepted', () => {
  const root = makeTempDir();
  mkdirSync(join(root, 'plain'));
  writeFileSync(join(root, 'plain', 'prompts.jsonl'), '\uFEFF' + record(1) + record(2));
  mkdirSync(join(root, 'zipped'));
  writeZip(join(root, 'zipped', 'prompts.jsonl.zip'), [{ name: 'prompts.jsonl', data: '\uFEFF' + record(1) }]);
  const r = runHumanlike(['validate', root, '--json']);
  assert.equal(r.code, 0, r.stdout);
  const { summary, problems } = JSON.parse(r.stdout) as Report;
  assert.deepEqual(problems, []);
  assert.equal(summary.transcripts, 3);
});

test('metadata keys named like Object members (__proto__, constructor, toString) are kept', () => {
  const root = makeTempDir();
  writeFileSync(
    join(root, 'proto.jsonl'),
    '{"text": "x <<A>>", "experiment": "e", "participant": 1, "__proto__": {"polluted": 1}, "constructor": "c", "toString": "t"}\n',
  );
  const r = runHumanlike(['stats', join(root, 'proto.jsonl'), '--json']);
  assert.equal(r.code, 0, r.stderr);
  const stats = JSON.parse(r.stdout) as { perStudy: { extras: Record<string, number> }[] };
  const extras = stats.perStudy[0]!.extras;
  assert.deepEqual(Object.keys(extras).sort(), ['__proto__', 'constructor', 'toString']);
  assert.deepEqual(Object.values(extras), [1, 1, 1]);
});

test('an empty file, or a zip holding only nested zips, warns that there is nothing to read', () => {
  const root = makeTempDir();
  mkdirSync(join(root, 'empty'));
  writeFileSync(join(root, 'empty', 'prompts.jsonl'), '');
  const inner = join(root, 'inner.zip');
  writeZip(inner, [{ name: 'prompts.jsonl', data: record(1) }]);
  mkdirSync(join(root, 'nested'));
  writeZip(join(root, 'nested', 'prompts.jsonl.zip'), [{ name: 'inner.zip', data: readFileSync(inner) }]);
  const r = runHumanlike(['validate', join(root, 'empty')]);
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /empty\/prompts\.jsonl:0:0: warning \[nothing-to-read\]/);
  assert.doesNotMatch(r.stdout, /OK: 0 errors, 0 warnings/);
  const n = runHumanlike(['validate', join(root, 'nested'), '--json']);
  assert.equal(n.code, 0, n.stdout);
  const { problems } = JSON.parse(n.stdout) as Report;
  assert.deepEqual(
    problems.map((p) => [p.file, p.severity, p.code]),
    [[join(root, 'nested', 'prompts.jsonl.zip'), 'warning', 'nothing-to-read']],
  );
  assert.match(problems[0]!.message, /nested/);
  // A --study the source does not hold is refused (it used to read nothing and pass with a warning).
  const none = runHumanlike(['validate', root, '--study', 'nosuch', '--json']);
  assert.equal(none.code, 2, none.stdout);
  assert.match(none.stderr, /no such study: nosuch \(.* holds 2 studies: empty, nested\)/);
});

test('control characters and escape sequences in names from the data are escaped in terminal output', () => {
  const root = makeTempDir();
  const study = 'evil\x1b[2J\x1b]0;pwned\x07\u009b31m';
  mkdirSync(join(root, study));
  writeFileSync(join(root, study, 'prompts.jsonl'), record(1) + '{"text": "x <<A", "experiment": "e", "participant": 2}\n');
  mkdirSync(join(root, 'zipped'));
  writeZip(join(root, 'zipped', 'prompts.jsonl.zip'), [{ name: 'a\x1b[31m\r\n.jsonl', data: 'not json\n' }]);
  const raw = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;
  const v = runHumanlike(['validate', root]);
  assert.equal(v.code, 1);
  assert.doesNotMatch(v.stdout, raw);
  assert.match(v.stdout, /evil\\x1b\[2J\\x1b\]0;pwned\\x07\\x9b31m\/prompts\.jsonl:2:/);
  assert.match(v.stdout, /zipped\/prompts\.jsonl\.zip!a\\x1b\[31m\\r\\n\.jsonl:1:1: error \[invalid-json\]/);
  const s = runHumanlike(['stats', root]);
  assert.equal(s.code, 0, s.stderr);
  assert.doesNotMatch(s.stdout, raw);
  assert.match(s.stdout, /evil\\x1b\[2J/);
  const missing = runHumanlike(['validate', join(root, 'no\x1b[2Jsuch')]);
  assert.equal(missing.code, 2);
  assert.doesNotMatch(missing.stderr, raw);
  assert.match(missing.stderr, /no\\x1b\[2Jsuch: no such file or folder/);
});
