import { Command, CommanderError } from 'commander';
import { scrubSecrets } from '../backends/remote/redactSecrets.js';
import { HumanlikeError } from '../errors.js';
import { VERSION } from '../version.js';
import { registerCompare } from './commands/compare.js';
import { registerDemo } from './commands/demo.js';
import { registerEval } from './commands/evalCommand.js';
import { registerExport } from './commands/exportCommand.js';
import { registerReport } from './commands/report.js';
import { registerRuns } from './commands/runs.js';
import { registerServe } from './commands/serve.js';
import { registerSplit } from './commands/split.js';
import { registerStats } from './commands/stats.js';
import { registerValidate } from './commands/validate.js';

/** Exit codes: 0 ok, 1 the data has errors (validate), 2 usage or input error, 70 internal error (a bug). */
export async function runCli(argv: readonly string[]): Promise<void> {
  const program = new Command()
    .name('humanlike')
    .description('Measure how well language models predict what real people did in behavioral experiments (Psych-201).')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .addHelpText('after', `
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
130 interrupted.`);
  registerDemo(program);
  registerValidate(program);
  registerSplit(program);
  registerStats(program);
  registerEval(program);
  registerRuns(program);
  registerExport(program);
  registerServe(program);
  registerCompare(program);
  registerReport(program);
  try {
    await program.parseAsync(argv as string[]);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    if (e instanceof HumanlikeError) {
      process.stderr.write(`humanlike: ${scrubSecrets(e.message)}\n`);
      process.exitCode = e.exitCode;
      return;
    }
    process.stderr.write(`humanlike: internal error (please report): ${scrubSecrets((e as Error)?.stack ?? String(e))}\n`);
    process.exitCode = 70;
  }
}

