// Public surface of engine/codec: G.711 μ-law/A-law (ITU-T G.711), L16 (RFC 3551 §4.5.11), resampling and PCM mixing helpers.
export {
  alawCodeToUlaw,
  alawDecode,
  alawEncode,
  alawToLinear,
  alawToUlaw,
  clearG711ViewCache,
  linearToAlaw,
  linearToUlaw,
  ulawCodeToAlaw,
  ulawDecode,
  ulawEncode,
  ulawToAlaw,
  ulawToLinear,
} from './g711.ts';
export { l16Decode, l16Encode } from './l16.ts';
export { RESAMPLER_DEFAULTS, Resampler, resample } from './resample.ts';
export type { PcmArray, ResamplerOptions } from './resample.ts';
export {
  accumulate,
  applyGain,
  dbToGain,
  deinterleaveStereo,
  downmixStereo,
  interleaveStereo,
  mixAddSaturate,
  saturate,
  saturateMinus,
} from './pcm.ts';
