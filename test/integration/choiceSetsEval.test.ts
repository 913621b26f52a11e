import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTempDir } from '../helpers/paths.js';
import { queryDb } from '../helpers/readDb.js';
import { runHumanlike } from '../helpers/runCliProcess.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * Two studies whose letters are randomised per participant (as Psych-201 does), so the study uses all 26 letters
 * while each participant chose between a few:
 * - `perletters`: participant p presses one of two keys named in the instructions (letters 2p and 2p+1);
 * - `lists`: franke-style option lists before each answer (4 words or 3 objects), keys shuffled per trial.
 */
function writeStudies(dir: string): { perletters: string[]; lists: { text: string; sizes: number[] }[] } {
  const perletters: string[] = [];
  for (let p = 0; p < 13; p++) {
    const [yes, no] = [ALPHABET[2 * p]!, ALPHABET[2 * p + 1]!];
    let text = `If the word exists, press the ${yes} key. If it does not, press the ${no} key.\n`;
    for (let t = 0; t < 6; t++) text += `word${t}. You press <<${(t * 7 + p) % 3 === 0 ? no : yes}>>.\n`;
    perletters.push(JSON.stringify({ text, experiment: 'e', participant: p }));
  }
  const lists: { text: string; sizes: number[] }[] = [];
  for (let p = 0; p < 6; p++) {
    let text = 'In each trial, answer by pressing a key.\n';
    const sizes: number[] = [];
    for (let t = 0; t < 4; t++) {
      const n = t % 2 === 0 ? 4 : 3;
      const keys = Array.from({ length: n }, (_, i) => ALPHABET[(p * 5 + t * 3 + i * 7) % 26]!);
      text += `Which do you choose:\n${keys.map((k, i) => `${k}: option ${i}`).join('\n')}\n\nYour answer:\nI choose key <<${keys[(p + t) % n]}>>.\n`;
      sizes.push(n);
    }
    lists.push({ text, sizes });
  }
  for (const [study, lines] of [
    ['perletters', perletters],
    ['lists', lists.map((l, p) => JSON.stringify({ text: l.text, experiment: 'e', participant: p }))],
  ] as const) {
    mkdirSync(join(dir, study), { recursive: true });
    writeFileSync(join(dir, study, 'prompts.jsonl'), lines.join('\n') + '\n');
  }
  return { perletters, lists };
}

interface StudyStats {
  study: string;
  meanNll: number;
  uniformNll: number | null;
  pseudoR2: number | null;
}

function evalBaseline(data: string, db: string, baseline: string): Map<string, StudyStats> {
  const r = runHumanlike(['eval', data, '--baseline', baseline, '--db', db, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return new Map((JSON.parse(r.stdout).stats.perStudy as StudyStats[]).map((s) => [s.study, s]));
}

const close = (a: number | null | undefined, b: number, what: string): void =>
  assert.ok(a !== null && a !== undefined && Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);

/** The two studies, written once; each baseline run on them once (into one database) when a test first asks. */
const fixture = (() => {
  let made: { data: ReturnType<typeof writeStudies>; dir: string; db: string } | undefined;
  const by = new Map<string, Map<string, StudyStats>>();
  return (baseline: string): { data: ReturnType<typeof writeStudies>; db: string; stats: Map<string, StudyStats> } => {
    if (!made) {
      const tmp = makeTempDir();
      const dir = join(tmp, 'data');
      made = { data: writeStudies(dir), dir, db: join(tmp, 'r.duckdb') };
    }
    if (!by.has(baseline)) by.set(baseline, evalBaseline(made.dir, made.db, baseline));
    return { data: made.data, db: made.db, stats: by.get(baseline)! };
  };
})();

test("per-participant letters: chance is ln 2 (the two keys offered), not ln 26 (the study's letters)", () => {
  const uniform = fixture('uniform').stats.get('perletters')!;
  close(uniform.meanNll, Math.log(2), 'uniform NLL, per-participant letters');
  close(uniform.uniformNll, Math.log(2), 'chance of pseudo-R²');
});

test("franke-style option lists: chance is ln of each answer's own list (4 words or 3 objects)", async () => {
  const { data, db, stats } = fixture('uniform');
  const sizes = data.lists.flatMap((l) => l.sizes);
  close(stats.get('lists')!.meanNll, sizes.reduce((s, n) => s + Math.log(n), 0) / sizes.length, 'uniform NLL, option lists');
  const rows = await queryDb<{ choice_rule: string; choice_set_size: number; n: number }>(
    db,
    `SELECT choice_rule, choice_set_size, count(*)::INTEGER AS n FROM responses WHERE study = 'lists' AND run_id LIKE 'baseline-uniform-%' GROUP BY ALL ORDER BY ALL`,
  );
  assert.deepEqual(
    rows.map((r) => [r.choice_rule, r.choice_set_size, r.n]),
    [
      ['offered', 3, 12],
      ['offered', 4, 12],
    ],
  );
  // Record version 3: the set, the answer and the uniform distribution over the set reach the store, column by column.
  const dist = await queryDb<{ ok: boolean }>(
    db,
    `SELECT bool_and(length(choice_set) = choice_set_size AND contains(choice_set, choice_answer)
      AND abs(choice_prob - 1.0 / choice_set_size) < 1e-12 AND choice_max_prob = choice_prob AND abs(choice_sum_sq - 1.0 / choice_set_size) < 1e-12
      AND abs(choice_entropy - ln(choice_set_size)) < 1e-12) AS ok FROM responses WHERE study = 'lists' AND run_id LIKE 'baseline-uniform-%'`,
  );
  assert.equal(dist[0]!.ok, true);
});

test("a participant whose letters differ from the study's: frequency cannot borrow other participants' letters (P = 1/2)", () => {
  const frequency = fixture('frequency').stats.get('perletters')!;
  close(frequency.meanNll, Math.log(2), 'frequency NLL, letters no one else used');
  close(frequency.pseudoR2, 0, 'frequency pseudo-R²');
});

test("sequential baseline: add-one over the offered keys from the participant's own earlier answers; pseudo-R² against the new chance", () => {
  const {
    data: { perletters },
    stats: sequential,
  } = fixture('sequential');
  // Independent: P(r) = (c_prev(r) + 1) / (n_prev + 2) over each participant's answers.
  let sum = 0;
  let n = 0;
  for (const line of perletters) {
    const seen = new Map<string, number>();
    let k = 0;
    for (const m of (JSON.parse(line).text as string).matchAll(/<<(.)>>/g)) {
      sum += -Math.log(((seen.get(m[1]!) ?? 0) + 1) / (k + 2));
      seen.set(m[1]!, (seen.get(m[1]!) ?? 0) + 1);
      k++;
      n++;
    }
  }
  const s = sequential.get('perletters')!;
  close(s.meanNll, sum / n, 'sequential NLL');
  close(s.pseudoR2, 1 - sum / n / Math.log(2), 'sequential pseudo-R² against ln 2');
});
