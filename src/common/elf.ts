/**
 * Just enough of the ELF format to tell a statically linked executable from a dynamic one:
 * a dynamic executable has a PT_INTERP program header naming its loader.
 */

const ELF_MAGIC = 0x7f454c46;
const PT_INTERP = 3;

/** True when `binary` is an ELF executable with no program interpreter (statically linked). */
export function isStaticElf(binary: Uint8Array): boolean {
  const view = new DataView(binary.buffer, binary.byteOffset, binary.byteLength);
  if (binary.byteLength < 64 || view.getUint32(0) !== ELF_MAGIC) return false;
  const is64 = binary[4] === 2;
  const little = binary[5] === 1;
  const phoff = is64 ? Number(view.getBigUint64(0x20, little)) : view.getUint32(0x1c, little);
  const phentsize = view.getUint16(is64 ? 0x36 : 0x2a, little);
  const phnum = view.getUint16(is64 ? 0x38 : 0x2c, little);
  for (let index = 0; index < phnum; index++) {
    const offset = phoff + index * phentsize;
    if (offset + 4 > binary.byteLength) return false;
    if (view.getUint32(offset, little) === PT_INTERP) return false;
  }
  return true;
}
