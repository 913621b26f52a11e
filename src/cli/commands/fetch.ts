import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { createDownloadProgress } from '../../hub/createDownloadProgress.js';
import { fetchHubDataset } from '../../hub/fetchHubDataset.js';
import { psych201Repo } from '../../hub/psych201Release.js';
import { escapeTerminal } from '../escapeTerminal.js';
import { formatTable } from '../formatTable.js';

const DATASETS = ['psych201'];

export function registerFetch(program: Command): void {
  program
    .command('fetch')
    .description(
      'Download a dataset release from the Hugging Face hub into the cache and print the folder to use as a source. ' +
        'Resumable; files already complete are kept. psych201 is marcelbinz/Psych-201; --discrete the discrete-choice ' +
        'subset; --test the gated held-out set (accept its terms on the hub, then set HF_TOKEN).',
    )
    .argument('<dataset>', `which release: ${DATASETS.join(', ')}`)
    .option('--test', 'the held-out test set (gated: needs HF_TOKEN)')
    .option('--discrete', 'the discrete-choice subset')
    .option('--out <dir>', 'download here instead of <cache>/datasets/<repo> (cache: $HUMANLIKE_CACHE or ~/.cache/humanlike)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ humanlike fetch psych201\n  $ HF_TOKEN=hf_... humanlike fetch psych201 --test --discrete\n  $ humanlike stats "$(humanlike fetch psych201 --json | jq -r .dir)"',
    )
    .action(async (dataset: string, opts: { test?: boolean; discrete?: boolean; out?: string; json?: boolean }) => {
      if (!DATASETS.includes(dataset)) throw new UsageError(`unknown dataset ${JSON.stringify(dataset)}; known: ${DATASETS.join(', ')}`);
      const repo = psych201Repo({ test: opts.test === true, discrete: opts.discrete === true });
      const r = await fetchHubDataset(repo, { ...(opts.out !== undefined && { dir: opts.out }), onProgress: createDownloadProgress() });
      if (opts.json) {
        process.stdout.write(JSON.stringify(r) + '\n');
        return;
      }
      if (r.offline)
        process.stderr.write(
          escapeTerminal(`humanlike: the hub cannot be reached; using the complete copy fetched earlier into ${r.dir}`) + '\n',
        );
      process.stdout.write(
        formatTable(
          ['file', 'bytes', 'status'],
          r.files.map((f) => [f.path, f.bytes, f.cached ? 'already here' : f.resumedFromBytes > 0 ? 'resumed' : 'downloaded']),
        ) + '\n',
      );
      process.stdout.write(escapeTerminal(`${repo}: ${r.files.length} ${r.files.length === 1 ? 'file' : 'files'} in ${r.dir}`) + '\n');
      process.stdout.write(escapeTerminal(`use it as a source, e.g.: humanlike validate ${r.dir}`) + '\n');
    });
}
