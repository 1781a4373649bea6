// The tenant model's public surface: domains, numbers, called identities, extensions, ids and secrets.
export { displayDomain, MAX_DOMAIN_LENGTH, MAX_LABEL_LENGTH, normalizeDomain, tryNormalizeDomain } from './domain.ts';
export {
  calledIdentity,
  type CalledIdentityParts,
  formatCalledIdentity,
  MAX_NUMBER_DIGITS,
  normalizeNumber,
  parseCalledIdentity,
  tryNormalizeNumber,
} from './number.ts';
export {
  GATEWAY_USERNAME_PREFIX,
  generateGatewayUsername,
  isGatewayUsername,
  MAX_EXTENSION_LENGTH,
  normalizeExtension,
  randomString,
  validatePassword,
} from './extension.ts';
export { type IdPrefix, isId, newId } from './ids.ts';
export {
  type ApiKeyParts,
  generateAdminToken,
  generateApiKey,
  generatePassword,
  type Ha1Pair,
  ha1Pair,
  hashSecret,
  parseApiKey,
  safeEqual,
} from './secrets.ts';
export { EVENT_TYPES, type EventType, isEventType } from './events.ts';
