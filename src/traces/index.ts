/** src/traces: task traces (schema, recorder, files) and the pattern analysis over them. */
export { TraceRecorder, writeTraces, readTraces, DEFAULT_TRACE_MAX_BYTES } from './trace-recorder.js';
export { TaskTraceSchema, TRACE_FORMAT, TRACE_VERSION, type TaskTrace } from './trace-schema.js';
export { analyzeTraces, bandOf, TraceAnalysisOptionsSchema, type TraceAnalysis, type TraceAnalysisOptions, type BestWorker, type FailurePattern, type Opportunity, type Rate } from './analyze-traces.js';
export { renderTraceMarkdown, writeTraceReport } from './trace-report.js';
export { PatternRouter, PatternRouterConfigSchema, type PatternRouterConfig } from './pattern-router.js';
