import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CompareResult } from '../../src/analysis/compareModels.js';
import { parseCsv } from '../../src/util/readCsv.js';
import { writePaperLikeStore } from '../helpers/paperStore.js';
import { makeTempDir } from '../helpers/paths.js';
import { runHumanlike } from '../helpers/runCliProcess.js';

const FIGURES = [
  'fig2-nll-vs-size',
  'fig3-generations',
  'fig4-domains',
  'fig5-persona',
  'accuracy-vs-size',
  'figS1-chat-template',
  'dataset-overview',
];

/** A chart's CSV as objects keyed by its header. */
function readChartCsv(dir: string, id: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(readFileSync(join(dir, `${id}.csv`), 'utf8'));
  return rows.map((r) => Object.fromEntries(header!.cells.map((h, i) => [h, r.cells[i] ?? ''])));
}
const close = (a: number, b: number, what: string): void => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);

test('--bootstrap 0 prints estimates without intervals: no NaN in compare or the report', async () => {
  const tmp = makeTempDir();
  const { db, domains } = await writePaperLikeStore(tmp, 11);
  const c = runHumanlike(['compare', '--db', db, '--models', 'paper', '--domains', domains, '--bootstrap', '0']);
  assert.equal(c.code, 0, c.stderr);
  assert.doesNotMatch(c.stdout, /NaN/);
  assert.match(c.stdout, /Qwen3-8B +Qwen3-8B-Base +reasoning +11 +0\.\d{3} /);
  const out = join(tmp, 'r.html');
  const r = runHumanlike(['report', '--db', db, '--models', 'paper', '--domains', domains, '--bootstrap', '0', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(readFileSync(out, 'utf8'), /NaN/);
});

test("each figure's CSV holds the analysis numbers (compare --json on the same store and seed)", async () => {
  const tmp = makeTempDir();
  const { db, domains } = await writePaperLikeStore(tmp);
  const args = ['--db', db, '--models', 'paper', '--domains', domains, '--bootstrap', '50', '--seed', '3'];
  const json = (format: string): CompareResult =>
    JSON.parse(runHumanlike(['compare', ...args, '--format', format, '--json']).stdout) as CompareResult;
  const raw = json('raw');
  const chat = json('chat');
  const csv = join(tmp, 'csv');
  const r = runHumanlike(['report', ...args, '--out', join(tmp, 'r.html'), '--csv', csv]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(csv).sort(), FIGURES.map((f) => `${f}.csv`).sort());
  const score = new Map(raw.models.map((m) => [m.model, m.score]));

  // fig2: one point per (panel, size, type), the mean of the models listed (the paper's pivot).
  const fig2 = readChartCsv(csv, 'fig2-nll-vs-size');
  assert.deepEqual([...new Set(fig2.map((x) => x['panel']))].sort(), ['Llama 3.x', 'OLMo 3', 'Qwen 3']);
  for (const row of fig2) {
    const models = row['models']!.split('; ');
    close(Number(row['nll']), models.reduce((s, m) => s + score.get(m)!, 0) / models.length, `fig2 ${row['models']}`);
  }
  assert.equal(fig2.find((x) => x['models'] === 'Olmo-3-7B-Think')?.['type'], 'reasoning');

  // fig3: base scores by generation (left), the d of each pair of its generation's post-training type (right).
  const fig3 = readChartCsv(csv, 'fig3-generations');
  const postType = new Map(raw.byGeneration.map((g) => [`${g.family} ${g.generation}`, g.postType]));
  const drawn = raw.pairs.filter((p) => p.type === postType.get(`${p.family} ${p.generation}`));
  assert.deepEqual(
    drawn.map((p) => p.post),
    ['Llama-3.1-8B-Instruct', 'Llama-3.2-1B-Instruct', 'Olmo-3-7B-Instruct', 'Qwen3-0.6B', 'Qwen3-1.7B', 'Qwen3-8B'],
    'OLMo 3 is drawn with its Instruct model, not Think',
  );
  assert.equal(fig3.filter((x) => x['panel'] === 'misalignment').length, drawn.length);
  for (const p of drawn)
    close(Number(fig3.find((x) => x['panel'] === 'misalignment' && x['model'] === p.post)!['value']), p.d.estimate, `fig3 ${p.post}`);
  for (const m of raw.models.filter((x) => x.facts?.type === 'base'))
    close(Number(fig3.find((x) => x['panel'] === 'base NLL' && x['model'] === m.model)!['value']), m.score!, `fig3 ${m.model}`);

  // fig4: every cell and the Average row; rows sorted by their mean.
  const fig4 = readChartCsv(csv, 'fig4-domains');
  const matrix = raw.domains!;
  for (const [ri, row] of matrix.rows.entries()) {
    for (const [di, v] of row.values.entries()) {
      const cell = fig4.find((x) => x['pair'] === row.pair && x['domain'] === matrix.domains[di]);
      if (v === null) assert.equal(cell, undefined);
      else close(Number(cell!['d']), v, `fig4 ${row.pair} ${matrix.domains[di]} (row ${ri})`);
    }
  }
  for (const [di, v] of matrix.columnMeans.entries())
    close(Number(fig4.find((x) => x['row'] === 'Average' && x['domain'] === matrix.domains[di])!['d']), v!, 'fig4 Average');
  const order = [...new Set(fig4.filter((x) => x['row'] !== 'Average').map((x) => x['pair']))];
  assert.deepEqual(
    order,
    [...matrix.rows].sort((a, b) => a.mean! - b.mean!).map((x) => x.pair),
  );

  // fig5: benefit = −d(persona vs raw): positive when the metadata helped.
  const fig5 = readChartCsv(csv, 'fig5-persona');
  for (const p of raw.persona) {
    const rows = fig5.filter((x) => x['model'] === p.model);
    assert.equal(rows.length, p.studies);
    close(rows.reduce((s, x) => s + Number(x['benefit']), 0) / rows.length, -p.personaVsRaw.estimate, `fig5 ${p.model}`);
  }
  assert.ok(Number(fig5.find((x) => x['model'] === 'Qwen3-8B-Base')!['benefit']) !== 0);

  // Accuracy: the models' accuracy, and chance = mean over studies of the mean of 1/|choice set| (2 + study % 3 options here).
  const acc = readChartCsv(csv, 'accuracy-vs-size');
  for (const m of raw.models.filter((x) => x.accuracy !== null && x.facts))
    close(
      Number(acc.find((x) => x['models'] === m.model && x['prediction'] === 'whole vocabulary (argmax)')!['accuracy']),
      m.accuracy!,
      `accuracy ${m.model}`,
    );
  for (const m of raw.models.filter((x) => x.accuracyRestricted !== null && x.facts))
    close(
      Number(acc.find((x) => x['models'] === m.model && x['prediction'] === 'among the options')!['accuracy']),
      m.accuracyRestricted!,
      `accuracy (options) ${m.model}`,
    );
  const chance = Array.from({ length: 22 }, (_, s) => 1 / (2 + (s % 3))).reduce((a, b) => a + b, 0) / 22;
  for (const row of acc) close(Number(row['chance']), chance, 'chance');

  // Fig. S1: raw and chat scores of the models run in both formats.
  const s1 = readChartCsv(csv, 'figS1-chat-template');
  const chatScore = new Map(chat.models.map((m) => [m.model, m.score]));
  assert.deepEqual([...new Set(s1.map((x) => x['model']))].sort(), [
    'Llama-3.1-8B-Instruct',
    'Olmo-3-7B-Instruct',
    'Qwen3-0.6B',
    'Qwen3-8B',
  ]);
  for (const row of s1)
    close(Number(row['nll']), (row['template'] === 'chat template' ? chatScore : score).get(row['model']!)!, `S1 ${row['model']}`);
});

/** The rows of the report table after the heading `title`, each cell as text (tags dropped, entities decoded). */
function readHtmlTable(html: string, title: string): string[][] | undefined {
  const at = html.indexOf(`<h2>${title}</h2>`);
  if (at < 0) return undefined;
  const body = /<tbody>(.*?)<\/tbody>/s.exec(html.slice(at))![1]!;
  const text = (cell: string): string =>
    cell
      .replace(/<[^>]+>/g, '')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  return [...body.matchAll(/<tr>(.*?)<\/tr>/gs)].map((r) => [...r[1]!.matchAll(/<td>(.*?)<\/td>/gs)].map((c) => text(c[1]!)));
}

test("the report's by-type and by-generation tables hold compare --json's numbers", async () => {
  const tmp = makeTempDir();
  const { db, domains } = await writePaperLikeStore(tmp);
  const args = ['--db', db, '--models', 'paper', '--domains', domains, '--bootstrap', '50', '--seed', '3'];
  const raw = JSON.parse(runHumanlike(['compare', ...args, '--json']).stdout) as CompareResult;
  const out = join(tmp, 'r.html');
  const r = runHumanlike(['report', ...args, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const html = readFileSync(out, 'utf8');
  const ci = (i: { estimate: number; low: number; high: number } | null): string =>
    i ? `${i.estimate.toFixed(3)} [${i.low.toFixed(3)}, ${i.high.toFixed(3)}]` : '–';

  assert.deepEqual(
    raw.byType.map((t) => t.type),
    ['instruct', 'reasoning'],
  );
  assert.deepEqual(
    readHtmlTable(html, 'Misalignment by post-training type'),
    raw.byType.map((t) => [t.type, String(t.pairs), ci(t.d)]),
  );
  const generations = readHtmlTable(html, 'Misalignment by generation');
  assert.ok(generations, 'the by-generation table is in the report');
  assert.deepEqual(
    generations.map((row) => row.slice(0, 6)),
    raw.byGeneration.map((g) => [g.family, g.generation, g.baseScore!.toFixed(3), g.postType ?? '–', String(g.pairs), ci(g.d)]),
  );
  const olmo = generations.find((row) => row[0] === 'OLMo' && row[1] === '3')!;
  assert.equal(olmo[3], 'instruct', 'OLMo 3 uses its Instruct pair');
  assert.equal(olmo[6], 'reasoning 1', 'and names its Think pair as left out');
  for (const [i, g] of raw.byGeneration.entries())
    assert.equal(generations[i]![6], g.leftOut.map((o) => `${o.type} ${o.pairs}`).join(', ') || '–', `${g.family} ${g.generation}`);
});
