/**
 * Start-up of the CLI: `humanlike --help` and `humanlike validate --help` against `node -e 0` (the floor: starting
 * Node itself), interleaved in one run, median of 15 each. Commands load their modules lazily (cli/runCli.ts).
 */
import { spawnSync } from 'node:child_process';
import { cliPath } from '../test/helpers/paths.js';
import { median, reportBench } from './benchUtil.js';

function timeOnce(args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export async function runStartupBench(): Promise<void> {
  const cases: Record<string, string[]> = {
    'node -e 0': ['-e', '0'],
    'humanlike --help': [cliPath, '--help'],
    'humanlike validate --help': [cliPath, 'validate', '--help'],
    'humanlike eval --help': [cliPath, 'eval', '--help'],
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let i = 0; i < 15; i++) for (const [name, args] of Object.entries(cases)) times[name]!.push(timeOnce(args));
  const floor = median(times['node -e 0']!);
  reportBench(
    'startup',
    Object.entries(times).map(([name, t]) => ({
      command: name,
      'median ms': median(t).toFixed(0),
      'ratio to node -e 0': (median(t) / floor).toFixed(2),
    })),
    { loadAverage: (await import('node:os')).loadavg() },
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await runStartupBench();
