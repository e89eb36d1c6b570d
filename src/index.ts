/**
 * otto-ts: deploy to, test and monitor software on machines and Docker containers.
 * This module re-exports the public API only: what code using hosts, labs, instructions and
 * Docker images and containers calls. The CLI's plumbing (option flags, host overrides, module
 * loading, the reservation gate, listings) and the engines under the hosts (transports, shell
 * sessions, transfer implementations) stay inside; docs/api.md lists every decision.
 */

// Errors: every failure is one of these, with a stable code.
export {
  OttoError,
  ConfigError,
  ConnectionError,
  CommandError,
  TimeoutError,
  AbortedError,
  ClosedError,
  TransferError,
  DockerError,
  ImageBuildError,
  FixtureError,
  ReservationError,
  InstructionError,
  MonitorError,
  TestFailure,
  isOttoError,
  type ErrorDetails,
  type OttoErrorOptions,
  type ConfigErrorCode,
  type ConnectionErrorCode,
  type CommandErrorCode,
  type TimeoutErrorCode,
  type TransferErrorCode,
  type DockerErrorCode,
  type ImageBuildErrorCode,
  type FixtureErrorCode,
  type InstructionErrorCode,
  type MonitorErrorCode,
  type TestFailureCode,
} from './errors.js';

// Hosts: run commands, sessions, transfers, repeats, fan-out.
export type {
  Host,
  HostSession,
  Commands,
  Argv,
  OutputOptions,
  RunOptions,
  OneshotOptions,
  ExpectOptions,
  InteractOptions,
} from './hosts/host.js';
export {
  RunResult,
  isOkStatus,
  type CommandResult,
  type ShellCommand,
  type Status,
} from './hosts/command-result.js';
export type { HostOptions } from './hosts/host-options.js';
export type { RepeatOptions, RepeatRecord } from './hosts/repeater.js';
export { LocalHost } from './hosts/local-host.js';
export {
  SshHost,
  type SshHostOptions,
  type SshTransferKind,
  type SshTunnels,
} from './hosts/ssh-host.js';
export {
  TelnetHost,
  type TelnetHostOptions,
  type TelnetHostTarget,
  type TelnetTransferKind,
} from './hosts/telnet-host.js';
export type { HostTransferKind, HostTransferOptions } from './hosts/host-transfers.js';
export type { HostFtpOptions } from './hosts/host-transfers.js';
export type { NcOptions } from './transfers/nc-listener.js';
export type { TelnetTarget } from './transports/telnet/telnet-target.js';
export { ContainerHost, type ContainerHostOptions } from './hosts/container-host.js';
export { runOnHosts, type FanOutOptions, type HostOutcome } from './hosts/fan-out.js';
export type { SshTarget, HostKeyPolicy } from './transports/ssh/ssh-target.js';
export type { TransportKind } from './transports/transport.js';
export type {
  TransferOptions,
  TransferProgress,
  TransferResult,
  TransferredFile,
} from './transfers/transfer.js';
export type { ExpectRule } from './sessions/expect-matcher.js';
export type { OutputSink, OutputStreamName } from './common/bounded-output.js';

// Labs and repos: load a lab, make its hosts.
export { loadLab, type Lab, type LoadLabOptions } from './lab/lab.js';
export type { LabFileHost } from './lab/lab-file.js';
export type {
  LabHostEntry,
  LabToolchain,
  LabSshOptions,
  LabTelnetOptions,
  LabFtpOptions,
  LabNcOptions,
  LabProtocolOptions,
  LabNoOptions,
} from './lab/lab-schema.js';
export { createLabHost, type HostDefaults } from './lab/lab-hosts.js';
export { LabHostPool, hostDefaultsOf, type LabHostPoolOptions } from './lab/lab-host-pool.js';
export {
  ComposeStack,
  composeDown,
  composeStack,
  composeUp,
  type ComposeStackOptions,
} from './lab/compose-stacks.js';
export { composePs, type ComposePsRow } from './lab/compose-ps.js';
export {
  ComposeServiceHost,
  composeServiceHostId,
  type ComposeServiceInfo,
} from './lab/compose-service-host.js';
export { composeProjectName } from './docker/compose/compose-project.js';
export {
  readRepo,
  type Repo,
  type RepoSettings,
  type RepoDockerSettings,
  type RepoDockerImage,
  type RepoDockerCompose,
  type RepoReservationSettings,
} from './lab/settings.js';
export { findRepos, labDirsOf } from './lab/repos.js';
export type { ReservationBackend } from './lab/reservation-backends.js';

// Instructions and their typed options.
export {
  defineInstruction,
  type Instruction,
  type InstructionContext,
  type InstructionOutcome,
  type InstructionSpec,
} from './instructions/instruction.js';

