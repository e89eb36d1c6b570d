import { describe, expect, it } from 'vitest';
import { groupLines } from './script-lines.js';

describe('groupLines', () => {
  it('keeps the order and puts as many lines in a group as its byte limit takes', () => {
    expect(groupLines(['aa', 'bb', 'cc', 'dd'], 5)).toEqual([
      ['aa', 'bb'],
      ['cc', 'dd'],
    ]);
    expect(groupLines(['aa', 'bb'], 4, ' ')).toEqual([['aa'], ['bb']]);
    expect(groupLines(['aa', 'bb'], 5, ' ')).toEqual([['aa', 'bb']]);
  });

  it('gives a line longer than the limit a group of its own, and no group for no lines', () => {
    expect(groupLines(['a', 'long line', 'b'], 4)).toEqual([['a'], ['long line'], ['b']]);
    expect(groupLines([], 10)).toEqual([]);
  });

  it('counts bytes, not characters', () => {
    expect(groupLines(['é', 'é'], 4)).toEqual([['é'], ['é']]);
    expect(groupLines(['é', 'é'], 5)).toEqual([['é', 'é']]);
  });
});
