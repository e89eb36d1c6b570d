/**
 * The telnet wire format (RFC 854/855): data bytes with commands mixed in after IAC (255). A
 * data byte 255 travels as IAC IAC; option negotiation is IAC WILL/WONT/DO/DONT <option>;
 * sub-negotiation is IAC SB <option> <bytes> IAC SE.
 *
 * Line endings, as found on the two servers of the test bed: inetutils-telnetd takes BINARY both
 * ways when offered, and then passes every byte as it is. busybox telnetd never answers BINARY
 * and passes its terminal's output as it is too (IAC doubled), but on input turns CR LF and
 * CR NUL into CR. So output is read raw unless a server refused BINARY (then NVT: CR NUL is a
 * bare CR), and input is sent raw but for a bare CR outside BINARY, sent as CR NUL. LF passes as
 * LF, which every terminal takes as the end of a line: the session engine's `\n`-terminated
 * input works unchanged, and output (after the session's `stty -opost`) is byte for byte.
 */

/** Telnet command bytes. */
export const TELNET = {
  SE: 240,
  NOP: 241,
  SB: 250,
  WILL: 251,
  WONT: 252,
  DO: 253,
  DONT: 254,
  IAC: 255,
} as const;

/** Telnet options this client knows by name. */
export const OPTION = {
  BINARY: 0,
  ECHO: 1,
  SGA: 3,
  TTYPE: 24,
  NAWS: 31,
} as const;

/** A negotiation verb: WILL, WONT, DO or DONT. */
export type NegotiationVerb = 251 | 252 | 253 | 254;

/** What the parser reports besides data. */
export interface TelnetParserHandlers {
  /** Data bytes, IAC IAC already unescaped (and CR NUL turned into CR on an NVT stream). */
  onData(data: Buffer): void;
  onNegotiation(verb: NegotiationVerb, option: number): void;
  onSubnegotiation(option: number, payload: Buffer): void;
}

type ParserState = 'data' | 'iac' | 'verb' | 'sb-option' | 'sb' | 'sb-iac' | 'cr';

/** Longest sub-negotiation kept; a longer one is cut (no option this client reads is that long). */
const MAX_SB_BYTES = 4096;

/**
 * A streaming parser of what a telnet server sends: commands may be split across chunks at any
 * byte. `isNvt()` tells whether the server's output follows NVT rules (CR NUL for a bare CR).
 * @example
 * const parser = new TelnetParser({ onData, onNegotiation, onSubnegotiation }, () => false);
 * socket.on('data', (chunk) => parser.push(chunk));
 */
export class TelnetParser {
  private state: ParserState = 'data';
  private verb: NegotiationVerb = TELNET.WILL;
  private sbOption = 0;
  private sbBytes: number[] = [];

  constructor(
    private readonly handlers: TelnetParserHandlers,
    private readonly isNvt: () => boolean,
  ) {}

  /** Parses one chunk, reporting its data (one call per chunk at most) and commands in order. */
  push(chunk: Buffer): void {
    const data: number[] = [];
    const flush = (): void => {
      if (data.length > 0) this.handlers.onData(Buffer.from(data.splice(0)));
    };
    for (const byte of chunk) {
      const isCommandStart = this.state !== 'sb' && this.state !== 'sb-iac' && byte === TELNET.IAC;
      if (isCommandStart || this.state === 'iac' || this.state === 'verb') flush();
      this.step(byte, data);
    }
    flush();
  }

  private step(byte: number, data: number[]): void {
    switch (this.state) {
      case 'data':
      case 'cr':
        return this.stepData(byte, data);
      case 'iac':
        return this.stepCommand(byte, data);
      case 'verb':
        this.state = 'data';
        return this.handlers.onNegotiation(this.verb, byte);
      case 'sb-option':
        this.sbOption = byte;
        this.sbBytes = [];
        this.state = 'sb';
        return;
      case 'sb':
        if (byte === TELNET.IAC) this.state = 'sb-iac';
        else if (this.sbBytes.length < MAX_SB_BYTES) this.sbBytes.push(byte);
        return;
      case 'sb-iac':
        return this.stepSubnegotiationIac(byte);
    }
  }

  private stepData(byte: number, data: number[]): void {
    const afterCr = this.state === 'cr';
    this.state = 'data';
    if (byte === TELNET.IAC) {
      this.state = 'iac';
      return;
    }
    // NVT: CR NUL is a bare CR; otherwise every byte counts.
    if (afterCr && byte === 0 && this.isNvt()) return;
    data.push(byte);
    if (byte === 13) this.state = 'cr';
  }

  private stepCommand(byte: number, data: number[]): void {
    this.state = 'data';
    if (byte === TELNET.IAC) data.push(TELNET.IAC);
    else if (byte === TELNET.SB) this.state = 'sb-option';
    else if (byte >= TELNET.WILL && byte <= TELNET.DONT) {
      this.verb = byte as NegotiationVerb;
      this.state = 'verb';
    }
    // Every other command (NOP, GA, AYT, ...) carries nothing for a client that only reads data.
  }

  private stepSubnegotiationIac(byte: number): void {
    if (byte === TELNET.IAC) {
      this.sbBytes.push(TELNET.IAC);
      this.state = 'sb';
      return;
    }
    this.state = 'data';
    // IAC SE ends it; anything else after IAC is malformed, and ends it all the same.
    this.handlers.onSubnegotiation(this.sbOption, Buffer.from(this.sbBytes));
    this.sbBytes = [];
  }
}

/**
 * Encodes input for the server: IAC doubled and, outside BINARY mode, a CR that is not followed
 * by LF sent as CR NUL (busybox telnetd and inetutils telnetd both take CR NUL as a bare CR; a
 * bare CR followed by anything but LF or NUL breaks NVT). LF passes as LF: both servers hand it
 * to the terminal as it is, which turns it into the shell's end of line.
 * @example encodeInput(Buffer.from('ls\n'), false)
 */
export function encodeInput(data: Buffer, isBinary: boolean): Buffer {
  const out: number[] = [];
  for (let i = 0; i < data.length; i++) {
    const byte = data[i]!;
    out.push(byte);
    if (byte === TELNET.IAC) out.push(TELNET.IAC);
    else if (byte === 13 && !isBinary && data[i + 1] !== 10) out.push(0);
  }
  return Buffer.from(out);
}

/** IAC <verb> <option>. */
export function negotiationBytes(verb: NegotiationVerb, option: number): Buffer {
  return Buffer.from([TELNET.IAC, verb, option]);
}

/** IAC SB <option> <payload, IAC doubled> IAC SE. */
export function subnegotiationBytes(option: number, payload: Buffer): Buffer {
  const escaped = [...payload].flatMap((byte) => (byte === TELNET.IAC ? [byte, byte] : [byte]));
  return Buffer.from([TELNET.IAC, TELNET.SB, option, ...escaped, TELNET.IAC, TELNET.SE]);
}

/** The NAWS sub-negotiation: width and height as 16-bit big-endian numbers. */
export function nawsBytes(cols: number, rows: number): Buffer {
  const size = Buffer.alloc(4);
  size.writeUInt16BE(Math.min(cols, 65535), 0);
  size.writeUInt16BE(Math.min(rows, 65535), 2);
  return subnegotiationBytes(OPTION.NAWS, size);
}

/** The TTYPE IS answer: IAC SB TTYPE 0 <term> IAC SE. */
export function terminalTypeBytes(term: string): Buffer {
  return subnegotiationBytes(
    OPTION.TTYPE,
    Buffer.concat([Buffer.from([0]), Buffer.from(term, 'latin1')]),
  );
}
