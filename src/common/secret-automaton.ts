/**
 * An Aho-Corasick matcher over bytes, for secret masking: it finds every secret in one pass
 * whatever their number (a lab of thousands of hosts has thousands of passwords), and its state
 * after a chunk says how long a tail of it could still begin a secret, which is what a stream
 * must hold back.
 */

/** What a scan found, and the state to go on from with the next bytes. */
export interface ScanResult {
  /** `[start, end)` of every longest secret ending at each position, in order of their ends. */
  ranges: [number, number][];
  state: number;
}

/** Finds secrets (byte strings) in byte streams. */
export class SecretAutomaton {
  /** Transitions of the trie: key `node * 256 + byte`. */
  private readonly edges = new Map<number, number>();
  /** Transitions from the root, dense: most bytes of most output leave it at once. */
  private readonly rootEdges = new Int32Array(256);
  private readonly fail: Int32Array;
  private readonly depth: Int32Array;
  /** Length of the longest secret that ends at this node (0: none). */
  private readonly matchLength: Int32Array;

  constructor(secrets: readonly Buffer[]) {
    const capacity = secrets.reduce((sum, secret) => sum + secret.length, 1);
    this.fail = new Int32Array(capacity);
    this.depth = new Int32Array(capacity);
    this.matchLength = new Int32Array(capacity);
    // Each node's children as a list (first child, next sibling), for the breadth-first pass.
    const firstChild = new Int32Array(capacity);
    const nextSibling = new Int32Array(capacity);
    const byteOf = new Uint8Array(capacity);
    let nodes = 1;
    for (const secret of secrets) {
      let node = 0;
      for (const byte of secret) {
        let child = this.edges.get(node * 256 + byte);
        if (child === undefined) {
          child = nodes++;
          this.edges.set(node * 256 + byte, child);
          this.depth[child] = this.depth[node]! + 1;
          byteOf[child] = byte;
          nextSibling[child] = firstChild[node]!;
          firstChild[node] = child;
        }
        node = child;
      }
      this.matchLength[node] = secret.length;
    }
    for (let byte = 0; byte < 256; byte++) this.rootEdges[byte] = this.edges.get(byte) ?? 0;
    this.linkFailures(firstChild, nextSibling, byteOf, nodes);
  }

  /** How many bytes before a state could begin a secret. */
  depthOf(state: number): number {
    return this.depth[state]!;
  }

  /** Reads `bytes` from `from` on, starting in `state`. */
  scan(bytes: Buffer, from: number, state: number): ScanResult {
    const ranges: [number, number][] = [];
    let node = state;
    for (let at = from; at < bytes.length; at++) {
      node = this.step(node, bytes[at]!);
      const length = this.matchLength[node]!;
      if (length > 0) ranges.push([at + 1 - length, at + 1]);
    }
    return { ranges, state: node };
  }

  private step(state: number, byte: number): number {
    for (let node = state; node !== 0; node = this.fail[node]!) {
      const next = this.edges.get(node * 256 + byte);
      if (next !== undefined) return next;
    }
    return this.rootEdges[byte]!;
  }

  /** Failure links breadth first, and the longest match reachable through them. */
  private linkFailures(
    firstChild: Int32Array,
    nextSibling: Int32Array,
    byteOf: Uint8Array,
    nodes: number,
  ): void {
    const queue = new Int32Array(nodes);
    let tail = 0;
    for (let child = firstChild[0]!; child !== 0; child = nextSibling[child]!)
      queue[tail++] = child;
    for (let head = 0; head < tail; head++) {
      const node = queue[head]!;
      for (let child = firstChild[node]!; child !== 0; child = nextSibling[child]!) {
        const target = this.step(this.fail[node]!, byteOf[child]!);
        this.fail[child] = target;
        this.matchLength[child] = Math.max(this.matchLength[child]!, this.matchLength[target]!);
        queue[tail++] = child;
      }
    }
  }
}
