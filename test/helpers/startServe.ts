import { type ChildProcess, spawn } from 'node:child_process';
import { cliPath } from './paths.js';

export interface ServeProcess {
  url: string;
  child: ChildProcess;
  /** Everything the server wrote to stderr so far (the access log with --log). */
  stderr: () => string;
  stdout: () => string;
  /** Send a signal (default SIGTERM) and wait for the exit code; SIGKILL after killAfterMs (then null). */
  stop: (signal?: NodeJS.Signals, killAfterMs?: number) => Promise<number | null>;
}

/** Start `humanlike serve` on a free loopback port and wait until it listens. */
export function startServe(args: string[], env: Record<string, string> = {}): Promise<ServeProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, 'serve', '--port', '0', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let out = '';
    let err = '';
    let started = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start: ${err}`));
    }, 60_000);
    const onEarlyExit = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}: ${err}`));
    };
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m && !started) {
        started = true;
        clearTimeout(timer);
        child.off('exit', onEarlyExit);
        resolve({
          url: m[1]!,
          child,
          stderr: () => err,
          stdout: () => out,
          stop: (signal = 'SIGTERM', killAfterMs = 30_000) =>
            new Promise((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done(child.exitCode);
              const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
              child.once('exit', (code) => {
                clearTimeout(killer);
                done(code);
              });
              child.kill(signal);
            }),
        });
      }
    });
    child.once('exit', onEarlyExit);
  });
}
