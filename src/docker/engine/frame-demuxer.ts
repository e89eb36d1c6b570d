/**
 * Without a TTY, the engine multiplexes a container's stdout and stderr on one byte stream (logs,
 * attach, exec). Each frame is an 8-byte header, `[stream, 0, 0, 0, size(uint32 big-endian)]`,
 * followed by `size` bytes of payload; stream 1 is stdout and 2 is stderr (0 is stdin). Frames and
 * headers may be split across chunks at any byte.
 */

/** Which stream a frame belongs to. */
export type FrameStream = 'stdout' | 'stderr';

const HEADER_BYTES = 8;

/** Returns a function that accepts chunks in order and calls `onFrame` for each payload piece. */
export function createFrameDemuxer(
  onFrame: (stream: FrameStream, payload: Buffer) => void,
): (chunk: Buffer) => void {
  let header = Buffer.alloc(0);
  let remaining = 0;
  let stream: FrameStream = 'stdout';
  return (chunk) => {
    let offset = 0;
    while (offset < chunk.length) {
      if (remaining === 0) {
        const needed = HEADER_BYTES - header.length;
        header = Buffer.concat([header, chunk.subarray(offset, offset + needed)]);
        offset += Math.min(needed, chunk.length - offset);
        if (header.length < HEADER_BYTES) return;
        stream = header[0] === 2 ? 'stderr' : 'stdout';
        remaining = header.readUInt32BE(4);
        header = Buffer.alloc(0);
        continue;
      }
      const take = Math.min(remaining, chunk.length - offset);
      onFrame(stream, chunk.subarray(offset, offset + take));
      offset += take;
      remaining -= take;
    }
  };
}
