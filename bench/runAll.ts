// Run every benchmark: `npm run bench`. Each prints a table of ratios measured in this run and writes bench/results/*.json.
import { runCompareBench } from './compareBench.js';
import { runEvalBench } from './evalBench.js';
import { runIngestBench } from './ingestBench.js';
import { runRemoteBench } from './remoteBench.js';
import { runSpeedBench } from './speedBench.js';
import { runStartupBench } from './startupBench.js';

await runStartupBench();
await runIngestBench();
await runEvalBench();
await runRemoteBench();
await runCompareBench();
await runSpeedBench();
