import { describe, expect, it } from 'vitest';
import {
  BuildStepTracker,
  lineOfStep,
  listDockerfileInstructions,
  type BuildStep,
} from './build-steps.js';

describe('BuildStepTracker', () => {
  it('follows steps across pieces that do not end at line ends, keeping only their output', () => {
    const steps: BuildStep[] = [];
    const output: string[] = [];
    const tracker = new BuildStepTracker(
      (step) => steps.push(step),
      (line) => output.push(line),
    );
    for (const piece of [
      'Step 1/2 : FROM otto/busybox',
      '\n',
      ' ---> 1a2b3c\nStep 2/2 : RUN make\n ---> Running in 4d5e\nmake: ',
      '*** no rule\n',
      'partial',
    ])
      tracker.push(piece);
    tracker.flush();
    expect(steps).toEqual([
      { number: 1, total: 2, instruction: 'FROM otto/busybox' },
      { number: 2, total: 2, instruction: 'RUN make' },
    ]);
    expect(output).toEqual(['make: *** no rule', 'partial']);
    expect(tracker.outputTail()).toBe('make: *** no rule\npartial');
  });

  it('keeps the last 20 lines of a step', () => {
    const tracker = new BuildStepTracker();
    tracker.push('Step 1/1 : RUN seq 30\n');
    for (let line = 1; line <= 30; line++) tracker.push(`${line}\n`);
    expect(tracker.outputTail().split('\n')).toEqual(
      Array.from({ length: 20 }, (_, index) => String(index + 11)),
    );
  });
});

describe('Dockerfile lines of steps', () => {
  const dockerfile = [
    '# syntax comment',
    'FROM otto/busybox AS base',
    '',
    'RUN echo one \\',
    '    # a comment inside',
    '    two',
    'COPY . /app',
    'run make',
  ].join('\n');

  it('lists the instructions with their first line, continuations and comments skipped', () => {
    expect(listDockerfileInstructions(dockerfile)).toEqual([
      { line: 2, keyword: 'FROM' },
      { line: 4, keyword: 'RUN' },
      { line: 7, keyword: 'COPY' },
      { line: 8, keyword: 'RUN' },
    ]);
  });

  it('gives the line of a step whose keyword agrees, and none otherwise', () => {
    expect(lineOfStep(dockerfile, { number: 4, total: 7, instruction: 'RUN make' })).toBe(8);
    expect(lineOfStep(dockerfile, { number: 3, total: 7, instruction: 'RUN make' })).toBe(
      undefined,
    );
    expect(lineOfStep(dockerfile, { number: 6, total: 7, instruction: 'LABEL a=b' })).toBe(
      undefined,
    );
  });

  it('honours an escape directive', () => {
    const text = '# escape=`\nFROM x\nRUN a `\n  b\nRUN c\n';
    expect(listDockerfileInstructions(text).map((item) => item.line)).toEqual([2, 3, 5]);
  });
});
