// The SIP registrar's public surface: REGISTER handling, binding store, credential lookup, NAT-aware lookup, keepalive pinger (RFC 3261 §10.3, §10.2, §20.10, §20.19, §20.23; RFC 3581; RFC 5626 §4.2, §5.3).
export {
  type Binding,
  canonicalAor,
  compareForLookup,
  contactEndpoint,
  contactIsNatted,
  isIpLiteral,
  isPrivateAddress,
  type KeepaliveRecord,
  type LookupTarget,
  normalizeIp,
  type RequestSource,
  toAor,
} from './binding.ts';
export { type AorParts, type CredentialLookup, type Ha1Algorithm, InMemoryCredentials } from './credentials.ts';
export { type BindingStore, InMemoryBindingStore } from './store.ts';
export {
  type ContactOverflowPolicy,
  type KeepaliveOutcome,
  type KeepaliveUpdate,
  Registrar,
  REGISTRAR_DEFAULTS,
  type RegistrarDeps,
  type RegistrarEvents,
  type RegistrarOptions,
  type RegistrarStats,
  type UnregisterReason,
} from './registrar.ts';
export { type EventMap, type Listener, type ListenerErrorHandler, TypedEmitter } from './emitter.ts';
export { isPromiseLike, type MaybePromise, run, type Step, wait } from './maybe.ts';
export {
  KEEPALIVE_DEFAULTS,
  type KeepaliveEvents,
  KeepalivePinger,
  type KeepalivePingerDeps,
  type KeepalivePingerOptions,
  type KeepaliveRound,
  type KeepaliveStats,
  type KeepaliveSubject,
  type SendOptions,
} from './keepalive.ts';
