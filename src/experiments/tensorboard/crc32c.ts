/**
 * CRC-32C (Castagnoli), the checksum of TFRecord framing, and TensorFlow's "masked" form of it. The CRC
 * itself comes from the `crc-32` package (SheetJS); only the mask is TensorFlow's own: rotate right by 15
 * bits and add a constant, so a CRC stored inside checksummed data does not checksum to a fixed value.
 */
import CRC32C from 'crc-32/crc32c.js';

const MASK_DELTA = 0xa282ead8;

/** CRC-32C of `bytes` as an unsigned 32-bit integer ("123456789" -> 0xE3069283). */
export function crc32c(bytes: Uint8Array): number {
  return CRC32C.buf(bytes) >>> 0;
}

/** TensorFlow's masked CRC-32C, as stored in every record header and trailer. */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = crc32c(bytes);
  return (((crc >>> 15) | (crc << 17)) + MASK_DELTA) >>> 0;
}
