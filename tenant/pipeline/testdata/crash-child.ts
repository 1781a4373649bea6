// Child process of restart.test.ts: a worker that claims a transcription job and hangs inside the recogniser until the parent kills it with SIGKILL (a real crash: no release, no cleanup).
import { EventWriter } from '../../events/index.ts';
import { openStore, type StoreOptions } from '../../store/index.ts';
import { TranscriptionWorker } from '../worker.ts';

const { storeOptions, dataDir, recordingId, leaseMs } = JSON.parse(process.argv[2]) as { storeOptions: StoreOptions; dataDir: string; recordingId: string; leaseMs: number };
const store = await openStore(storeOptions);
const worker = new TranscriptionWorker(store, new EventWriter(store), {
  dataDir,
  leaseMs,
  catchUpWindowMs: 0,
  transcribe: () => {
    process.stdout.write(`claimed ${process.pid}\n`);
    return new Promise(() => {}); // never answers, ignores cancellation
  },
});
worker.start();
await worker.enqueueTranscription(recordingId);
setInterval(() => {}, 1000); // stay alive until killed
