import type { DataError } from '../errors.js';
import { CANONICAL_FIELDS, metadataValue, setOwn } from './normalizeMetadata.js';
import type { DomainsTable } from './readDomainsTable.js';
import { type ReadOptions, readTranscripts } from './readTranscripts.js';
import { RESPONSE_KINDS, type ResponseKind, responseKind } from './responseKind.js';

export interface StudyStats {
  study: string;
  domain: string | null;
  experiments: number;
  participants: number;
  responses: number;
  characters: number;
  /** Tokens of the transcripts with the tokenizer given to stats (null without one). */
  tokens: number | null;
  kinds: Record<ResponseKind, number>;
  /** Participants with each canonical metadata field present. */
  metadata: Record<string, number>;
  /** Participants with each extra (non-canonical) field present. */
  extras: Record<string, number>;
}

export interface DatasetStats {
  source: string;
  studies: number;
  experiments: number;
  participants: number;
  responses: number;
  characters: number;
  tokens: number | null;
  kinds: Record<ResponseKind, number>;
  /** Share (0–1) of participants with each canonical field, over the whole dataset. */
  metadataCoverage: Record<string, number>;
  /** domain → {studies, participants, responses}; studies without a domain count under "(none)". */
  domains: Record<string, { studies: number; participants: number; responses: number }> | null;
  /** Records that could not be read as transcripts, and files that could not be read at all. */
  skipped: { records: number; files: number; reasons: Record<string, number> };
  perStudy: StudyStats[];
}

const emptyKinds = (): Record<ResponseKind, number> =>
  Object.fromEntries(RESPONSE_KINDS.map((k) => [k, 0])) as Record<ResponseKind, number>;

/** Count studies, participants, responses, response kinds and metadata coverage of a source, in one streaming pass. */
export interface StatsOptions extends ReadOptions {
  domains?: DomainsTable;
  /** Counts the tokens of a transcript with some tokenizer (the data layer does not load models itself). */
  countTokens?: (text: string) => number;
}

export async function computeStats(path: string, options: StatsOptions = {}): Promise<DatasetStats> {
  const studies = new Map<string, StudyStats & { experimentSet: Set<string> }>();
  const skipped = { records: 0, files: 0, reasons: {} as Record<string, number> };
  const onFileError = (file: string, e: DataError): void => {
    skipped.files++;
    skipped.reasons['unreadable file'] = (skipped.reasons['unreadable file'] ?? 0) + 1;
    options.onFileError?.(file, e);
  };
  for await (const parsed of readTranscripts(path, { ...options, onFileError })) {
    const t = parsed.transcript;
    if (!t) {
      skipped.records++;
      const code = parsed.problems.find((p) => p.severity === 'error')?.code ?? 'blank-line';
      skipped.reasons[code] = (skipped.reasons[code] ?? 0) + 1;
      continue;
    }
    let s = studies.get(t.study);
    if (!s) {
      s = {
        study: t.study,
        domain: options.domains?.get(t.study) ?? null,
        experiments: 0,
        participants: 0,
        responses: 0,
        characters: 0,
        tokens: options.countTokens ? 0 : null,
        kinds: emptyKinds(),
        metadata: {},
        extras: {},
        experimentSet: new Set(),
      };
      studies.set(t.study, s);
    }
    s.experimentSet.add(t.experiment);
    s.participants++;
    s.responses += t.spans.length;
    s.characters += t.text.length;
    if (options.countTokens) s.tokens = (s.tokens ?? 0) + options.countTokens(t.text);
    for (const span of t.spans) s.kinds[responseKind(t.text.slice(span.start, span.end))]++;
    for (const f of CANONICAL_FIELDS) if (metadataValue(t.metadata, f) !== undefined) s.metadata[f] = (s.metadata[f] ?? 0) + 1;
    for (const k of Object.keys(t.extras)) setOwn(s.extras, k, (Object.hasOwn(s.extras, k) ? (s.extras[k] ?? 0) : 0) + 1);
  }
  const perStudy: StudyStats[] = [...studies.values()]
    .sort((a, b) => (a.study < b.study ? -1 : 1))
    .map(({ experimentSet, ...rest }) => ({ ...rest, experiments: experimentSet.size }));
  const total = { participants: 0, responses: 0, characters: 0, experiments: 0, tokens: options.countTokens ? 0 : (null as number | null) };
  const kinds = emptyKinds();
  const coverage: Record<string, number> = {};
  for (const s of perStudy) {
    total.participants += s.participants;
    total.responses += s.responses;
    total.characters += s.characters;
    total.experiments += s.experiments;
    if (total.tokens !== null) total.tokens += s.tokens ?? 0;
    for (const k of RESPONSE_KINDS) kinds[k] += s.kinds[k];
    for (const [f, n] of Object.entries(s.metadata)) coverage[f] = (coverage[f] ?? 0) + n;
  }
  for (const f of Object.keys(coverage)) coverage[f] = (coverage[f] ?? 0) / Math.max(1, total.participants);
  let domains: DatasetStats['domains'] = null;
  if (options.domains) {
    domains = {};
    for (const s of perStudy) {
      const d = (domains[s.domain ?? '(none)'] ??= { studies: 0, participants: 0, responses: 0 });
      d.studies++;
      d.participants += s.participants;
      d.responses += s.responses;
    }
  }
  return { source: path, studies: perStudy.length, ...total, kinds, metadataCoverage: coverage, domains, skipped, perStudy };
}
