/** One step of a long piece of work, reported while it runs. */
export interface ProgressEvent {
  /** Which work, e.g. `otto/debian:bookworm`. */
  subject: string;
  /** Phase name, e.g. `debootstrap`, `import`, `build`. */
  phase: string;
  /** One line for people. */
  message: string;
  /** Units done so far, when countable. */
  done?: number;
  /** Units in all, when known. */
  total?: number;
}

/** Receives progress events; must not throw. */
export type ProgressListener = (event: ProgressEvent) => void;

/** A listener that drops everything. */
export const IGNORE_PROGRESS: ProgressListener = () => {};
