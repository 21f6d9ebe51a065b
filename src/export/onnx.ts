/**
 * Writes a PolicyNetwork as an ONNX model (protobuf, built with protobufjs reflection; no ONNX tooling
 * needed at export time). The graph maps the RAW observation to the heads' outputs:
 *
 *   obs [batch, D] -> Sub(mean) -> Div(sqrt(var + eps)) -> Clip(-clip, clip)   (when the agent normalized)
 *                  -> per head: (Gemm -> activation)*  -> `logits` | `q_values` [batch, A], `value` [batch, 1]
 *
 * so an orchestrator in any language feeds what the env observes and gets what the agent computed.
 * The batch dimension is symbolic (`batch`). Opset 13, IR version 7: the oldest pair that has every op used
 * here in its current form (Clip with min/max as inputs), which keeps old runtimes able to load the file.
 *
 * Only the messages and fields this writer uses are declared; field numbers are those of onnx/onnx.proto.
 */
import protobuf from 'protobufjs';
import { ConfigError } from '../core/errors.js';
import { validateNetwork, headOutputDim, type DenseActivation, type ObservationNormalization, type PolicyNetwork } from './policy-net.js';

export const ONNX_OPSET = 13;
export const ONNX_IR_VERSION = 7;
export const ONNX_INPUT_NAME = 'obs';
export const ONNX_BATCH_DIM = 'batch';

/** TensorProto.DataType.FLOAT */
const FLOAT = 1;

const ONNX_SCHEMA = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            producerName: { type: 'string', id: 2 },
            producerVersion: { type: 'string', id: 3 },
            domain: { type: 'string', id: 4 },
            modelVersion: { type: 'int64', id: 5 },
            docString: { type: 'string', id: 6 },
            graph: { type: 'GraphProto', id: 7 },
            opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
            metadataProps: { rule: 'repeated', type: 'StringStringEntryProto', id: 14 },
          },
        },
        OperatorSetIdProto: {
          fields: {
            domain: { type: 'string', id: 1 },
            version: { type: 'int64', id: 2 },
          },
        },
        StringStringEntryProto: {
          fields: {
            key: { type: 'string', id: 1 },
            value: { type: 'string', id: 2 },
          },
        },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            docString: { type: 'string', id: 10 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
            docString: { type: 'string', id: 6 },
            domain: { type: 'string', id: 7 },
          },
        },
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            type: { type: 'int32', id: 20 },
          },
        },
        TensorProto: {
          fields: {
            // onnx.proto is proto2: repeated scalars are written unpacked there, so match it.
            dims: { rule: 'repeated', type: 'int64', id: 1, options: { packed: false } },
            dataType: { type: 'int32', id: 2 },
            name: { type: 'string', id: 8 },
            rawData: { type: 'bytes', id: 9 },
            docString: { type: 'string', id: 12 },
          },
        },
        ValueInfoProto: {
          fields: {
            name: { type: 'string', id: 1 },
            type: { type: 'TypeProto', id: 2 },
            docString: { type: 'string', id: 3 },
          },
        },
        TypeProto: {
          fields: {
            tensorType: { type: 'TypeProtoTensor', id: 1 },
          },
        },
        // TypeProto.Tensor, declared flat: nesting adds nothing to the wire format.
        TypeProtoTensor: {
          fields: {
            elemType: { type: 'int32', id: 1 },
            shape: { type: 'TensorShapeProto', id: 2 },
          },
        },
        TensorShapeProto: {
          fields: {
            dim: { rule: 'repeated', type: 'TensorShapeDimension', id: 1 },
          },
        },
        TensorShapeDimension: {
          oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
          fields: {
            dimValue: { type: 'int64', id: 1 },
            dimParam: { type: 'string', id: 2 },
          },
        },
      },
    },
  },
};

let modelType: protobuf.Type | undefined;

/** The ModelProto type (exported for tests that decode what was written). */
export function onnxModelType(): protobuf.Type {
  modelType ??= protobuf.Root.fromJSON(ONNX_SCHEMA).lookupType('onnx.ModelProto');
  return modelType;
}

export interface OnnxExportOptions {
  /** Extra key/value strings stored in ModelProto.metadata_props (e.g. env id, action names). */
  metadata?: Record<string, string>;
  producerVersion?: string;
  docString?: string;
}

