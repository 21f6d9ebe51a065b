/** Policy export: bundles (manifest + tfjs model + ONNX), the PolicyRunner and the HTTP service. */
export {
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_VERSION,
  MANIFEST_FILE,
  ONNX_FILE,
  TFJS_MODEL_FILE,
  TFJS_WEIGHTS_FILE,
  ManifestSchema,
  readBundle,
  verifyFiles,
  checkEnvCompatibility,
  writeBundle,
  sha256,
  type PolicyManifest,
  type ReadBundleOptions,
  type WriteBundleOptions,
} from './bundle.js';
export { buildOnnxModel, onnxSignature, ONNX_OPSET, ONNX_IR_VERSION, type OnnxExportOptions, type OnnxIo } from './onnx.js';
export { networkToLayersModel, headFromLayersModel, loadHead, validateNetwork, type PolicyNetwork, type PolicyHead, type DenseLayer, type DenseActivation, type HeadName, type ObservationNormalization } from './policy-net.js';
export { exportRun, exportAgent, exportAgentDir, readSavedPolicy, type AgentExportLayout, type ExportInfo, type ExportOptions, type ExportResult, type EnvDescription, type SavedPolicy } from './export-run.js';
export { loadPolicy, PolicyRunner, PolicyInputError, type Decision, type LoadPolicyOptions, type MaskInput } from './policy-runner.js';
export { startServer, runServe, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_BATCH, type ServeOptions, type RunServeOptions, type RunningServer } from './serve.js';
