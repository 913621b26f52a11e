import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CompareResult } from '../../src/analysis/compareModels.js';
import { makeTempDir } from '../helpers/paths.js';
import { runHumanlike } from '../helpers/runCliProcess.js';
import { writeSyntheticStore } from '../helpers/syntheticStore.js';

test('compare recovers planted effects from a synthetic store: pairs, types, generations, domains, persona', async () => {
  const tmp = makeTempDir();
  const db = join(tmp, 's.duckdb');
  await writeSyntheticStore(
    db,
    [
      { model: 'Qwen2-7B', shift: 0 },
      { model: 'Qwen2-7B-Instruct', shift: 0.3 },
      { model: 'Qwen2.5-7B', shift: -0.1 },
      { model: 'Qwen2.5-7B-Instruct', shift: 0.4 },
      { model: 'Qwen2-7B', shift: -0.2, format: 'persona' },
      { model: 'Qwen2-7B', shift: 0, format: 'persona-shuffled' },
    ],
    { studies: 20, participants: 50, responses: 40 },
  );
  const domains = join(tmp, 'domains.csv');
  writeFileSync(
    domains,
    'study,domain\n' +
      Array.from({ length: 20 }, (_, s) => `study${String(s).padStart(3, '0')},${s < 10 ? 'Memory' : 'Reasoning'}`).join('\n') +
      '\n',
  );
  const r = runHumanlike([
    'compare',
    '--db',
    db,
    '--domains',
    domains,
    '--bootstrap',
    '400',
    '--json',
    '--write-model-table',
    join(tmp, 'models.csv'),
  ]);
  assert.equal(r.code, 0, r.stderr);
  const c = JSON.parse(r.stdout) as CompareResult;
  const near = (x: number, y: number, tol = 0.05): void => assert.ok(Math.abs(x - y) < tol, `${x} vs ${y}`);

  // Alignment scores: mean over studies of 2 + 0.1 s + shift (mean of 0.1 s over s < 20 is 0.95).
  const score = Object.fromEntries(c.models.map((m) => [m.model, m.score]));
  near(score['Qwen2.5-7B']!, 2.85);
  near(score['Qwen2-7B-Instruct']!, 3.25);
  assert.equal(c.models[0]!.model, 'Qwen2.5-7B', 'sorted best first');

  const pair = Object.fromEntries(c.pairs.map((p) => [p.post, p]));
  near(pair['Qwen2-7B-Instruct']!.d.estimate, 0.3);
  near(pair['Qwen2.5-7B-Instruct']!.d.estimate, 0.5);
  for (const p of c.pairs) {
    assert.ok(p.d.low < p.d.estimate && p.d.estimate < p.d.high && p.d.low > 0, 'a positive effect with an interval around it');
    assert.equal(p.baseWins, 1);
    assert.equal(p.studies, 20);
    assert.equal(p.pairedResponses, 40_000);
  }
  near(pair['Qwen2-7B-Instruct']!.pairedDifference, 0.3);
  assert.deepEqual(
    c.byType.map((t) => [t.type, t.pairs]),
    [['instruct', 2]],
  );
  near(c.byType[0]!.d.estimate, 0.4);
  assert.deepEqual(
    c.byGeneration.map((g) => [g.generation, g.pairs]),
    [
      ['2', 1],
      ['2.5', 1],
    ],
  );
  near(c.byGeneration[1]!.baseScore!, 2.85);
  assert.deepEqual(c.domains!.domains, ['Memory', 'Reasoning']);
  near(c.domains!.rows[0]!.values[0]!, 0.3, 0.08);

  const persona = c.persona[0]!;
  assert.equal(persona.model, 'Qwen2-7B');
  assert.equal(persona.participants, 1000);
  near(persona.personaVsRaw.estimate, -0.2);
  near(persona.shuffledVsRaw!.estimate, 0);
  near(persona.personaVsShuffled!.estimate, -0.2);

  assert.match(readFileSync(join(tmp, 'models.csv'), 'utf8'), /Qwen2\.5-7B-Instruct,Qwen,2\.5,7,instruct,Qwen2\.5-7B/);
  const text = runHumanlike(['compare', '--db', db, '--bootstrap', '100']);
  assert.match(text.stdout, /Post-training misalignment/);
  assert.match(text.stdout, /Qwen2\.5-7B-Instruct\s+Qwen2\.5-7B\s+instruct\s+20\s+0\.\d{3} \[0\.\d{3}, 0\.\d{3}\]\s+0\.\d{3}\s+100\.0%/);
});

