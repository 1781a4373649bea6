// Cancellation helpers: a node's awaits end the moment the caller hangs up (the call's AbortSignal), with CallEndedError (engine/call/types.ts contract).
import { CallEndedError } from '../../engine/call/types.ts';

/** Rejects with CallEndedError when `signal` is (or becomes) aborted, otherwise settles as `p`; swallows `p`'s late rejection. */
export function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    p.catch(() => {});
    return Promise.reject(new CallEndedError());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      p.catch(() => {});
      reject(new CallEndedError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** Throws CallEndedError if the signal is aborted. */
export function throwIfEnded(signal: AbortSignal): void {
  if (signal.aborted) throw new CallEndedError();
}

/** True for the error a CallControl method rejects with after the caller hung up. */
export function isCallEnded(err: unknown): boolean {
  return err instanceof CallEndedError || (typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'hangup');
}
