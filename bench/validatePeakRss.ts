// Child process of the ingest bench: validate a source, then print the peak resident set size in KiB.
import { validateSource } from '../src/data/validateSource.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: validatePeakRss <source>');
await validateSource(dir);
process.stdout.write(`${process.resourceUsage().maxRSS}\n`);