test('compare names models it cannot classify, and reads a user model table', async () => {
  const tmp = makeTempDir();
  const db = join(tmp, 's.duckdb');
  await writeSyntheticStore(
    db,
    [
      { model: 'house-model-a', shift: 0 },
      { model: 'house-model-b', shift: 0.2 },
    ],
    { studies: 4, participants: 10, responses: 10 },
  );
  const r = runHumanlike(['compare', '--db', db, '--bootstrap', '50']);
  assert.equal(r.code, 0);
  assert.match(r.stderr, /cannot classify house-model-a, house-model-b/);
  const table = join(tmp, 'models.csv');
  writeFileSync(
    table,
    'model,family,generation,size_b,type,base\nhouse-model-a,House,1,3,base,\nhouse-model-b,House,1,3,instruct,house-model-a\n',
  );
  const t = JSON.parse(runHumanlike(['compare', '--db', db, '--bootstrap', '50', '--models', table, '--json']).stdout) as CompareResult;
  assert.deepEqual(
    t.pairs.map((p) => [p.post, p.base]),
    [['house-model-b', 'house-model-a']],
  );
  writeFileSync(table, 'model,family,generation,size_b,type,base\nhouse-model-a,House,1,3,huge,\n');
  const bad = runHumanlike(['compare', '--db', db, '--models', table]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /models\.csv:2: type should be one of base, instruct, reasoning, vision, code, math, behavioural, found "huge"/);
});

