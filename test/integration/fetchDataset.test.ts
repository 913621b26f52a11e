import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { createSampleRecords } from '../../src/data/createSampleStudy.js';
import { sqlString } from '../../src/util/sqlString.js';
import { closedPortUrl, type FakeHubOptions, startFakeHub } from '../helpers/fakeHub.js';
import { makeTempDir } from '../helpers/paths.js';
import { runHumanlikeAsync } from '../helpers/runCliAsync.js';

/** A Parquet file in the release layout (study column, metadata as strings) with `participants` rows of one study. */
async function releaseParquet(study: string, participants: number): Promise<Buffer> {
  const dir = makeTempDir();
  const rows = createSampleRecords({ participants, trials: 4, seed: study.length }).map((r, i) => ({
    text: r['text'],
    study,
    experiment: r['experiment'],
    participant: String(r['participant']),
    participant_reindexed: i,
    age: String(r['age']),
  }));
  writeFileSync(join(dir, 'rows.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const out = join(dir, 'out.parquet');
  await c.run(
    `COPY (SELECT * FROM read_json(${sqlString(join(dir, 'rows.jsonl'))}, format='newline_delimited', columns={text:'VARCHAR', study:'VARCHAR', experiment:'VARCHAR', participant:'VARCHAR', participant_reindexed:'BIGINT', age:'VARCHAR'})) TO ${sqlString(out)} (FORMAT parquet)`,
  );
  c.closeSync();
  db.closeSync();
  return readFileSync(out);
}

async function release(): Promise<Record<string, Buffer>> {
  return {
    '.gitattributes': Buffer.from('*.parquet filter=lfs\n'),
    'README.md': Buffer.from('# Psych-201\n'),
    'data/train-00000-of-00002.parquet': await releaseParquet('alpha', 12),
    'data/train-00001-of-00002.parquet': await releaseParquet('beta', 8),
  };
}

async function hubWithReleases(extra: Partial<FakeHubOptions> = {}): Promise<ReturnType<typeof startFakeHub>> {
  const files = await release();
  const test = { 'README.md': Buffer.from('# test\n'), 'data/test-00000-of-00001.parquet': await releaseParquet('gamma', 5) };
  return startFakeHub({
    datasets: { 'marcelbinz/Psych-201': files, 'marcelbinz/Psych-201-test': test, 'marcelbinz/Psych-201-discrete-test': test },
    gated: ['marcelbinz/Psych-201-test', 'marcelbinz/Psych-201-discrete-test'],
    token: 'hf_ok',
    pageSize: 2,
    ...extra,
  });
}

const env = (hub: string, cache: string, more: Record<string, string> = {}): { env: Record<string, string>; timeoutMs: number } => ({
  env: { HF_ENDPOINT: hub, HUMANLIKE_CACHE: cache, HF_TOKEN: '', ...more },
  timeoutMs: 60_000,
});

test('fetch psych201 downloads the Parquet release into the cache, with progress, as a source every command reads', async () => {
  const hub = await hubWithReleases();
  try {
    const cache = makeTempDir();
    const r = await runHumanlikeAsync(['fetch', 'psych201'], env(hub.url, cache));
    assert.equal(r.code, 0, r.stderr);
    const dir = join(cache, 'datasets', 'marcelbinz', 'Psych-201');
    assert.match(r.stdout, new RegExp(`marcelbinz/Psych-201: 3 files in ${dir}`));
    assert.match(r.stderr, /downloading data\/train-00000-of-00002\.parquet: \d+ kB of \d+ kB \(100%\)/);
    assert.deepEqual(readdirSync(join(dir, 'data')).sort(), ['train-00000-of-00002.parquet', 'train-00001-of-00002.parquet']);
    assert.equal(existsSync(join(dir, '.gitattributes')), false);
    // The listing was read page by page (2 entries a page).
    assert.ok(hub.requests.filter((q) => q.path.includes('/tree/main')).length >= 3);
    const stats = await runHumanlikeAsync(['stats', dir, '--json']);
    assert.equal(stats.code, 0, stats.stderr);
    assert.deepEqual((JSON.parse(stats.stdout) as { participants: number; studies: number }).participants, 20);

    // A second fetch finds every file complete and downloads nothing.
    const before = hub.requests.filter((q) => q.path.includes('/resolve/')).length;
    const again = await runHumanlikeAsync(['fetch', 'psych201', '--json'], env(hub.url, cache));
    assert.equal(again.code, 0, again.stderr);
    const json = JSON.parse(again.stdout) as { dir: string; files: { path: string; cached: boolean }[] };
    assert.equal(json.dir, dir);
    assert.ok(json.files.every((f) => f.cached));
    assert.equal(hub.requests.filter((q) => q.path.includes('/resolve/')).length, before);
  } finally {
    await hub.close();
  }
});

test('fetch psych201 --test is gated: without HF_TOKEN one line says so; with it the -test repository is fetched', async () => {
  const hub = await hubWithReleases();
  try {
    const cache = makeTempDir();
    const denied = await runHumanlikeAsync(['fetch', 'psych201', '--test'], env(hub.url, cache));
    assert.equal(denied.code, 2);
    assert.match(
      denied.stderr,
      /^humanlike: dataset marcelbinz\/Psych-201-test: the hub refused access \(HTTP 401\): .*datasets\/marcelbinz\/Psych-201-test and set HF_TOKEN/,
    );
    const ok = await runHumanlikeAsync(['fetch', 'psych201', '--test', '--discrete', '--json'], env(hub.url, cache, { HF_TOKEN: 'hf_ok' }));
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((JSON.parse(ok.stdout) as { repo: string }).repo, 'marcelbinz/Psych-201-discrete-test');
    assert.ok(existsSync(join(cache, 'datasets', 'marcelbinz', 'Psych-201-discrete-test', 'data', 'test-00000-of-00001.parquet')));
  } finally {
    await hub.close();
  }
});

test('fetch resumes an interrupted file with a Range request, and fails fast offline unless a complete copy is there', async () => {
  const hub = await hubWithReleases({ cutFirstGetAfterBytes: 1000 });
  try {
    const cache = makeTempDir();
    const cut = await runHumanlikeAsync(['fetch', 'psych201'], env(hub.url, cache));
    assert.equal(cut.code, 2);
    assert.match(cut.stderr, /download interrupted at \d+ of \d+ bytes .*run the same command again to resume/);
    // Each file's first download is cut, so each run resumes one file and finishes the next one's first part.
    let resumed = await runHumanlikeAsync(['fetch', 'psych201'], env(hub.url, cache));
    for (let i = 0; i < 3 && resumed.code !== 0; i++) resumed = await runHumanlikeAsync(['fetch', 'psych201'], env(hub.url, cache));
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /resumed/);
    assert.match(resumed.stderr, /resumed at 1 kB/);
    assert.ok(hub.requests.some((q) => q.range !== undefined && /^bytes=\d+-$/.test(q.range)));
    const dir = join(cache, 'datasets', 'marcelbinz', 'Psych-201');
    assert.equal(JSON.parse((await runHumanlikeAsync(['stats', dir, '--json'])).stdout).participants, 20);

    const offline = await closedPortUrl();
    const fresh = await runHumanlikeAsync(['fetch', 'psych201'], env(offline, makeTempDir()));
    assert.equal(fresh.code, 2);
    assert.match(fresh.stderr, /^humanlike: cannot reach the Hugging Face hub at .* \(ECONNREFUSED\)/);
    assert.ok(fresh.ms < 10_000, `took ${fresh.ms} ms`);
    const cached = await runHumanlikeAsync(['fetch', 'psych201'], env(offline, cache));
    assert.equal(cached.code, 0, cached.stderr);
    assert.match(cached.stderr, /hub cannot be reached; using the complete copy fetched earlier/);
  } finally {
    await hub.close();
  }
});

test('fetch refuses an unknown dataset name', async () => {
  const r = await runHumanlikeAsync(['fetch', 'psych101']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown dataset "psych101"; known: psych201/);
});
