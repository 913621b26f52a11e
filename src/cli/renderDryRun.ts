import type { DryRunReport } from '../eval/dryRun.js';
import type { EvalConfig } from '../eval/evalConfig.js';
import { formatCount } from '../util/formatCount.js';
import { formatTable } from './formatTable.js';
import { formatDuration } from './progressBar.js';

const dash = (v: number | null): string | number => (v === null ? '-' : v);

/** The dry run as text: what would run, the per-study table with totals, the calibration and the estimate. */
export function renderDryRun(config: EvalConfig, r: DryRunReport): string {
  const out: string[] = [];
  out.push(
    `dry run: nothing written (no database created) | model ${r.model}${r.contextSize ? ` | context ${r.contextSize}` : ''} | format ${config.format} | policy ${config.policy} | selection ${config.select}`,
  );
  if (r.existing)
    out.push(
      `${config.db} has this run: ${r.existing.runId}, ${r.existing.status}, ${formatCount(r.existing.participantsDone, 'participant')} done (${r.existing.status === 'complete' ? 'eval would recompute nothing' : 'eval would resume it'})`,
    );
  else out.push(`eval would start a new run in ${config.db}`);
  out.push('');
  const sum = (f: (s: DryRunReport['studies'][number]) => number | null): number | null =>
    r.studies.some((s) => f(s) === null) ? null : r.studies.reduce((a, s) => a + (f(s) ?? 0), 0);
  const rows = r.studies.map((s) => [
    s.study,
    s.participants,
    s.responses,
    s.characters,
    dash(s.tokens),
    dash(s.tokensEvaluated),
    dash(s.windows),
    s.participantsSkipped,
    s.estimatedSeconds === null ? '-' : formatDuration(s.estimatedSeconds),
  ]);
  rows.push([
    'total',
    sum((s) => s.participants)!,
    sum((s) => s.responses)!,
    sum((s) => s.characters)!,
    dash(sum((s) => s.tokens)),
    dash(sum((s) => s.tokensEvaluated)),
    dash(sum((s) => s.windows)),
    sum((s) => s.participantsSkipped)!,
    r.estimatedSeconds === null ? '-' : formatDuration(r.estimatedSeconds),
  ]);
  out.push(
    formatTable(
      ['study', 'participants', 'responses', 'characters', 'tokens', 'tokens evaluated', 'windows', 'would skip', 'est. time'],
      rows,
    ),
  );
  if (r.calibration) {
    const rates = r.calibration.windows
      .map((w) => `${Math.round(w.tokens / Math.max(1e-9, w.seconds))} tok/s at ${w.tokens} tokens`)
      .join(', ');
    out.push('', `calibration: ${formatCount(r.calibration.windows.length, 'window')} scored with the model: ${rates}`);
    const left = r.studies.reduce((a, st) => a + st.participants - st.participantsDone, 0);
    out.push(
      `estimated time: ${formatDuration(r.estimatedSeconds ?? 0)} for the ${formatCount(left, 'participant')} left (seconds per window fitted as a·n + b·n² to the windows timed: long windows cost more per token; model loading not included)`,
    );
  }
  for (const n of r.notes) out.push(`note: ${n}`);
  return out.join('\n');
}
