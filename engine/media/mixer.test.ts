// Examples for the N-party mixer: everyone-but-self, saturation, listen-only and whisper (supervisor modes).
import { describe, expect, it } from 'vitest';
import { MIXER_DEFAULTS, Mixer } from './mixer.ts';

const frame = (v: number, n = 160): Int16Array => new Int16Array(n).fill(v);

describe('Mixer', () => {
  it('mixes 160-sample frames by default', () => {
    expect(MIXER_DEFAULTS.frameSamples).toBe(160);
    const m = new Mixer();
    expect(m.add().output).toHaveLength(160);
  });

  it('gives each of three parties the sum of the two others', () => {
    const m = new Mixer();
    const [a, b, c] = [m.add(), m.add(), m.add()];
    a.write(frame(100));
    b.write(frame(20));
    c.write(frame(-3));
    m.mix();
    expect(a.output[0]).toBe(17);
    expect(b.output[77]).toBe(97);
    expect(c.output[159]).toBe(120);
  });

  it('saturates at the 16-bit limits', () => {
    const m = new Mixer();
    const [a, b, c] = [m.add(), m.add(), m.add()];
    a.write(frame(30000));
    b.write(frame(30000));
    c.write(frame(-30000));
    m.mix();
    expect(c.output[0]).toBe(32767);
    expect(a.output[0]).toBe(0);
    b.write(frame(-30000));
    a.write(frame(-30000));
    m.mix();
    expect(c.output[0]).toBe(-32768);
  });

  it('treats a party that wrote nothing since the last mix as silent', () => {
    const m = new Mixer();
    const [a, b] = [m.add(), m.add()];
    a.write(frame(5));
    m.mix();
    expect(b.output[0]).toBe(5);
    m.mix();
    expect(b.output[0]).toBe(0);
  });

  it('pads a short frame with silence', () => {
    const m = new Mixer();
    const [a, b] = [m.add(), m.add()];
    a.write(frame(9, 80));
    m.mix();
    expect(b.output[79]).toBe(9);
    expect(b.output[80]).toBe(0);
  });

  it('listen-only: a supervisor hears caller and agent, nobody hears the supervisor', () => {
    const m = new Mixer();
    const caller = m.add();
    const agent = m.add();
    const supervisor = m.add({ listenOnly: true });
    caller.write(frame(1));
    agent.write(frame(10));
    supervisor.write(frame(1000));
    m.mix();
    expect(supervisor.output[0]).toBe(11);
    expect(caller.output[0]).toBe(10);
    expect(agent.output[0]).toBe(1);
  });

  it('whisper: only the agent hears the supervisor; the caller does not', () => {
    const m = new Mixer();
    const caller = m.add();
    const agent = m.add();
    const supervisor = m.add({ whisperTo: agent });
    caller.write(frame(1));
    agent.write(frame(10));
    supervisor.write(frame(1000));
    m.mix();
    expect(agent.output[0]).toBe(1001);
    expect(caller.output[0]).toBe(10);
    expect(supervisor.output[0]).toBe(11);
    // Barge in: the supervisor speaks to everyone.
    supervisor.whisperTo = null;
    supervisor.write(frame(1000));
    caller.write(frame(1));
    m.mix();
    expect(caller.output[0]).toBe(1000);
    expect(agent.output[0]).toBe(1001);
  });

  it('turns a whisperer listen-only when its target leaves, and refuses bad targets', () => {
    const m = new Mixer();
    const caller = m.add();
    const agent = m.add();
    const supervisor = m.add({ whisperTo: agent });
    m.remove(agent);
    m.remove(agent);
    expect(agent.joined).toBe(false);
    expect(supervisor.listenOnly).toBe(true);
    supervisor.write(frame(1000));
    m.mix();
    expect(caller.output[0]).toBe(0);
    expect(() => (supervisor.whisperTo = supervisor)).toThrow(TypeError);
    expect(() => (supervisor.whisperTo = agent)).toThrow(TypeError);
    expect(() => (supervisor.whisperTo = new Mixer().add())).toThrow(TypeError);
  });

  it('refuses parties beyond maxParties', () => {
    const m = new Mixer({ maxParties: 2 });
    m.add();
    m.add();
    expect(() => m.add()).toThrow(RangeError);
    expect(() => new Mixer({ frameSamples: 0 })).toThrow(TypeError);
  });
});
