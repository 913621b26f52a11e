import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createSampleRecords } from '../../src/data/createSampleStudy.js';
import { PAPER_LIKE_MODELS } from '../helpers/paperStore.js';
import { makeTempDir } from '../helpers/paths.js';
import { runHumanlike } from '../helpers/runCliProcess.js';
import { writeSyntheticStore } from '../helpers/syntheticStore.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} not installed (.ci/run installs Debian's chromium): browser test skipped`;
const INJECTED = '<script>window.__pwned = 1; alert("xss")</script>';

test('the report renders every chart in Chromium, makes no request, logs no error, and shows data as text', {
  skip,
  timeout: 180_000,
}, async () => {
  const tmp = makeTempDir();
  const db = join(tmp, 'r.duckdb');
  // Models named like the paper's, with persona and chat-template runs and discrete responses: every figure has data.
  await writeSyntheticStore(db, PAPER_LIKE_MODELS, { studies: 6, participants: 20, responses: 10, discrete: true });
  // A real dataset whose text contains markup, scored by a baseline: its hardest responses are shown in the report.
  const data = join(tmp, 'data');
  mkdirSync(join(data, 'bandit'), { recursive: true });
  const records = createSampleRecords({ participants: 20, trials: 6 });
  // A response no one else gave is the hardest one for the frequency baseline, so it is shown with its context.
  records[0]!['text'] = String(records[0]!['text']).replace(/<<[FJ]>>/, `${INJECTED} <<Q>>`);
  writeFileSync(join(data, 'bandit', 'prompts.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  assert.equal(runHumanlike(['eval', data, '--baseline', 'frequency', '--db', db]).code, 0);
  const domains = join(tmp, 'domains.csv');
  writeFileSync(
    domains,
    'study,domain\n' +
      Array.from({ length: 6 }, (_, s) => `study${String(s).padStart(3, '0')},${s % 2 ? 'Memory' : 'Reasoning <b>bold</b>'}`).join('\n') +
      '\n',
  );
  const out = join(tmp, 'report.html');
  const r = runHumanlike([
    'report',
    '--db',
    db,
    '--out',
    out,
    '--png',
    join(tmp, 'png'),
    '--svg',
    join(tmp, 'svg'),
    '--domains',
    domains,
    '--source',
    data,
    '--bootstrap',
    '200',
    '--models',
    'paper',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '', 'no chart warning');
  const charts = [
    'fig2-nll-vs-size',
    'fig3-generations',
    'fig4-domains',
    'fig5-persona',
    'accuracy-vs-size',
    'figS1-chat-template',
    'dataset-overview',
  ];
  assert.match(r.stdout, new RegExp(`7 charts: ${charts.join(', ')}`));
  // Each chart as PNG with its data as CSV beside it, and as SVG.
  assert.deepEqual(readdirSync(join(tmp, 'png')).sort(), charts.flatMap((c) => [`${c}.csv`, `${c}.png`]).sort());
  assert.deepEqual(readdirSync(join(tmp, 'svg')).sort(), charts.map((c) => `${c}.svg`).sort());

  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    const dialogs: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (q) => {
      if (!q.url().startsWith('file:')) requests.push(q.url());
    });
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`file://${out}`, { waitUntil: 'load' });
    const rendered = await page.$$eval('figure.chart', (figs) =>
      figs.map((f) => {
        const svg = f.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        return {
          id: f.id,
          width: box?.width ?? 0,
          height: box?.height ?? 0,
          marks: svg ? svg.querySelectorAll('path, rect, line, text').length : 0,
        };
      }),
    );
    assert.deepEqual(
      rendered.map((c) => c.id),
      charts,
    );
    for (const c of rendered) assert.ok(c.width > 100 && c.height > 50 && c.marks > 10, `${c.id} rendered: ${JSON.stringify(c)}`);
    const text = (await page.textContent('body')) ?? '';
    for (const heading of ['Misalignment per study', 'Persona benefit'])
      assert.ok(text.includes(heading), `the report has the table "${heading}"`);
    assert.ok(!text.includes('NaN'), 'no NaN in the report');
    // The figures name what they show: the sign of the persona benefit is on its axis, fig4 has its Average row.
    const svgText = async (id: string): Promise<string> => page.$eval(`figure#${id} svg`, (svg) => svg.textContent ?? '');
    assert.match(await svgText('fig5-persona'), /> 0: stating the participant helped/);
    assert.match(await svgText('fig4-domains'), /Average/);
    assert.match(await svgText('figS1-chat-template'), /chat template/);
    assert.ok(text.includes(INJECTED), 'the transcript markup is shown as text');
    assert.ok(text.includes('Reasoning <b>bold</b>'), 'domain names are shown as text');
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.deepEqual(dialogs, []);
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, []);
    assert.equal(await page.$$eval('script', (s) => s.length), 0);
  } finally {
    await browser.close();
  }
});
