import type { DomainsTable } from '../data/readDomainsTable.js';
import { pairedMomentsSql, participantMomentsSql, type ComparisonRuns, type UnevenParticipant } from '../store/queries.js';
import type { ResultsStore, RunRecord } from '../store/ResultsStore.js';
import type { PairedStudy } from './bootstrap.js';
import type { Moments } from './cohensD.js';
import { resolveModelFacts, type ModelFacts } from './modelTable.js';

export interface CompareOptions {
  /** Prompt format of the runs compared for alignment and misalignment. Default 'raw'. */
  format?: string;
  modelTable?: Map<string, ModelFacts>;
  domains?: DomainsTable;
  /** Bootstrap replicates. Default 1000; 0 gives estimates without intervals. */
  bootstrap?: number;
  seed?: number;
}

/** A participant's statistics in one run: NLL moments and accuracy counts over discrete responses. */
export interface ParticipantStats extends Moments {
  /** Responses of the participant's transcript (-1 when unknown): n === total means every one was scored. */
  total: number;
  accN: number;
  accK: number;
  accRN: number;
  accRK: number;
}

/** Everything the analyses read, loaded in two queries. Maps are in sorted key order, so results are reproducible. */
export interface ComparisonData {
  format: string;
  /** The runs analysed: the latest complete run per (model, format). */
  runs: RunRecord[];
  /** Runs of the compared format, one per model. */
  main: RunRecord[];
  facts: Map<string, ModelFacts>;
  unclassified: string[];
  /** run → study → participant → statistics. */
  byRun: Map<string, Map<string, Map<string, ParticipantStats>>>;
  /** comparison id → paired studies over the responses both runs scored (studies and participants sorted). */
  paired: Map<string, PairedStudy[]>;
  comparisons: ComparisonRuns[];
  domainOf: (study: string) => string | null;
}

/** Latest complete run per (model, format). */
function latestRuns(runs: readonly RunRecord[]): RunRecord[] {
  const out = new Map<string, RunRecord>();
  for (const r of runs) {
    if (r.status !== 'complete') continue;
    const key = `${r.model}\u0000${r.promptFormat}`;
    const prev = out.get(key);
    if (!prev || prev.createdAt < r.createdAt) out.set(key, r);
  }
  return [...out.values()].sort((a, b) => (a.runId < b.runId ? -1 : 1));
}

/** Id of the comparison of two runs (a = reference). */
export const comparisonId = (a: RunRecord, b: RunRecord): string => `${a.runId}\u001f${b.runId}`;

/** The paired comparisons the analyses need: each post-trained model with its base, persona formats with raw. */
function listComparisons(main: readonly RunRecord[], runs: readonly RunRecord[], facts: Map<string, ModelFacts>): ComparisonRuns[] {
  const out: ComparisonRuns[] = [];
  const byModel = new Map(main.map((r) => [r.model, r]));
  const add = (a: RunRecord | undefined, b: RunRecord | undefined): void => { if (a && b) out.push({ id: comparisonId(a, b), a: a.runId, b: b.runId }); };
  for (const f of facts.values()) if (f.type !== 'base' && f.base) add(byModel.get(f.base), byModel.get(f.model));
  const of = (model: string, format: string): RunRecord | undefined => runs.find((r) => r.model === model && r.promptFormat === format);
  for (const r of main) {
    const persona = of(r.model, 'persona');
    const shuffled = of(r.model, 'persona-shuffled');
    add(r, persona);
    add(r, shuffled);
    add(shuffled, persona);
  }
  return out;
}

const nested = <K, V>(m: Map<K, V>, k: K, make: () => V): V => {
  let v = m.get(k);
  if (v === undefined) m.set(k, (v = make()));
  return v;
};

/** Sort a map's entries by key (DuckDB returns groups in no fixed order; the bootstrap needs one). */
const sorted = <V>(m: Map<string, V>): Map<string, V> => new Map([...m].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));

