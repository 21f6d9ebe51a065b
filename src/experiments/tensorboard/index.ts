/** TensorBoard event files: write (`TensorBoardWriter`) and read back (`readScalars`, `readEventFile`). */
export { crc32c, maskedCrc32c } from './crc32c.js';
export { encodeRecord, decodeRecords, type DecodedRecords } from './records.js';
export { encodeEvent, decodeEvent, FILE_VERSION, type ScalarValue, type TensorBoardEvent } from './event.js';
export { TensorBoardWriter, wallClockSeconds, type TensorBoardWriterOptions } from './writer.js';
export { readEventFile, readScalars, eventFiles, EVENT_FILE, type EventFile, type ScalarPoint } from './reader.js';
