import { Command, CommanderError } from 'commander';
import { scrubSecrets } from '../backends/remote/redactSecrets.js';
import { HumanlikeError } from '../errors.js';
import { VERSION } from '../version.js';
import { escapeTerminal } from './escapeTerminal.js';

type Register = (program: Command) => void;

/**
 * The commands, with their one-line summaries. A command's module (and what it imports: the engine, DuckDB, the
 * chart renderer) is loaded only when that command runs, so `humanlike --help` and `validate` start fast.
 */
const COMMANDS: { name: string; summary: string; load: () => Promise<Register> }[] = [
  {
    name: 'demo',
    summary: 'run the whole pipeline offline on a built-in simulated study',
    load: async () => (await import('./commands/demo.js')).registerDemo,
  },
  {
    name: 'validate',
    summary: 'check a dataset: every problem with file:line:column',
    load: async () => (await import('./commands/validate.js')).registerValidate,
  },
  {
    name: 'fetch',
    summary: 'download the Psych-201 release from the Hugging Face hub into the cache',
    load: async () => (await import('./commands/fetch.js')).registerFetch,
  },
  {
    name: 'split',
    summary: 'write a deterministic held-out split as a dataset',
    load: async () => (await import('./commands/split.js')).registerSplit,
  },
  {
    name: 'stats',
    summary: 'count studies, participants, responses, kinds, metadata, domains',
    load: async () => (await import('./commands/stats.js')).registerStats,
  },
  {
    name: 'eval',
    summary: 'score every human response with a model; resumable',
    load: async () => (await import('./commands/evalCommand.js')).registerEval,
  },
  { name: 'runs', summary: 'list the runs in a results database', load: async () => (await import('./commands/runs.js')).registerRuns },
  {
    name: 'export',
    summary: 'write response rows to Parquet or CSV',
    load: async () => (await import('./commands/exportCommand.js')).registerExport,
  },
  {
    name: 'serve',
    summary: 'serve a GGUF model over a vLLM-compatible scoring API',
    load: async () => (await import('./commands/serve.js')).registerServe,
  },
  {
    name: 'merge',
    summary: 'copy the runs of several results databases into one (refusing duplicates)',
    load: async () => (await import('./commands/merge.js')).registerMerge,
  },
  {
    name: 'compare',
    summary: "the paper's analyses from stored runs, with bootstrap intervals",
    load: async () => (await import('./commands/compare.js')).registerCompare,
  },
  {
    name: 'report',
    summary: 'write a self-contained HTML report (charts as inline SVG)',
    load: async () => (await import('./commands/report.js')).registerReport,
  },
];

/** Register the command being run in full, and the others by name and summary only (enough for --help). */
async function registerCommands(program: Command, argv: readonly string[]): Promise<void> {
  const wanted = argv.slice(2).find((a) => !a.startsWith('-'));
  for (const c of COMMANDS) {
    if (c.name === wanted) {
      (await c.load())(program);
      program.commands.find((x) => x.name() === c.name)?.summary(c.summary);
    } else {
      program.command(c.name).summary(c.summary).helpOption(false).allowUnknownOption().allowExcessArguments();
    }
  }
}

/** Exit codes: 0 ok, 1 the data has errors (validate), 2 usage or input error, 70 internal error (a bug); 141 is main.ts's. */
export async function runCli(argv: readonly string[]): Promise<void> {
  const program = new Command()
    .name('humanlike')
    .description('Measure how well language models predict what real people did in behavioral experiments (Psych-201).')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .addHelpText(
      'after',
      `
Examples:
  $ humanlike demo                                   run the pipeline offline on a simulated study
  $ humanlike validate ../shared/psych201            list every problem of a dataset
  $ humanlike split ../shared/psych201 --seed 1 --out split
  $ humanlike stats split --test-only --domains ../shared/psych201/experiment_domains.csv
  $ humanlike eval split --test-only --model model.gguf   score every response; resumable
  $ humanlike runs                                   list stored runs
  $ humanlike export results.parquet                 one row per scored response
  $ humanlike compare --domains domains.csv          the paper's analyses, with intervals
  $ humanlike report --out report.html               a self-contained HTML report
  $ humanlike serve --model model.gguf --port 8000   a vLLM-compatible scoring server
  $ humanlike eval split --endpoint http://gpu1:8000 --endpoint http://gpu2:8000

Exit codes: 0 ok, 1 data has errors (or a run left work undone), 2 usage or input error, 70 internal error,
130 interrupted, 141 the output pipe closed early (| head).`,
    );
  try {
    await registerCommands(program, argv);
    await program.parseAsync(argv as string[]);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    if (e instanceof HumanlikeError) {
      process.stderr.write(`humanlike: ${escapeTerminal(scrubSecrets(e.message))}\n`);
      process.exitCode = e.exitCode;
      return;
    }
    process.stderr.write(
      `humanlike: internal error (please report): ${escapeTerminal(scrubSecrets((e as Error)?.stack ?? String(e)), { keepNewlines: true })}\n`,
    );
    process.exitCode = 70;
  }
}
