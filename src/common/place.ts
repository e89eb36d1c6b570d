/**
 * Where something happens, said one way in every message: `host "db-1" [ssh]`, with the
 * transport's address when it tells more than the id: `host "db-1" (otto@10.0.0.5:22) [ssh]`.
 */

/** A host as messages name it. */
export interface Place {
  /** The host's id. */
  host: string;
  /** The kind of transport: `local`, `ssh`, `docker-exec`, `telnet`. */
  kind: string;
  /** The transport's address, when there is one worth showing. */
  transport?: string;
}

/** `host "db-1" (otto@10.0.0.5:22) [ssh]`; the address is left out when it is the id. */
export function describePlace(place: Place): string {
  const address = place.transport && place.transport !== place.host ? ` (${place.transport})` : '';
  return `host "${place.host}"${address} [${place.kind}]`;
}

/** The structured fields of an error raised at `place`. */
export function placeDetails(place: Place): { host: string; transport?: string } {
  return place.transport ? { host: place.host, transport: place.transport } : { host: place.host };
}

/** A command as messages show it: its first line, at most 200 characters, `…` when cut. */
export function shortCommand(command: string, maxChars = 200): string {
  const firstLine = command.split('\n')[0]!;
  const cut = firstLine.length > maxChars ? firstLine.slice(0, maxChars) : firstLine;
  return cut === command ? cut : `${cut}…`;
}
