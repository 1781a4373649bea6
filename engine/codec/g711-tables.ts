// G.711 μ-law and A-law lookup tables (ITU-T G.711 Tables 1a/2a, as formulated for 16-bit input by ITU-T G.191's g711 module), built once at load.
//
// Internal to engine/codec: the tables are shared and must never be written. Use the functions in g711.ts.
// Memory: encoders 2 × 64 KiB, decoders 2 × 512 B, pair decoders 2 × 256 KiB, transcoders 2 × 256 B, pair transcoders
// 2 × 128 KiB (≈ 0.9 MiB, built in a few ms at load; the pair tables serve the word-at-a-time paths).
//
// Which formulation, exactly (16-bit two's-complement input, the decoded values are the usual 16-bit ones):
//
//   μ-law  mag = (x < 0 ? ~x : x) >> 2            14-bit magnitude; a negative sample is ones'-complemented first (G.191)
//          b   = min(mag + 33, 0x1FFF)           the μ-law bias (0x84 in 16-bit units = 33 in 14-bit units), clipped
//          seg = position of b's top bit − 5      b ∈ [32·2^seg, 64·2^seg)
//          code = ~(sign | seg << 4 | (b >> (seg + 1)) & 0xF)   sign = 0x80 for x ≥ 0; all bits inverted
//
//   A-law  mag = (x < 0 ? ~x : x) >> 4            12-bit magnitude, ones' complement for negatives (G.191)
//          seg = 0 if mag < 16, else position of mag's top bit − 3;   mantissa = mag (seg 0) or (mag >> (seg − 1)) & 0xF
//          code = (sign | seg << 4 | mantissa) ^ 0x55              sign = 0x80 for x ≥ 0; even bits inverted
//
// The ones' complement makes each quantizer mirror-symmetric around −½ in its 14/13-bit domain. The widely copied Sun
// `g711.c` (and the `g711` npm package) negate instead (and A-law subtracts 8), so their encoders disagree with G.191
// on some negative inputs; their decoders agree exactly. g711.test.ts counts those differences.

/** Whether typed-array words are little-endian on this host (the word-at-a-time kernels and pair tables assume it). */
export const LITTLE_ENDIAN: boolean = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** μ-law code of a 16-bit linear sample (the value's two's-complement bits as an index, i.e. `x & 0xffff`). */
function ulawOf(x: number): number {
  const mag = (x < 0 ? ~x : x) >> 2;
  const b = Math.min(mag + 33, 0x1fff);
  const seg = 31 - Math.clz32(b) - 5;
  const mant = (b >> (seg + 1)) & 0x0f;
  return (~((seg << 4) | mant) & 0x7f) | (x >= 0 ? 0x80 : 0);
}

/** A-law code of a 16-bit linear sample. */
function alawOf(x: number): number {
  const mag = (x < 0 ? ~x : x) >> 4;
  let seg = 0;
  let mant = mag;
  if (mag >= 16) {
    seg = 31 - Math.clz32(mag) - 3;
    mant = (mag >> (seg - 1)) & 0x0f;
  }
  return ((seg << 4) | mant | (x >= 0 ? 0x80 : 0)) ^ 0x55;
}

/** 16-bit linear value a μ-law code decodes to (G.711 Table 2a decoder output, ±0 … ±32124). */
function ulawValue(code: number): number {
  const c = ~code & 0xff;
  const seg = (c >> 4) & 0x07;
  const mag = (((c & 0x0f) << 3) + 0x84) << seg;
  return c & 0x80 ? 0x84 - mag : mag - 0x84;
}

/** 16-bit linear value an A-law code decodes to (G.711 Table 1a decoder output, ±8 … ±32256). */
function alawValue(code: number): number {
  const c = code ^ 0x55;
  const seg = (c >> 4) & 0x07;
  const mant = c & 0x0f;
  const mag = seg === 0 ? (mant << 4) + 8 : ((mant << 4) + 0x108) << (seg - 1);
  return c & 0x80 ? mag : -mag;
}

function encodeTable(of: (x: number) => number): Uint8Array {
  const t = new Uint8Array(65536);
  for (let i = 0; i < 65536; i++) t[i] = of((i << 16) >> 16);
  return t;
}

function decodeTable(value: (c: number) => number): Int16Array {
  const t = new Int16Array(256);
  for (let c = 0; c < 256; c++) t[c] = value(c);
  return t;
}

/** Two decoded samples per entry, indexed by two codes (`first | second << 8`), laid out as a little-endian Int16 pair. */
function pairTable(dec: Int16Array): Uint32Array {
  const t = new Uint32Array(65536);
  for (let i = 0; i < 65536; i++) t[i] = ((dec[i & 0xff] & 0xffff) | (dec[i >>> 8] << 16)) >>> 0;
  return t;
}

function transcodeTable(dec: Int16Array, enc: Uint8Array): Uint8Array {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) t[c] = enc[dec[c] & 0xffff];
  return t;
}

/** μ-law encoder: index = 16-bit sample's bits (`x & 0xffff`). */
export const ULAW_ENCODE: Uint8Array = encodeTable(ulawOf);
/** A-law encoder: index = 16-bit sample's bits (`x & 0xffff`). */
export const ALAW_ENCODE: Uint8Array = encodeTable(alawOf);
/** μ-law decoder: code → 16-bit linear. */
export const ULAW_DECODE: Int16Array = decodeTable(ulawValue);
/** A-law decoder: code → 16-bit linear. */
export const ALAW_DECODE: Int16Array = decodeTable(alawValue);
/** μ-law decoder two codes at a time (see {@link pairTable}). */
export const ULAW_DECODE_PAIRS: Uint32Array = pairTable(ULAW_DECODE);
/** A-law decoder two codes at a time. */
export const ALAW_DECODE_PAIRS: Uint32Array = pairTable(ALAW_DECODE);
/**
 * μ-law → A-law transcoder, defined as `alawEncode(ulawDecode(c))`: decode to 16-bit linear, re-encode with the A-law
 * encoder above. G.711 also publishes its own code-conversion tables (Tables 3 and 4); this table is the
 * decode-then-encode definition and is not claimed to match them code for code.
 */
export const ULAW_TO_ALAW: Uint8Array = transcodeTable(ULAW_DECODE, ALAW_ENCODE);
/** A-law → μ-law transcoder, defined as `ulawEncode(alawDecode(c))` (see {@link ULAW_TO_ALAW}). */
export const ALAW_TO_ULAW: Uint8Array = transcodeTable(ALAW_DECODE, ULAW_ENCODE);

/** Two transcoded codes per entry, indexed by two source codes (`first | second << 8`), first code in the low byte. */
function transcodePairTable(single: Uint8Array): Uint16Array {
  const t = new Uint16Array(65536);
  for (let i = 0; i < 65536; i++) t[i] = single[i & 0xff] | (single[i >>> 8] << 8);
  return t;
}

/** {@link ULAW_TO_ALAW} two codes at a time. */
export const ULAW_TO_ALAW_PAIRS: Uint16Array = transcodePairTable(ULAW_TO_ALAW);
/** {@link ALAW_TO_ULAW} two codes at a time. */
export const ALAW_TO_ULAW_PAIRS: Uint16Array = transcodePairTable(ALAW_TO_ULAW);