export interface OnnxIo {
  name: string;
  /** `batch` is the symbolic batch dimension. */
  shape: Array<number | string>;
  dtype: 'float32';
}

/** Names and shapes of the graph's input and outputs, as written into the manifest. */
export function onnxSignature(net: PolicyNetwork): { inputs: OnnxIo[]; outputs: OnnxIo[] } {
  return {
    inputs: [{ name: ONNX_INPUT_NAME, shape: [ONNX_BATCH_DIM, net.inputDim], dtype: 'float32' }],
    outputs: net.heads.map((head) => ({ name: head.name, shape: [ONNX_BATCH_DIM, headOutputDim(head)], dtype: 'float32' })),
  };
}

/** Encodes the network (and the normalization, when given) as the bytes of an .onnx file. */
export function buildOnnxModel(net: PolicyNetwork, normalization: ObservationNormalization | null, options: OnnxExportOptions = {}): Uint8Array {
  validateNetwork(net);
  const nodes: object[] = [];
  const initializers: object[] = [];
  const addInitializer = (name: string, dims: number[], values: ArrayLike<number>) => {
    initializers.push({ name, dims, dataType: FLOAT, rawData: float32Bytes(values) });
    return name;
  };
  const addNode = (opType: string, inputs: string[], output: string) => {
    nodes.push({ opType, input: inputs, output: [output], name: `${opType}_${output}` });
    return output;
  };

  let x = ONNX_INPUT_NAME;
  if (normalization) {
    const D = net.inputDim;
    if (normalization.mean.length !== D || normalization.var.length !== D) {
      throw new ConfigError(`Expected normalization statistics of length ${D}, but got mean ${normalization.mean.length} and var ${normalization.var.length}.`);
    }
    // The std is computed in float64 here, as the agent does, and only then rounded to float32.
    const std = normalization.var.map((v) => Math.sqrt(v + normalization.epsilon));
    x = addNode('Sub', [x, addInitializer('obs_mean', [D], normalization.mean)], 'obs_centered');
    x = addNode('Div', [x, addInitializer('obs_std', [D], std)], 'obs_scaled');
    if (Number.isFinite(normalization.clip)) {
      x = addNode('Clip', [x, addInitializer('obs_clip_min', [], [-normalization.clip]), addInitializer('obs_clip_max', [], [normalization.clip])], 'obs_normalized');
    }
  }

  for (const head of net.heads) {
    let h = x;
    const last = head.layers.length - 1;
    head.layers.forEach((layer, i) => {
      const prefix = `${head.name}_${i}`;
      const kernel = addInitializer(`${prefix}_kernel`, [layer.inDim, layer.outDim], layer.kernel);
      const bias = addInitializer(`${prefix}_bias`, [layer.outDim], layer.bias);
      const linearOut = i === last && layer.activation === 'linear' ? head.name : `${prefix}_linear`;
      // Gemm(A, B, C) = A @ B + C with B as stored ([in, out]): transB stays 0.
      h = addNode('Gemm', [h, kernel, bias], linearOut);
      if (layer.activation !== 'linear') h = addNode(ACTIVATION_OPS[layer.activation], [h], i === last ? head.name : `${prefix}_out`);
    });
  }

  const valueInfo = (io: OnnxIo) => ({
    name: io.name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: io.shape.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
  });
  const signature = onnxSignature(net);
  const model = {
    irVersion: ONNX_IR_VERSION,
    producerName: 'loopgym',
    producerVersion: options.producerVersion ?? '',
    docString: options.docString ?? '',
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: 'loopgym_policy',
      node: nodes,
      initializer: initializers,
      input: signature.inputs.map(valueInfo),
      output: signature.outputs.map(valueInfo),
    },
  };
  const type = onnxModelType();
  return type.encode(type.fromObject(model)).finish();
}

const ACTIVATION_OPS: Record<Exclude<DenseActivation, 'linear'>, string> = { relu: 'Relu', tanh: 'Tanh', sigmoid: 'Sigmoid' };

/** Little-endian float32 bytes, as TensorProto.raw_data requires whatever the host's byte order. */
function float32Bytes(values: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return bytes;
}
