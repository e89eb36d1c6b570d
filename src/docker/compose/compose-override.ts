import { stringify } from 'yaml';
import type { ComposeFileModel, ComposeResource } from './compose-file.js';

/**
 * The override file otto adds after the user's compose files (`-f <generated>`): our ownership
 * labels on every service container, on every network that is not external (`default` included)
 * and on every named volume that is not external; and, for a remote engine, each relative bind
 * mount pointed at its staged copy on the engine's machine. External networks and volumes are
 * never labelled: they are not ours.
 */

/** What goes into an override. */
export interface ComposeOverrideSpec {
  model: ComposeFileModel;
  /** Labels every container, network and volume of the stack gets. */
  labels: Record<string, string>;
  /** Staged copies of bind sources: local source path → path on the engine's machine. */
  stagedSources?: ReadonlyMap<string, string>;
}

/**
 * The override's YAML text.
 * @example await writeFile(overridePath, composeOverrideText({ model, labels }));
 */
export function composeOverrideText(spec: ComposeOverrideSpec): string {
  const { model, labels } = spec;
  const services: Record<string, Record<string, unknown>> = {};
  for (const name of model.services) {
    const service: Record<string, unknown> = { labels: { ...labels } };
    const volumes = stagedVolumesOf(spec, name);
    if (volumes.length > 0) service.volumes = volumes;
    services[name] = service;
  }
  const document: Record<string, unknown> = {
    ...(model.version !== undefined && { version: model.version }),
    services,
    networks: labelledResources(withDefaultNetwork(model.networks), labels),
  };
  const volumes = labelledResources(model.volumes, labels);
  if (Object.keys(volumes).length > 0) document.volumes = volumes;
  return stringify(document);
}

/** The network compose makes when a service names none; declared or not, it is ours. */
function withDefaultNetwork(networks: readonly ComposeResource[]): ComposeResource[] {
  if (networks.some((network) => network.name === 'default')) return [...networks];
  return [...networks, { name: 'default', external: false, definition: {} }];
}

/** Each definition repeated with our labels added: compose v1 replaces a redefined one whole. */
function labelledResources(
  resources: readonly ComposeResource[],
  labels: Record<string, string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const resource of resources) {
    if (resource.external) continue;
    const own = resource.definition.labels;
    out[resource.name] = { ...resource.definition, labels: { ...labelsOf(own), ...labels } };
  }
  return out;
}

/** Compose takes labels as a mapping or as a list of `key=value`. */
function labelsOf(value: unknown): Record<string, string> {
  if (Array.isArray(value))
    return Object.fromEntries(
      value.map((item) => {
        const text = String(item);
        const equals = text.indexOf('=');
        return equals < 0 ? [text, ''] : [text.slice(0, equals), text.slice(equals + 1)];
      }),
    );
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, String(item)]));
  return {};
}

/** Short syntax (`source:target[:mode]`): every file version takes it. */
function stagedVolumesOf(spec: ComposeOverrideSpec, service: string): string[] {
  if (!spec.stagedSources) return [];
  return (spec.model.binds.get(service) ?? []).flatMap((bind) => {
    const staged = spec.stagedSources!.get(bind.source);
    if (staged === undefined) return [];
    return [[staged, bind.target, ...(bind.mode ? [bind.mode] : [])].join(':')];
  });
}
