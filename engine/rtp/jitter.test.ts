// Examples for the adaptive jitter buffer: reordering, loss concealment, late/duplicate drops, depth limits, adaptation (RFC 3550 §5.1, §A.8).
import { describe, expect, it } from 'vitest';
import { JitterBuffer, type JitterBufferOptions, type JitterFrame } from './jitter.ts';
import { RtpPacket, writeRtpHeader } from './packet.ts';

const pkt = Buffer.alloc(12 + 160);

/** Writes packet `seq` (payload bytes = seq & 0xff) into the shared buffer, as a socket handler would. */
function packet(seq: number, ts = seq * 160): Buffer {
  writeRtpHeader(pkt, 0, 0, seq & 0xffff, ts >>> 0, 0x1234, false);
  pkt.fill(seq & 0xff, 12);
  return pkt;
}

function describeFrame(f: JitterFrame): string {
  if (f.kind === 'frame') {
    expect(f.length).toBe(160);
    expect(f.data[0]).toBe(f.seq & 0xff);
    return String(f.seq);
  }
  return f.kind === 'lost' ? `lost${f.seq}` : '-';
}

function jb(o: JitterBufferOptions = {}): JitterBuffer {
  return new JitterBuffer({ minDepth: 2, initialDepth: 2, ...o });
}

describe('JitterBuffer', () => {
  it('buffers to the initial depth, then plays in sequence order', () => {
    const b = jb({ initialDepth: 3 });
    const out: string[] = [];
    for (let i = 0; i < 6; i++) {
      b.push(packet(100 + i), 172, i * 20);
      out.push(describeFrame(b.pop(i * 20 + 10)));
    }
    expect(out).toEqual(['-', '-', '100', '101', '102', '103']);
  });

  it('puts reordered packets back in sequence order', () => {
    const b = jb();
    for (const s of [1, 3, 2, 4]) b.push(packet(s), 172, 0);
    const out = [0, 1, 2, 3].map((i) => describeFrame(b.pop(100 + i * 20)));
    expect(out).toEqual(['1', '2', '3', '4']);
  });

  it('marks a packet that never arrived as lost once later packets are buffered', () => {
    const b = jb();
    for (const s of [1, 2, 4, 5]) b.push(packet(s), 172, 0);
    const out = [0, 1, 2, 3, 4].map((i) => describeFrame(b.pop(100 + i * 20)));
    expect(out).toEqual(['1', '2', 'lost3', '4', '5']);
    expect(b.stats.lost).toBe(1);
  });

  it('drops and counts a packet arriving behind the playout point, and duplicates', () => {
    const b = jb();
    for (const s of [1, 2, 4]) b.push(packet(s), 172, 0);
    for (let i = 0; i < 3; i++) b.pop(100 + i * 20);
    expect(b.push(packet(3), 172, 160)).toBe('late');
    expect(b.push(packet(5), 172, 160)).toBe('stored');
    expect(b.push(packet(5), 172, 161)).toBe('duplicate');
    expect(b.stats.late).toBe(1);
    expect(b.stats.duplicates).toBe(1);
  });

  it('waits without advancing when it runs dry, so a late packet is still played (the depth grows)', () => {
    const b = jb();
    b.push(packet(1), 172, 0);
    b.push(packet(2), 172, 20);
    expect([describeFrame(b.pop(30)), describeFrame(b.pop(50)), describeFrame(b.pop(70))]).toEqual(['1', '2', '-']);
    b.push(packet(3), 172, 75);
    expect(describeFrame(b.pop(90))).toBe('3');
    expect(b.stats.underruns).toBe(1);
    expect(b.stats.lost).toBe(0);
  });

  it('never plays more than maxDepth behind the newest packet: a burst drops the oldest frames', () => {
    const b = jb({ maxDepth: 5 });
    for (let s = 0; s < 20; s++) b.push(packet(s), 172, 0);
    expect(describeFrame(b.pop(10))).toBe('15');
    expect(b.stats.overflowDropped).toBe(15);
    expect(b.depth).toBe(4);
  });

  it('shrinks back toward the target depth after a delay spike, one frame per window', () => {
    const b = jb({ shrinkWindow: 10, maxDepth: 12 });
    // 8 packets arrive at once after a 160 ms spike, then the stream is steady again.
    let seq = 0;
    for (; seq < 8; seq++) b.push(packet(seq), 172, 160);
    const depths: number[] = [];
    for (let t = 0; t < 100; t++) {
      b.push(packet(seq), 172, 170 + t * 20);
      seq++;
      b.pop(175 + t * 20);
      depths.push(b.depth);
    }
    expect(depths[0]).toBeGreaterThanOrEqual(8);
    expect(depths[depths.length - 1]).toBeLessThanOrEqual(b.targetDepth + 1);
    expect(b.stats.shrinkDropped).toBeGreaterThan(0);
    expect(b.stats.lost).toBe(0);
  });

  it('raises its target depth when interarrival jitter grows', () => {
    const b = jb();
    const rnd = [0, 35, 5, 60, 0, 40, 10, 55, 0, 45, 20, 50];
    for (let i = 0; i < 60; i++) b.push(packet(i), 172, i * 20 + rnd[i % rnd.length]);
    expect(b.jitterMs).toBeGreaterThan(15);
    expect(b.targetDepth).toBeGreaterThan(2);
  });

  it('plays across the 16-bit sequence wrap', () => {
    const b = jb();
    const seqs = [65534, 65535, 0, 1];
    seqs.forEach((s, i) => b.push(packet(s, i * 160), 172, 0));
    expect(seqs.map((_, i) => describeFrame(b.pop(100 + i * 20)))).toEqual(['65534', '65535', '0', '1']);
  });

  it('ignores one packet far outside the ring and restarts when the next one confirms the jump (RFC 3550 §A.1 rule)', () => {
    const b = jb();
    for (let s = 10; s < 14; s++) b.push(packet(s), 172, 0);
    expect(b.push(packet(30_000), 172, 1)).toBe('jump');
    expect(describeFrame(b.pop(50))).toBe('10');
    expect(b.push(packet(40_000), 172, 2)).toBe('jump');
    expect(b.push(packet(40_001), 172, 3)).toBe('reset');
    expect(b.stats.resets).toBe(1);
    expect(describeFrame(b.pop(70))).toBe('40001');
  });

  it('rejects packets it cannot frame and payloads larger than its slots', () => {
    const b = jb({ maxPayload: 100 });
    expect(b.push(packet(1), 11, 0)).toBe('invalid');
    expect(b.push(packet(1), 172, 0)).toBe('too-large');
    const small = new RtpPacket({ payloadType: 0, sequenceNumber: 1, timestamp: 0, ssrc: 1, payload: new Uint8Array(100), paddingLength: 4 }).serialize();
    expect(b.push(small, small.length, 0)).toBe('stored');
  });

  it('copies the payload: reusing the receive buffer does not change a stored frame', () => {
    const b = jb();
    b.push(packet(1), 172, 0);
    b.push(packet(2), 172, 0);
    packet(99);
    expect(describeFrame(b.pop(10))).toBe('1');
  });

  it('rejects a slot count that is not a power of two and depths beyond half the ring', () => {
    expect(() => new JitterBuffer({ slots: 48 })).toThrow(TypeError);
    expect(() => new JitterBuffer({ slots: 16, maxDepth: 9 })).toThrow(TypeError);
    expect(() => new JitterBuffer({ minDepth: 5, maxDepth: 4 })).toThrow(TypeError);
  });
});
