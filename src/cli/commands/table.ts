/**
 * A table as the commands print it: columns padded to their widest cell, two spaces apart, no
 * trailing blanks, one row a line.
 * @example formatTable([['ID', 'STATE'], ['web', 'running']]);
 */
export function formatTable(rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '';
  // A loop, not Math.max(...lengths): a lab of 100 000 hosts would overflow the stack.
  const widths = rows[0]!.map((_, column) =>
    rows.reduce((most, row) => Math.max(most, (row[column] ?? '').length), 0),
  );
  return `${rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
