import type { DomainsTable } from '../data/readDomainsTable.js';
import { DataError, UsageError } from '../errors.js';
import { loadDomainTable, loadModelFactsTable, loadTranscriptTables } from '../store/loadExportTables.js';
import {
  type ExportJoins,
  exportResponsesWithSql,
  exportTextMismatchSql,
  exportTextMissingSql,
  type PairRuns,
  pairedResponsesSql,
  type ReferenceRun,
  RUN_STUDIES_SQL,
  referenceLayoutSql,
  runStudiesSql,
} from '../store/queries.js';
import type { ResultsStore, RunRecord } from '../store/ResultsStore.js';
import { sqlString } from '../util/sqlString.js';
import { buildComparisonSets, type ComparisonSet } from './comparisonSets.js';
import { chooseSet } from './loadComparison.js';
import { canonicalModelName, type ModelFacts, modelMatchKey, resolveModelFacts } from './modelTable.js';
import { paperModels, referenceFileName } from './paperModels.js';

export type ExportFileFormat = 'parquet' | 'csv';

/** What an export adds to the response rows, and where it reads it from. */
export interface ExportAdditions {
  /** The scored dataset: needed for `text` and `metadata`. */
  source?: string;
  /** Add `response_text` and `context` (the last `contextChars` characters before the response). */
  text?: boolean;
  /** Add the participant's metadata and the response's reaction time. */
  metadata?: boolean;
  /** Default 300. */
  contextChars?: number;
  /** Add `domain`. */
  domains?: DomainsTable;
  /** Add the model's facts; from this table (matched as in compare), else inferred from names. */
  facts?: boolean;
  modelTable?: Map<string, ModelFacts>;
  /** Add the run's status. */
  status?: boolean;
}

export interface ExportResult {
  rows: number;
  /** Rows the source had no transcript for (their text and metadata are empty). */
  missingText: number;
}

/** The comparison set an analysis of these runs uses (comparisonSets.ts): the largest, or the one `wanted` names. */
export async function exportComparisonSet(store: ResultsStore, runs: readonly RunRecord[], wanted?: string): Promise<ComparisonSet> {
  const studiesOfRun = new Map<string, string[]>();
  for (const row of await store.query<{ run_id: string; study: string }>(RUN_STUDIES_SQL)) {
    const list = studiesOfRun.get(row.run_id);
    if (list) list.push(row.study);
    else studiesOfRun.set(row.run_id, [row.study]);
  }
  return chooseSet(buildComparisonSets(runs, studiesOfRun), wanted);
}

/** The runs a comparison set reads. */
export const runsOfSet = (set: ComparisonSet): RunRecord[] => [...new Set(set.units.flatMap((u) => [...u.studies.values()]))];

async function copyTo(store: ResultsStore, select: string, out: string, format: ExportFileFormat): Promise<number> {
  const rows = await store.query<{ Count: number }>(
    `COPY (${select}) TO ${sqlString(out)} (FORMAT ${format === 'csv' ? 'csv, HEADER true' : 'parquet'})`,
  );
  return Number(rows[0]?.Count ?? 0);
}

/** Load the temporary tables the additions need; returns the joins and how many rows the source lacks. */
async function prepareAdditions(
  store: ResultsStore,
  runs: readonly RunRecord[],
  a: ExportAdditions,
): Promise<{ joins: ExportJoins; missingText: number }> {
  const runIds = runs.map((r) => r.runId);
  const joins: ExportJoins = {
    text: a.text ?? false,
    metadata: a.metadata ?? false,
    domain: a.domains !== undefined,
    facts: a.facts ?? false,
    status: a.status ?? false,
  };
  let missingText = 0;
  if (joins.text || joins.metadata) {
    if (!a.source) throw new UsageError('--text and --metadata read the scored dataset: give it with --source DATA');
    const studies = (await store.query<{ study: string }>(runStudiesSql(runIds))).map((r) => r.study);
    await loadTranscriptTables(store.connection, a.source, studies, a.contextChars);
    const bad = (await store.query<Record<string, string | number>>(exportTextMismatchSql(runIds)))[0];
    if (bad) {
      throw new DataError(
        `${a.source}: response ${bad['response_index']} of participant ${bad['participant']} (study ${bad['study']}, experiment ${bad['experiment']}) is characters ${bad['src_start']}–${bad['src_end']} there but ${bad['char_start']}–${bad['char_end']} in run ${bad['run_id']}: the run scored another version of the dataset`,
      );
    }
    missingText = (await store.query<{ n: number }>(exportTextMissingSql(runIds)))[0]?.n ?? 0;
  }
  if (a.domains) await loadDomainTable(store.connection, a.domains);
  if (joins.facts) {
    const models = [...new Set(runs.map((r) => r.model))].filter((m) => !m.startsWith('baseline:'));
    await loadModelFactsTable(store.connection, resolveModelFacts(models, a.modelTable).facts.values());
  }
  return { joins, missingText };
}

