/**
 * A tfjs IOHandler that saves to and loads from a folder in the standard tfjs layout: `model.json`
 * (topology + weightsManifest) and `weights.bin` (all weights, concatenated). Works with
 * `model.save(folderHandler(dir))` and `tf.loadLayersModel(folderHandler(dir))`, and with bare weight sets
 * (no topology) through saveWeights/loadWeights. Files are written atomically (temp + rename).
 */
import * as tf from '@tensorflow/tfjs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DataError } from '../core/errors.js';

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

async function writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, data);
  await fs.rename(tmp, file);
}

function concatWeightData(data: tf.io.WeightData): ArrayBuffer {
  if (data instanceof ArrayBuffer) return data;
  return tf.io.concatenateArrayBuffers(data);
}

export function folderHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      await fs.mkdir(dir, { recursive: true });
      const weights = artifacts.weightData ? new Uint8Array(concatWeightData(artifacts.weightData)) : new Uint8Array(0);
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as tf.io.ModelJSON['modelTopology'],
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig) modelJson.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      await writeAtomic(path.join(dir, WEIGHTS_BIN), weights);
      await writeAtomic(path.join(dir, MODEL_JSON), JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },

    async load(): Promise<tf.io.ModelArtifacts> {
      const jsonPath = path.join(dir, MODEL_JSON);
      let modelJson: tf.io.ModelJSON;
      try {
        modelJson = JSON.parse(await fs.readFile(jsonPath, 'utf8')) as tf.io.ModelJSON;
      } catch (error) {
        throw new DataError(`Expected a readable tfjs model.json at ${jsonPath}, but reading it failed: ${(error as Error).message}`);
      }
      const weightSpecs: tf.io.WeightsManifestEntry[] = [];
      const buffers: Uint8Array[] = [];
      for (const group of modelJson.weightsManifest ?? []) {
        weightSpecs.push(...group.weights);
        for (const p of group.paths) {
          // A manifest names files inside its own folder only (a path like ../../etc/hostname is refused).
          const file = path.resolve(dir, p);
          if (!file.startsWith(path.resolve(dir) + path.sep)) {
            throw new DataError(`Expected the weights files named in ${jsonPath} to lie inside ${dir}, but ${JSON.stringify(p)} points outside it.`);
          }
          try {
            buffers.push(new Uint8Array(await fs.readFile(file)));
          } catch (error) {
            throw new DataError(`Expected weights file ${file} named in ${jsonPath}, but reading it failed: ${(error as Error).message}`);
          }
        }
      }
      const total = buffers.reduce((n, b) => n + b.byteLength, 0);
      const expected = weightSpecs.reduce((n, spec) => n + spec.shape.reduce((a, b) => a * b, 1) * (spec.dtype === 'float32' || spec.dtype === 'int32' || spec.dtype === undefined ? 4 : 1), 0);
      if (total !== expected) {
        throw new DataError(`Expected ${expected} bytes of weights in the files named by ${jsonPath} (its weightsManifest), but they hold ${total}: a truncated or corrupt weights.bin.`);
      }
      const weightData = new Uint8Array(total);
      let at = 0;
      for (const b of buffers) {
        weightData.set(b, at);
        at += b.byteLength;
      }
      const artifacts: tf.io.ModelArtifacts = {
        modelTopology: modelJson.modelTopology,
        weightSpecs,
        weightData: weightData.buffer,
        format: modelJson.format,
        generatedBy: modelJson.generatedBy,
        convertedBy: modelJson.convertedBy,
      };
      if (modelJson.trainingConfig) artifacts.trainingConfig = modelJson.trainingConfig;
      if (modelJson.userDefinedMetadata) artifacts.userDefinedMetadata = modelJson.userDefinedMetadata;
      return artifacts;
    },
  };
}

/** Saves named float32 arrays (no topology) in the same layout, e.g. optimizer moments. */
export async function saveWeights(dir: string, named: Array<{ name: string; shape: number[]; values: Float32Array }>): Promise<void> {
  const tensors = named.map(({ name, shape, values }) => ({ name, tensor: tf.tensor(values, shape, 'float32') }));
  try {
    const { data, specs } = await tf.io.encodeWeights(tensors);
    await folderHandler(dir).save!({ modelTopology: {}, weightSpecs: specs, weightData: data, format: 'loopgym-weights' });
  } finally {
    tf.dispose(tensors.map((t) => t.tensor));
  }
}

/** Loads named float32 arrays written by saveWeights or by a LayersModel save, in file order. */
export async function loadWeights(dir: string): Promise<Array<{ name: string; shape: number[]; values: Float32Array }>> {
  const artifacts = await folderHandler(dir).load!();
  const tensors = tf.io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs!);
  const out = artifacts.weightSpecs!.map((spec) => {
    const t = tensors[spec.name];
    const values = Float32Array.from(t.dataSync() as Float32Array);
    return { name: spec.name, shape: [...t.shape], values };
  });
  tf.dispose(Object.values(tensors));
  return out;
}
