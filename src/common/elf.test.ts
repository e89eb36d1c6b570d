import { describe, expect, it } from 'vitest';
import { isStaticElf } from './elf.js';

const PT_LOAD = 1;
const PT_INTERP = 3;

/** A minimal little-endian ELF64 header followed by program headers of the given types. */
function elf64(programTypes: number[]): Uint8Array {
  const phoff = 64;
  const phentsize = 56;
  const bytes = new Uint8Array(phoff + phentsize * programTypes.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0x7f454c46);
  bytes[4] = 2; // 64-bit
  bytes[5] = 1; // little-endian
  view.setBigUint64(0x20, BigInt(phoff), true);
  view.setUint16(0x36, phentsize, true);
  view.setUint16(0x38, programTypes.length, true);
  programTypes.forEach((type, index) => view.setUint32(phoff + index * phentsize, type, true));
  return bytes;
}

describe('isStaticElf', () => {
  it('accepts an executable without an interpreter', () => {
    expect(isStaticElf(elf64([PT_LOAD, PT_LOAD]))).toBe(true);
  });

  it('refuses one that names a program interpreter', () => {
    expect(isStaticElf(elf64([PT_LOAD, PT_INTERP, PT_LOAD]))).toBe(false);
  });

  it('refuses what is not ELF at all', () => {
    expect(isStaticElf(new TextEncoder().encode('#!/bin/sh\necho not a binary\n'.repeat(4)))).toBe(
      false,
    );
  });

  it('refuses a truncated program header table', () => {
    const bytes = elf64([PT_LOAD]);
    new DataView(bytes.buffer).setUint16(0x38, 40, true);
    expect(isStaticElf(bytes)).toBe(false);
  });
});
