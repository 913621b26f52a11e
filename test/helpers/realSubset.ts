import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTranscripts } from '../../src/data/readTranscripts.js';
import type { Transcript } from '../../src/data/types.js';
import { makeTempDir, psych201Dir } from './paths.js';

export interface SubsetOptions {
  studies: string[];
  perStudy: number;
  /** Cut each text after the last response that ends before this many characters (keeps it within a window). */
  maxChars?: number;
}

/**
 * A small dataset made at test time from real transcripts of ../shared/psych201 (in a temp folder, never in the
 * project): the first participants of some studies, optionally cut after a complete response.
 */
export async function writeRealSubset(o: SubsetOptions): Promise<{ dir: string; transcripts: Transcript[] }> {
  const dir = makeTempDir('humanlike-subset-');
  const transcripts: Transcript[] = [];
  for (const study of o.studies) {
    const lines: string[] = [];
    for await (const { transcript: t, record } of readTranscripts(psych201Dir, { studies: [study] })) {
      if (!t || lines.length >= o.perStudy) continue;
      if (o.maxChars === undefined) {
        lines.push(record.json ?? '');
        transcripts.push(t);
        continue;
      }
      const spans = t.spans.filter((s) => s.end + 2 <= o.maxChars!);
      const last = spans[spans.length - 1];
      if (!last) continue;
      const text = t.text.slice(0, last.end + 2);
      const obj = JSON.parse((record.json ?? '{}').replace(/\bNaN\b/g, 'null')) as Record<string, unknown>;
      obj['text'] = text;
      delete obj['RTs']; // the cut makes the RT list longer than the responses kept
      lines.push(JSON.stringify(obj));
      transcripts.push({ ...t, text, spans });
    }
    mkdirSync(join(dir, study));
    writeFileSync(join(dir, study, 'prompts.jsonl'), lines.join('\n') + '\n');
  }
  return { dir, transcripts };
}
