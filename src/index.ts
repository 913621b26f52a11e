/**
 * The public library API of humanlike. Everything the CLI does is available here; the CLI only parses flags and
 * prints. Named exports only.
 */
export { VERSION } from './version.js';
export { HumanlikeError, DataError, UsageError, BackendError, CapabilityError, UnsafeArchiveError, TextAlignmentError, DatabaseLockedError, DatabaseCorruptError, NotADatabaseError, StorageFullError } from './errors.js';

// data: sources, transcripts, validation, split, stats
export type { Transcript, ResponseSpan, Metadata, Problem, ProblemCode, Severity, RawRecord, SourceLocation, SplitSide } from './data/types.js';
export { participantKey, studyParticipantKey } from './data/participantKey.js';
export { resolveSource, readRawRecords, type SourceOptions, type ResolvedSource } from './data/readSource.js';
export { readTranscripts, computeTestSets, loadTestSets, type ReadOptions, type Selection } from './data/readTranscripts.js';
export { parseRecord, type ParsedRecord, type ParseOptions } from './data/parseRecord.js';
export { parseTranscript } from './data/parseTranscript.js';
export { normalizeMetadata, CANONICAL_FIELDS, QUESTIONNAIRES, METADATA_ALIASES } from './data/normalizeMetadata.js';
export { validateSource, formatProblem, type ValidationSummary } from './data/validateSource.js';
export { writeSplit, type SplitResult } from './data/writeSplit.js';
export { chooseTestSet, testSetSize, splitRank } from './data/splitRule.js';
export { readSplitManifest, SPLIT_MANIFEST, type SplitManifest } from './data/splitManifest.js';
export { computeStats, type DatasetStats, type StudyStats, type StatsOptions } from './data/datasetStats.js';
export { readDomainsTable, type DomainsTable } from './data/readDomainsTable.js';
export { responseKind, type ResponseKind } from './data/responseKind.js';
export { createSampleRecords, writeSampleDataset } from './data/createSampleStudy.js';

// prompts
export { renderPrompt, type RenderOptions } from './prompts/renderPrompt.js';
export { personaPrefix, PERSONA_QUESTIONS } from './prompts/persona.js';
export { applyReferencePreset, REFERENCE_MAX_CHARS } from './prompts/referencePreset.js';
export type { PromptFormat, ContextPolicy, RenderedPrompt } from './prompts/types.js';

// backends
export type { Backend, BackendCapabilities, Tokenizer, LocalTokenizer, ScoreRequest, TokenScore, ModelIdentity } from './backends/Backend.js';
export { isLocalTokenizer } from './backends/Backend.js';
export { remoteProtocol, REMOTE_PROTOCOLS, type RemoteProtocolName } from './backends/remote/protocols/protocolRegistry.js';
export type { RemoteProtocol } from './backends/remote/protocols/RemoteProtocol.js';
export { LlamaCppBackend, type LlamaCppOptions } from './backends/LlamaCppBackend.js';
export { RemoteBackend, type RemoteOptions } from './backends/remote/RemoteBackend.js';
export { createLlamaTokenizer } from './backends/LlamaTokenizer.js';

// Hugging Face hub downloads (hf: models, dataset releases)
export { readHubSettings, type HubSettings } from './hub/hubSettings.js';
export { resolveHubModel, parseHubModelRef } from './hub/resolveHubModel.js';
export { fetchHubDataset, type FetchedDataset, type FetchOptions } from './hub/fetchHubDataset.js';
export { psych201Repo, PSYCH201_REPO } from './hub/psych201Release.js';
export { downloadHubFile, type DownloadProgress } from './hub/downloadHubFile.js';

// scoring
export { tokenizeWithOffsets } from './backends/tokenizeWithOffsets.js';
export { alignSpans, type AlignedSpan } from './scoring/alignSpans.js';
export { planWindows, type WindowPlan } from './scoring/planWindows.js';
export { TokenScorer } from './scoring/TokenScorer.js';
export { BaselineScorer, type BaselineKind } from './scoring/BaselineScorer.js';
export { findChoiceSets, namedKeys, CHOICE_RULES, type ChoiceSet, type ChoiceRule } from './scoring/choiceSets.js';
export { createScorer } from './eval/createScorer.js';
export { evalConfigSchema, modelSpecSchema, type EvalConfig, type ModelSpec } from './eval/evalConfig.js';
export { runEval, type EvalSummary, type EvalProgress } from './eval/runEval.js';
export type { ResponseScorer, ScoredResponse, ParticipantScore, ResultSink } from './scoring/ResponseScorer.js';

// store
export { ResultsStore, DEFAULT_DB, type RunRecord } from './store/ResultsStore.js';
export { evaluate, type EvaluateResult } from './eval/evaluate.js';
export { computeRunStats, type RunStats } from './store/runStats.js';
export { RECORD_VERSION } from './store/schema.js';

// analysis and report
export { compareModels, type CompareResult, type CompareOptions } from './analysis/compareModels.js';
export { cohensD, sampleVariance } from './analysis/cohensD.js';
export { bootstrapMeanD } from './analysis/bootstrap.js';
export { formatModelTable, inferModelFacts, MODEL_TYPES, modelMatchKey, readModelTable, readModelTableFile, resolveModelFacts, type ModelFacts, type ModelType } from './analysis/modelTable.js';
export { loadModelTable } from './analysis/loadModelTable.js';
export { paperModels, referenceFileName, type PaperModel } from './analysis/paperModels.js';
export { exportComparisonSet, exportPairedResponses, exportReferenceLayout, exportResponseRows, pairRuns, referenceModelName, type ExportAdditions } from './analysis/exportResponses.js';
export { writeReport, type ReportOptions } from './report/writeReport.js';
export { buildCharts } from './report/charts.js';
export { renderSvg, svgToPng } from './report/renderChart.js';

// server
export { createScoringServer, type ServeOptions } from './server/createScoringServer.js';
