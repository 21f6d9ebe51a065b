/** src/datasets: offline-RL datasets in Minari's layout (HDF5 via h5wasm, or JSONL) and their checks. */
export { recordDataset, resolveDatasetOptions, datasetTarget, playRecorded, serializeSpace, DatasetExportOptionsSchema, MINARI_VERSION, type DatasetExportOptions, type DatasetSource, type Episode, type ExportedDataset } from './minari-export.js';
export { datasetInfo, type DatasetInfo } from './dataset-info.js';
export { readDataset, episodesToDataset } from './dataset-reader.js';
