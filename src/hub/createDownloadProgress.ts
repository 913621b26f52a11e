import { formatBytes } from '../util/formatBytes.js';
import type { DownloadProgress } from './downloadHubFile.js';

function describe(p: DownloadProgress, startedMs: number): string {
  const of =
    p.totalBytes === undefined
      ? ''
      : ` of ${formatBytes(p.totalBytes)} (${Math.floor((100 * p.receivedBytes) / Math.max(1, p.totalBytes))}%)`;
  const seconds = Math.max(0.001, (Date.now() - startedMs) / 1000);
  const rate = `${formatBytes((p.receivedBytes - p.resumedFromBytes) / seconds)}/s`;
  const resumed = p.resumedFromBytes > 0 ? `, resumed at ${formatBytes(p.resumedFromBytes)}` : '';
  return `downloading ${p.label}: ${formatBytes(p.receivedBytes)}${of}, ${rate}${resumed}`;
}

/**
 * Download progress on stderr: one line rewritten in place on a terminal (at most 5 times a second), or a line when
 * a download starts, every `intervalMs` and when it ends in logs of batch jobs. stdout stays clean for `--json`.
 */
export function createDownloadProgress(stream: NodeJS.WriteStream = process.stderr, intervalMs = 5_000): (p: DownloadProgress) => void {
  const tty = stream.isTTY === true;
  let startedMs = 0;
  let lastMs = 0;
  let label = '';
  return (p) => {
    const now = Date.now();
    if (p.label !== label) {
      label = p.label;
      startedMs = now;
      lastMs = 0;
    }
    if (!p.done && now - lastMs < (tty ? 200 : intervalMs)) return;
    lastMs = now;
    const line = describe(p, startedMs);
    stream.write(tty ? `\r${line}\x1b[K${p.done ? '\n' : ''}` : `${line}\n`);
  };
}
