import type { ColumnChunk, Encoding, SchemaElement, Statistics } from 'hyparquet';
import type { Writer } from 'hyparquet-writer';
import { writePageHeader } from 'hyparquet-writer/src/datapage.js';
import { writeRleBitPackedHybrid } from 'hyparquet-writer/src/encoding.js';
import { snappyCompress } from 'hyparquet-writer/src/snappy.js';
import { ByteWriter } from 'hyparquet-writer';
import { GrowableBuffer } from './GrowableBuffer.js';

/** What one column of a row group holds before it is encoded (references to the events' strings, no copies). */
export type ColumnValues =
  | { kind: 'timestamp'; values: Float64Array; count: number }
  | { kind: 'double'; values: (number | null)[] }
  | { kind: 'string'; values: (string | null)[]; required: boolean; dictionary: boolean }
  | { kind: 'tags'; values: string[][] };

export type Codec = 'SNAPPY' | 'UNCOMPRESSED';

// A dictionary pays off when distinct values are few; past these it is PLAIN.
const MAX_DICTIONARY_RATIO = 0.5;
const MAX_DICTIONARY_ENTRIES = 1 << 16;

/**
 * Encodes one column chunk straight into the file writer: an optional dictionary page and one
 * DATA_PAGE (v1: levels and values, compressed together). Strings are written in place into a
 * growing buffer (no per-value allocation), which is what makes this several times faster than a
 * general-purpose writer. Returns the ColumnChunk metadata for the footer.
 */
