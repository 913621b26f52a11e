/**
 * The public library API of humanlike. Everything the CLI does is available here; the CLI only parses flags and
 * prints. Named exports only.
 */

export { bootstrapMeanD } from './analysis/bootstrap.js';
export { cohensD, sampleVariance } from './analysis/cohensD.js';
// analysis and report
export { type CompareOptions, type CompareResult, compareModels } from './analysis/compareModels.js';
export {
  type ExportAdditions,
  exportComparisonSet,
  exportPairedResponses,
  exportReferenceLayout,
  exportResponseRows,
  pairRuns,
  referenceModelName,
} from './analysis/exportResponses.js';
export { loadModelTable } from './analysis/loadModelTable.js';
export {
  formatModelTable,
  inferModelFacts,
  MODEL_TYPES,
  type ModelFacts,
  type ModelType,
  modelMatchKey,
  readModelTable,
  readModelTableFile,
  resolveModelFacts,
} from './analysis/modelTable.js';
export { type PaperModel, paperModels, referenceFileName } from './analysis/paperModels.js';
// backends
export type {
  Backend,
  BackendCapabilities,
  LocalTokenizer,
  ModelIdentity,
  ScoreRequest,
  Tokenizer,
  TokenScore,
} from './backends/Backend.js';
export { isLocalTokenizer } from './backends/Backend.js';
export { LlamaCppBackend, type LlamaCppOptions } from './backends/LlamaCppBackend.js';
export { createLlamaTokenizer } from './backends/LlamaTokenizer.js';
export { REMOTE_PROTOCOLS, type RemoteProtocolName, remoteProtocol } from './backends/remote/protocols/protocolRegistry.js';
export type { RemoteProtocol } from './backends/remote/protocols/RemoteProtocol.js';
export { RemoteBackend, type RemoteOptions } from './backends/remote/RemoteBackend.js';
// scoring
export { tokenizeWithOffsets } from './backends/tokenizeWithOffsets.js';
export { createSampleRecords, writeSampleDataset } from './data/createSampleStudy.js';
export { computeStats, type DatasetStats, type StatsOptions, type StudyStats } from './data/datasetStats.js';
export { CANONICAL_FIELDS, METADATA_ALIASES, normalizeMetadata, QUESTIONNAIRES } from './data/normalizeMetadata.js';
export { type ParsedRecord, type ParseOptions, parseRecord } from './data/parseRecord.js';
export { parseTranscript } from './data/parseTranscript.js';
export { participantKey, studyParticipantKey } from './data/participantKey.js';
export { type DomainsTable, readDomainsTable } from './data/readDomainsTable.js';
export { type ResolvedSource, readRawRecords, resolveSource, type SourceOptions } from './data/readSource.js';
export { computeTestSets, loadTestSets, type ReadOptions, readTranscripts, type Selection } from './data/readTranscripts.js';
export { type ResponseKind, responseKind } from './data/responseKind.js';
export { readSplitManifest, SPLIT_MANIFEST, type SplitManifest } from './data/splitManifest.js';
export { chooseTestSet, splitRank, testSetSize } from './data/splitRule.js';
// data: sources, transcripts, validation, split, stats
export type {
  Metadata,
  Problem,
  ProblemCode,
  RawRecord,
  ResponseSpan,
  Severity,
  SourceLocation,
  SplitSide,
  Transcript,
} from './data/types.js';
export { formatProblem, type ValidationSummary, validateSource } from './data/validateSource.js';
export { type SplitResult, writeSplit } from './data/writeSplit.js';
export {
  BackendError,
  CapabilityError,
  DatabaseCorruptError,
  DatabaseLockedError,
  DataError,
  HumanlikeError,
  NotADatabaseError,
  StorageFullError,
  TextAlignmentError,
  UnsafeArchiveError,
  UsageError,
} from './errors.js';
export { createScorer } from './eval/createScorer.js';
export { type EvalConfig, evalConfigSchema, type ModelSpec, modelSpecSchema } from './eval/evalConfig.js';
export { type EvaluateResult, evaluate } from './eval/evaluate.js';
export { type EvalProgress, type EvalSummary, runEval } from './eval/runEval.js';
export { type DownloadProgress, downloadHubFile } from './hub/downloadHubFile.js';
export { type FetchedDataset, type FetchOptions, fetchHubDataset } from './hub/fetchHubDataset.js';
// Hugging Face hub downloads (hf: models, dataset releases)
export { type HubSettings, readHubSettings } from './hub/hubSettings.js';
export { PSYCH201_REPO, psych201Repo } from './hub/psych201Release.js';
export { parseHubModelRef, resolveHubModel } from './hub/resolveHubModel.js';
export { PERSONA_QUESTIONS, personaPrefix } from './prompts/persona.js';
export { applyReferencePreset, REFERENCE_MAX_CHARS } from './prompts/referencePreset.js';
// prompts
export { type RenderOptions, renderPrompt } from './prompts/renderPrompt.js';
export type { ContextPolicy, PromptFormat, RenderedPrompt } from './prompts/types.js';
export { buildCharts } from './report/charts.js';
export { renderSvg, svgToPng } from './report/renderChart.js';
export { type ReportOptions, writeReport } from './report/writeReport.js';
export { type AlignedSpan, alignSpans } from './scoring/alignSpans.js';
export { type BaselineKind, BaselineScorer } from './scoring/BaselineScorer.js';
export { CHOICE_RULES, type ChoiceRule, type ChoiceSet, findChoiceSets, namedKeys } from './scoring/choiceSets.js';
export { planWindows, type WindowPlan } from './scoring/planWindows.js';
export type { ParticipantScore, ResponseScorer, ResultSink, ScoredResponse } from './scoring/ResponseScorer.js';
export { TokenScorer } from './scoring/TokenScorer.js';
// server
export { createScoringServer, type ServeOptions } from './server/createScoringServer.js';
// store
export { DEFAULT_DB, ResultsStore, type RunRecord } from './store/ResultsStore.js';
export { computeRunStats, type RunStats } from './store/runStats.js';
export { RECORD_VERSION } from './store/schema.js';
export { VERSION } from './version.js';
