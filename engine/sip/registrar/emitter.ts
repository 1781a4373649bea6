// The registrar's typed emitter is the shared one (engine/util/emitter.ts).
export { type EventMap, type Listener, type ListenerErrorHandler, TypedEmitter } from '../../util/emitter.ts';
