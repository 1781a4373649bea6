// The media layer's names for the shared typed emitter (engine/util/emitter.ts).
export {
  type EventMap as MediaEventMap,
  type Listener as MediaListener,
  type ListenerErrorHandler as MediaListenerErrorHandler,
  TypedEmitter as MediaEmitter,
} from '../util/emitter.ts';