export function encodeColumnChunk(writer: Writer, element: SchemaElement, path: string[], column: ColumnValues, rows: number, codec: Codec): ColumnChunk {
  const startOffset = writer.offset;
  const encodings: Encoding[] = [];
  let uncompressed = 0;
  let dictionaryOffset: bigint | undefined;
  const body = new GrowableBuffer(1 << 16);
  let numValues = rows;
  let valueEncoding: Encoding = 'PLAIN';
  let statistics: Statistics | undefined;

  switch (column.kind) {
    case 'timestamp': {
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < column.count; i++) {
        const v = column.values[i]!;
        if (v < min) min = v;
        if (v > max) max = v;
        body.writeInt64(v);
      }
      if (column.count > 0) statistics = { min_value: BigInt(min), max_value: BigInt(max), null_count: 0n };
      encodings.push('PLAIN');
      break;
    }
    case 'double': {
      const levels = new Uint8Array(rows);
      const values = new GrowableBuffer(rows * 8 + 8);
      let nulls = 0;
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < rows; i++) {
        const v = column.values[i];
        if (v === null || v === undefined) {
          nulls += 1;
          continue;
        }
        levels[i] = 1;
        if (v < min) min = v;
        if (v > max) max = v;
        values.writeDouble(v);
      }
      writeLevels(body, levels, 1);
      body.writeBytes(values.view());
      statistics = nulls < rows ? { min_value: min, max_value: max, null_count: BigInt(nulls) } : { null_count: BigInt(nulls) };
      encodings.push('PLAIN', 'RLE');
      break;
    }
    case 'string': {
      const levels = column.required ? undefined : new Uint8Array(rows);
      // One pass builds the dictionary and the indexes; too many distinct values and it is PLAIN.
      let dictionary: Map<string, number> | undefined;
      const indexes = new Int32Array(column.dictionary ? rows : 0);
      let present = 0;
      if (column.dictionary) {
        dictionary = new Map();
        const limit = Math.min(MAX_DICTIONARY_ENTRIES, rows * MAX_DICTIONARY_RATIO + 16);
        for (let i = 0; i < rows; i++) {
          const v = column.values[i];
          if (v === null || v === undefined) continue;
          let index = dictionary.get(v);
          if (index === undefined) {
            index = dictionary.size;
            if (index >= limit) {
              dictionary = undefined;
              break;
            }
            dictionary.set(v, index);
          }
          if (levels) levels[i] = 1;
          indexes[present++] = index;
        }
      }
      if (dictionary) {
        dictionaryOffset = BigInt(writer.offset);
        const dict = new GrowableBuffer(1 << 12);
        for (const key of dictionary.keys()) dict.writeByteArray(key);
        uncompressed += writePage(writer, dict.view(), codec, {
          type: 'DICTIONARY_PAGE',
          dictionary_page_header: { num_values: dictionary.size, encoding: 'PLAIN' },
        });
        if (levels) writeLevels(body, levels, 1);
        const bitWidth = Math.max(1, Math.ceil(Math.log2(dictionary.size)));
        body.writeBytes(Uint8Array.of(bitWidth));
        const packed = new ByteWriter();
        writeRleBitPackedHybrid(packed, indexes.subarray(0, present) as unknown as number[], bitWidth);
        body.writeBytes(packed.getBytes());
        encodings.push('PLAIN', 'RLE', 'RLE_DICTIONARY');
        valueEncoding = 'RLE_DICTIONARY';
      } else {
        const values = new GrowableBuffer(1 << 16);
        if (levels) levels.fill(0); // a dictionary attempt that gave up may have set some
        for (let i = 0; i < rows; i++) {
          const v = column.values[i];
          if (v === null || v === undefined) continue;
          if (levels) levels[i] = 1;
          values.writeByteArray(v);
        }
        if (levels) writeLevels(body, levels, 1);
        body.writeBytes(values.view());
        encodings.push('PLAIN', 'RLE');
      }
      break;
    }
    case 'tags': {
      // LIST<STRING>, 3 levels: def 0 = null list, 1 = empty list, 2 = an element; rep 1 = same list.
      const rep: number[] = [];
      const def: number[] = [];
      const values = new GrowableBuffer(1 << 14);
      for (let i = 0; i < rows; i++) {
        const tags = column.values[i]!;
        if (tags.length === 0) {
          rep.push(0);
          def.push(1);
          continue;
        }
        for (let j = 0; j < tags.length; j++) {
          rep.push(j === 0 ? 0 : 1);
          def.push(2);
          values.writeByteArray(tags[j]!);
        }
      }
      numValues = rep.length;
      writeLevels(body, rep, 1);
      writeLevels(body, def, 2);
      body.writeBytes(values.view());
      encodings.push('PLAIN', 'RLE');
      break;
    }
  }

  const dataOffset = BigInt(writer.offset);
  uncompressed += writePage(writer, body.view(), codec, {
    type: 'DATA_PAGE',
    data_page_header: { num_values: numValues, encoding: valueEncoding, definition_level_encoding: 'RLE', repetition_level_encoding: 'RLE' },
  });
  return {
    file_offset: BigInt(startOffset),
    meta_data: {
      type: element.type!,
      encodings: [...new Set(encodings)],
      path_in_schema: path,
      codec,
      num_values: BigInt(numValues),
      total_uncompressed_size: BigInt(uncompressed),
      total_compressed_size: BigInt(writer.offset - startOffset),
      data_page_offset: dataOffset,
      ...(dictionaryOffset !== undefined ? { dictionary_page_offset: dictionaryOffset } : {}),
      ...(statistics ? { statistics } : {}),
    },
  } as ColumnChunk;
}

/** Levels as Parquet v1 pages carry them: a 4-byte length, then the RLE/bit-packed hybrid. */
function writeLevels(out: GrowableBuffer, levels: ArrayLike<number>, bitWidth: number): void {
  const hybrid = new ByteWriter();
  writeRleBitPackedHybrid(hybrid, levels as number[], bitWidth);
  const bytes = hybrid.getBytes();
  out.writeUInt32(bytes.length);
  out.writeBytes(bytes);
}

/** Writes a page header and its (compressed) body; returns the uncompressed size with the header. */
function writePage(writer: Writer, body: Uint8Array, codec: Codec, header: Record<string, unknown>): number {
  const compressed = codec === 'SNAPPY' ? snappyCompress(body) : body;
  const start = writer.offset;
  writePageHeader(writer, { ...header, uncompressed_page_size: body.length, compressed_page_size: compressed.length } as never);
  const headerSize = writer.offset - start;
  writer.appendBytes(compressed);
  return headerSize + body.length;
}
