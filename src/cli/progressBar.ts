import type { EvalProgress } from '../eval/runEval.js';

/** How eval shows progress: a bar on a terminal, a line every few seconds in batch jobs, or nothing. */
export const PROGRESS_MODES = ['auto', 'bar', 'lines', 'none'] as const;
export type ProgressMode = (typeof PROGRESS_MODES)[number];

export interface ProgressReporter {
  update: (p: EvalProgress) => void;
  stop: () => void;
}

const tokensPerSecond = (p: EvalProgress): number => Math.round(p.tokens / Math.max(0.001, p.elapsedMs / 1000));

/** One line per interval (and for the first finished participant) on stderr: for logs of batch jobs. */
function createProgressLines(intervalMs: number): ProgressReporter {
  let last = 0;
  let lastDone = 0;
  return {
    update: (p) => {
      const now = Date.now();
      if (p.participantsDone === lastDone || (lastDone > 0 && now - last < intervalMs && p.participantsDone < p.participantsTotal)) return;
      last = now;
      lastDone = p.participantsDone;
      process.stderr.write(`progress: ${p.participantsDone}/${p.participantsTotal} participants, ${p.responsesScored} responses, ${tokensPerSecond(p)} tok/s, ${(p.elapsedMs / 1000).toFixed(0)} s\n`);
    },
    stop: () => undefined,
  };
}

/** A progress bar on stderr (participants, responses, tokens/s, ETA); the terminal is restored when it stops. */
async function createBar(): Promise<ProgressReporter> {
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: 'participants {bar} {value}/{total} | responses {responses} | {tps} tok/s | ETA {eta_formatted}', hideCursor: true, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update: (p) => {
      const payload = { responses: p.responsesScored, tps: tokensPerSecond(p) };
      if (!started) {
        bar.start(p.participantsTotal, p.participantsDone, payload);
        started = true;
      } else bar.update(p.participantsDone, payload);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

/**
 * The progress reporter for a mode: `auto` is a bar when stderr is a terminal and lines otherwise; `--json` output
 * keeps stdout clean either way (progress goes to stderr).
 */
export async function createProgressReporter(mode: ProgressMode, intervalMs = 10_000): Promise<ProgressReporter> {
  const resolved = mode === 'auto' ? (process.stderr.isTTY ? 'bar' : 'lines') : mode;
  if (resolved === 'none') return { update: () => undefined, stop: () => undefined };
  return resolved === 'bar' ? createBar() : createProgressLines(intervalMs);
}
