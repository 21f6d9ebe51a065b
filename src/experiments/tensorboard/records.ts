/**
 * TFRecord framing, the container of TensorBoard event files. Each record is
 *
 *   uint64 length (little-endian) | uint32 masked CRC-32C of those 8 bytes | data | uint32 masked CRC-32C of data
 *
 * `encodeRecord` frames one payload; `decodeRecords` splits a file back into payloads and checks every CRC.
 * A record cut short at the end of the file (a writer still running, or killed) is not an error: readers
 * stop there, as TensorBoard does.
 */
import { DataError } from '../../core/errors.js';
import { maskedCrc32c } from './crc32c.js';

const HEADER_BYTES = 12;
const FOOTER_BYTES = 4;

export function encodeRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + data.length + FOOTER_BYTES);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, HEADER_BYTES);
  view.setUint32(HEADER_BYTES + data.length, maskedCrc32c(data), true);
  return out;
}

export interface DecodedRecords {
  records: Uint8Array[];
  /** Bytes at the end that do not make a whole record (0 for a closed file). */
  truncatedBytes: number;
}

/** Splits TFRecord bytes into payloads; a wrong CRC is a DataError naming the record and its offset. */
export function decodeRecords(bytes: Uint8Array, source = 'records'): DecodedRecords {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (bytes.length - offset < HEADER_BYTES) break;
    const lengthBytes = bytes.subarray(offset, offset + 8);
    const expectedHeaderCrc = maskedCrc32c(lengthBytes);
    const headerCrc = view.getUint32(offset + 8, true);
    if (headerCrc !== expectedHeaderCrc) {
      throw new DataError(`${source}: Expected the length CRC of record ${records.length} (offset ${offset}) to be ${hex(expectedHeaderCrc)}, but got ${hex(headerCrc)}.`);
    }
    const length = Number(view.getBigUint64(offset, true));
    const end = offset + HEADER_BYTES + length + FOOTER_BYTES;
    if (end > bytes.length) break;
    const data = bytes.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + length);
    const expectedDataCrc = maskedCrc32c(data);
    const dataCrc = view.getUint32(offset + HEADER_BYTES + length, true);
    if (dataCrc !== expectedDataCrc) {
      throw new DataError(`${source}: Expected the data CRC of record ${records.length} (offset ${offset}) to be ${hex(expectedDataCrc)}, but got ${hex(dataCrc)}.`);
    }
    records.push(data);
    offset = end;
  }
  return { records, truncatedBytes: bytes.length - offset };
}

function hex(value: number): string {
  return `0x${value.toString(16).toUpperCase().padStart(8, '0')}`;
}
