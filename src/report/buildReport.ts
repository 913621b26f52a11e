import type { Interval } from '../analysis/bootstrap.js';
import type { CompareResult } from '../analysis/compareModels.js';
import type { RunRecord } from '../store/ResultsStore.js';
import { VERSION } from '../version.js';
import type { ChartSpec } from './charts.js';
import { escapeHtml as e } from './escapeHtml.js';

export interface ResponseExample {
  study: string;
  participant: string;
  model: string;
  nll: number;
  before: string;
  response: string;
}

export interface ReportInput {
  compare: CompareResult;
  charts: (ChartSpec & { svg: string })[];
  runs: RunRecord[];
  examples: ResponseExample[];
  generatedAt: string;
}

// With --bootstrap 0 the bounds are NaN: show the estimate alone.
const ci = (i: Interval | null | undefined): string =>
  !i
    ? '–'
    : Number.isFinite(i.low) && Number.isFinite(i.high)
      ? `${i.estimate.toFixed(3)} <span class="ci">[${i.low.toFixed(3)}, ${i.high.toFixed(3)}]</span>`
      : i.estimate.toFixed(3);
const num = (x: number | null | undefined, d = 3): string => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));
const pct = (x: number | null): string => (x === null ? '–' : `${(100 * x).toFixed(1)}%`);

