import type { Command } from 'commander';
import { loadGgufModel, loadLlama } from '../../backends/loadLlama.js';
import { computeStats, type DatasetStats } from '../../data/datasetStats.js';
import { readDomainsTable } from '../../data/readDomainsTable.js';
import { RESPONSE_KINDS } from '../../data/responseKind.js';
import { formatCount } from '../../util/formatCount.js';
import { escapeTerminal } from '../escapeTerminal.js';
import { formatTable } from '../formatTable.js';
import { addSourceOptions, readOptionsFrom } from '../sourceOptions.js';

export function registerStats(program: Command): void {
  addSourceOptions(
    program
      .command('stats')
      .description(
        'Describe a dataset: studies, experiments, participants, responses, response kinds, metadata coverage and domain counts.',
      )
      .argument('<source>', 'dataset folder, .jsonl, .jsonl.zip or Parquet file(s)')
      .option('--domains <csv>', "domains table: 'study,domain' or the reference's one-hot layout")
      .option('--tokenizer <gguf>', "count tokens with this model's tokenizer (a GGUF or vocab-only GGUF)")
      .option('--json', 'print one JSON object')
      .addHelpText(
        'after',
        '\nExamples:\n  $ humanlike stats ../shared/psych201 --domains ../shared/psych201/experiment_domains.csv\n  $ humanlike stats data/split --test-only --json',
      ),
  ).action(async (source: string, opts: Record<string, unknown>) => {
    const read = readOptionsFrom(opts);
    const domains = typeof opts['domains'] === 'string' ? await readDomainsTable(opts['domains']) : undefined;
    // A file that cannot be read is counted and named, and the exit code says the data has errors.
    read.onFileError = (file, e) => void process.stderr.write(escapeTerminal(`humanlike: skipped ${file}: ${e.message}`) + '\n');
    read.onFileWarning = (file, message) => void process.stderr.write(escapeTerminal(`humanlike: warning: ${file}: ${message}`) + '\n');
    let countTokens: ((text: string) => number) | undefined;
    if (typeof opts['tokenizer'] === 'string') {
      const vocab = await loadGgufModel(await loadLlama('cpu'), opts['tokenizer'], { vocabOnly: true });
      const addBos = vocab.tokens.bos !== null && vocab.tokens.shouldPrependBosToken ? 1 : 0;
      countTokens = (text) => vocab.tokenize(text, false).length + addBos;
    }
    const stats = await computeStats(source, { ...read, ...(domains && { domains }), ...(countTokens && { countTokens }) });
    process.stdout.write(opts['json'] ? JSON.stringify(stats) + '\n' : renderStats(stats) + '\n');
    if (stats.skipped.files > 0) process.exitCode = 1;
  });
}

export function renderStats(s: DatasetStats): string {
  const out: string[] = [];
  const tok = s.tokens !== null;
  out.push(
    formatTable(
      ['study', 'domain', 'experiments', 'participants', 'responses', ...(tok ? ['tokens'] : []), ...RESPONSE_KINDS],
      s.perStudy.map((r) => [
        r.study,
        r.domain ?? '-',
        r.experiments,
        r.participants,
        r.responses,
        ...(tok ? [r.tokens ?? 0] : []),
        ...RESPONSE_KINDS.map((k) => r.kinds[k]),
      ]),
    ),
  );
  out.push(
    '',
    `total: ${formatCount(s.studies, 'study', 'studies')}, ${formatCount(s.experiments, 'experiment')}, ${formatCount(s.participants, 'participant')}, ${formatCount(s.responses, 'response')}${tok ? `, ${formatCount(s.tokens ?? 0, 'token')}` : ''}`,
  );
  const coverage = Object.entries(s.metadataCoverage).sort((a, b) => b[1] - a[1]);
  if (coverage.length)
    out.push(
      '',
      formatTable(
        ['metadata field', 'coverage'],
        coverage.map(([f, c]) => [f, `${(100 * c).toFixed(1)}%`]),
      ),
    );
  if (s.domains)
    out.push(
      '',
      formatTable(
        ['domain', 'studies', 'participants', 'responses'],
        Object.entries(s.domains).map(([d, v]) => [d, v.studies, v.participants, v.responses]),
      ),
    );
  if (s.skipped.records || s.skipped.files) {
    out.push(
      '',
      `skipped: ${formatCount(s.skipped.records, 'record')} and ${formatCount(s.skipped.files, 'file')} (${Object.entries(s.skipped.reasons)
        .map(([r, n]) => `${n} ${r}`)
        .join(', ')}); run 'humanlike validate' for details`,
    );
  }
  return out.join('\n');
}
