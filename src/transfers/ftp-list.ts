/**
 * Reads Unix-style FTP directory listings (the `LIST` reply of vsftpd, ProFTPD, Pure-FTPd and
 * busybox ftpd, which all print `ls -l` lines): each line gives a type letter and nine permission
 * letters, a link count, owner, group, size, a date in three words and the name, then
 * ` -> target` for a symbolic link:
 *
 *     drwxr-x---    2 1000     1000         4096 Dec 02 03:19 tree
 *     -rwsr-xr-x    1 0        0           12345 Jan  1  2024 it's spaced.txt
 *     lrwxrwxrwx    1 0        0               1 Dec 02 03:19 link -> b
 *
 * Permission letters carry the setuid, setgid and sticky bits too (`s`/`S`, `t`/`T`), so a mode is
 * read back whole (`0o7777`), which `FileInfo.permissions` of basic-ftp does not keep.
 */

/** The kind of a listed entry. */
export type FtpEntryType = 'file' | 'dir' | 'link' | 'other';

/** One entry of a directory listing. */
export interface FtpEntry {
  name: string;
  type: FtpEntryType;
  /** Permission bits, setuid, setgid and sticky included (`0o7777`). */
  mode: number;
  sizeBytes: number;
  /** Where a symbolic link points, when the listing says. */
  linkTarget?: string;
}

/** type, permissions, links, owner, group, size, three date words, the rest is the name. */
const LINE =
  /^([-dlpscbD])([-rwxsStT]{9})[+.@]?\s+\d+\s+\S+\s+\S+\s+(\d+)\s+\S+\s+\S+\s+\S+\s(.*)$/;

const TYPES: Record<string, FtpEntryType> = { '-': 'file', d: 'dir', l: 'link' };

/**
 * The entries of a `LIST` reply, in its order; lines that are no entry (`total 12`, blank ones)
 * are skipped. `.` and `..` are kept: the `.` of `LIST -a dir` gives the mode of `dir` itself.
 * @example parseFtpList('-rw-r--r-- 1 0 0 6 Jan 01 00:00 a.txt\r\n')[0].mode === 0o644
 */
export function parseFtpList(raw: string): FtpEntry[] {
  const entries: FtpEntry[] = [];
  for (const line of raw.split(/\r?\n/)) {
    const entry = parseFtpListLine(line);
    if (entry) entries.push(entry);
  }
  return entries;
}

/** One listing line as an entry; undefined for a line that lists no entry. */
export function parseFtpListLine(line: string): FtpEntry | undefined {
  const match = LINE.exec(line);
  if (!match) return undefined;
  const [, typeLetter, permissions, size, rest] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  const type = TYPES[typeLetter] ?? 'other';
  const mode = modeOfPermissions(permissions);
  const sizeBytes = Number(size);
  if (type !== 'link') return { name: rest, type, mode, sizeBytes };
  // `name -> target`: a name holding " -> " itself cannot be told apart; the first one splits.
  const arrow = rest.indexOf(' -> ');
  if (arrow < 0) return { name: rest, type, mode, sizeBytes };
  return { name: rest.slice(0, arrow), type, mode, sizeBytes, linkTarget: rest.slice(arrow + 4) };
}

/**
 * The mode of nine permission letters (`rwsr-x--T`): `s`/`S` in an execute place is setuid
 * (owner) or setgid (group), with or without the execute bit; `t`/`T` in the last is sticky.
 * @example modeOfPermissions('rwsr-xr-x') === 0o4755
 */
export function modeOfPermissions(letters: string): number {
  let mode = 0;
  const specials = [0o4000, 0o2000, 0o1000];
  for (let who = 0; who < 3; who++) {
    const [read, write, execute] = letters.slice(who * 3, who * 3 + 3);
    const shift = (2 - who) * 3;
    if (read === 'r') mode |= 0o4 << shift;
    if (write === 'w') mode |= 0o2 << shift;
    if (execute === 'x' || execute === 's' || execute === 't') mode |= 0o1 << shift;
    if (execute === 's' || execute === 'S' || execute === 't' || execute === 'T')
      mode |= specials[who]!;
  }
  return mode;
}
