// Child process of the compare bench: time one task on a store and print {ms, maxRssMb, ...} as JSON.
import { compareModels } from '../src/analysis/compareModels.js';
import { ResultsStore } from '../src/store/ResultsStore.js';

const [db, task] = process.argv.slice(2);
if (!db || !task) throw new Error('usage: compareChild <db> compare|scan|group');
const store = await ResultsStore.open(db);
const t0 = performance.now();
let extra: Record<string, unknown> = {};
if (task === 'scan') {
  const [r] = await store.query<{ n: number; s: number }>('SELECT count(*)::BIGINT AS n, sum(nll) AS s FROM responses');
  extra = { rows: Number(r?.n ?? 0) };
} else if (task === 'group') {
  // The least any per-participant analysis must do: group the rows by participant (no pairing, no bootstrap).
  const r = await store.query('SELECT run_id, study, experiment, participant, count(*) AS n, sum(nll) AS s FROM responses GROUP BY ALL');
  extra = { groups: r.length };
} else {
  const c = await compareModels(store, { bootstrap: 1000 });
  extra = { pairs: c.pairs.map((p) => ({ post: p.post, d: p.d.estimate, low: p.d.low, high: p.d.high })), models: c.models.length };
}
const ms = performance.now() - t0;
store.close();
process.stdout.write(JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024, ...extra }) + '\n');
