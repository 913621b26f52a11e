import { createHash } from 'node:crypto';
import type { RunRecord } from '../store/ResultsStore.js';

/** A model in one prompt format, made of one or more runs that scored different studies of the same data. */
export interface RunUnit {
  model: string;
  format: string;
  /** study → the run that scored it (the newest, when several did). */
  studies: Map<string, RunRecord>;
}

/**
 * Runs that may be compared: the same selection (test/train/all) and context policy, and for every study the same
 * content (its records' hash). Context sizes may differ (they are part of a model's setting) and are listed.
 */
export interface ComparisonSet {
  /** Short stable id (selection, policy and the studies' content hashes). */
  id: string;
  selection: string;
  policy: string;
  studyHashes: Map<string, string>;
  units: RunUnit[];
  contextSizes: (number | null)[];
  /** Runs left out of this set because a newer run of the same model and format scored the same studies. */
  superseded: string[];
}

/** The content hash of each study a run scored (older runs recorded one hash for the whole selection). */
export function studyHashesOf(run: RunRecord, studies: readonly string[]): Map<string, string> {
  const recorded = run.options['studyHashes'] as Record<string, string> | undefined;
  return new Map(studies.map((s) => [s, recorded?.[s] ?? `dataset:${run.datasetHash}`]));
}

const policyOf = (r: RunRecord): string => String(r.options['windowing'] ?? r.contextPolicy);
const contextSizeOf = (r: RunRecord): number | null => {
  const m = r.options['model'] as { contextSize?: number } | undefined;
  return typeof m?.contextSize === 'number' ? m.contextSize : null;
};

function setId(selection: string, policy: string, hashes: Map<string, string>): string {
  const h = createHash('sha256').update(JSON.stringify([selection, policy, [...hashes].sort()]));
  return h.digest('hex').slice(0, 8);
}

interface Building {
  selection: string;
  policy: string;
  hashes: Map<string, string>;
  units: Map<string, RunUnit>;
  superseded: string[];
}

/** Whether a run's studies agree with the set's content where both have a study. */
const agrees = (set: Building, hashes: Map<string, string>): boolean => [...hashes].every(([s, h]) => (set.hashes.get(s) ?? h) === h);

/** Add a run to a set: each of its studies goes to its unit unless a newer run of the unit already holds it. */
function addRun(set: Building, run: RunRecord, hashes: Map<string, string>): void {
  const key = `${run.model}\u0000${run.promptFormat}`;
  let unit = set.units.get(key);
  if (!unit) set.units.set(key, (unit = { model: run.model, format: run.promptFormat, studies: new Map() }));
  let used = false;
  for (const [s, h] of hashes) {
    set.hashes.set(s, h);
    if (unit.studies.has(s)) continue;
    unit.studies.set(s, run);
    used = true;
  }
  if (!used) set.superseded.push(run.runId);
}

/**
 * Group complete runs into comparison sets, newest run first: a run joins the first set with its selection and
 * policy whose studies' content agrees with its own, else starts a new set. Within a set, a model's runs over
 * different studies combine into one unit (cluster jobs that split the studies), and an older run of a study a newer
 * run of the same model and format already scored is superseded. Sets are returned largest first.
 */
export function buildComparisonSets(runs: readonly RunRecord[], studiesOfRun: ReadonlyMap<string, readonly string[]>): ComparisonSet[] {
  const complete = runs
    .filter((r) => r.status === 'complete')
    .sort((a, b) => (a.createdAt > b.createdAt ? -1 : a.createdAt < b.createdAt ? 1 : a.runId < b.runId ? -1 : 1));
  const sets: Building[] = [];
  for (const run of complete) {
    const hashes = studyHashesOf(run, studiesOfRun.get(run.runId) ?? []);
    if (hashes.size === 0) continue;
    let set = sets.find((s) => s.selection === run.selection && s.policy === policyOf(run) && agrees(s, hashes));
    if (!set) sets.push((set = { selection: run.selection, policy: policyOf(run), hashes: new Map(), units: new Map(), superseded: [] }));
    addRun(set, run, hashes);
  }
  return sets
    .map((s) => {
      const units = [...s.units.values()].sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : a.format < b.format ? -1 : 1));
      const runsInSet = [...new Set(units.flatMap((u) => [...u.studies.values()]))];
      return {
        id: setId(s.selection, s.policy, s.hashes),
        selection: s.selection,
        policy: s.policy,
        studyHashes: new Map([...s.hashes].sort()),
        units,
        contextSizes: [...new Set(runsInSet.map(contextSizeOf))],
        superseded: s.superseded,
      };
    })
    .sort((a, b) => b.units.length - a.units.length || b.studyHashes.size - a.studyHashes.size);
}
