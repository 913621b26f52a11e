import type { DuckDBConnection } from '@duckdb/node-api';
import { readTranscripts } from '../data/readTranscripts.js';
import type { Transcript } from '../data/types.js';

/** Default length of a response's context in an export: the last characters before it (after the previous one). */
export const DEFAULT_CONTEXT_CHARS = 300;

/**
 * Load the source's responses and participants into temporary tables for an export to join (they live only in this
 * connection, so a read-only database is fine): per response its character range (to check against the run's),
 * text, context and reaction time; per participant the canonical metadata.
 */
export async function loadTranscriptTables(
  db: DuckDBConnection,
  source: string,
  studies: readonly string[],
  contextChars = DEFAULT_CONTEXT_CHARS,
): Promise<void> {
  await db.run(`CREATE OR REPLACE TEMP TABLE export_response_text (study VARCHAR, experiment VARCHAR, participant VARCHAR, response_index INTEGER,
    char_start INTEGER, char_end INTEGER, response_text VARCHAR, context VARCHAR, rt_ms DOUBLE)`);
  await db.run(`CREATE OR REPLACE TEMP TABLE export_participant_meta (study VARCHAR, experiment VARCHAR, participant VARCHAR, age DOUBLE,
    gender VARCHAR, nationality VARCHAR, education VARCHAR, clinical_diagnosis VARCHAR, scores VARCHAR)`);
  const text = await db.createAppender('export_response_text', 'main', 'temp');
  const meta = await db.createAppender('export_participant_meta', 'main', 'temp');
  const str = (a: typeof text, v: string | undefined): void => (v === undefined ? a.appendNull() : a.appendVarchar(v));
  const num = (a: typeof text, v: number | undefined): void =>
    v === undefined || !Number.isFinite(v) ? a.appendNull() : a.appendDouble(v);
  try {
    for await (const { transcript: t } of readTranscripts(source, { studies, ignoreMissingStudies: true })) {
      if (!t) continue;
      t.spans.forEach((span, i) => {
        for (const v of [t.study, t.experiment, t.participant]) text.appendVarchar(v);
        text.appendInteger(i);
        text.appendInteger(span.start);
        text.appendInteger(span.end);
        text.appendVarchar(t.text.slice(span.start, span.end));
        text.appendVarchar(contextBefore(t, i, contextChars));
        num(text, t.metadata.RTs?.[i]);
        text.endRow();
      });
      for (const v of [t.study, t.experiment, t.participant]) meta.appendVarchar(v);
      const m = t.metadata;
      num(meta, m.age);
      for (const v of [m.gender, m.nationality, m.education, m['clinical diagnosis']]) str(meta, v);
      str(meta, m.scores ? JSON.stringify(m.scores) : undefined);
      meta.endRow();
    }
  } finally {
    text.closeSync();
    meta.closeSync();
  }
}

/**
 * What the participant saw before response i: the text after the previous response's `>>` (or the start) up to this
 * response's `<<`, cut to its last `chars` characters (never inside a surrogate pair).
 */
export function contextBefore(t: Pick<Transcript, 'text' | 'spans'>, i: number, chars: number): string {
  const span = t.spans[i];
  if (!span) return '';
  const from = i === 0 ? 0 : (t.spans[i - 1]?.end ?? 0) + 2;
  const to = Math.max(from, span.start - 2);
  let cut = Math.max(from, to - chars);
  const code = t.text.charCodeAt(cut);
  if (cut > from && code >= 0xdc00 && code <= 0xdfff) cut++;
  return t.text.slice(cut, to);
}

/** study → domain, for an export to join. */
export async function loadDomainTable(db: DuckDBConnection, domains: ReadonlyMap<string, string>): Promise<void> {
  await db.run('CREATE OR REPLACE TEMP TABLE export_domains (study VARCHAR, domain VARCHAR)');
  const a = await db.createAppender('export_domains', 'main', 'temp');
  try {
    for (const [study, domain] of domains) {
      a.appendVarchar(study);
      a.appendVarchar(domain);
      a.endRow();
    }
  } finally {
    a.closeSync();
  }
}

/** A model's facts as an export writes them. */
export interface ExportModelFacts {
  model: string;
  family: string;
  generation: string;
  sizeB: number | null;
  type: string;
  base: string | null;
}

/** model → facts, for an export to join. */
export async function loadModelFactsTable(db: DuckDBConnection, facts: Iterable<ExportModelFacts>): Promise<void> {
  await db.run(
    'CREATE OR REPLACE TEMP TABLE export_model_facts (model VARCHAR, family VARCHAR, generation VARCHAR, size_b DOUBLE, model_type VARCHAR, base_model VARCHAR)',
  );
  const a = await db.createAppender('export_model_facts', 'main', 'temp');
  try {
    for (const f of facts) {
      for (const v of [f.model, f.family, f.generation]) a.appendVarchar(v);
      if (f.sizeB === null) a.appendNull();
      else a.appendDouble(f.sizeB);
      a.appendVarchar(f.type);
      if (f.base === null) a.appendNull();
      else a.appendVarchar(f.base);
      a.endRow();
    }
  } finally {
    a.closeSync();
  }
}
