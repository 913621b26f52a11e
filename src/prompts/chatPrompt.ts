import { Template } from '@huggingface/jinja';
import type { ResponseSpan } from '../data/types.js';
import { CapabilityError } from '../errors.js';

const SENTINEL_OPEN = '\uE000';
const SENTINEL_CLOSE = '\uE001';

export interface ChatRendering {
  text: string;
  spans: ResponseSpan[];
}

const compiled = new Map<string, Template>();

/**
 * Render a transcript with a model's chat template: the text between responses becomes user turns (markers
 * removed), each response an assistant turn. Responses are rendered as sentinels first and substituted afterwards,
 * so their exact character spans in the rendered text are known whatever the template adds around them.
 */
export function renderChat(
  template: string,
  text: string,
  spans: readonly ResponseSpan[],
  tokens: { bos: string; eos: string },
): ChatRendering {
  let t = compiled.get(template);
  if (!t) {
    try {
      t = new Template(template);
    } catch (e) {
      throw new CapabilityError(`the model's chat template cannot be parsed: ${(e as Error).message}`);
    }
    compiled.set(template, t);
  }
  const messages: { role: string; content: string }[] = [];
  let cursor = 0;
  spans.forEach((span, i) => {
    const userText = text.slice(cursor, span.start - 2);
    if (userText !== '' || messages.length === 0) messages.push({ role: 'user', content: userText });
    else messages.push({ role: 'user', content: '' });
    messages.push({ role: 'assistant', content: `${SENTINEL_OPEN}${i}${SENTINEL_CLOSE}` });
    cursor = span.end + 2;
  });
  const rendered = t.render({ messages, bos_token: tokens.bos, eos_token: tokens.eos, add_generation_prompt: false });
  let out = '';
  const outSpans: ResponseSpan[] = [];
  let last = 0;
  const re = new RegExp(`${SENTINEL_OPEN}(\\d+)${SENTINEL_CLOSE}`, 'g');
  for (let m = re.exec(rendered); m !== null; m = re.exec(rendered)) {
    const i = Number(m[1]);
    const span = spans[i];
    if (!span) continue;
    out += rendered.slice(last, m.index);
    const start = out.length;
    out += text.slice(span.start, span.end);
    outSpans[i] = { start, end: out.length };
    last = m.index + m[0].length;
  }
  out += rendered.slice(last);
  if (outSpans.filter(Boolean).length !== spans.length) {
    throw new CapabilityError('the chat template dropped or altered assistant messages, so responses cannot be located in its output');
  }
  return { text: out, spans: outSpans };
}
