import { readdir, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { writeSampleDataset } from '../../data/createSampleStudy.js';
import { computeStats } from '../../data/datasetStats.js';
import { readDomainsTable } from '../../data/readDomainsTable.js';
import { formatProblem, validateSource } from '../../data/validateSource.js';
import { writeSplit } from '../../data/writeSplit.js';
import { UsageError } from '../../errors.js';
import { describeConfigError, evalConfigSchema } from '../../eval/evalConfig.js';
import { evaluate } from '../../eval/evaluate.js';
import { writeReport } from '../../report/writeReport.js';
import { ResultsStore } from '../../store/ResultsStore.js';
import { formatCount } from '../../util/formatCount.js';
import { ensureDir } from '../../util/outputFiles.js';
import { parseInteger } from '../sourceOptions.js';
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

/** Written into --dir by the demo: only a folder holding it is an earlier demo, whose own outputs may be replaced. */
const DEMO_MARKER = '.humanlike-demo';
/** What the demo writes under --dir (the only names it ever deletes there). */
const DEMO_OUTPUTS = ['data', 'domains.csv', 'split', 'results.duckdb', 'results.duckdb.wal', 'report.html', 'charts'];
/** Most simulated participants (the demo runs in seconds at the default 60). */
const MAX_DEMO_PARTICIPANTS = 100_000;

/**
 * Make --dir ready: absent or empty, or an earlier demo (its marker), whose outputs are removed. Any other folder is
 * refused: `--dir .` or `--dir ~/data` must never be wiped.
 */
async function prepareDemoDir(dir: string): Promise<void> {
  const names = await readdir(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [] as string[];
    throw new UsageError(`${dir}: cannot be used as the demo folder (${e.code === 'ENOTDIR' ? 'it is a file' : e.message})`);
  });
  if (names.length > 0 && !names.includes(DEMO_MARKER)) {
    const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? ', …' : '');
    throw new UsageError(
      `${dir}: exists and is not an earlier demo folder (it holds ${shown}); give a new or empty --dir (demo replaces only its own output)`,
    );
  }
  for (const name of DEMO_OUTPUTS) await rm(join(dir, name), { recursive: true, force: true });
  await ensureDir(dir);
  await writeFile(join(dir, DEMO_MARKER), 'written by humanlike demo: a later demo may replace the outputs in this folder\n');
}

/** The demo's numeric flags, checked before anything is written or deleted. */
function demoNumbers(opts: { participants: string; contextSize: string }): { participants: number; contextSize: number } {
  const participants = parseInteger(opts.participants, '--participants');
  if (participants < 1 || participants > MAX_DEMO_PARTICIPANTS)
    throw new UsageError(`--participants expects 1 to ${MAX_DEMO_PARTICIPANTS}, found ${participants}`);
  const contextSize = parseInteger(opts.contextSize, '--context-size');
  if (contextSize < 16) throw new UsageError(`--context-size expects at least 16 tokens, found ${contextSize}`);
  return { participants, contextSize };
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'Simulate a two-armed-bandit study (Q-learners of varied ages), then validate, split and describe it.\nEverything is written under --dir; nothing is downloaded.',
    )
    .option('--dir <dir>', 'working folder for the demo: new, empty, or an earlier demo folder (never another)', 'humanlike-demo')
    .option('--participants <n>', 'simulated participants (1 to 100000)', '60')
    .option('--model <gguf>', 'also score a GGUF model (default: $HUMANLIKE_MODEL, if set)')
    .option('--context-size <n>', 'tokens per window for --model', '2048')
    .addHelpText('after', '\nExamples:\n  $ humanlike demo --dir /tmp/demo\n  $ humanlike demo --model ../shared/models/stories260K.gguf')
    .action(async (opts: { dir: string; participants: string; model?: string; contextSize: string }) => {
      const say = (s: string): void => void process.stdout.write(s + '\n');
      const { participants, contextSize } = demoNumbers(opts);
      await prepareDemoDir(opts.dir);
      const { datasetDir, domainsFile } = await writeSampleDataset(opts.dir, { participants });
      say(`1. simulate: a two-armed bandit study of ${formatCount(participants, 'Q-learner')} written to ${datasetDir}`);
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
          model: { kind: 'gguf', path: modelPath, contextSize },
          title: `model ${basename(modelPath)}`,
          why: MODEL_WHY,
        });
      let step = 5;
      for (const { model, title, why } of steps) {
        const parsed = evalConfigSchema.safeParse({ source: splitDir, db, model, select: 'test' });
        if (!parsed.success) throw new UsageError(describeConfigError(parsed.error, 'demo run configuration'));
        const config = parsed.data;
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
