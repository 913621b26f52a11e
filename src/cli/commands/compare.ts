import type { Command } from 'commander';
import type { Interval } from '../../analysis/bootstrap.js';
import { type CompareResult, compareModels } from '../../analysis/compareModels.js';
import { formatModelTable, resolveModelFacts } from '../../analysis/modelTable.js';
import { DEFAULT_DB, ResultsStore } from '../../store/ResultsStore.js';
import { writeOutputFile } from '../../util/outputFiles.js';
import { addAnalysisOptions, analysisOptionsFrom } from '../analysisOptions.js';
import { formatTable } from '../formatTable.js';

export function registerCompare(program: Command): void {
  const cmd = program
    .command('compare')
    .description(
      "Compare models from stored runs (no model is called): alignment score per model, post-training misalignment per\n(base, post-trained) pair (Cohen's d, bootstrap 95% intervals over studies and participants), by type, generation and\ndomain, persona benefit against the shuffled-persona control, and accuracy.",
    )
    .option('--db <file...>', `results database(s): several are read as one, e.g. one per cluster job (default: ${DEFAULT_DB})`)
    .option('--write-model-table <csv>', 'write the model table in use (to edit and pass back with --models)')
    .option('--json', 'print the full result as JSON');
  addAnalysisOptions(cmd)
    .addHelpText(
      'after',
      '\nExamples:\n  $ humanlike compare --domains ../shared/psych201/experiment_domains.csv\n  $ humanlike compare --models paper\n  $ humanlike compare --write-model-table models.csv && $EDITOR models.csv && humanlike compare --models models.csv',
    )
    .action(async (opts: Record<string, string | boolean | undefined>) => {
      const store = await ResultsStore.openMany((opts['db'] as string[] | undefined) ?? [DEFAULT_DB]);
      try {
        const options = await analysisOptionsFrom(opts);
        const modelTable = options.modelTable;
        const result = await compareModels(store, options);
        if (typeof opts['writeModelTable'] === 'string') {
          const models = result.models.map((m) => m.model).filter((m) => !m.startsWith('baseline:'));
          const { facts, unclassified } = resolveModelFacts(models, modelTable);
          await writeOutputFile(opts['writeModelTable'], formatModelTable(facts.values(), unclassified));
        }
        process.stdout.write(opts['json'] ? JSON.stringify(result) + '\n' : renderCompare(result) + '\n');
        if (result.unclassified.length) {
          process.stderr.write(
            `humanlike: cannot classify ${result.unclassified.join(', ')}: their family, size and type are unknown, so they are left out of pairs, types and generations. Add them to a model table (--write-model-table, then --models).\n`,
          );
        }
      } finally {
        store.close();
      }
    });
}

// With --bootstrap 0 the bounds are NaN: print the estimate alone.
const ci = (i: Interval | null | undefined): string =>
  !i
    ? '-'
    : Number.isFinite(i.low) && Number.isFinite(i.high)
      ? `${i.estimate.toFixed(3)} [${i.low.toFixed(3)}, ${i.high.toFixed(3)}]`
      : i.estimate.toFixed(3);
const num = (x: number | null, digits = 3): string => (x === null || !Number.isFinite(x) ? '-' : x.toFixed(digits));
const pct = (x: number | null): string => (x === null ? '-' : `${(100 * x).toFixed(1)}%`);

