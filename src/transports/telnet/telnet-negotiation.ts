import {
  OPTION,
  TELNET,
  nawsBytes,
  negotiationBytes,
  terminalTypeBytes,
  type NegotiationVerb,
} from './telnet-codec.js';

/** Options this client performs itself (answers DO with WILL): window size, terminal type, 8-bit input, no go-ahead. */
const LOCAL_OPTIONS: ReadonlySet<number> = new Set([
  OPTION.NAWS,
  OPTION.TTYPE,
  OPTION.BINARY,
  OPTION.SGA,
]);
/** Options this client lets the server perform (answers WILL with DO): 8-bit output, echo, no go-ahead. */
const REMOTE_OPTIONS: ReadonlySet<number> = new Set([OPTION.BINARY, OPTION.ECHO, OPTION.SGA]);
/** TTYPE SEND, the server's request for the terminal type. */
const TTYPE_SEND = 1;

type OptionState = 'no' | 'yes' | 'asked';

/** What the negotiation needs from its connection. */
export interface NegotiationSettings {
  write(bytes: Buffer): void;
  term: string;
  cols: number;
  rows: number;
}

/**
 * The client's side of option negotiation. Every request is answered once, by its state per
 * option and side (RFC 1143 in short): an answer to what we asked, or a repeat of what holds,
 * is never answered again, so no two peers can loop. We offer BINARY both ways (8-bit clean
 * data) and SGA, and perform NAWS (the size at once and on every resize) and TTYPE; the server
 * may ECHO (the session turns echo off with stty); everything else is refused.
 * @example
 * const negotiation = new TelnetNegotiation({ write, term: 'dumb', cols: 200, rows: 50 });
 * negotiation.start();
 */
export class TelnetNegotiation {
  private readonly local = new Map<number, OptionState>();
  private readonly remote = new Map<number, OptionState>();
  private cols: number;
  private rows: number;
  private hasRefusedBinary = false;

  constructor(private readonly settings: NegotiationSettings) {
    this.cols = settings.cols;
    this.rows = settings.rows;
  }

  /** Sends our own offers: BINARY both ways and SGA from the server. */
  start(): void {
    this.ask(this.local, OPTION.BINARY, TELNET.WILL);
    this.ask(this.remote, OPTION.BINARY, TELNET.DO);
    this.ask(this.remote, OPTION.SGA, TELNET.DO);
  }

  /** True once the server agreed to take our input in BINARY mode (no CR NUL needed). */
  get isInputBinary(): boolean {
    return this.local.get(OPTION.BINARY) === 'yes';
  }

  /**
   * True when the server's output follows NVT rules (a CR NUL stands for CR): when it refused
   * BINARY. A server that never answered (busybox telnetd) sends its terminal's bytes as they are.
   */
  get isOutputNvt(): boolean {
    return this.hasRefusedBinary;
  }

  /** Answers one IAC WILL/WONT/DO/DONT from the server. */
  receive(verb: NegotiationVerb, option: number): void {
    if (verb === TELNET.DO || verb === TELNET.DONT)
      this.receiveForLocal(verb === TELNET.DO, option);
    else this.receiveForRemote(verb === TELNET.WILL, option);
  }

  /** Answers a sub-negotiation: TTYPE SEND gets the terminal type. */
  receiveSubnegotiation(option: number, payload: Buffer): void {
    if (option === OPTION.TTYPE && payload[0] === TTYPE_SEND && this.isLocal(OPTION.TTYPE))
      this.settings.write(terminalTypeBytes(this.settings.term));
  }

  /** Records the window size and sends it when NAWS is on. */
  resize(cols: number, rows: number): void {
    this.cols = cols;
    this.rows = rows;
    if (this.isLocal(OPTION.NAWS)) this.settings.write(nawsBytes(cols, rows));
  }

  private receiveForLocal(isRequest: boolean, option: number): void {
    const state = this.local.get(option) ?? 'no';
    if (isRequest && !LOCAL_OPTIONS.has(option)) return this.send(TELNET.WONT, option);
    if (isRequest && state === 'yes') return;
    if (!isRequest && state === 'no') return;
    this.local.set(option, isRequest ? 'yes' : 'no');
    // An answer to our own offer is not answered again; a request is.
    if (state !== 'asked') this.send(isRequest ? TELNET.WILL : TELNET.WONT, option);
    if (isRequest && option === OPTION.NAWS) this.settings.write(nawsBytes(this.cols, this.rows));
  }

  private receiveForRemote(isOffer: boolean, option: number): void {
    const state = this.remote.get(option) ?? 'no';
    if (isOffer && !REMOTE_OPTIONS.has(option)) return this.send(TELNET.DONT, option);
    if (isOffer && state === 'yes') return;
    if (!isOffer && state === 'no') return;
    this.remote.set(option, isOffer ? 'yes' : 'no');
    if (option === OPTION.BINARY) this.hasRefusedBinary = !isOffer;
    if (state !== 'asked') this.send(isOffer ? TELNET.DO : TELNET.DONT, option);
  }

  private ask(side: Map<number, OptionState>, option: number, verb: NegotiationVerb): void {
    side.set(option, 'asked');
    this.send(verb, option);
  }

  private isLocal(option: number): boolean {
    return this.local.get(option) === 'yes';
  }

  private send(verb: NegotiationVerb, option: number): void {
    this.settings.write(negotiationBytes(verb, option));
  }
}
