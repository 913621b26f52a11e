import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRandom } from '../util/createRandom.js';

/** Options of the built-in sample study. */
export interface SampleStudyOptions {
  /** Number of simulated participants. Default 60. */
  participants?: number;
  /** Trials per participant. Default 40. */
  trials?: number;
  /** PRNG seed. Default 201. */
  seed?: number;
}

export const SAMPLE_STUDY = 'sample_bandit';

/**
 * A two-armed bandit study whose participants are simulated Q-learners with varied learning rates, inverse
 * temperatures and ages, written in the Psych-201 format. It is made by this code, so the demo needs no data.
 * Older simulated participants learn more slowly: a real effect for the analyses to find.
 */
export function createSampleRecords(options: SampleStudyOptions = {}): Record<string, unknown>[] {
  const n = options.participants ?? 60;
  const trials = options.trials ?? 40;
  const rand = createRandom(options.seed ?? 201);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const records: Record<string, unknown>[] = [];
  for (let p = 0; p < n; p++) {
    const age = 18 + Math.floor(rand() * 55);
    const alpha = Math.min(0.95, Math.max(0.02, 0.6 - 0.006 * (age - 18) + 0.1 * gauss()));
    const beta = 1 + rand() * 7;
    const means = rand() < 0.5 ? [3, 6] : [6, 3];
    const q = [5, 5];
    const rts: number[] = [];
    let text =
      'In this task, you choose between two slot machines, F and J, for ' +
      trials +
      ' rounds.\n' +
      'Each machine pays a random number of points; one pays more on average. Try to win as many points as you can.\n';
    for (let t = 0; t < trials; t++) {
      const q0 = q[0] ?? 0;
      const q1 = q[1] ?? 0;
      const pJ = 1 / (1 + Math.exp(-beta * (q1 - q0)));
      const choice = rand() < pJ ? 1 : 0;
      const reward = Math.max(0, Math.round((means[choice] ?? 0) + 2 * gauss()));
      q[choice] = (q[choice] ?? 0) + alpha * (reward - (q[choice] ?? 0));
      rts.push(Math.round(450 + 400 * rand() + 300 / (1 + t)));
      text += `You press <<${choice === 1 ? 'J' : 'F'}>> and get ${reward} points.\n`;
    }
    records.push({
      text,
      experiment: `${SAMPLE_STUDY}/simulated`,
      participant: p + 1,
      age,
      gender: rand() < 0.5 ? 'female' : 'male',
      RTs: rts,
      learning_rate: Number(alpha.toFixed(3)),
    });
  }
  return records;
}

/** Write the sample study as a Psych-201 dataset folder (`<dir>/data/sample_bandit/prompts.jsonl`) and a domains table (`<dir>/domains.csv`). */
export async function writeSampleDataset(
  dir: string,
  options: SampleStudyOptions = {},
): Promise<{ datasetDir: string; domainsFile: string }> {
  const datasetDir = join(dir, 'data');
  const studyDir = join(datasetDir, SAMPLE_STUDY);
  await mkdir(studyDir, { recursive: true });
  const lines = createSampleRecords(options).map((r) => JSON.stringify(r));
  await writeFile(join(studyDir, 'prompts.jsonl'), lines.join('\n') + '\n');
  const domainsFile = join(dir, 'domains.csv');
  await writeFile(domainsFile, `study,domain\n${SAMPLE_STUDY},Reinforcement Learning\n`);
  return { datasetDir, domainsFile };
}