function table(header: string[], rows: string[][]): string {
  return `<table><thead><tr>${header.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

const CSS = `body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;margin:2rem auto;max-width:1100px;color:#222;line-height:1.45;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.3rem}
table{border-collapse:collapse;margin:.8rem 0;font-size:.88rem}th,td{border-bottom:1px solid #e4e4e4;padding:.3rem .6rem;text-align:left;vertical-align:top}
th{background:#f5f5f5}.ci{color:#666;font-size:.85em}figure{margin:1.2rem 0}figcaption{color:#555;font-size:.9rem;max-width:760px}
.chart svg{max-width:100%;height:auto}.response{background:#fff3c4;font-weight:bold}.context{color:#555;white-space:pre-wrap;font-family:"DejaVu Sans Mono",monospace;font-size:.82rem}
details{margin:.4rem 0}.wide{overflow-x:auto;max-width:100%}code{font-size:.85em}.note{color:#555}`;

/** Behavioural fine-tunes (Centaur) against their base on held-out studies: mean d ± SEM, as `compare` prints them. */
function behaviouralTable(c: CompareResult): string[] {
  const behavioural = c.pairs.filter((p) => p.type === 'behavioural');
  if (!behavioural.length) return [];
  return [
    '<h2>Behavioural fine-tunes</h2><p class="note">A model fine-tuned on human behaviour (Centaur) against its base, on the studies it was not trained on (<code>--exclude-studies</code>): mean over studies of Cohen\'s d (fine-tune − base) ± its SEM over studies, as the paper reports it, and the bootstrap interval. Negative: the fine-tune predicts the participants better (the reference prints the opposite sign).</p>',
    table(
      ['fine-tune', 'base', 'held-out studies', 'studies left out', 'mean d ± SEM', "Cohen's d [95% CI]", 'NLL base', 'NLL fine-tune'],
      behavioural.map((p) => [
        e(p.post),
        e(p.base),
        String(p.studies),
        p.heldOut ? String(p.excludedStudies) : 'none (no --exclude-studies: its training studies are included)',
        `${num(p.d.estimate)} ± ${num(p.sem)}`,
        ci(p.d),
        num(p.meanNllBase),
        num(p.meanNllPost),
      ]),
    ),
  ];
}

/** Misalignment by post-training type and by generation, the numbers `compare` prints (CompareResult's byType, byGeneration). */
function groupTables(c: CompareResult): string[] {
  const parts: string[] = [];
  if (c.byType.length)
    parts.push(
      '<h2>Misalignment by post-training type</h2><p class="note">Per type, the mean over its pairs of the pair\'s d (mean over studies), its interval from the pairs\' bootstrap replicates averaged.</p>',
      table(
        ['type', 'pairs', "mean Cohen's d [95% CI]"],
        c.byType.map((t) => [e(t.type), String(t.pairs), ci(t.d)]),
      ),
    );
  // A generation with no pair at all holds only its base score, already in the model table.
  if (c.byGeneration.some((g) => g.pairs || g.leftOut.length))
    parts.push(
      '<h2>Misalignment by generation</h2><p class="note">Per generation, its base models\' mean alignment score (NLL) and the mean d of the pairs of its general-purpose post-training only (instruct, else reasoning), as the paper\'s Fig. 3a. Its other pairs are counted per type, in the pair and by-type tables but not in this mean.</p>',
      table(
        ['family', 'generation', 'base NLL', 'post-training', 'pairs', "mean Cohen's d [95% CI]", 'other pairs (not in the mean)'],
        c.byGeneration.map((g) => [
          e(g.family),
          e(g.generation),
          num(g.baseScore),
          e(g.postType ?? '–'),
          String(g.pairs),
          ci(g.d),
          e(g.leftOut.map((o) => `${o.type} ${o.pairs}`).join(', ') || '–'),
        ]),
      ),
    );
  return parts;
}

/**
 * The post-training pairs, and apart from them the behavioural fine-tunes (Centaur), as `compare` prints them: a
 * fine-tune is not post-training, and its d is over the studies it was not trained on (`--exclude-studies`).
 */
function pairTables(c: CompareResult): string[] {
  const parts: string[] = [];
  const postTrained = c.pairs.filter((p) => p.type !== 'behavioural');
  if (postTrained.length) {
    parts.push(
      '<h2>Post-training misalignment</h2><p class="note">Per study, Cohen\'s d = (mean<sub>post</sub> − mean<sub>base</sub>) / √((sd<sub>post</sub>² + sd<sub>base</sub>²)/2) over response NLLs, then the mean over studies. Positive: the post-trained model is less human-like.</p>',
    );
    parts.push(
      table(
        ['post-trained', 'base', 'type', 'studies', "Cohen's d [95% CI]", 'base wins', 'paired Δ NLL (responses)'],
        postTrained.map((p) => [
          e(p.post),
          e(p.base),
          e(p.type),
          String(p.studies),
          ci(p.d),
          pct(p.baseWins),
          `${num(p.pairedDifference)} (${p.pairedResponses})`,
        ]),
      ),
    );
  }
  parts.push(...groupTables(c));
  parts.push(...behaviouralTable(c));
  const tooFew = c.pairs.filter((p) => p.studiesTooFew.length);
  if (tooFew.length)
    parts.push(
      `<p class="note">Left out of d (fewer than two participants scored by both runs): ${tooFew.map((p) => `${e(p.post)}: ${e(p.studiesTooFew.join(', '))}`).join('; ')}</p>`,
    );
  return parts;
}

/** Per-study d of every pair, and the persona comparison with its per-study benefit: the charts' numbers as tables. */
function studyTables(c: CompareResult): string[] {
  const parts: string[] = [];
  const wide = (header: string[], rows: string[][]): string => `<div class="wide">${table(header, rows)}</div>`;
  if (c.pairs.length) {
    const studies = [...new Set(c.pairs.flatMap((p) => p.perStudy.map((s) => s.study)))].sort();
    const d = c.pairs.map((p) => new Map(p.perStudy.map((s) => [s.study, s.d])));
    parts.push(
      '<h2>Misalignment per study</h2><p class="note">Cohen\'s d (post − base) per study and pair (columns: post-trained model; its base is in the table above); the last row is the mean over studies.</p>',
    );
    parts.push(
      wide(
        ['study', 'domain', ...c.pairs.map((p) => p.post)],
        [
          ...studies.map((s) => [
            e(s),
            e(c.pairs.flatMap((p) => p.perStudy).find((x) => x.study === s)?.domain ?? '–'),
            ...d.map((m) => num(m.get(s), 3)),
          ]),
          ['<b>mean</b>', '', ...c.pairs.map((p) => `<b>${num(p.d.estimate)}</b>`)],
        ],
      ),
    );
  }
  if (c.persona.length) {
    parts.push(
      "<h2>Persona benefit</h2><p class=\"note\">The same participants and responses scored with and without their metadata stated first. Benefit = Cohen's d (raw − persona): positive when the metadata helped (the sign of the paper's Fig. 5). The d columns are (first − second format), as <code>compare</code> prints them: negative when the first format predicts better; the shuffled persona (another participant's metadata) is the control.</p>",
    );
    parts.push(
      table(
        [
          'model',
          'studies',
          'participants',
          'benefit',
          'd persona − raw [95% CI]',
          'd shuffled − raw [95% CI]',
          'd persona − shuffled [95% CI]',
        ],
        c.persona.map((p) => [
          e(p.model),
          String(p.studies),
          String(p.participants),
          num(-p.personaVsRaw.estimate),
          ci(p.personaVsRaw),
          ci(p.shuffledVsRaw),
          ci(p.personaVsShuffled),
        ]),
      ),
    );
    const studies = [...new Set(c.persona.flatMap((p) => p.perStudy.map((s) => s.study)))].sort();
    const b = c.persona.map((p) => new Map(p.perStudy.map((s) => [s.study, -s.d])));
    parts.push('<p class="note">Benefit per study (raw − persona; positive = the metadata helped):</p>');
    parts.push(
      wide(
        ['study', ...c.persona.map((p) => p.model)],
        studies.map((s) => [e(s), ...b.map((m) => num(m.get(s)))]),
      ),
    );
  }
  return parts;
}

/**
 * The report: one self-contained HTML file. Charts are inline SVG rendered in Node, there is no script and no
 * external request, and every piece of text that comes from data is escaped.
 */
export function buildReport(r: ReportInput): string {
  const c = r.compare;
  const parts: string[] = [];
  parts.push(
    `<h1>humanlike report</h1><p class="note">Generated ${e(r.generatedAt)} by humanlike ${e(VERSION)} from ${r.runs.length} stored runs of one comparison set. NLL is in nats (natural log); lower is more human-like. Intervals are 95% percentile bootstrap intervals over studies and participants.</p>`,
  );
  const set = c.set;
  parts.push(
    `<p class="note">Comparison set <code>${e(set.id)}</code>: selection ${e(set.selection)}, policy ${e(set.policy)}, ${set.studies} studies, ${c.runs.length} runs (listed at the end); context sizes ${e(set.contextSizes.map((x) => x ?? 'model default').join(', '))}.${
      c.otherSets.length
        ? ` The store also holds ${c.otherSets.length} other set(s), not compared with this one: ${e(c.otherSets.map((o) => `${o.id} (${o.selection}, ${o.policy}, ${o.studies} studies)`).join('; '))}.`
        : ''
    }</p>`,
  );
  parts.push('<h2>Models</h2>');
  parts.push(
    table(
      [
        'model',
        'family',
        'generation',
        'size (B)',
        'type',
        'studies',
        'alignment score',
        'responses skipped',
        'accuracy',
        'accuracy (options)',
      ],
      c.models.map((m) => [
        e(m.model),
        e(m.facts?.family ?? '–'),
        e(m.facts?.generation ?? '–'),
        e(m.facts?.sizeB ?? '–'),
        e(m.facts?.type ?? '–'),
        String(m.studies),
        num(m.score),
        pct(m.skippedShare),
        pct(m.accuracy),
        pct(m.accuracyRestricted),
      ]),
    ),
  );
  if (c.notCompared.length)
    parts.push(
      `<p class="note">Not compared (no complete run): ${e(c.notCompared.map((x) => `${x.model} (${x.format}, run ${x.runId} ${x.status})`).join('; '))}</p>`,
    );
  if (c.unclassified.length)
    parts.push(
      `<p class="note">Not classified (left out of pairs, types and generations; add them to a model table): ${e(c.unclassified.join(', '))}</p>`,
    );
  parts.push(...pairTables(c));
  parts.push(...studyTables(c));
  for (const chart of r.charts) {
    parts.push(
      `<h2>${e(chart.title)}</h2><figure class="chart" id="${e(chart.id)}">${chart.svg}<figcaption>${e(chart.caption)}</figcaption></figure>`,
    );
  }
  if (r.examples.length) {
    parts.push(
      '<h2>Hardest responses</h2><p class="note">The responses each study\'s first model found least likely, with the text before them.</p>',
    );
    parts.push(
      table(
        ['study', 'participant', 'model', 'NLL', 'context and response'],
        r.examples.map((x) => [
          e(x.study),
          e(x.participant),
          e(x.model),
          num(x.nll),
          `<div class="context">…${e(x.before)}&lt;&lt;<span class="response">${e(x.response)}</span>&gt;&gt;</div>`,
        ]),
      ),
    );
  }
  parts.push('<h2>Run records</h2>');
  parts.push(
    r.runs
      .map(
        (run) =>
          `<details><summary><code>${e(run.runId)}</code> — ${e(run.model)}, ${e(run.promptFormat)}, ${e(run.contextPolicy)}, ${e(run.status)}</summary>${table(
            ['field', 'value'],
            [
              ['tool version / record version', `${e(run.toolVersion)} / ${e(run.recordVersion)}`],
              ['source / selection', `${e(run.source)} / ${e(run.selection)}`],
              ['dataset sha256', `<code>${e(run.datasetHash)}</code>`],
              ['model sha256', `<code>${e(run.modelSha256 ?? '–')}</code>`],
              ['tokenizer', e(run.tokenizer)],
              ['created / finished', `${e(run.createdAt)} / ${e(run.finishedAt ?? '–')}`],
              ['statistics', `<code>${e(JSON.stringify(run.stats ?? {}))}</code>`],
              ['options', `<code>${e(JSON.stringify(run.options))}</code>`],
            ],
          )}</details>`,
      )
      .join(''),
  );
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"><title>humanlike report</title><style>${CSS}</style></head><body>${parts.join('\n')}</body></html>\n`;
}