test('the same store and --seed give bit-identical intervals, run after run', async () => {
  const tmp = makeTempDir();
  const db = join(tmp, 's.duckdb');
  await writeSyntheticStore(
    db,
    [
      { model: 'Qwen2-7B', shift: 0 },
      { model: 'Qwen2-7B-Instruct', shift: 0.3 },
      { model: 'Qwen2-7B', shift: -0.2, format: 'persona' },
    ],
    { studies: 10, participants: 3000, responses: 10 },
  );
  const run = (): string => {
    const r = runHumanlike(['compare', '--db', db, '--bootstrap', '300', '--seed', '4', '--json']);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  const first = run();
  // DuckDB's parallel aggregation returns groups in a different order from run to run: the analyses must not care.
  for (let i = 0; i < 3; i++) assert.equal(run(), first);
  const other = JSON.parse(runHumanlike(['compare', '--db', db, '--bootstrap', '300', '--seed', '5', '--json']).stdout) as CompareResult;
  assert.notDeepEqual(other.pairs[0]!.d, (JSON.parse(first) as CompareResult).pairs[0]!.d, 'another seed, other draws');
});

test("a pair is compared on the responses both runs scored: Cohen's d against a direct join", async () => {
  const { queryDb } = await import('../helpers/readDb.js');
  const { ResultsStore } = await import('../../src/store/ResultsStore.js');
  const tmp = makeTempDir();
  const db = join(tmp, 's.duckdb');
  await writeSyntheticStore(
    db,
    [
      { model: 'Qwen2-7B', shift: 0 },
      { model: 'Qwen2-7B-Instruct', shift: 0.3 },
    ],
    { studies: 3, participants: 20, responses: 10 },
  );
  // The post-trained run skipped some responses (e.g. too long for its context), the base run others.
  const store = await ResultsStore.open(db);
  await store.connection.run(`DELETE FROM responses WHERE run_id = 'run1' AND participant IN ('1', '2') AND response_index IN (3, 7)`);
  await store.connection.run(`DELETE FROM responses WHERE run_id = 'run0' AND participant = '5' AND response_index = 0`);
  store.close();
  const c = JSON.parse(runHumanlike(['compare', '--db', db, '--bootstrap', '0', '--json']).stdout) as CompareResult;
  const pair = c.pairs[0]!;
  assert.equal(pair.pairedResponses, 3 * 20 * 10 - 3 * 4 - 3);
  // Independent: join the two runs on (study, participant, response), then per study d with sample SDs, then the mean.
  const rows = await queryDb<{ study: string; d: number; diff: number }>(
    db,
    `
    SELECT study, (avg(y.nll) - avg(x.nll)) / sqrt((var_samp(x.nll) + var_samp(y.nll)) / 2) AS d, sum(y.nll - x.nll) AS diff
    FROM responses x JOIN responses y USING (study, experiment, participant, response_index)
    WHERE x.run_id = 'run0' AND y.run_id = 'run1' GROUP BY study ORDER BY study`,
  );
  const expected = rows.reduce((s, r) => s + r.d, 0) / rows.length;
  assert.ok(Math.abs(pair.d.estimate - expected) < 1e-6, `${pair.d.estimate} vs ${expected}`);
  pair.perStudy.forEach((s, i) => {
    assert.ok(Math.abs(s.d - rows[i]!.d) < 1e-6);
  });
  assert.ok(Math.abs(pair.pairedDifference - rows.reduce((s, r) => s + r.diff, 0) / pair.pairedResponses) < 1e-9);
  assert.ok(Number.isNaN(pair.d.low) || pair.d.low === null, '--bootstrap 0: no interval');
});

test('Centaur as the paper reports it: held-out studies only, mean d and SEM over studies against a hand computation', async () => {
  const { queryDb } = await import('../helpers/readDb.js');
  const tmp = makeTempDir();
  const db = join(tmp, 's.duckdb');
  await writeSyntheticStore(
    db,
    [
      { model: 'Llama-3.1-70B', shift: 0 },
      { model: 'Llama-3.1-Centaur-70B', shift: -0.3 },
      { model: 'Llama-3.1-70B-Instruct', shift: 0.2 },
    ],
    { studies: 6, participants: 12, responses: 8 },
  );
  const list = join(tmp, 'trained.txt');
  writeFileSync(list, '# trained on\nstudy000\nstudy003  # comment\n\nnot-in-the-store\n');
  const r = runHumanlike(['compare', '--db', db, '--models', 'paper', '--exclude-studies', list, '--bootstrap', '200', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const c = JSON.parse(r.stdout) as CompareResult;
  const centaur = c.pairs.find((p) => p.type === 'behavioural')!;
  assert.deepEqual(
    [centaur.post, centaur.base, centaur.studies, centaur.excludedStudies, centaur.heldOut],
    ['Llama-3.1-Centaur-70B', 'Llama-3.1-70B', 4, 2, true],
  );
  assert.deepEqual(
    centaur.perStudy.map((s) => s.study),
    ['study001', 'study002', 'study004', 'study005'],
  );
  // Hand computation: per held-out study, d = (mean_centaur − mean_base) / sqrt((sd_c² + sd_b²) / 2) with sample SDs,
  // then the mean over studies and its SEM (sample SD of the d / √studies), as the reference's pandas .mean()/.sem().
  const rows = await queryDb<{ d: number; b: number; p: number }>(
    db,
    `
    SELECT (avg(y.nll) - avg(x.nll)) / sqrt((var_samp(x.nll) + var_samp(y.nll)) / 2) AS d, avg(x.nll) AS b, avg(y.nll) AS p
    FROM responses x JOIN responses y USING (study, experiment, participant, response_index)
    WHERE x.run_id = 'run0' AND y.run_id = 'run1' AND study NOT IN ('study000', 'study003') GROUP BY study ORDER BY study`,
  );
  const ds = rows.map((x) => x.d);
  const m = ds.reduce((a, b) => a + b, 0) / ds.length;
  const sem = Math.sqrt(ds.reduce((a, x) => a + (x - m) ** 2, 0) / (ds.length - 1)) / Math.sqrt(ds.length);
  assert.ok(Math.abs(centaur.d.estimate - m) < 1e-6, `${centaur.d.estimate} vs ${m}`);
  assert.ok(Math.abs(centaur.sem! - sem) < 1e-6, `${centaur.sem} vs ${sem}`);
  assert.ok(
    centaur.d.estimate < 0 && centaur.d.low < centaur.d.estimate && centaur.d.estimate < centaur.d.high,
    'post − base: Centaur better is negative',
  );
  assert.ok(Math.abs(centaur.meanNllBase - rows.reduce((a, x) => a + x.b, 0) / 4) < 1e-6);
  assert.ok(Math.abs(centaur.meanNllPost - rows.reduce((a, x) => a + x.p, 0) / 4) < 1e-6);
  // Other pairs keep every study; the fine-tune is its own type, not post-training of Llama 3.1.
  const instruct = c.pairs.find((p) => p.type === 'instruct')!;
  assert.deepEqual([instruct.studies, instruct.excludedStudies, instruct.heldOut], [6, 0, false]);
  assert.deepEqual(
    c.byType.map((t) => [t.type, t.pairs]),
    [
      ['behavioural', 1],
      ['instruct', 1],
    ],
  );
  assert.deepEqual(
    c.byGeneration.filter((g) => g.generation === '3.1').map((g) => g.pairs),
    [1],
  );

  const text = runHumanlike(['compare', '--db', db, '--models', 'paper', '--exclude-studies', list, '--bootstrap', '50']);
  assert.match(text.stdout, /Behavioural fine-tunes on held-out studies: .*fine-tune − base/);
  assert.match(text.stdout, new RegExp(`Llama-3\\.1-Centaur-70B\\s+Llama-3\\.1-70B\\s+4\\s+2\\s+${m.toFixed(3)} ± ${sem.toFixed(3)}`));
  const all = JSON.parse(runHumanlike(['compare', '--db', db, '--models', 'paper', '--bootstrap', '0', '--json']).stdout) as CompareResult;
  assert.deepEqual(
    all.pairs.filter((p) => p.type === 'behavioural').map((p) => [p.studies, p.heldOut]),
    [[6, false]],
  );
  const missing = runHumanlike(['compare', '--db', db, '--exclude-studies', join(tmp, 'nope.txt')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.txt: cannot read the study list \(no such file\)/);
});

test('calibration positive control: a sharpened copy of the base (same argmax, T = 0.3) has equal accuracy, lower entropy, worse ECE', async () => {
  const { queryDb } = await import('../helpers/readDb.js');
  const tmp = makeTempDir();
  const db = join(tmp, 's.duckdb');
  await writeSyntheticStore(
    db,
    [
      { model: 'Qwen2.5-7B', shift: 0 },
      { model: 'Qwen2.5-7B-Instruct', shift: 0, temperature: 0.3 },
    ],
    { studies: 4, participants: 40, responses: 50, choices: true },
  );
  const r = runHumanlike(['compare', '--db', db, '--bootstrap', '0', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const c = JSON.parse(r.stdout) as CompareResult;
  const pair = c.calibration.pairs[0]!;
  assert.deepEqual([pair.post, pair.base, pair.postSide.studies, pair.postSide.responses], ['Qwen2.5-7B-Instruct', 'Qwen2.5-7B', 4, 8000]);
  const [b, p] = [pair.baseSide, pair.postSide];
  assert.equal(p.accuracy, b.accuracy, 'same argmax, same accuracy');
  assert.ok(p.entropy < b.entropy - 0.2, `entropy ${p.entropy} vs ${b.entropy}`);
  assert.ok(b.ece! < 0.03 && p.ece! > b.ece! + 0.1, `ECE ${p.ece} vs ${b.ece}`);
  assert.ok(p.brier > b.brier && p.choiceNll > b.choiceNll);
  assert.ok(Math.abs(b.entropy - b.choiceNll) < 0.03, 'calibrated: mean entropy ≈ mean log loss');
  assert.equal(p.humanEntropy, b.humanEntropy, "the participants' entropy is a property of the data");
  assert.ok(Math.abs(b.reliability.reduce((s, x) => s + x.weight, 0) - 1) < 1e-9);

  // Independent computation from the rows: each study weighs the same; ECE over 10 equal-width bins of confidence;
  // the participants' entropy: per (participant, choice set) the plug-in entropy of their answers, per response.
  const rows = await queryDb<{
    study: string;
    participant: string;
    cs: string;
    ans: string;
    h: number;
    q: number;
    pr: number;
    c: number;
    ok: boolean;
  }>(
    db,
    `SELECT study, participant, choice_set AS cs, choice_answer AS ans, choice_entropy AS h, choice_sum_sq AS q, choice_prob AS pr, choice_max_prob AS c,
            choice_correct_restricted AS ok FROM responses WHERE run_id = 'run1'`,
  );
  const studies = [...new Set(rows.map((x) => x.study))];
  const bins = Array.from({ length: 10 }, () => ({ acc: 0, conf: 0 }));
  let entropy = 0,
    brier = 0,
    human = 0;
  for (const s of studies) {
    const rs = rows.filter((x) => x.study === s);
    const w = 1 / (studies.length * rs.length);
    const groups = new Map<string, Map<string, number>>();
    for (const x of rs) {
      const bin = bins[Math.min(9, Math.floor(x.c * 10))]!;
      bin.acc += w * (x.ok ? 1 : 0);
      bin.conf += w * x.c;
      entropy += w * x.h;
      brier += w * (x.q - 2 * x.pr + 1);
      const g = groups.get(`${x.participant}/${x.cs}`) ?? new Map<string, number>();
      g.set(x.ans, (g.get(x.ans) ?? 0) + 1);
      groups.set(`${x.participant}/${x.cs}`, g);
    }
    for (const g of groups.values()) {
      const m = [...g.values()].reduce((a, n) => a + n, 0);
      const hg = -[...g.values()].reduce((a, n) => a + (n / m) * Math.log(n / m), 0);
      human += w * m * hg;
    }
  }
  const ece = bins.reduce((a, x) => a + Math.abs(x.acc - x.conf), 0);
  const close = (x: number, y: number, what: string): void => assert.ok(Math.abs(x - y) < 1e-6, `${what}: ${x} vs ${y}`);
  close(p.ece!, ece, 'ECE');
  close(p.entropy, entropy, 'entropy');
  close(p.brier, brier, 'Brier');
  close(p.humanEntropy, human, 'human entropy');
  const model = c.calibration.models.find((m) => m.model === 'Qwen2.5-7B-Instruct')!;
  close(model.ece!, ece, 'per-model ECE');

  const text = runHumanlike(['compare', '--db', db, '--bootstrap', '0']);
  assert.match(text.stdout, /Calibration over choice sets/);
  assert.match(text.stdout, /Qwen2\.5-7B-Instruct\s+Qwen2\.5-7B\s+instruct\s+4\s+\d+\.\d%\s+\d\.\d{3} \(-\d\.\d{3}\)/);
});

test('the report draws calibration (reliability diagram, entropies) from the same numbers compare prints', async () => {
  const { readFileSync } = await import('node:fs');
  const tmp = makeTempDir();
  const db = join(tmp, 'c.duckdb');
  await writeSyntheticStore(
    db,
    [
      { model: 'Qwen2-7B', shift: 0 },
      { model: 'Qwen2-7B-Instruct', shift: 0, temperature: 0.3 },
    ],
    { studies: 3, participants: 30, responses: 12, choices: true },
  );
  const csvDir = join(tmp, 'csv');
  const r = runHumanlike(['report', '--db', db, '--out', join(tmp, 'r.html'), '--csv', csvDir, '--bootstrap', '0']);
  assert.equal(r.code, 0, r.stderr);
  const c = JSON.parse(runHumanlike(['compare', '--db', db, '--bootstrap', '0', '--json']).stdout) as CompareResult;
  const [header, ...lines] = readFileSync(join(csvDir, 'calibration.csv'), 'utf8').trim().split('\n');
  const cols = header!.split(',');
  const rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
  for (const m of c.calibration.models) {
    const mine = rows.filter((x) => x['model'] === m.model);
    assert.ok(Math.abs(Number(mine.find((x) => x['panel'] === 'Reliability')!['ece']) - m.ece!) < 1e-9, `${m.model} ECE`);
    assert.ok(Math.abs(Number(mine.find((x) => x['who'] === 'model')!['entropy']) - m.entropy) < 1e-9, `${m.model} entropy`);
  }
  const [base, post] = [
    c.calibration.models.find((m) => m.model === 'Qwen2-7B')!,
    c.calibration.models.find((m) => m.model === 'Qwen2-7B-Instruct')!,
  ];
  assert.ok(post.entropy < base.entropy && post.ece! > base.ece!, 'the sharpened copy: lower entropy, worse calibration');
});
