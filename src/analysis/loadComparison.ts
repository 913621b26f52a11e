import type { DomainsTable } from '../data/readDomainsTable.js';
import { UsageError } from '../errors.js';
import {
  pairedMomentsSql,
  participantMomentsSql,
  RUN_STUDIES_SQL,
  SKIPPED_BY_STUDY_SQL,
  type UnevenParticipant,
} from '../store/queries.js';
import type { ResultsStore, RunRecord } from '../store/ResultsStore.js';
import type { PairedStudy } from './bootstrap.js';
import type { Moments } from './cohensD.js';
import { type CompareConfig, compareConfigSchema } from './compareConfig.js';
import { buildComparisonSets, type ComparisonSet, type RunUnit } from './comparisonSets.js';
import { type ModelFacts, resolveModelFacts } from './modelTable.js';

/** Options of the analyses: the schema's keys (compareConfig.ts, with their defaults) and the tables read by the caller. */
export interface CompareOptions extends Partial<CompareConfig> {
  modelTable?: Map<string, ModelFacts>;
  domains?: DomainsTable;
  /** Studies behavioural fine-tunes were trained on: their pairs use the other studies only (`--exclude-studies`). */
  excludeStudies?: ReadonlySet<string>;
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

/** study → participant → statistics. */
type ByStudy = Map<string, Map<string, ParticipantStats>>;

/** The responses a comparison of two units paired, and those only one of them scored. */
export interface PairedComparison {
  studies: PairedStudy[];
  /** Responses scored by a (resp. b) that the other did not score, in the studies both have. */
  onlyA: number;
  onlyB: number;
  /** Studies only one of the two scored (not compared). */
  studiesOnlyOne: number;
  /** Studies both scored where fewer than two participants pair (a study needs two): left out, and named here. */
  studiesTooFew: string[];
}

/** Everything the analyses read. Maps are in sorted key order, so results are reproducible. */
export interface ComparisonData {
  format: string;
  /** The comparison set analysed, and the others the store holds (never mixed with it). */
  set: ComparisonSet;
  otherSets: ComparisonSet[];
  /** Units of the compared format, one per model. */
  main: RunUnit[];
  facts: Map<string, ModelFacts>;
  unclassified: string[];
  /** unit → study → participant → statistics (each study from the unit's run for it). */
  byUnit: Map<string, Map<string, Map<string, ParticipantStats>>>;
  /** comparison id → paired studies over the responses both units scored (studies and participants sorted). */
  paired: Map<string, PairedComparison>;
  /** run → study → responses skipped (with reasons in the run) and responses of the study's transcripts. */
  skipped: Map<string, Map<string, { skipped: number; total: number }>>;
  /** Runs not complete (running, interrupted, failed) of models the set does not hold: named, never silently dropped. */
  notCompared: { runId: string; model: string; format: string; status: string }[];
  domainOf: (study: string) => string | null;
}

/** Key of a unit (model and prompt format). */
export const unitKey = (u: { model: string; format: string }): string => `${u.model}\u001f${u.format}`;

/** Id of the comparison of two units (a = reference). */
export const comparisonId = (a: RunUnit, b: RunUnit): string => `${unitKey(a)}\u001e${unitKey(b)}`;

/**
 * The pairs of units the analyses compare: each post-trained model with its base (in the compared format), and when
 * raw runs are compared, the persona formats with raw (a persona is the raw transcript with the interview in front:
 * against a chat run it would measure the template, against itself nothing).
 */
function listComparisons(set: ComparisonSet, format: string, facts: Map<string, ModelFacts>): [RunUnit, RunUnit][] {
  const of = (model: string, f: string): RunUnit | undefined => set.units.find((u) => u.model === model && u.format === f);
  const out: [RunUnit, RunUnit][] = [];
  const add = (a: RunUnit | undefined, b: RunUnit | undefined): void => {
    if (a && b) out.push([a, b]);
  };
  for (const f of facts.values()) if (f.type !== 'base' && f.base) add(of(f.base, format), of(f.model, format));
  if (format !== 'raw') return out;
  for (const u of set.units.filter((x) => x.format === 'raw')) {
    add(u, of(u.model, 'persona'));
    add(u, of(u.model, 'persona-shuffled'));
    add(of(u.model, 'persona-shuffled'), of(u.model, 'persona'));
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

async function loadParticipantStats(store: ResultsStore, runIds: string[]): Promise<Map<string, ByStudy>> {
  const byRun = new Map<string, ByStudy>();
  const result = await store.connection.stream(participantMomentsSql(runIds));
  for await (const rows of result.yieldRows()) {
    for (const [run, study, p, n, s, ss, accN, accK, accRN, accRK, total] of rows as [
      string,
      string,
      string,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ][]) {
      const stats = {
        n: Number(n),
        sum: Number(s),
        sumSq: Number(ss),
        accN: Number(accN),
        accK: Number(accK),
        accRN: Number(accRN),
        accRK: Number(accRK),
        total: Number(total),
      };
      nested(
        nested(byRun, run, () => new Map()),
        study,
        () => new Map(),
      ).set(p, stats);
    }
  }
  for (const [run, studies] of byRun) byRun.set(run, sorted(new Map([...studies].map(([s, ps]) => [s, sorted(ps)]))));
  return byRun;
}

type PairedMoments = Map<string, Map<string, Map<string, [Moments, Moments]>>>; // comparison → study → participant

/** A unit's statistics: each study from the unit's run for it. */
function unitStats(unit: RunUnit, byRun: Map<string, ByStudy>): ByStudy {
  const out: ByStudy = new Map();
  for (const [study, run] of unit.studies) {
    const ps = byRun.get(run.runId)?.get(study);
    if (ps) out.set(study, ps);
  }
  return sorted(out);
}

/**
 * Pair each comparison's participants: where both units' runs scored every response of the transcript, their
 * statistics pair as they are; the others (a response skipped in either run) are paired exactly by one join over
 * just those participants, on the responses both scored.
 */
async function loadPairedStudies(
  store: ResultsStore,
  byUnit: Map<string, ByStudy>,
  comparisons: [RunUnit, RunUnit][],
): Promise<ComparisonData['paired']> {
  const acc: PairedMoments = new Map();
  const uneven: UnevenParticipant[] = [];
  for (const [ua, ub] of comparisons) {
    const id = comparisonId(ua, ub);
    for (const [study, pa] of byUnit.get(unitKey(ua)) ?? new Map<string, Map<string, ParticipantStats>>()) {
      const pb = byUnit.get(unitKey(ub))?.get(study);
      if (!pb) continue;
      for (const [p, x] of pa) {
        const y = pb.get(p);
        if (!y) continue;
        if (x.n === x.total && y.n === y.total && x.n === y.n)
          nested(
            nested(acc, id, () => new Map()),
            study,
            () => new Map(),
          ).set(p, [x, y]);
        else uneven.push({ id, a: ua.studies.get(study)!.runId, b: ub.studies.get(study)!.runId, study, p });
      }
    }
  }
  if (uneven.length) {
    const result = await store.connection.stream(pairedMomentsSql(uneven));
    for await (const rows of result.yieldRows()) {
      for (const [cid, study, p, n, sa, ssa, sb, ssb] of rows as [string, string, string, number, number, number, number, number][]) {
        const pair: [Moments, Moments] = [
          { n: Number(n), sum: Number(sa), sumSq: Number(ssa) },
          { n: Number(n), sum: Number(sb), sumSq: Number(ssb) },
        ];
        nested(
          nested(acc, cid, () => new Map()),
          study,
          () => new Map(),
        ).set(p, pair);
      }
    }
  }
  const paired: ComparisonData['paired'] = new Map();
  for (const [ua, ub] of comparisons) {
    paired.set(comparisonId(ua, ub), summarisePairs(acc.get(comparisonId(ua, ub)), byUnit.get(unitKey(ua)), byUnit.get(unitKey(ub))));
  }
  return paired;
}

const responsesIn = (m: ByStudy | undefined, studies: readonly string[]): number =>
  studies.reduce((n, s) => n + [...(m?.get(s)?.values() ?? [])].reduce((k, p) => k + p.n, 0), 0);

/** Paired studies (≥ 2 participants) and what each side scored that the other did not. */
function summarisePairs(
  acc: Map<string, Map<string, [Moments, Moments]>> | undefined,
  a: ByStudy | undefined,
  b: ByStudy | undefined,
): PairedComparison {
  const studies: PairedStudy[] = [];
  let pairedN = 0;
  for (const [study, ps] of sorted(acc ?? new Map<string, Map<string, [Moments, Moments]>>())) {
    const list = [...sorted(ps).values()];
    pairedN += list.reduce((n, x) => n + x[0].n, 0);
    if (list.length >= 2) studies.push({ study, a: list.map((x) => x[0]), b: list.map((x) => x[1]) });
  }
  const common = [...(a?.keys() ?? [])].filter((s) => b?.has(s));
  const all = new Set([...(a?.keys() ?? []), ...(b?.keys() ?? [])]);
  return {
    studies,
    onlyA: responsesIn(a, common) - pairedN,
    onlyB: responsesIn(b, common) - pairedN,
    studiesOnlyOne: all.size - common.length,
    studiesTooFew: common.filter((s) => !studies.some((x) => x.study === s)).sort(),
  };
}

export function chooseSet(sets: ComparisonSet[], wanted: string | undefined): ComparisonSet {
  if (wanted) {
    const found = sets.find((s) => s.id.startsWith(wanted));
    if (!found) throw new UsageError(`no comparison set ${wanted}; the store holds ${sets.map((s) => s.id).join(', ') || 'none'}`);
    return found;
  }
  const first = sets[0];
  if (!first) throw new UsageError('no complete run to compare (humanlike runs lists the runs and their status)');
  return first;
}

async function selectRuns(store: ResultsStore, wanted: readonly string[] | undefined): Promise<RunRecord[]> {
  const runs = await store.listRuns();
  if (!wanted?.length) return runs;
  const unknown = wanted.filter((id) => !runs.some((r) => r.runId === id));
  if (unknown.length) throw new UsageError(`no run ${unknown.join(', ')} in the store (humanlike runs lists them)`);
  return runs.filter((r) => wanted.includes(r.runId));
}

/**
 * Load what the analyses need from stored runs: the comparison set (runs that may be compared: comparisonSets.ts),
 * then in one scan per-participant statistics of its runs, plus a join over only the participants whose runs scored
 * different responses. No model is called.
 */
export async function loadComparison(store: ResultsStore, o: CompareOptions = {}): Promise<ComparisonData> {
  const { format, runs: wanted, set: wantedSet } = compareConfigSchema.parse(definedOnly(o));
  const runs = await selectRuns(store, wanted);
  const studiesOfRun = new Map<string, string[]>();
  for (const row of await store.query<{ run_id: string; study: string }>(RUN_STUDIES_SQL))
    nested(studiesOfRun, row.run_id, () => [] as string[]).push(row.study);
  const sets = buildComparisonSets(runs, studiesOfRun);
  const set = chooseSet(sets, wantedSet);
  const main = set.units.filter((u) => u.format === format);
  const { facts, unclassified } = resolveModelFacts(
    main.map((u) => u.model).filter((m) => !m.startsWith('baseline:')),
    o.modelTable,
  );
  const runIds = [...new Set(set.units.flatMap((u) => [...u.studies.values()].map((r) => r.runId)))];
  const byRun = await loadParticipantStats(store, runIds);
  const byUnit = new Map(set.units.map((u) => [unitKey(u), unitStats(u, byRun)]));
  const paired = await loadPairedStudies(store, byUnit, listComparisons(set, format, facts));
  const skipped = new Map<string, Map<string, { skipped: number; total: number }>>();
  for (const r of await store.query<{ run_id: string; study: string; skipped: number; total: number }>(SKIPPED_BY_STUDY_SQL)) {
    nested(skipped, r.run_id, () => new Map()).set(r.study, { skipped: r.skipped, total: r.total });
  }
  const held = new Set(set.units.map(unitKey));
  const notCompared = runs
    .filter((r) => r.status !== 'complete' && !held.has(unitKey({ model: r.model, format: r.promptFormat })))
    .map((r) => ({ runId: r.runId, model: r.model, format: r.promptFormat, status: r.status }));
  return {
    format,
    set,
    otherSets: sets.filter((s) => s !== set),
    main,
    facts,
    unclassified,
    byUnit,
    paired,
    skipped,
    notCompared,
    domainOf: (s) => o.domains?.get(s) ?? null,
  };
}

/** The schema's keys of the options (undefined ones left out, so the schema's defaults apply). */
export function definedOnly(o: CompareOptions): Partial<CompareConfig> {
  const { format, bootstrap, seed, set, runs } = o;
  return Object.fromEntries(Object.entries({ format, bootstrap, seed, set, runs }).filter(([, v]) => v !== undefined));
}
