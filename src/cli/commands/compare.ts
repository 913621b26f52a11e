import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { compareModels, type CompareResult } from '../../analysis/compareModels.js';
import { formatModelTable, readModelTable, resolveModelFacts } from '../../analysis/modelTable.js';
import type { Interval } from '../../analysis/bootstrap.js';
import { readDomainsTable } from '../../data/readDomainsTable.js';
import { DEFAULT_DB, ResultsStore } from '../../store/ResultsStore.js';
import { formatTable } from '../formatTable.js';
import { parseInteger } from '../sourceOptions.js';

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .summary("the paper's analyses from stored runs, with bootstrap intervals")
    .description('Compare models from stored runs (no model is called): alignment score per model, post-training misalignment per\n(base, post-trained) pair (Cohen\'s d, bootstrap 95% intervals over studies and participants), by type, generation and\ndomain, persona benefit against the shuffled-persona control, and accuracy.')
    .option('--db <file>', 'results database', DEFAULT_DB)
    .option('--models <csv>', 'model table: model,family,generation,size_b,type,base (default: inferred from names)')
    .option('--write-model-table <csv>', 'write the model table in use (to edit and pass back with --models)')
    .option('--domains <csv>', "domains table: 'study,domain' or the reference's one-hot layout")
    .option('--format <format>', 'prompt format of the runs compared', 'raw')
    .option('--bootstrap <n>', 'bootstrap replicates', '1000')
    .option('--seed <n>', 'bootstrap seed', '0')
    .option('--json', 'print the full result as JSON')
    .addHelpText('after', '\nExamples:\n  $ humanlike compare --domains ../shared/psych201/experiment_domains.csv\n  $ humanlike compare --write-model-table models.csv && $EDITOR models.csv && humanlike compare --models models.csv')
    .action(async (opts: Record<string, string | boolean | undefined>) => {
      const store = await ResultsStore.open(String(opts['db']), { readOnly: true });
      try {
        const modelTable = typeof opts['models'] === 'string' ? await readModelTable(opts['models']) : undefined;
        const domains = typeof opts['domains'] === 'string' ? await readDomainsTable(opts['domains']) : undefined;
        const result = await compareModels(store, {
          format: String(opts['format']), bootstrap: parseInteger(opts['bootstrap'], '--bootstrap'), seed: parseInteger(opts['seed'], '--seed'),
          ...(modelTable && { modelTable }), ...(domains && { domains }),
        });
        if (typeof opts['writeModelTable'] === 'string') {
          const models = result.models.map((m) => m.model).filter((m) => !m.startsWith('baseline:'));
          await writeFile(opts['writeModelTable'], formatModelTable(resolveModelFacts(models, modelTable).facts.values()));
        }
        process.stdout.write(opts['json'] ? JSON.stringify(result) + '\n' : renderCompare(result) + '\n');
        if (result.unclassified.length) {
          process.stderr.write(`humanlike: cannot classify ${result.unclassified.join(', ')}: their family, size and type are unknown, so they are left out of pairs, types and generations. Add them to a model table (--write-model-table, then --models).\n`);
        }
      } finally {
        store.close();
      }
    });
}

const ci = (i: Interval | null | undefined): string => (i ? `${i.estimate.toFixed(3)} [${i.low.toFixed(3)}, ${i.high.toFixed(3)}]` : '-');
const num = (x: number | null, digits = 3): string => (x === null || !Number.isFinite(x) ? '-' : x.toFixed(digits));
const pct = (x: number | null): string => (x === null ? '-' : `${(100 * x).toFixed(1)}%`);

export function renderCompare(r: CompareResult): string {
  const out: string[] = [];
  out.push(`Alignment score (${r.format} runs): mean over studies of mean response NLL, nats (lower = more human-like)`);
  out.push(formatTable(['model', 'family', 'gen', 'size (B)', 'type', 'studies', 'score', 'accuracy', 'acc (choices)'],
    r.models.map((m) => [m.model, m.facts?.family ?? '-', m.facts?.generation ?? '-', m.facts?.sizeB ?? '-', m.facts?.type ?? '-', m.studies, num(m.score), pct(m.accuracy), pct(m.accuracyRestricted)])));
  if (r.pairs.length) {
    out.push('', "Post-training misalignment: mean over studies of Cohen's d (post − base), 95% bootstrap interval; > 0 = post-trained less human-like");
    out.push(formatTable(['post-trained', 'base', 'type', 'studies', 'd [95% CI]', 'base wins', 'paired Δ NLL'],
      r.pairs.map((p) => [p.post, p.base, p.type, p.studies, ci(p.d), pct(p.baseWins), num(p.pairedDifference)])));
    out.push('', formatTable(['type', 'pairs', 'mean d [95% CI]'], r.byType.map((t) => [t.type, t.pairs, ci(t.d)])));
    out.push('', formatTable(['family', 'generation', 'base score', 'pairs', 'mean d [95% CI]'], r.byGeneration.map((g) => [g.family, g.generation, num(g.baseScore), g.pairs, ci(g.d)])));
  } else {
    out.push('', 'No (base, post-trained) pairs among the compared runs: run a base model and its post-trained version to measure misalignment.');
  }
  if (r.domains) {
    out.push('', "Misalignment by domain (mean Cohen's d over the domain's studies)");
    out.push(formatTable(['pair', ...r.domains.domains, 'mean'], [
      ...r.domains.rows.map((row) => [row.pair, ...row.values.map((v) => num(v, 2)), num(row.mean, 2)]),
      ['mean', ...r.domains.columnMeans.map((v) => num(v, 2)), ''],
    ]));
  }
  if (r.persona.length) {
    out.push('', "Persona benefit on the same participants: Cohen's d of NLL (< 0 = the persona prompt predicts better)");
    out.push(formatTable(['model', 'studies', 'participants', 'persona vs raw', 'shuffled vs raw', 'persona vs shuffled'],
      r.persona.map((p) => [p.model, p.studies, p.participants, ci(p.personaVsRaw), ci(p.shuffledVsRaw), ci(p.personaVsShuffled)])));
  }
  if (r.unclassified.length) out.push('', `unclassified models (left out of pairs): ${r.unclassified.join(', ')}`);
  return out.join('\n');
}