async function loadParticipantStats(store: ResultsStore, runIds: string[]): Promise<ComparisonData['byRun']> {
  const byRun: ComparisonData['byRun'] = new Map();
  const result = await store.connection.stream(participantMomentsSql(runIds));
  for await (const rows of result.yieldRows()) {
    for (const [run, study, p, n, s, ss, accN, accK, accRN, accRK, total] of rows as [string, string, string, number, number, number, number, number, number, number, number][]) {
      const stats = { n: Number(n), sum: Number(s), sumSq: Number(ss), accN: Number(accN), accK: Number(accK), accRN: Number(accRN), accRK: Number(accRK), total: Number(total) };
      nested(nested(byRun, run, () => new Map()), study, () => new Map()).set(p, stats);
    }
  }
  for (const [run, studies] of byRun) byRun.set(run, sorted(new Map([...studies].map(([s, ps]) => [s, sorted(ps)]))));
  return byRun;
}

type PairedMoments = Map<string, Map<string, Map<string, [Moments, Moments]>>>; // comparison → study → participant

/**
 * Pair each comparison's participants: where both runs scored every response of the transcript, their statistics
 * pair as they are; the others (a response skipped in either run) are paired exactly by one join over just those
 * participants, on the responses both scored.
 */
async function loadPairedStudies(store: ResultsStore, byRun: ComparisonData['byRun'], comparisons: ComparisonRuns[]): Promise<ComparisonData['paired']> {
  const acc: PairedMoments = new Map();
  const uneven: UnevenParticipant[] = [];
  for (const c of comparisons) {
    for (const [study, pa] of byRun.get(c.a) ?? new Map<string, Map<string, ParticipantStats>>()) {
      const pb = byRun.get(c.b)?.get(study);
      if (!pb) continue;
      for (const [p, x] of pa) {
        const y = pb.get(p);
        if (!y) continue;
        if (x.n === x.total && y.n === y.total && x.n === y.n) nested(nested(acc, c.id, () => new Map()), study, () => new Map()).set(p, [x, y]);
        else uneven.push({ id: c.id, a: c.a, b: c.b, study, p });
      }
    }
  }
  if (uneven.length) {
    const result = await store.connection.stream(pairedMomentsSql(uneven));
    for await (const rows of result.yieldRows()) {
      for (const [cid, study, p, n, sa, ssa, sb, ssb] of rows as [string, string, string, number, number, number, number, number][]) {
        const pair: [Moments, Moments] = [{ n: Number(n), sum: Number(sa), sumSq: Number(ssa) }, { n: Number(n), sum: Number(sb), sumSq: Number(ssb) }];
        nested(nested(acc, cid, () => new Map()), study, () => new Map()).set(p, pair);
      }
    }
  }
  const paired: ComparisonData['paired'] = new Map();
  for (const c of comparisons) {
    const studies: PairedStudy[] = [];
    for (const [study, ps] of sorted(acc.get(c.id) ?? new Map<string, Map<string, [Moments, Moments]>>())) {
      const list = [...sorted(ps).values()];
      if (list.length >= 2) studies.push({ study, a: list.map((x) => x[0]), b: list.map((x) => x[1]) });
    }
    paired.set(c.id, studies);
  }
  return paired;
}

/**
 * Load what the analyses need from stored runs in one scan (per-participant statistics of every run), plus a join
 * over only the participants whose runs scored different responses. No model is called.
 */
export async function loadComparison(store: ResultsStore, o: CompareOptions = {}): Promise<ComparisonData> {
  const format = o.format ?? 'raw';
  const runs = latestRuns(await store.listRuns());
  const main = runs.filter((r) => r.promptFormat === format);
  const { facts, unclassified } = resolveModelFacts(main.map((r) => r.model).filter((m) => !m.startsWith('baseline:')), o.modelTable);
  const personaRuns = runs.filter((r) => r.promptFormat === 'persona' || r.promptFormat === 'persona-shuffled');
  const comparisons = listComparisons(main, personaRuns, facts);
  const byRun = await loadParticipantStats(store, [...main, ...personaRuns].map((r) => r.runId));
  const paired = await loadPairedStudies(store, byRun, comparisons);
  return { format, runs, main, facts, unclassified, byRun, paired, comparisons, domainOf: (s) => o.domains?.get(s) ?? null };
}
