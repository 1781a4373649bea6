// 256-entry G.711 lookup tables built once from the codec's own single-code functions, for per-packet loops that index a received datagram in place (ITU-T G.711; RFC 3551 §4.5.14).
import { alawCodeToUlaw, alawToLinear, linearToAlaw, linearToUlaw, ulawCodeToAlaw, ulawToLinear } from '../codec/g711.ts';

/** μ-law code → 16-bit linear. */
export const ULAW_TO_PCM: Int16Array = Int16Array.from({ length: 256 }, (_, c) => ulawToLinear(c));
/** A-law code → 16-bit linear. */
export const ALAW_TO_PCM: Int16Array = Int16Array.from({ length: 256 }, (_, c) => alawToLinear(c));
/** μ-law code → A-law code (direct transcoding, no PCM in between at run time). */
export const ULAW_TO_ALAW_CODE: Uint8Array = Uint8Array.from({ length: 256 }, (_, c) => ulawCodeToAlaw(c));
/** A-law code → μ-law code. */
export const ALAW_TO_ULAW_CODE: Uint8Array = Uint8Array.from({ length: 256 }, (_, c) => alawCodeToUlaw(c));
/** The μ-law code of digital silence (0xFF). */
export const ULAW_SILENCE: number = linearToUlaw(0);
/** The A-law code of digital silence (0xD5). */
export const ALAW_SILENCE: number = linearToAlaw(0);
