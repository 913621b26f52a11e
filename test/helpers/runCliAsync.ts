import { spawn } from 'node:child_process';
import { cliPath } from './paths.js';
import type { CliResult } from './runCliProcess.js';

/**
 * Run the built executable without blocking this process's event loop (so a server in the test, such as the fake
 * hub, can answer it). Killed after `timeoutMs`; `ms` is its wall time.
 */
export function runHumanlikeAsync(
  args: readonly string[],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliResult & { ms: number; timedOut: boolean }> {
  const started = Date.now();
  const child = spawn(process.execPath, [cliPath, ...args], { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 60_000);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, ms: Date.now() - started, timedOut });
    });
  });
}
