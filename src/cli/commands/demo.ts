import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { writeSampleDataset } from '../../data/createSampleStudy.js';
import { computeStats } from '../../data/datasetStats.js';
import { readDomainsTable } from '../../data/readDomainsTable.js';
import { formatProblem, validateSource } from '../../data/validateSource.js';
import { writeSplit } from '../../data/writeSplit.js';
import { evalConfigSchema } from '../../eval/evalConfig.js';
import { evaluate } from '../../eval/evaluate.js';
import { writeReport } from '../../report/writeReport.js';
import { ResultsStore } from '../../store/ResultsStore.js';
import { formatCount } from '../../util/formatCount.js';
import { renderEvalResult } from './evalCommand.js';
import { renderStats } from './stats.js';

/** One line each on what the demo's scorers are, so their numbers can be read. */
const UNIFORM_WHY =
  'every response gets probability 1/K (K: the distinct responses of its study), so NLL = ln K: chance, the floor a model must beat; pseudo-R2 is measured against it.';
const FREQUENCY_WHY =
  "each response gets its frequency among the training participants' responses; it can fall below chance when options are " +
  'randomised across people (here, which key pays more): the pooled counts are then near 50/50 and their noise only adds to ln K.';
const MODEL_WHY =
  'the NLL the model gives each human response in its transcript; below the uniform line means it predicts people better than chance.';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'Simulate a two-armed-bandit study (Q-learners of varied ages), then validate, split and describe it.\nEverything is written under --dir; nothing is downloaded.',
    )
    .option('--dir <dir>', 'working folder for the demo', 'humanlike-demo')
    .option('--participants <n>', 'simulated participants', '60')
    .option('--model <gguf>', 'also score a GGUF model (default: $HUMANLIKE_MODEL, if set)')
    .option('--context-size <n>', 'tokens per window for --model', '2048')
    .addHelpText('after', '\nExamples:\n  $ humanlike demo --dir /tmp/demo\n  $ humanlike demo --model ../shared/models/stories260K.gguf')
    .action(async (opts: { dir: string; participants: string; model?: string; contextSize: string }) => {
      const say = (s: string): void => void process.stdout.write(s + '\n');
      await rm(opts.dir, { recursive: true, force: true });
      const { datasetDir, domainsFile } = await writeSampleDataset(opts.dir, { participants: Number(opts.participants) });
      say(`1. simulate: a two-armed bandit study of ${formatCount(Number(opts.participants), 'Q-learner')} written to ${datasetDir}`);
      const summary = await validateSource(datasetDir, { onProblem: (p) => say('   ' + formatProblem(p)) });
      say(
        `2. validate: ${formatCount(summary.transcripts, 'transcript')}, ${formatCount(summary.responses, 'response')}, ${formatCount(summary.errors, 'error')}, ${formatCount(summary.warnings, 'warning')}`,
      );
      const splitDir = join(opts.dir, 'split');
      const split = await writeSplit(datasetDir, splitDir, 1);
      const test = Object.values(split.manifest.studies).reduce((n, s) => n + s.test.length, 0);
      say(`3. split (seed 1): ${test} of ${formatCount(split.written, 'participant')} held out, written to ${splitDir}`);
      const stats = await computeStats(splitDir, { select: 'train', domains: await readDomainsTable(domainsFile) });
      say(`4. stats of the training side (${formatCount(stats.participants, 'participant')}):\n`);
      say(renderStats(stats));
      const db = join(opts.dir, 'results.duckdb');
      const modelPath = opts.model ?? process.env['HUMANLIKE_MODEL'];
      const steps: { model: Record<string, unknown>; title: string; why: string }[] = [
        { model: { kind: 'baseline', name: 'uniform' }, title: 'uniform baseline (chance)', why: UNIFORM_WHY },
        { model: { kind: 'baseline', name: 'frequency' }, title: 'frequency baseline', why: FREQUENCY_WHY },
      ];
      if (modelPath)
        steps.push({
          model: { kind: 'gguf', path: modelPath, contextSize: Number(opts.contextSize) },
          title: `model ${basename(modelPath)}`,
          why: MODEL_WHY,
        });
      let step = 5;
      for (const { model, title, why } of steps) {
        const config = evalConfigSchema.parse({ source: splitDir, db, model, select: 'test' });
        const result = await evaluate(config);
        say(`\n${step++}. eval, ${title}, on the ${test} held-out participants:\n   ${why}\n`);
        say(renderEvalResult(result));
      }
      const store = await ResultsStore.open(db);
      try {
        const report = join(opts.dir, 'report.html');
        const { charts } = await writeReport(store, {
          out: report,
          pngDir: join(opts.dir, 'charts'),
          source: splitDir,
          domains: await readDomainsTable(domainsFile),
          bootstrap: 500,
        });
        say(`\n${step}. report: ${formatCount(charts.length, 'chart')} written to ${report} (PNG files in ${join(opts.dir, 'charts')})`);
      } finally {
        store.close();
      }
      say(
        `\nresults are in ${db}: try 'humanlike runs --db ${db}', 'humanlike compare --db ${db}' and 'humanlike export results.csv --db ${db}'`,
      );
      if (!summary.ok) process.exitCode = 1;
    });
}
