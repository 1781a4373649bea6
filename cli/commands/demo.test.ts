// The demo runs to completion: server, tenant, simulated gateway and agents, a call through the full path, transcript.
import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runDemo } from './demo.ts';

describe('hotline demo', () => {
  it('places a call through greeting, transfer, recording and transcription, and reports it', async () => {
    const lines: string[] = [];
    const r = await runDemo({ calls: 1, keep: false, out: (l) => lines.push(l), transcriptWaitMs: 45_000 });
    try {
      expect(r.answered).toBe(1);
      expect(r.recordings).toBe(1);
      expect(lines.some((l) => /answered by (Alice|Bob)/.test(l))).toBe(true);
      expect(lines.some((l) => l.includes('greeting → lastAgent → allAgents'))).toBe(true);
      expect(r.transcripts.join(' '), lines.join('\n')).toContain('check my order');
    } finally {
      await rm(r.dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
