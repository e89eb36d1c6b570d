import { describe, expect, it } from 'vitest';
import { OPTION, TELNET, nawsBytes, terminalTypeBytes } from './telnet-codec.js';
import { TelnetNegotiation } from './telnet-negotiation.js';

const { IAC, DO, DONT, WILL, WONT } = TELNET;
const LINEMODE = 34;

function negotiation(): { sent: number[][]; subject: TelnetNegotiation } {
  const sent: number[][] = [];
  const subject = new TelnetNegotiation({
    write: (bytes) => sent.push([...bytes]),
    term: 'xterm',
    cols: 200,
    rows: 50,
  });
  return { sent, subject };
}

describe('TelnetNegotiation', () => {
  it('offers BINARY both ways and asks for SGA, and takes the answers without answering again', () => {
    const { sent, subject } = negotiation();
    subject.start();
    expect(sent.splice(0)).toEqual([
      [IAC, WILL, OPTION.BINARY],
      [IAC, DO, OPTION.BINARY],
      [IAC, DO, OPTION.SGA],
    ]);
    expect([subject.isInputBinary, subject.isOutputNvt]).toEqual([false, false]);
    subject.receive(DO, OPTION.BINARY);
    subject.receive(WILL, OPTION.BINARY);
    subject.receive(WONT, OPTION.SGA);
    expect(sent).toEqual([]);
    expect([subject.isInputBinary, subject.isOutputNvt]).toEqual([true, false]);
    subject.receive(WONT, OPTION.BINARY);
    expect(sent).toEqual([[IAC, DONT, OPTION.BINARY]]);
    expect(subject.isOutputNvt).toBe(true);
  });

  it('performs NAWS (the size at once and on resize) and TTYPE, refuses what it does not know', () => {
    const { sent, subject } = negotiation();
    subject.receive(DO, OPTION.NAWS);
    subject.receive(DO, OPTION.TTYPE);
    subject.receiveSubnegotiation(OPTION.TTYPE, Buffer.from([1]));
    subject.receive(DO, LINEMODE);
    subject.receive(WILL, LINEMODE);
    subject.resize(80, 24);
    expect(sent).toEqual([
      [IAC, WILL, OPTION.NAWS],
      [...nawsBytes(200, 50)],
      [IAC, WILL, OPTION.TTYPE],
      [...terminalTypeBytes('xterm')],
      [IAC, WONT, LINEMODE],
      [IAC, DONT, LINEMODE],
      [...nawsBytes(80, 24)],
    ]);
  });

  it('never answers a repeat or an acknowledgement, so that no peer can loop', () => {
    const { sent, subject } = negotiation();
    subject.receive(WILL, OPTION.ECHO);
    subject.receive(WILL, OPTION.ECHO);
    subject.receive(WONT, OPTION.ECHO);
    subject.receive(WONT, OPTION.ECHO);
    subject.receive(DONT, OPTION.NAWS);
    subject.receive(DO, OPTION.ECHO);
    expect(sent).toEqual([
      [IAC, DO, OPTION.ECHO],
      [IAC, DONT, OPTION.ECHO],
      [IAC, WONT, OPTION.ECHO],
    ]);
  });

  it('sends no window size before NAWS is agreed, nor a terminal type before TTYPE', () => {
    const { sent, subject } = negotiation();
    subject.resize(100, 30);
    subject.receiveSubnegotiation(OPTION.TTYPE, Buffer.from([1]));
    expect(sent).toEqual([]);
    subject.receive(DO, OPTION.NAWS);
    expect(sent.at(-1)).toEqual([...nawsBytes(100, 30)]);
  });
});