export function renderCompare(r: CompareResult): string {
  const out: string[] = [describeSet(r), ''];
  out.push(`Alignment score (${r.format} runs): mean over studies of mean response NLL, nats (lower = more human-like)`);
  out.push(
    formatTable(
      ['model', 'family', 'gen', 'size (B)', 'type', 'studies', 'score', 'skipped', 'accuracy', 'acc (choices)'],
      r.models.map((m) => [
        m.model,
        m.facts?.family ?? '-',
        m.facts?.generation ?? '-',
        m.facts?.sizeB ?? '-',
        m.facts?.type ?? '-',
        m.studies,
        num(m.score),
        pct(m.skippedShare),
        pct(m.accuracy),
        pct(m.accuracyRestricted),
      ]),
    ),
  );
  if (r.notCompared.length) {
    out.push(
      `not compared (no complete run): ${r.notCompared.map((x) => `${x.model} (${x.format}, run ${x.runId} ${x.status})`).join('; ')}`,
    );
  }
  const postTrained = r.pairs.filter((p) => p.type !== 'behavioural');
  if (postTrained.length) {
    out.push(
      '',
      "Post-training misalignment: mean over studies of Cohen's d (post − base), 95% bootstrap interval; > 0 = post-trained less human-like",
    );
    out.push(
      formatTable(
        ['post-trained', 'base', 'type', 'studies', 'd [95% CI]', 'SEM', 'base wins', 'paired Δ NLL', 'responses', 'dropped (base/post)'],
        postTrained.map((p) => [
          p.post,
          p.base,
          p.type,
          p.studies,
          ci(p.d),
          num(p.sem),
          pct(p.baseWins),
          num(p.pairedDifference),
          p.pairedResponses,
          `${p.droppedBase}/${p.droppedPost}`,
        ]),
      ),
    );
    if (r.pairs.some((p) => p.droppedBase || p.droppedPost || p.studiesOnlyOne)) {
      out.push(
        '(a pair is compared on the responses both runs scored; dropped = scored by one run only, e.g. skipped by the other: see `humanlike runs`)',
      );
    }
    out.push(...renderTooFew(r.pairs));
    out.push(
      '',
      formatTable(
        ['type', 'pairs', 'mean d [95% CI]'],
        r.byType.map((t) => [t.type, t.pairs, ci(t.d)]),
      ),
    );
    out.push(
      '',
      "By generation: the pairs of its general-purpose post-training only (instruct, else reasoning), as the paper's Fig. 3a",
      formatTable(
        ['family', 'generation', 'base score', 'post-training', 'pairs', 'mean d [95% CI]', 'other pairs (not in the mean)'],
        r.byGeneration.map((g) => [
          g.family,
          g.generation,
          num(g.baseScore),
          g.postType ?? '-',
          g.pairs,
          ci(g.d),
          g.leftOut.map((o) => `${o.type} ${o.pairs}`).join(', ') || '-',
        ]),
      ),
    );
  } else {
    out.push(
      '',
      'No (base, post-trained) pairs among the compared runs: run a base model and its post-trained version to measure misalignment.',
    );
  }
  out.push(...renderBehavioural(r));
  if (r.domains) {
    out.push('', "Misalignment by domain (mean Cohen's d over the domain's studies)");
    out.push(
      formatTable(
        ['pair', ...r.domains.domains, 'mean'],
        [
          ...r.domains.rows.map((row) => [row.pair, ...row.values.map((v) => num(v, 2)), num(row.mean, 2)]),
          ['mean', ...r.domains.columnMeans.map((v) => num(v, 2)), ''],
        ],
      ),
    );
  }
  if (r.persona.length) {
    out.push('', "Persona benefit on the same participants: Cohen's d of NLL (< 0 = the persona prompt predicts better)");
    out.push(
      formatTable(
        ['model', 'studies', 'participants', 'persona vs raw', 'shuffled vs raw', 'persona vs shuffled'],
        r.persona.map((p) => [p.model, p.studies, p.participants, ci(p.personaVsRaw), ci(p.shuffledVsRaw), ci(p.personaVsShuffled)]),
      ),
    );
  }
  if (r.format !== 'raw' && r.runs.some((x) => x.format === 'persona' || x.format === 'persona-shuffled'))
    out.push('', 'Persona benefit is measured against raw runs: compare without --format (or --format raw) to see it.');
  out.push(...renderCalibration(r));
  if (r.unclassified.length) out.push('', `unclassified models (left out of pairs): ${r.unclassified.join(', ')}`);
  return out.join('\n');
}

/** Studies a pair left out because fewer than two participants were scored by both runs: named, never silently dropped. */
function renderTooFew(pairs: CompareResult['pairs']): string[] {
  const left = pairs.filter((p) => p.studiesTooFew.length);
  if (!left.length) return [];
  return [
    '(left out of d: studies where fewer than two participants were scored by both runs, e.g. one test participant)',
    ...left.map((p) => `  ${p.post} vs ${p.base}: ${p.studiesTooFew.join(', ')}`),
  ];
}

