#!/usr/bin/env node
// The humanlike executable: everything lives in runCli; this file only starts it.
import { runCli } from './runCli.js';

// A reader that stops early (`humanlike runs | head`) closes the pipe: end quietly with the status a SIGPIPE gives,
// as other Unix tools do, instead of an unhandled EPIPE with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(141);
  });
}

await runCli(process.argv);
