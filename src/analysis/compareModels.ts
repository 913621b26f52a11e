import type { DomainsTable } from '../data/readDomainsTable.js';
import { participantKeySql } from '../data/participantKey.js';
import { sqlString } from '../util/sqlString.js';
import type { ResultsStore, RunRecord } from '../store/ResultsStore.js';
import { averageIntervals, bootstrapMeanD, type Interval, type PairedStudy } from './bootstrap.js';
import { cohensD, mean, type Moments } from './cohensD.js';
import { resolveModelFacts, type ModelFacts } from './modelTable.js';

export interface CompareOptions {
  /** Prompt format of the runs compared for alignment and misalignment. Default 'raw'. */
  format?: string;
  modelTable?: Map<string, ModelFacts>;
  domains?: DomainsTable;
  /** Bootstrap replicates. Default 1000. */
  bootstrap?: number;
  seed?: number;
}

export interface ModelScore {
  model: string;
  runId: string;
  facts: ModelFacts | null;
  studies: number;
  /** Mean over studies of the mean response NLL (each study weighs the same). */
  score: number;
  accuracy: number | null;
  accuracyRestricted: number | null;
}

export interface PairResult {
  base: string;
  post: string;
  family: string;
  generation: string;
  type: string;
  studies: number;
  /** Mean over studies of Cohen's d (post vs base); positive = post-trained less human-like. */
  d: Interval;
  /** Share of studies where the base model has the lower mean NLL. */
  baseWins: number;
  /** Mean of (NLL_post − NLL_base) over the responses both scored. */
  pairedDifference: number;
  pairedResponses: number;
  perStudy: { study: string; domain: string | null; d: number }[];
}

export interface PersonaResult {
  model: string;
  studies: number;
  participants: number;
  /** Cohen's d of persona vs raw on the same participants (negative = the persona helps). */
  personaVsRaw: Interval;
  shuffledVsRaw: Interval | null;
  personaVsShuffled: Interval | null;
}

export interface CompareResult {
  format: string;
  runs: { runId: string; model: string; format: string; policy: string; status: string }[];
  unclassified: string[];
  models: ModelScore[];
  perStudy: { model: string; study: string; domain: string | null; responses: number; meanNll: number }[];
  pairs: PairResult[];
  byType: { type: string; pairs: number; d: Interval }[];
  byGeneration: { family: string; generation: string; baseModels: string[]; baseScore: number | null; pairs: number; d: Interval | null }[];
  domains: { domains: string[]; rows: { pair: string; values: (number | null)[]; mean: number | null }[]; columnMeans: (number | null)[] } | null;
  persona: PersonaResult[];
}

type MomentsByStudy = Map<string, Map<string, Moments>>; // study → participant → moments

/** Latest complete run per (model, format). */
function latestRuns(runs: RunRecord[]): Map<string, RunRecord> {
  const out = new Map<string, RunRecord>();
  for (const r of runs) {
    if (r.status !== 'complete') continue;
    const key = `${r.model}\u0000${r.promptFormat}`;
    const prev = out.get(key);
    if (!prev || prev.createdAt < r.createdAt) out.set(key, r);
  }
  return out;
}

async function participantMoments(store: ResultsStore, runIds: string[]): Promise<Map<string, MomentsByStudy>> {
  const out = new Map<string, MomentsByStudy>();
  if (runIds.length === 0) return out;
  const result = await store.connection.stream(
    `SELECT run_id, study, ${participantKeySql()} AS p, count(*)::INTEGER AS n, sum(nll) AS s, sum(nll * nll) AS ss
     FROM responses WHERE run_id IN (${runIds.map(sqlString).join(', ')}) GROUP BY ALL`,
  );
  for await (const rows of result.yieldRows()) {
    for (const [run, study, p, n, s, ss] of rows as [string, string, string, number, number, number][]) {
      let byStudy = out.get(run);
      if (!byStudy) out.set(run, (byStudy = new Map()));
      let ps = byStudy.get(study);
      if (!ps) byStudy.set(study, (ps = new Map()));
      ps.set(p, { n: Number(n), sum: Number(s), sumSq: Number(ss) });
    }
  }
  return out;
}

