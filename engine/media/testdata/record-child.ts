// Test helper run as a child process by recorder.test.ts: records two tones until it is killed (SIGKILL mid-call).
import { RealtimeMediaClock } from '../clock.ts';
import { StereoRecorder } from '../recorder.ts';

const path = process.argv[2];
if (!path) throw new Error('usage: record-child.ts FILE');

const clock = new RealtimeMediaClock();
const left = new Int16Array(160);
const right = new Int16Array(160);
let phase = 0;
let announced = false;
let recorder: StereoRecorder | null = null;

// The caller side says 440 Hz, the agent side 1 kHz; both are produced on the tick before the recorder's.
clock.add({
  tick() {
    for (let i = 0; i < 160; i++, phase++) {
      left[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * phase) / 8000));
      right[i] = Math.round(4000 * Math.sin((2 * Math.PI * 1000 * phase) / 8000));
    }
    recorder?.writeLeft(left);
    recorder?.writeRight(right);
    if (!announced && recorder !== null) {
      announced = true;
      process.stdout.write('recording\n');
    }
  },
});
recorder = await StereoRecorder.open(path, { clock });
// The clock's timers are unref'd; keep the process alive until it is killed.
setInterval(() => {}, 1000);
