// Nonce-count replay protection: sliding window per nonce, bounded LRU memory with an eviction watermark (RFC 7616 §3.4 nc, §5.5; window after RFC 4303 §3.4.3).
import { describe, expect, it } from 'vitest';
import { NonceCountTracker } from './replay.ts';

describe('NonceCountTracker (RFC 7616 §5.5 replay protection)', () => {
  it('accepts increasing nc and refuses a repeated one', () => {
    const t = new NonceCountTracker();
    expect(t.accept('n', 0, 1)).toBe('fresh');
    expect(t.accept('n', 0, 2)).toBe('fresh');
    expect(t.accept('n', 0, 2)).toBe('replay');
    expect(t.accept('n', 0, 1)).toBe('replay');
    expect(t.accept('m', 0, 1)).toBe('fresh');
  });

  it('accepts an unseen nc within the window below the highest (reordered UDP requests), once', () => {
    const t = new NonceCountTracker({ window: 32 });
    expect(t.accept('n', 0, 5)).toBe('fresh');
    expect(t.accept('n', 0, 3)).toBe('fresh');
    expect(t.accept('n', 0, 3)).toBe('replay');
    expect(t.accept('n', 0, 40)).toBe('fresh');
    expect(t.accept('n', 0, 9)).toBe('fresh'); // 40 − 9 = 31 < 32
    expect(t.accept('n', 0, 8)).toBe('replay'); // 32 below: too old to tell
    expect(t.accept('n', 0, 1000)).toBe('fresh');
    expect(t.accept('n', 0, 999)).toBe('fresh');
  });

  it('with window 1 nc must strictly increase', () => {
    const t = new NonceCountTracker({ window: 1 });
    expect(t.accept('n', 0, 2)).toBe('fresh');
    expect(t.accept('n', 0, 1)).toBe('replay');
    expect(t.accept('n', 0, 3)).toBe('fresh');
  });

  it('keeps memory bounded and answers "forgotten" for any untracked nonce issued before an evicted one', () => {
    const t = new NonceCountTracker({ maxNonces: 2 });
    expect(t.accept('a', 10, 1)).toBe('fresh');
    expect(t.accept('b', 20, 1)).toBe('fresh');
    expect(t.accept('a', 10, 2)).toBe('fresh'); // a becomes most recently used
    expect(t.accept('c', 15, 1)).toBe('fresh'); // evicts b (issued 20): watermark 20
    expect(t.size).toBe(2);
    expect(t.evictions).toBe(1);
    expect(t.accept('b', 20, 1)).toBe('forgotten'); // its history is lost: never fresh again
    expect(t.accept('d', 19, 1)).toBe('forgotten'); // cannot prove it was never used
    expect(t.accept('e', 21, 1)).toBe('fresh'); // issued after every evicted nonce: never used before
  });

  it('refuses invalid options with a TypeError', () => {
    expect(() => new NonceCountTracker({ window: 33 })).toThrow(TypeError);
    expect(() => new NonceCountTracker({ window: 0 })).toThrow(TypeError);
    expect(() => new NonceCountTracker({ maxNonces: 0 })).toThrow(TypeError);
  });
});