/** Studies and participants present in both runs, paired. */
function pairStudies(a: MomentsByStudy | undefined, b: MomentsByStudy | undefined): PairedStudy[] {
  const out: PairedStudy[] = [];
  if (!a || !b) return out;
  for (const [study, pa] of [...a].sort(([x], [y]) => (x < y ? -1 : 1))) {
    const pb = b.get(study);
    if (!pb) continue;
    const s: PairedStudy = { study, a: [], b: [] };
    for (const [p, m] of pa) {
      const other = pb.get(p);
      if (other) { s.a.push(m); s.b.push(other); }
    }
    if (s.a.length >= 2) out.push(s);
  }
  return out;
}

const total = (ms: Iterable<Moments>): Moments => {
  const t = { n: 0, sum: 0, sumSq: 0 };
  for (const m of ms) { t.n += m.n; t.sum += m.sum; t.sumSq += m.sumSq; }
  return t;
};

/**
 * The paper's analyses from stored runs (no model is called): alignment scores, post-training misalignment per
 * (base, post-trained) pair with bootstrap intervals, by type, generation and domain, persona benefit against the
 * shuffled control, and accuracy.
 */
export async function compareModels(store: ResultsStore, o: CompareOptions = {}): Promise<CompareResult> {
  const format = o.format ?? 'raw';
  const reps = o.bootstrap ?? 1000;
  const seed = o.seed ?? 0;
  const latest = latestRuns((await store.listRuns()) as RunRecord[]);
  const main = [...latest.values()].filter((r) => r.promptFormat === format);
  const models = main.map((r) => r.model);
  const { facts, unclassified } = resolveModelFacts(models.filter((m) => !m.startsWith('baseline:')), o.modelTable);
  const domainOf = (study: string): string | null => o.domains?.get(study) ?? null;

  const personaRuns = [...latest.values()].filter((r) => r.promptFormat === 'persona' || r.promptFormat === 'persona-shuffled');
  const moments = await participantMoments(store, [...main, ...personaRuns].map((r) => r.runId));

  const acc = await store.query<{ run_id: string; study: string; acc: number | null; acc_r: number | null }>(
    `SELECT run_id, study, avg(CASE WHEN choice_correct THEN 1.0 WHEN NOT choice_correct THEN 0.0 END) AS acc,
            avg(CASE WHEN choice_correct_restricted THEN 1.0 WHEN NOT choice_correct_restricted THEN 0.0 END) AS acc_r
     FROM responses WHERE discrete AND run_id IN (${main.map((r) => sqlString(r.runId)).join(', ') || "''"}) GROUP BY ALL`);
  const meanOf = (xs: (number | null)[]): number | null => {
    const v = xs.filter((x): x is number => x !== null && Number.isFinite(x));
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
  };

  const perStudy: CompareResult['perStudy'] = [];
  const scores: ModelScore[] = main.map((r) => {
    const byStudy = moments.get(r.runId) ?? new Map();
    const studyMeans = [...byStudy].map(([study, ps]) => {
      const t = total(ps.values());
      perStudy.push({ model: r.model, study, domain: domainOf(study), responses: t.n, meanNll: mean(t) });
      return mean(t);
    });
    const a = acc.filter((x) => x.run_id === r.runId);
    return {
      model: r.model, runId: r.runId, facts: facts.get(r.model) ?? null, studies: studyMeans.length,
      score: studyMeans.reduce((x, y) => x + y, 0) / Math.max(1, studyMeans.length),
      accuracy: meanOf(a.map((x) => x.acc)), accuracyRestricted: meanOf(a.map((x) => x.acc_r)),
    };
  }).sort((a, b) => a.score - b.score);

  // Pairs: each post-trained model with its base.
  const runOf = new Map(main.map((r) => [r.model, r]));
  const pairs: (PairResult & { draws: Float64Array })[] = [];
  for (const f of facts.values()) {
    if (f.type === 'base' || !f.base) continue;
    const baseRun = runOf.get(f.base);
    const postRun = runOf.get(f.model);
    if (!baseRun || !postRun) continue;
    const studies = pairStudies(moments.get(baseRun.runId), moments.get(postRun.runId));
    if (studies.length === 0) continue;
    const boot = bootstrapMeanD(studies, reps, seed);
    const [paired] = await store.query<{ d: number; n: number }>(
      `SELECT avg(p.nll - b.nll) AS d, count(*)::INTEGER AS n FROM responses b JOIN responses p
         ON p.study = b.study AND p.experiment = b.experiment AND p.participant = b.participant AND p.response_index = b.response_index
       WHERE b.run_id = ? AND p.run_id = ?`, [baseRun.runId, postRun.runId]);
    const perStudyD = studies.map((s) => ({ study: s.study, domain: domainOf(s.study), d: cohensD(total(s.a), total(s.b)) }));
    pairs.push({
      base: f.base, post: f.model, family: f.family, generation: f.generation, type: f.type, studies: studies.length,
      d: { estimate: boot.estimate, low: boot.low, high: boot.high }, draws: boot.draws,
      baseWins: studies.filter((s) => mean(total(s.a)) < mean(total(s.b))).length / studies.length,
      pairedDifference: paired?.d ?? Number.NaN, pairedResponses: paired?.n ?? 0, perStudy: perStudyD,
    });
  }
  pairs.sort((a, b) => (a.post < b.post ? -1 : 1));

  const byType = [...new Set(pairs.map((p) => p.type))].sort().map((type) => {
    const ps = pairs.filter((p) => p.type === type);
    return { type, pairs: ps.length, d: averageIntervals(ps.map((p) => ({ ...p.d, draws: p.draws })))! };
  });
  const generations = new Map<string, { family: string; generation: string }>();
  for (const f of facts.values()) generations.set(`${f.family}\u0000${f.generation}`, { family: f.family, generation: f.generation });
  const byGeneration = [...generations.values()].sort((a, b) => a.family.localeCompare(b.family) || Number(a.generation) - Number(b.generation) || a.generation.localeCompare(b.generation)).map((g) => {
    const bases = scores.filter((s) => s.facts?.family === g.family && s.facts.generation === g.generation && s.facts.type === 'base');
    const ps = pairs.filter((p) => p.family === g.family && p.generation === g.generation);
    return {
      ...g, baseModels: bases.map((b) => b.model), baseScore: meanOf(bases.map((b) => b.score)), pairs: ps.length,
      d: averageIntervals(ps.map((p) => ({ ...p.d, draws: p.draws }))) ?? null,
    };
  });

  let domains: CompareResult['domains'] = null;
  if (o.domains && pairs.length) {
    const names = [...new Set(pairs.flatMap((p) => p.perStudy.map((s) => s.domain ?? '(none)')))].sort();
    const rows = pairs.map((p) => {
      const values = names.map((d) => meanOf(p.perStudy.filter((s) => (s.domain ?? '(none)') === d).map((s) => s.d)));
      return { pair: `${p.post} vs ${p.base}`, values, mean: meanOf(values) };
    });
    domains = { domains: names, rows, columnMeans: names.map((_, i) => meanOf(rows.map((r) => r.values[i] ?? null))) };
  }

  // Persona benefit on the same participants: persona vs raw, shuffled vs raw, persona vs shuffled.
  const persona: PersonaResult[] = [];
  for (const r of main) {
    const p = latest.get(`${r.model}\u0000persona`);
    if (!p) continue;
    const s = latest.get(`${r.model}\u0000persona-shuffled`);
    const raw = moments.get(r.runId);
    const vsRaw = pairStudies(raw, moments.get(p.runId));
    if (vsRaw.length === 0) continue;
    const boot = (st: PairedStudy[], k: number): Interval | null => {
      if (st.length === 0) return null;
      const b = bootstrapMeanD(st, reps, seed + k);
      return { estimate: b.estimate, low: b.low, high: b.high };
    };
    persona.push({
      model: r.model, studies: vsRaw.length, participants: vsRaw.reduce((n, x) => n + x.a.length, 0),
      personaVsRaw: boot(vsRaw, 1)!,
      shuffledVsRaw: s ? boot(pairStudies(raw, moments.get(s.runId)), 2) : null,
      personaVsShuffled: s ? boot(pairStudies(moments.get(s.runId), moments.get(p.runId)), 3) : null,
    });
  }

  return {
    format,
    runs: [...latest.values()].map((r) => ({ runId: r.runId, model: r.model, format: r.promptFormat, policy: r.contextPolicy, status: r.status })),
    unclassified,
    models: scores,
    perStudy,
    pairs: pairs.map(({ draws: _draws, ...p }) => p),
    byType,
    byGeneration,
    domains,
    persona,
  };
}
