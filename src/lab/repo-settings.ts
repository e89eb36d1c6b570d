import type { LabProtocolOptions } from './protocol-options.js';

/**
 * A repo's `.otto/settings.toml` as read (`${sutDir}` expanded, defaults filled), in otto 0.3.6's
 * keys. `lab_data_type` and `[coverage]` are accepted and not used.
 */
export interface RepoSettings {
  /** The repo's name. */
  name: string;
  /** The repo's version, `X.Y.Z`. */
  version: string;
  /** Lab folders, each holding a `hosts.json`. @default [] */
  labs: string[];
  /** Folders searched for the `init` modules. @default [] */
  libs: string[];
  /** Folders of test suites. @default [] */
  tests: string[];
  /** Modules loaded at start-up (they register instructions). @default [] */
  init: string[];
  /** otto's lab format switch (only `json` exists); accepted and not used. */
  lab_data_type?: string;
  /** `[host_defaults.<protocol>_options]`: defaults under every lab host's own tables. @default {} */
  host_defaults: LabProtocolOptions;
  /** `[docker]`: images and compose stacks of the repo. */
  docker?: RepoDockerSettings;
  /** `[reservations]`: where reservations of lab resources are read. */
  reservations?: RepoReservationSettings;
  /** `[coverage]`: otto's coverage settings; accepted and not used. */
  coverage?: Record<string, unknown>;
}

/** `[docker]` of a repo's settings. */
export interface RepoDockerSettings {
  /** Registry images are named after. @default 'docker.io' */
  registry_url: string;
  /** `[[docker.images]]`: images the repo builds. @default [] */
  images: RepoDockerImage[];
  /** `[[docker.composes]]`: compose stacks the repo runs. @default [] */
  composes: RepoDockerCompose[];
}

/** One `[[docker.images]]` entry. */
export interface RepoDockerImage {
  /** Image name. */
  name: string;
  /** Path of its Dockerfile. */
  dockerfile: string;
  /** Build context folder. */
  context: string;
  /** Build stage to stop at. */
  target?: string;
  /** Build arguments. */
  build_args?: Record<string, string>;
}

/** One `[[docker.composes]]` entry. */
export interface RepoDockerCompose {
  /** Path of the compose file. */
  path: string;
  /** Lab host whose engine runs the stack. */
  default_host?: string;
  /** Services to start. @default [] */
  services: string[];
}

/** `[reservations]` of a repo's settings; further keys belong to the backend. */
export interface RepoReservationSettings {
  /** `none`, `json` or `<module path>:<ExportName>`. @default 'none' */
  backend: string;
  /** Where the backend reads reservations (a file for `json`). */
  url?: string;
  [key: string]: unknown;
}