// Suites: tests that `otto test <Suite>` runs on Vitest (and plain Vitest runs as they are).
export {
  defineSuite,
  isSuite,
  type Suite,
  type SuiteApi,
  type SuiteSpec,
  type SuiteFixtureValues,
  type SuiteTestContext,
} from './suites/define-suite.js';
export type { SuiteMonitorOptions } from './suites/suite-monitor.js';
export {
  defineOptions,
  type OptionSpec,
  type OptionSpecs,
  type OptionValues,
  type StringOptionSpec,
  type NumberOptionSpec,
  type BooleanOptionSpec,
  type EnumOptionSpec,
} from './common/option-set.js';

// Monitor: metrics of every host, recorded, served live and replayed; events marked by code.
export {
  Monitor,
  MIN_INTERVAL_MS,
  openReplay,
  type MonitorOptions,
  type MonitorServeOptions,
  type Replay,
} from './monitor/monitor.js';
export type { ReplayOptions } from './monitor/replay.js';
export { startMonitor, stopMonitor, addMonitorEvent } from './monitor/current-monitor.js';
export { defineMetricParser, registerHostParsers } from './monitor/host-parsers.js';
export type { MonitorSource } from './monitor/monitor-source.js';
export type {
  SeriesPlacement,
  SeriesMeta,
  PointDetail,
  Sample,
  EventDash,
  EventSource,
  MonitorEvent,
  NewMonitorEvent,
  MonitorEventPatch,
  HostState,
  MetricReading,
  ParseContext,
  MetricParser,
} from './monitor/metric-types.js';
export type {
  ApiSeries,
  MetaResponse,
  DataQuery,
  DataResponse,
  StreamMessage,
} from './monitor/api-types.js';

// Docker: the engine, images built offline, containers and networks.
export {
  EngineClient,
  type EngineClientOptions,
  type EngineRequest,
  type EngineVersion,
  type ByteSource,
} from './docker/engine/engine-client.js';
export type { EngineEndpoint } from './docker/engine/engine-endpoint.js';
export {
  ensureEngine,
  type EnsureEngineOptions,
  type EngineStatus,
} from './docker/engine/ensure-engine.js';
export {
  ensureBaseImage,
  BASE_IMAGE_KINDS,
  type BaseImageKind,
} from './docker/images/base-images.js';
export {
  ensureBusyboxImage,
  BUSYBOX_IMAGE,
  type BaseImageOptions,
} from './docker/images/busybox-image.js';
export {
  ensureDebianImage,
  debianImageRef,
  DEBIAN_RECIPE,
  type DebianRecipe,
  type DebianImageOptions,
} from './docker/images/debian-image.js';
export {
  ensureCachedImage,
  type CachedImage,
  type EnsureCachedImageOptions,
} from './docker/images/cached-image.js';
export {
  ensureImageFromDirectory,
  type DirectoryImageOptions,
} from './docker/images/directory-image.js';
export {
  inspectImage,
  removeImage,
  tagImage,
  buildImage,
  importImage,
  type ImageInfo,
  type BuildImageOptions,
  type ImportImageOptions,
} from './docker/images/image-api.js';
export {
  runContainer,
  type RunContainerOptions,
  type ContainerRunResult,
} from './docker/containers/run-container.js';
export {
  StartedContainer,
  inspectContainer,
  removeContainer,
  type ContainerState,
} from './docker/containers/started-container.js';
export type { ContainerSpec, PublishedPort } from './docker/containers/container-spec.js';
export { StartedNetwork, type NetworkSpec } from './docker/networks/started-network.js';
export { StartedVolume, type VolumeSpec } from './docker/volumes/started-volume.js';
export type { Lifetime } from './docker/labels.js';
export { sweepDeadOwners, type SweepOptions, type SweepReport } from './docker/ownership/sweep.js';
export type {
  OwnedResource,
  ResourceKind,
  ResourceStatus,
} from './docker/ownership/owned-resources.js';
export type { RemovalFailure, RemoveOptions } from './docker/ownership/remove-resources.js';
export {
  buildRepoImages,
  type BuildRepoImagesOptions,
  type RepoImageResult,
} from './lab/repo-images.js';

// Small helpers user code needs: quoting, durations, waiting, logging, progress.
export { quotePosix, joinArgv } from './common/quote.js';
export { parseDurationMs, formatDurationMs } from './common/duration.js';
export { waitUntil, type WaitOptions } from './common/deadline.js';
export type { Clock } from './common/clock.js';
export {
  createConsoleLogger,
  getDefaultLogger,
  setDefaultLogger,
  SILENT_LOGGER,
  type Logger,
  type LogLevel,
} from './common/logger.js';
export type { ProgressEvent, ProgressListener } from './common/progress.js';