/** Behavioural fine-tunes (Centaur) against their base, on held-out studies: mean d ± SEM as the paper reports, beside the interval. */
function renderBehavioural(r: CompareResult): string[] {
  const ps = r.pairs.filter((p) => p.type === 'behavioural');
  if (!ps.length) return [];
  const out = [
    '',
    "Behavioural fine-tunes on held-out studies: mean over studies of Cohen's d (fine-tune − base) ± SEM over studies, 95% bootstrap",
    'interval; < 0 = the fine-tune predicts humans better (the reference prints base − fine-tune, the opposite sign)',
  ];
  out.push(
    formatTable(
      ['fine-tune', 'base', 'held-out studies', 'excluded', 'mean d ± SEM', 'd [95% CI]', 'NLL base', 'NLL fine-tune'],
      ps.map((p) => [
        p.post,
        p.base,
        p.studies,
        p.heldOut ? p.excludedStudies : 'no list',
        `${num(p.d.estimate)} ± ${num(p.sem)}`,
        ci(p.d),
        num(p.meanNllBase),
        num(p.meanNllPost),
      ]),
    ),
  );
  if (ps.some((p) => !p.heldOut))
    out.push("(no --exclude-studies: compared on every study, the fine-tune's training studies included; see docs/psych101-studies.txt)");
  return out;
}

/** Calibration of the choice distributions (discrete responses of record version 3 runs), per model and per pair. */
function renderCalibration(r: CompareResult): string[] {
  const { models, pairs } = r.calibration;
  if (!models.length) return [];
  const out = [
    '',
    "Calibration over choice sets (discrete responses; means over studies): predictive entropy vs the participants' own response",
    'entropy (nats), choice NLL (= entropy when calibrated; higher = overconfident), Brier score, expected calibration error (10 bins)',
  ];
  out.push(
    formatTable(
      ['model', 'studies', 'responses', 'accuracy', 'entropy', 'human entropy', 'choice NLL', 'Brier', 'ECE'],
      models.map((m) => [
        m.model,
        m.studies,
        m.responses,
        pct(m.accuracy),
        num(m.entropy),
        num(m.humanEntropy),
        num(m.choiceNll),
        num(m.brier),
        num(m.ece),
      ]),
    ),
  );
  if (pairs.length) {
    const d = (a: number | null, b: number | null): string =>
      a === null || b === null ? '-' : `${num(b)} (${b - a >= 0 ? '+' : ''}${num(b - a)})`;
    out.push('', 'Calibration per pair, on the studies both have: post-trained value (post − base)');
    out.push(
      formatTable(
        ['post-trained', 'base', 'type', 'studies', 'accuracy', 'entropy', 'choice NLL', 'Brier', 'ECE'],
        pairs.map((p) => [
          p.post,
          p.base,
          p.type,
          p.postSide.studies,
          pct(p.postSide.accuracy),
          d(p.baseSide.entropy, p.postSide.entropy),
          d(p.baseSide.choiceNll, p.postSide.choiceNll),
          d(p.baseSide.brier, p.postSide.brier),
          d(p.baseSide.ece, p.postSide.ece),
        ]),
      ),
    );
  }
  return out;
}

/** Which runs were compared, and which other comparison sets the store holds (never mixed in). */
function describeSet(r: CompareResult): string {
  const s = r.set;
  const sizes = s.contextSizes.map((c) => c ?? 'model default').join(', ');
  const lines = [
    `Comparison set ${s.id}: selection ${s.selection}, policy ${s.policy}, ${plural(s.studies, 'study', 'studies')}, ${plural(r.runs.length, 'run')} (context sizes: ${sizes})`,
  ];
  if (s.superseded.length) lines.push(`  superseded by newer runs of the same model and format: ${s.superseded.join(', ')}`);
  for (const o of r.otherSets)
    lines.push(
      `  also in the store, not compared with it: set ${o.id} (selection ${o.selection}, policy ${o.policy}, ${plural(o.studies, 'study', 'studies')}, ${plural(o.models, 'model')}): --set ${o.id}`,
    );
  return lines.join('\n');
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
