import { spawn, spawnSync } from 'node:child_process';
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

/**
 * Like runHumanlike, without blocking this process: for tests whose servers (fake endpoints) live in the test process. With
 * `shell`, the command runs under `bash -c` with `humanlike` bound to the executable (for `ulimit` and `trap`).
 */
export function runHumanlikeAsync(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string>; shellPrefix?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  const command =
    options.shellPrefix !== undefined
      ? spawn('bash', ['-c', `${options.shellPrefix}; exec "$0" "$@"`, process.execPath, cliPath, ...args], {
          cwd: options.cwd,
          env: { ...process.env, ...options.env },
        })
      : spawn(process.execPath, [cliPath, ...args], { cwd: options.cwd, env: { ...process.env, ...options.env } });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  command.stdout.on('data', (b: Buffer) => out.push(b));
  command.stderr.on('data', (b: Buffer) => err.push(b));
  const timer = setTimeout(() => command.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  return new Promise((resolve) => {
    command.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: code ?? (signal ? 128 : -1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}
