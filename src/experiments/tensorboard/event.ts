/**
 * TensorBoard's Event and Summary messages (tensorflow/core/util/event.proto, summary.proto), declared
 * with protobufjs reflection. Only the fields loopgym writes are declared; field numbers are TensorFlow's,
 * so any reader of event files reads these. A scalar is `Summary.Value{tag, simple_value}` (float32).
 */
import protobuf from 'protobufjs';

/** The first event of every file names the format version; readers use it to recognise the file. */
export const FILE_VERSION = 'brain.Event:2';

const EVENT_SCHEMA = {
  nested: {
    tensorboard: {
      nested: {
        Event: {
          fields: {
            wallTime: { type: 'double', id: 1 },
            step: { type: 'int64', id: 2 },
            fileVersion: { type: 'string', id: 3 },
            summary: { type: 'Summary', id: 5 },
          },
        },
        Summary: {
          fields: {
            value: { rule: 'repeated', type: 'Value', id: 1 },
          },
          nested: {
            Value: {
              fields: {
                tag: { type: 'string', id: 1 },
                simpleValue: { type: 'float', id: 2 },
              },
            },
          },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(EVENT_SCHEMA);
const EventType = root.lookupType('tensorboard.Event');

export interface ScalarValue {
  tag: string;
  value: number;
}

export interface TensorBoardEvent {
  /** Seconds since the Unix epoch. */
  wallTime: number;
  step: number;
  fileVersion?: string;
  scalars?: ScalarValue[];
}

export function encodeEvent(event: TensorBoardEvent): Uint8Array {
  const message: Record<string, unknown> = { wallTime: event.wallTime };
  if (event.step !== 0) message.step = event.step;
  if (event.fileVersion !== undefined) message.fileVersion = event.fileVersion;
  if (event.scalars !== undefined) message.summary = { value: event.scalars.map((s) => ({ tag: s.tag, simpleValue: s.value })) };
  return EventType.encode(EventType.fromObject(message)).finish();
}

export function decodeEvent(bytes: Uint8Array): TensorBoardEvent {
  const decoded = EventType.toObject(EventType.decode(bytes), { longs: Number, defaults: false }) as {
    wallTime?: number;
    step?: number;
    fileVersion?: string;
    summary?: { value?: { tag?: string; simpleValue?: number }[] };
  };
  const event: TensorBoardEvent = { wallTime: decoded.wallTime ?? 0, step: decoded.step ?? 0 };
  if (decoded.fileVersion !== undefined) event.fileVersion = decoded.fileVersion;
  if (decoded.summary !== undefined) event.scalars = (decoded.summary.value ?? []).map((v) => ({ tag: v.tag ?? '', value: v.simpleValue ?? 0 }));
  return event;
}
