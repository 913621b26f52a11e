import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTempDir, noSharedData, psych201Dir } from '../helpers/paths.js';
import { runHumanlike } from '../helpers/runCliProcess.js';

/**
 * An independent count of participants and responses per study: Python's zipfile and json (which accepts NaN),
 * counting '<<' occurrences. It shares no code with humanlike's readers.
 */
function independentCounts(): Record<string, { participants: number; responses: number }> | undefined {
  const script = `
import json, sys, zipfile, os
root = sys.argv[1]; out = {}
for study in sorted(os.listdir(root)):
    d = os.path.join(root, study)
    if not os.path.isdir(d): continue
    p = r = 0
    with zipfile.ZipFile(os.path.join(d, 'prompts.jsonl.zip')) as z:
        for name in z.namelist():
            if name.startswith('__MACOSX') or not name.endswith('.jsonl'): continue
            for line in z.open(name):
                if not line.strip(): continue
                o = json.loads(line); p += 1; r += o['text'].count('<<')
    out[study] = {'participants': p, 'responses': r}
print(json.dumps(out))`;
  const r = spawnSync('python3', ['-c', script, psych201Dir], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) return undefined;
  return JSON.parse(r.stdout) as Record<string, { participants: number; responses: number }>;
}

interface StatsJson {
  studies: number;
  participants: number;
  responses: number;
  perStudy: { study: string; participants: number; responses: number; domain: string | null }[];
  domains: Record<string, { studies: number }>;
  skipped: { records: number; files: number };
}

test('stats counts equal an independent count on every real study', { skip: noSharedData }, (t) => {
  const expected = independentCounts();
  if (!expected) return t.skip('python3 not available for the independent count');
  const r = runHumanlike(['stats', psych201Dir, '--json', '--domains', join(psych201Dir, 'experiment_domains.csv')]);
  assert.equal(r.code, 0, r.stderr);
  const stats = JSON.parse(r.stdout) as StatsJson;
  const studyDirs = readdirSync(psych201Dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
  assert.equal(stats.studies, studyDirs.length);
  const got = Object.fromEntries(stats.perStudy.map((s) => [s.study, { participants: s.participants, responses: s.responses }]));
  assert.deepEqual(got, expected);
  assert.equal(
    stats.participants,
    Object.values(expected).reduce((n, s) => n + s.participants, 0),
  );
  assert.equal(
    stats.responses,
    Object.values(expected).reduce((n, s) => n + s.responses, 0),
  );
  assert.deepEqual(stats.skipped, { records: 0, files: 0, reasons: {} });
  // Every one of these studies is in the reference domains table.
  assert.ok(
    stats.perStudy.every((s) => s.domain !== null),
    'every study has a domain',
  );
});

test('every real study validates with no errors (Python NaN is only a warning)', { skip: noSharedData }, () => {
  const r = runHumanlike(['validate', psych201Dir, '--json']);
  assert.equal(r.code, 0, r.stdout.slice(0, 2000));
  const { summary } = JSON.parse(r.stdout) as { summary: { errors: number; byCode: { warning: Record<string, number> } } };
  assert.equal(summary.errors, 0);
  // The real quirk: three lines carry Python NaN (counted independently with grep below).
  assert.equal(summary.byCode.warning['python-nan'], 3);
});

test('split is identical across runs, has the right sizes, and its sides partition the data', { skip: noSharedData }, () => {
  const dirA = join(makeTempDir(), 'a');
  const dirB = join(makeTempDir(), 'b');
  const a = runHumanlike(['split', psych201Dir, '--seed', '42', '--out', dirA, '--json']);
  const b = runHumanlike(['split', psych201Dir, '--seed', '42', '--out', dirB, '--json']);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  const manifestA = readFileSync(join(dirA, 'humanlike-split.json'), 'utf8');
  assert.equal(manifestA, readFileSync(join(dirB, 'humanlike-split.json'), 'utf8'));
  const manifest = JSON.parse(manifestA) as { studies: Record<string, { participants: number; test: unknown[] }> };
  for (const [study, s] of Object.entries(manifest.studies)) {
    assert.equal(s.test.length, Math.min(Math.floor(s.participants / 10), 100), study);
  }
  assert.equal(manifest.studies['zhu2024games']?.test.length, 100);
  assert.equal(manifest.studies['busch2024_stroop']?.test.length, 12);
  const other = runHumanlike(['split', psych201Dir, '--seed', '43', '--out', join(makeTempDir(), 'c'), '--json']);
  assert.notEqual(readFileSync(join(JSON.parse(other.stdout).outDir, 'humanlike-split.json'), 'utf8'), manifestA);

  const all = JSON.parse(runHumanlike(['stats', dirA, '--json']).stdout) as StatsJson;
  const test_ = JSON.parse(runHumanlike(['stats', dirA, '--json', '--test-only']).stdout) as StatsJson;
  const train = JSON.parse(runHumanlike(['stats', dirA, '--json', '--train-only']).stdout) as StatsJson;
  const totalTest = Object.values(manifest.studies).reduce((n, s) => n + s.test.length, 0);
  assert.equal(test_.participants, totalTest);
  assert.equal(train.participants + test_.participants, all.participants);
  assert.equal(train.responses + test_.responses, all.responses);
  // The split computed on the fly from the original source selects the same participants.
  const onTheFly = JSON.parse(runHumanlike(['stats', psych201Dir, '--json', '--test-only', '--split-seed', '42']).stdout) as StatsJson;
  assert.deepEqual(
    onTheFly.perStudy.map((s) => [s.study, s.participants, s.responses]),
    test_.perStudy.map((s) => [s.study, s.participants, s.responses]),
  );
  // The split output validates like its source (the NaN warnings travel with the verbatim lines).
  const v = JSON.parse(runHumanlike(['validate', dirA, '--json']).stdout) as { summary: { errors: number; warnings: number } };
  assert.deepEqual([v.summary.errors, v.summary.warnings], [0, 3]);
});

test('the NaN count above is the real one', { skip: noSharedData }, (t) => {
  const r = spawnSync(
    'sh',
    ['-c', `for z in ${psych201Dir}/*/prompts.jsonl.zip; do unzip -p "$z" '*.jsonl' -x '__MACOSX/*'; done | grep -o ': NaN' | wc -l`],
    { encoding: 'utf8' },
  );
  if (r.status !== 0 || r.stdout.trim() === '') return t.skip('unzip not available');
  assert.equal(Number(r.stdout.trim()), 3);
});
