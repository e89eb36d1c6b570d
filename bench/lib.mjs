import { spawn } from 'node:child_process';

// Side-by-side measurement: contenders run interleaved, round after round (alternating order), so
// that the noise of a shared machine falls on all of them alike; we report medians and ratios, never one absolute time.

/** Median of a list of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Runs each contender `rounds` times, interleaved, after `warmup` untimed rounds.
 * contenders: [{ name, run: async () => void, prepare?: async () => void }]; the first is the
 * baseline of the ratios. `prepare` runs before each of its runs, untimed (e.g. a down before an up).
 */
export async function compare(title, contenders, { rounds = 15, warmup = 2 } = {}) {
  for (let round = 0; round < warmup; round++)
    for (const contender of contenders) {
      await contender.prepare?.();
      await contender.run();
    }
  const samples = new Map(contenders.map((contender) => [contender.name, []]));
  for (let round = 0; round < rounds; round++) {
    // Odd rounds run in reverse order, so that no contender always pays for the one before it
    // (disk writeback, caches, a busy engine).
    const order = round % 2 === 0 ? contenders : [...contenders].reverse();
    for (const contender of order) {
      await contender.prepare?.();
      const startMs = performance.now();
      await contender.run();
      samples.get(contender.name).push(performance.now() - startMs);
    }
  }
  const baseline = median(samples.get(contenders[0].name));
  const rows = contenders.map((contender) => {
    const values = samples.get(contender.name);
    return {
      name: contender.name,
      medianMs: median(values),
      ratio: median(values) / baseline,
      minMs: Math.min(...values),
    };
  });
  printTable(title, rows, rounds);
  return rows;
}

function printTable(title, rows, rounds) {
  console.log(`\n### ${title} (${rounds} interleaved rounds)\n`);
  console.log('| contender | median | min | ratio to first |');
  console.log('|---|---:|---:|---:|');
  for (const row of rows) {
    console.log(
      `| ${row.name} | ${formatMs(row.medianMs)} | ${formatMs(row.minMs)} | ${row.ratio.toFixed(2)}x |`,
    );
  }
}

function formatMs(ms) {
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(0)} ms`;
}

/**
 * Spawns a program, waits for its exit and resolves to its stdout; rejects with its stderr unless
 * it exits 0. `options`: `env`, `cwd`.
 */
export function spawnOk(program, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) return resolve(Buffer.concat(out).toString());
      const stderr = Buffer.concat(err).toString();
      reject(new Error(`${program} ${args.join(' ')} exited with ${code ?? signal}:\n${stderr}`));
    });
  });
}
