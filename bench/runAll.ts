// Run every benchmark: `npm run bench`. Each prints a table of ratios measured in this run and writes bench/results/*.json.
import { runIngestBench } from './ingestBench.js';

await runIngestBench();