/** Write the response rows of runs, with the columns asked for added (exportResponsesWithSql). */
export async function exportResponseRows(
  store: ResultsStore,
  runs: readonly RunRecord[],
  out: string,
  format: ExportFileFormat,
  a: ExportAdditions = {},
): Promise<ExportResult> {
  const { joins, missingText } = await prepareAdditions(store, runs, a);
  return {
    rows: await copyTo(
      store,
      exportResponsesWithSql(
        runs.map((r) => r.runId),
        joins,
      ),
      out,
      format,
    ),
    missingText,
  };
}

/** The reference's `directory` for a prompt format: `data` (no template), `data_instruct` (chat), `data_meta` (persona). */
const REFERENCE_DIRECTORY: Record<string, string> = {
  raw: 'data',
  chat: 'data_instruct',
  persona: 'data_meta',
  'persona-shuffled': 'data_meta_shuffled',
};

/** A model's name in the reference's CSVs: its file name there when it is one of the paper's models, else `<name>.pth`. */
export function referenceModelName(model: string): string {
  const paper = paperModels().find((p) => modelMatchKey(p.model) === modelMatchKey(model));
  return paper ? referenceFileName(paper) : `${canonicalModelName(model)}.pth`;
}

/**
 * Write a comparison set in the reference's per-response layout (referenceLayoutSql), so its plotting scripts read
 * it: each model and prompt format as one model of one directory, each study from the run that scored it.
 */
export async function exportReferenceLayout(
  store: ResultsStore,
  set: ComparisonSet,
  out: string,
  format: ExportFileFormat,
): Promise<ExportResult> {
  const seen = new Map<string, string>();
  const refs: ReferenceRun[] = [];
  for (const unit of set.units) {
    const model = referenceModelName(unit.model);
    const directory = REFERENCE_DIRECTORY[unit.format] ?? `data_${unit.format}`;
    const other = seen.get(`${directory}\u0000${model}`);
    if (other) throw new UsageError(`${other} and ${unit.model} would both be ${model} in ${directory}: pick one with --run`);
    seen.set(`${directory}\u0000${model}`, unit.model);
    for (const [study, run] of unit.studies) refs.push({ runId: run.runId, study, model, directory });
  }
  return { rows: await copyTo(store, referenceLayoutSql(refs), out, format), missingText: 0 };
}

/** The (base, post-trained) pairs of a comparison set, per prompt format and study, from the model table or names. */
export function pairRuns(set: ComparisonSet, modelTable?: Map<string, ModelFacts>): { pairs: number; studies: PairRuns[] } {
  const studies: PairRuns[] = [];
  let pairs = 0;
  for (const format of [...new Set(set.units.map((u) => u.format))].sort()) {
    const units = set.units.filter((u) => u.format === format && !u.model.startsWith('baseline:'));
    const unitOf = new Map(units.map((u) => [u.model, u]));
    for (const f of resolveModelFacts(
      units.map((u) => u.model),
      modelTable,
    ).facts.values()) {
      const base = f.base ? unitOf.get(f.base) : undefined;
      const post = unitOf.get(f.model);
      if (f.type === 'base' || !base || !post) continue;
      pairs++;
      for (const [study, run] of post.studies) {
        const baseRun = base.studies.get(study);
        if (baseRun)
          studies.push({ study, baseRun: baseRun.runId, postRun: run.runId, base: base.model, post: post.model, type: f.type, format });
      }
    }
  }
  return { pairs, studies };
}

/** Write one row per response both runs of each pair scored, with NLL_base, NLL_post and their difference. */
export async function exportPairedResponses(
  store: ResultsStore,
  set: ComparisonSet,
  out: string,
  format: ExportFileFormat,
  a: ExportAdditions = {},
): Promise<ExportResult & { pairs: number }> {
  const { pairs, studies } = pairRuns(set, a.modelTable);
  if (!studies.length)
    throw new UsageError(
      `no (base, post-trained) pairs among the runs (${set.units.map((u) => u.model).join(', ')}): see humanlike compare, or give a model table with --models`,
    );
  const { joins, missingText } = await prepareAdditions(store, runsOfSet(set), { ...a, facts: false, status: false });
  return { rows: await copyTo(store, pairedResponsesSql(studies, joins), out, format), missingText, pairs };
}
