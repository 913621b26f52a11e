import type { EvalProgress } from '../eval/runEval.js';

/** How eval shows progress: a bar on a terminal, a line every few seconds in batch jobs, or nothing. */
export const PROGRESS_MODES = ['auto', 'bar', 'lines', 'none'] as const;
export type ProgressMode = (typeof PROGRESS_MODES)[number];

/** Seconds between progress lines (`--progress lines`, or auto without a terminal). */
export const DEFAULT_PROGRESS_INTERVAL_S = 10;

export interface ProgressReporter {
  update: (p: EvalProgress) => void;
  stop: () => void;
}

/** What the bar and the lines show, derived from the run loop's counts. */
export interface ProgressView {
  /** 0..1: by tokens when the scorer evaluates tokens (tokens / estimated total), else by participants. */
  fraction: number;
  tokensPerSecond: number;
  /** Seconds left at the rate so far, or undefined before any token (or participant) is done. */
  etaSeconds: number | undefined;
}

export function viewProgress(p: EvalProgress): ProgressView {
  const seconds = Math.max(0.001, p.elapsedMs / 1000);
  const byTokens = p.tokensTotal > 0;
  const done = byTokens ? p.tokens : p.participantsDone;
  const total = byTokens ? Math.max(p.tokensTotal, p.tokens) : p.participantsTotal;
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const etaSeconds = done > 0 ? ((total - done) * seconds) / done : undefined;
  return { fraction, tokensPerSecond: Math.round(p.tokens / seconds), etaSeconds };
}

/** 75 s → "1m15s"; undefined → "-". */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '-';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The line printed every interval: participants, responses, tokens (of the estimated total), rate, elapsed, ETA. */
export function formatProgressLine(p: EvalProgress): string {
  const v = viewProgress(p);
  const tokens = p.tokensTotal > 0 ? `, ${p.tokens}/~${Math.max(p.tokensTotal, p.tokens)} tokens (${(100 * v.fraction).toFixed(1)}%)` : '';
  return `progress: ${p.participantsDone}/${p.participantsTotal} participants, ${p.responsesScored} responses${tokens}, ${v.tokensPerSecond} tok/s, ${(p.elapsedMs / 1000).toFixed(0)} s, ETA ${formatDuration(v.etaSeconds)}`;
}

/**
 * A line on stderr when the first tokens are scored and when the first participant is done, then at most one per
 * interval, and at the end: for batch-job logs.
 */
function createProgressLines(intervalMs: number): ProgressReporter {
  let last: number | undefined;
  let lastKey = '';
  let lastDone = 0;
  return {
    update: (p) => {
      const now = Date.now();
      const key = `${p.participantsDone}/${p.tokens}`;
      const moved = p.participantsDone > 0 || p.tokens > 0;
      const milestone = last === undefined || (lastDone === 0 && p.participantsDone > 0) || p.participantsDone === p.participantsTotal;
      if (!moved || key === lastKey || (!milestone && now - (last ?? 0) < intervalMs)) return;
      last = now;
      lastKey = key;
      lastDone = p.participantsDone;
      process.stderr.write(formatProgressLine(p) + '\n');
    },
    stop: () => undefined,
  };
}

const BAR_STEPS = 1000;

/** A progress bar on stderr (by tokens, with participants, responses, tokens/s, ETA); the terminal is restored when it stops. */
async function createBar(): Promise<ProgressReporter> {
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: '{bar} {percent}% | participants {done}/{total_participants} | responses {responses} | {tps} tok/s | ETA {eta_text}',
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update: (p) => {
      const v = viewProgress(p);
      const payload = {
        percent: (100 * v.fraction).toFixed(1),
        done: p.participantsDone,
        total_participants: p.participantsTotal,
        responses: p.responsesScored,
        tps: v.tokensPerSecond,
        eta_text: formatDuration(v.etaSeconds),
      };
      const value = Math.round(BAR_STEPS * v.fraction);
      if (!started) {
        bar.start(BAR_STEPS, value, payload);
        started = true;
      } else bar.update(value, payload);
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
export async function createProgressReporter(
  mode: ProgressMode,
  intervalMs = DEFAULT_PROGRESS_INTERVAL_S * 1000,
): Promise<ProgressReporter> {
  const resolved = mode === 'auto' ? (process.stderr.isTTY ? 'bar' : 'lines') : mode;
  if (resolved === 'none') return { update: () => undefined, stop: () => undefined };
  return resolved === 'bar' ? createBar() : createProgressLines(intervalMs);
}
