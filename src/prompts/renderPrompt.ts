import { parseTranscript } from '../data/parseTranscript.js';
import type { Metadata, Transcript } from '../data/types.js';
import { renderChat } from './chatPrompt.js';
import { personaPrefix } from './persona.js';
import { applyReferencePreset } from './referencePreset.js';
import type { ContextPolicy, PromptFormat, RenderedPrompt } from './types.js';

export interface RenderOptions {
  format: PromptFormat;
  policy: ContextPolicy;
  /** Chat template (format 'chat'). */
  chatTemplate?: string;
  bosText?: string;
  eosText?: string;
  /** Metadata stated by the persona prefix: the participant's own (persona) or another's (persona-shuffled). */
  personaMetadata?: Metadata;
}

/** Turn a transcript into the text a model reads, keeping each response's span. */
export function renderPrompt(t: Transcript, o: RenderOptions): RenderedPrompt {
  const persona = o.format === 'persona' || o.format === 'persona-shuffled';
  if (o.policy === 'reference' && o.format !== 'chat')
    return renderReference(t, persona ? personaPrefix(o.personaMetadata ?? {}, 'reference') : '');
  let text = t.text;
  let spans: ((typeof t.spans)[number] | undefined)[] = t.spans;
  if (o.policy === 'reference') {
    text = applyReferencePreset(t.sourceText ?? t.text);
    spans = matchSpans(t, text);
  }
  if (o.format === 'chat') {
    const kept = spans.filter((s): s is NonNullable<typeof s> => s !== undefined);
    const chat = renderChat(o.chatTemplate ?? '', text, kept, { bos: o.bosText ?? '', eos: o.eosText ?? '' });
    return {
      text: chat.text,
      spans: spans.map((s, i) => (s ? chat.spans[i] : undefined)),
      special: true,
      hasBosText: o.bosText !== undefined && o.bosText !== '' && chat.text.startsWith(o.bosText),
      prefixChars: 0,
    };
  }
  if (persona) {
    const prefix = personaPrefix(o.personaMetadata ?? {});
    return {
      text: prefix + text,
      spans: spans.map((s) => (s ? { start: s.start + prefix.length, end: s.end + prefix.length } : undefined)),
      special: false,
      hasBosText: false,
      prefixChars: prefix.length,
    };
  }
  return { text, spans, special: false, hasBosText: false, prefixChars: 0 };
}

/**
 * eval.py / eval_meta.py: the interview prefix (eval_meta.py's strings) goes before the text, then the whole is cut
 * at 32,768 code points and cleaned, so the prefix counts against the cut.
 */
function renderReference(t: Transcript, prefix: string): RenderedPrompt {
  const text = applyReferencePreset(prefix + (t.sourceText ?? t.text));
  const spans = matchSpans(t, text, prefix.length);
  return { text, spans, special: false, hasBosText: false, prefixChars: Math.min(prefix.length, text.length) };
}

/** The preset keeps responses in order and only cuts trailing ones: re-parse and match by position. */
function matchSpans(t: Transcript, text: string, from = 0): (Transcript['spans'][number] | undefined)[] {
  const reparsed = parseTranscript(text.slice(from), { allowEmpty: true }).spans;
  return t.spans.map((_, i) => {
    const s = reparsed[i];
    return s && { start: s.start + from, end: s.end + from };
  });
}
