// lib.mjs's compare, plus the median of per-round ratios: each contender's time over the first
// contender's in the same round. Rounds run interleaved, so a round where the shared engine is
// slow is slow for every contender of it; the paired ratio cancels most of that, where the ratio
// of medians keeps it (container starts here vary from 250 to 700 ms with the machine's load).
import { compare, median } from './lib.mjs';

interface Contender {
  name: string;
  run: () => Promise<unknown>;
  prepare?: () => Promise<unknown>;
}

/** Runs compare() and prints, under its table, each contender's median per-round ratio. */
export async function comparePaired(
  title: string,
  contenders: Contender[],
  options: { rounds: number; warmup: number },
): Promise<number[]> {
  const samples = contenders.map(() => [] as number[]);
  const timed = contenders.map((contender, index) => ({
    ...contender,
    run: async () => {
      const startMs = performance.now();
      await contender.run();
      samples[index]!.push(performance.now() - startMs);
    },
  }));
  await compare(title, timed, options);
  const rounds = samples.map((values) => values.slice(options.warmup));
  const ratios = rounds.map(
    (values): number => median(values.map((value, round) => value / rounds[0]![round]!)) as number,
  );
  console.log(
    `\nMedian of per-round ratios to the first: ${contenders
      .slice(1)
      .map((contender, index) => `${contender.name} ${ratios[index + 1]!.toFixed(2)}x`)
      .join('; ')}.`,
  );
  return ratios;
}
