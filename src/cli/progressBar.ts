import cliProgress from 'cli-progress';
import type { EvalProgress } from '../eval/runEval.js';

/**
 * A progress bar on stderr (participants, responses, tokens/s, ETA) when stderr is a terminal; nothing otherwise,
 * so CI logs and `--json` output stay clean.
 */
export function createProgressBar(enabled: boolean): { update: (p: EvalProgress) => void; stop: () => void } {
  if (!enabled || !process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'participants {bar} {value}/{total} | responses {responses} | {tps} tok/s | ETA {eta_formatted}',
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update: (p) => {
      const payload = { responses: p.responsesScored, tps: Math.round(p.tokens / Math.max(0.001, p.elapsedMs / 1000)) };
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
