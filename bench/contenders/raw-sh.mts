// The floor for a persistent local shell: a bare `sh` over pipes, one `echo` round trip, no framing.
import { spawn } from 'node:child_process';

export async function openRawShell(): Promise<{
  roundTrip: () => Promise<void>;
  close: () => void;
}> {
  const shell = spawn('sh', [], { stdio: ['pipe', 'pipe', 'ignore'] });
  let waiter: (() => void) | undefined;
  let seen = '';
  shell.stdout.on('data', (chunk: Buffer) => {
    seen += chunk.toString();
    if (seen.endsWith('x\n')) {
      seen = '';
      waiter?.();
    }
  });
  return {
    roundTrip: () =>
      new Promise<void>((resolve) => {
        waiter = resolve;
        shell.stdin.write('true; echo x\n');
      }),
    close: () => shell.kill(),
  };
}
