import type { CompareResult } from '../analysis/compareModels.js';
import { type ChartRow, type ChartSpec, categoricalScale, chartBase } from './chartStyle.js';

/**
 * Calibration (issue: is post-training "just more deterministic"?): a reliability diagram per model (accuracy
 * against confidence over the 10 confidence bins, the diagonal = calibrated) beside each model's predictive entropy
 * and the participants' own response entropy on the same responses.
 */
export function calibrationChart(c: CompareResult): ChartSpec | null {
  const models = c.calibration.models.filter((m) => m.responses > 0 && m.ece !== null);
  if (!models.length) return null;
  const bins: ChartRow[] = models.flatMap((m) =>
    m.reliability
      .filter((b) => b.confidence !== null && b.accuracy !== null)
      .map((b) => ({ model: m.model, panel: 'Reliability', confidence: b.confidence, accuracy: b.accuracy, weight: b.weight, ece: m.ece })),
  );
  const entropy: ChartRow[] = models.flatMap((m) => [
    { model: m.model, panel: 'Entropy', who: 'model', entropy: m.entropy },
    { model: m.model, panel: 'Entropy', who: 'participants', entropy: m.humanEntropy },
  ]);
  const colour = { field: 'model', type: 'nominal', title: 'Model', scale: categoricalScale(models.length) };
  const unit = { type: 'quantitative', scale: { domain: [0, 1] } };
  return {
    id: 'calibration',
    title: 'Calibration on discrete responses',
    rows: [...bins, ...entropy],
    caption:
      "Left: reliability diagram: per confidence bin (the model's largest probability over the choice set), the share of responses where that option was the human's choice; on the diagonal a model is calibrated; point size = the bin's weight (each study weighs the same). Right: the model's mean predictive entropy over the choice set against the participants' own response entropy (nats). A post-trained model that is only sharper keeps its accuracy, lowers its entropy and moves off the diagonal (higher ECE).",
    spec: {
      ...chartBase(),
      title: 'Calibration',
      hconcat: [
        {
          width: 260,
          height: 260,
          title: 'Reliability (accuracy vs. confidence)',
          layer: [
            {
              data: {
                values: [
                  { x: 0, y: 0 },
                  { x: 1, y: 1 },
                ],
              },
              mark: { type: 'line', color: '#999', strokeDash: [3, 3] },
              encoding: { x: { field: 'x', ...unit, title: 'Confidence' }, y: { field: 'y', ...unit, title: 'Accuracy' } },
            },
            {
              data: { values: bins },
              mark: { type: 'line', point: false, strokeWidth: 1.5 },
              encoding: { x: { field: 'confidence', ...unit }, y: { field: 'accuracy', ...unit }, color: colour },
            },
            {
              data: { values: bins },
              mark: { type: 'point', filled: true },
              encoding: {
                x: { field: 'confidence', ...unit },
                y: { field: 'accuracy', ...unit },
                color: colour,
                size: { field: 'weight', type: 'quantitative', title: 'Weight', legend: null },
                tooltip: [
                  { field: 'model' },
                  { field: 'confidence', format: '.2f' },
                  { field: 'accuracy', format: '.2f' },
                  { field: 'ece', title: 'ECE', format: '.3f' },
                ],
              },
            },
          ],
        },
        {
          width: 220,
          height: 260,
          title: 'Predictive vs. human entropy (nats)',
          data: { values: entropy },
          mark: 'bar',
          encoding: {
            x: { field: 'model', type: 'nominal', title: null, axis: { labelAngle: -40, labelLimit: 200 } },
            xOffset: { field: 'who', type: 'nominal' },
            y: { field: 'entropy', type: 'quantitative', title: 'Entropy (nats)' },
            color: { field: 'who', type: 'nominal', title: 'Entropy of', scale: { range: ['#4c78a8', '#bbbbbb'] } },
          },
        },
      ],
      resolve: { scale: { color: 'independent' } },
    },
  };
}
