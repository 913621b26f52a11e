#!/usr/bin/env node
// The humanlike executable: everything lives in runCli; this file only starts it.
import { runCli } from './runCli.js';

await runCli(process.argv);
