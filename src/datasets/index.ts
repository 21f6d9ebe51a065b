/** src/datasets: offline-RL datasets in Minari's layout (HDF5 via h5wasm, or JSONL) and their checks. */
export { exportDataset, playRecorded, serializeSpace, DatasetExportOptionsSchema, MINARI_VERSION, type DatasetExportOptions, type Episode, type ExportedDataset } from './minari-export.js';
export { datasetInfo, type DatasetInfo } from './dataset-info.js';
