import { spawnSync } from 'node:child_process';
import { cliPath } from './paths.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the built `humanlike` executable as a user would, and capture its output. */
export function runHumanlike(args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): CliResult {
  const r = spawnSync(process.execPath, [cliPath, ...args], {
    encoding: 'utf8',
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const MAX_RSS_MARK = 'humanlike-test-max-rss-kb=';

/**
 * Run the built executable like runHumanlike and also return its peak resident memory, read from the child's own
 * `process.resourceUsage().maxRSS` (kB) at exit through a preloaded hook.
 */
export function runHumanlikeMeasured(args: readonly string[]): CliResult & { maxRssMb: number } {
  const hook = `process.on('exit', () => process.stderr.write('\\n${MAX_RSS_MARK}' + process.resourceUsage().maxRSS + '\\n'))`;
  const r = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(hook)}`, cliPath, ...args], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const m = new RegExp(`\\n${MAX_RSS_MARK}(\\d+)\\n`).exec(r.stderr);
  if (!m) throw new Error(`no peak memory reported (exit ${r.status}, signal ${r.signal}): ${r.stderr.slice(-2000)}`);
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.replace(m[0], ''), maxRssMb: Number(m[1]) / 1024 };
}
