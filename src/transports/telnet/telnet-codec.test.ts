import { describe, expect, it } from 'vitest';
import {
  OPTION,
  TELNET,
  TelnetParser,
  encodeInput,
  nawsBytes,
  terminalTypeBytes,
  type NegotiationVerb,
} from './telnet-codec.js';

const { IAC, SB, SE, DO, WILL, NOP } = TELNET;

type Event = ['data', string] | ['neg', NegotiationVerb, number] | ['sb', number, number[]];

function parse(chunks: number[][], isNvt = true): Event[] {
  const events: Event[] = [];
  const parser = new TelnetParser(
    {
      onData: (data) => events.push(['data', data.toString('latin1')]),
      onNegotiation: (verb, option) => events.push(['neg', verb, option]),
      onSubnegotiation: (option, payload) => events.push(['sb', option, [...payload]]),
    },
    () => isNvt,
  );
  for (const chunk of chunks) parser.push(Buffer.from(chunk));
  return events;
}

const bytes = (text: string): number[] => [...Buffer.from(text, 'latin1')];

describe('TelnetParser', () => {
  it('separates data from negotiation and sub-negotiation, in order', () => {
    const stream = [
      ...bytes('ab'),
      IAC,
      DO,
      OPTION.NAWS,
      ...bytes('c'),
      IAC,
      SB,
      OPTION.TTYPE,
      1,
      IAC,
      SE,
      IAC,
      NOP,
      ...bytes('d'),
    ];
    expect(parse([stream])).toEqual([
      ['data', 'ab'],
      ['neg', DO, OPTION.NAWS],
      ['data', 'c'],
      ['sb', OPTION.TTYPE, [1]],
      ['data', 'd'],
    ]);
  });

  it('gives the same events whatever the chunk boundaries', () => {
    const stream = [
      ...bytes('x'),
      IAC,
      WILL,
      OPTION.ECHO,
      IAC,
      IAC,
      IAC,
      SB,
      24,
      IAC,
      IAC,
      7,
      IAC,
      SE,
      ...bytes('y'),
    ];
    const whole = parse([stream]);
    const single = parse(stream.map((byte) => [byte]));
    const merge = (events: Event[]): Event[] =>
      events.reduce<Event[]>((out, event) => {
        const last = out.at(-1);
        if (event[0] === 'data' && last?.[0] === 'data') last[1] += event[1];
        else out.push([...event] as Event);
        return out;
      }, []);
    expect(merge(single)).toEqual(merge(whole));
    expect(merge(whole)).toEqual([
      ['data', 'x'],
      ['neg', WILL, OPTION.ECHO],
      ['data', '\xff'],
      ['sb', 24, [IAC, 7]],
      ['data', 'y'],
    ]);
  });

  it('turns CR NUL into CR on an NVT stream, and keeps every byte otherwise', () => {
    expect(parse([[13], [0, 65, 13, 10]])).toEqual([
      ['data', '\r'],
      ['data', 'A\r\n'],
    ]);
    expect(parse([[13, 0, 65]], false)).toEqual([['data', '\r\0A']]);
  });
});

describe('encodeInput', () => {
  it('doubles IAC and sends a bare CR as CR NUL outside BINARY mode', () => {
    expect([...encodeInput(Buffer.from([65, IAC, 13, 66, 13, 10, 10, 13]), false)]).toEqual([
      65,
      IAC,
      IAC,
      13,
      0,
      66,
      13,
      10,
      10,
      13,
      0,
    ]);
    expect([...encodeInput(Buffer.from([IAC, 13, 66]), true)]).toEqual([IAC, IAC, 13, 66]);
  });
});

describe('sub-negotiation bytes', () => {
  it('encodes NAWS as 16-bit sizes with IAC doubled, and TTYPE IS', () => {
    expect([...nawsBytes(255, 50)]).toEqual([IAC, SB, OPTION.NAWS, 0, IAC, IAC, 0, 50, IAC, SE]);
    expect([...terminalTypeBytes('vt100')]).toEqual([
      IAC,
      SB,
      OPTION.TTYPE,
      0,
      ...bytes('vt100'),
      IAC,
      SE,
    ]);
  });
});
