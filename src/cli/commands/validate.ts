import { type Command, Option } from 'commander';
import type { Problem } from '../../data/types.js';
import { formatProblem, validateSource } from '../../data/validateSource.js';
import { CONTEXT_POLICIES } from '../../prompts/types.js';
import { formatCount } from '../../util/formatCount.js';
import { escapeTerminal } from '../escapeTerminal.js';
import { formatTable } from '../formatTable.js';
import { addSourceOptions, readOptionsFrom } from '../sourceOptions.js';

export function registerValidate(program: Command): void {
  addSourceOptions(
    program
      .command('validate')
      .description(
        'Review a Psych-201 source the way a contributed study is reviewed: every problem, with file, line, column and severity.\nExit 0 when no error was found, 1 when there are errors.',
      )
      .argument('<source>', 'dataset folder, .jsonl, .jsonl.zip or Parquet file(s)')
      .option('--json', 'print one JSON object: {summary, problems}')
      .option('--max-shown <n>', 'print at most this many problems per code in text mode (all with --json)', '50')
      .addOption(
        new Option(
          '--policy <policy>',
          "check the data as eval's policy reads it: reference validates after the paper's four substitutions and lets an empty response <<>> through as a warning (default: windowed, strict)",
        ).choices(CONTEXT_POLICIES),
      )
      .addHelpText(
        'after',
        '\nExamples:\n  $ humanlike validate ../shared/psych201\n  $ humanlike validate mystudy/prompts.jsonl --json > problems.json',
      ),
  ).action(async (source: string, opts: Record<string, unknown>) => {
    const json = Boolean(opts['json']);
    const maxShown = Number(opts['maxShown'] ?? 50);
    const problems: Problem[] = [];
    const shownPerCode = new Map<string, number>();
    const summary = await validateSource(source, {
      ...readOptionsFrom(opts),
      ...(opts['policy'] === 'reference' && { reference: true }),
      onProblem: (p) => {
        if (json) return void problems.push(p);
        const shown = shownPerCode.get(p.code) ?? 0;
        shownPerCode.set(p.code, shown + 1);
        if (shown < maxShown) process.stdout.write(escapeTerminal(formatProblem(p)) + '\n');
      },
    });
    if (json) {
      process.stdout.write(JSON.stringify({ summary, problems }) + '\n');
    } else {
      const rows: [string, string, number][] = [];
      for (const sev of ['error', 'warning'] as const)
        for (const [code, n] of Object.entries(summary.byCode[sev])) rows.push([sev, code, n ?? 0]);
      const hidden = [...shownPerCode].filter(([, n]) => n > maxShown).map(([c, n]) => `${n - maxShown} more ${c}`);
      if (hidden.length) process.stdout.write(`(not shown: ${hidden.join(', ')}; use --json or --max-shown for all)\n`);
      process.stdout.write(
        `\n${formatCount(summary.records, 'record')}, ${formatCount(summary.transcripts, 'transcript')}, ${formatCount(summary.responses, 'response')}\n`,
      );
      if (rows.length) process.stdout.write(formatTable(['severity', 'problem', 'count'], rows) + '\n');
      process.stdout.write(
        `${summary.ok ? 'OK' : 'FAILED'}: ${formatCount(summary.errors, 'error')}, ${formatCount(summary.warnings, 'warning')}\n`,
      );
    }
    process.exitCode = summary.ok ? 0 : 1;
  });
}
