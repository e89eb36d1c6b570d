/**
 * otto-ts: deploy to, test and monitor software on machines and Docker containers.
 * This module re-exports the public API only.
 */
export * from './errors.js';
export { parseDurationMs, formatDurationMs } from './common/duration.js';
export {
  Deadline,
  raceDeadline,
  waitUntil,
  type DeadlineOptions,
  type StopReason,
  type WaitOptions,
  type WaitResult,
} from './common/deadline.js';
export {
  DEFAULT_MAX_OUTPUT_BYTES,
  type OutputSink,
  type OutputStreamName,
} from './common/bounded-output.js';
export { describePlace, type Place } from './common/place.js';
export { SYSTEM_CLOCK, type Clock } from './common/clock.js';
export type { ProgressEvent, ProgressListener } from './common/progress.js';
export { createConsoleLogger, SILENT_LOGGER, type Logger, type LogLevel } from './common/logger.js';
export {
  EngineClient,
  type EngineRequest,
  type EngineVersion,
  type ByteSource,
} from './docker/engine/engine-client.js';
export {
  resolveEngineEndpoint,
  DEFAULT_SOCKET_PATH,
  type EngineEndpoint,
} from './docker/engine/engine-endpoint.js';
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
  recipeTag,
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
} from './docker/images/image-api.js';
export {
  runContainer,
  type RunContainerOptions,
  type ContainerRunResult,
} from './docker/containers/run-container.js';
export { ownershipLabels, OWNER_LABEL, OWNER_VALUE, RUN_ID } from './docker/labels.js';
export {
  StartedContainer,
  inspectContainer,
  removeContainer,
  type ContainerState,
} from './docker/containers/started-container.js';
export type { ContainerSpec, PublishedPort } from './docker/containers/container-spec.js';
export { StartedNetwork, type NetworkSpec } from './docker/networks/started-network.js';
export {
  DockerExecTransport,
  type DockerExecTransportOptions,
} from './docker/exec/docker-exec-transport.js';
export { DockerArchiveTransfer } from './docker/exec/docker-archive-transfer.js';
export type {
  Transport,
  TransportKind,
  ShellChannel,
  ShellChannelOptions,
  ExecOptions,
  ExecOutcome,
  Argv,
  TransportOptions,
} from './transports/transport.js';
export { LocalTransport } from './transports/local-transport.js';
export { SshTransport, type SshTransportOptions } from './transports/ssh/ssh-transport.js';
export type { SshTarget, HostKeyPolicy } from './transports/ssh/ssh-target.js';
export type {
  Transfer,
  TransferOptions,
  TransferProgress,
  TransferResult,
} from './transfers/transfer.js';
export { SftpTransfer } from './transfers/sftp-transfer.js';
export { ScpTransfer } from './transfers/scp-transfer.js';
export { LocalTransfer } from './transfers/local-transfer.js';
export {
  ShellSession,
  type ShellSessionOptions,
  type SessionRunOptions,
  type SessionOutcome,
} from './sessions/shell-session.js';
export type { ExpectRule } from './sessions/expect-matcher.js';
export type {
  Host,
  HostSession,
  Commands,
  OutputOptions,
  RunOptions,
  OneshotOptions,
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
  SSH_TRANSFERS,
  type SshHostOptions,
  type SshTransferKind,
} from './hosts/ssh-host.js';
export { ContainerHost, type ContainerHostOptions } from './hosts/container-host.js';
export { runOnHosts, type FanOutOptions, type HostOutcome } from './hosts/fan-out.js';
export { getDefaultLogger, setDefaultLogger } from './common/logger.js';
export { quotePosix, joinArgv } from './common/quote.js';
export { loadLab, LAB_FILE_NAME, type Lab, type LoadLabOptions } from './lab/lab.js';
export {
  readLabFile,
  parseLabText,
  type LabFileHost,
  type LabProblem,
  type LabFileContent,
} from './lab/lab-file.js';
export { labSchemas, labJsonSchema, labHostId, type LabHostEntry } from './lab/lab-schema.js';
export { createLabHost, sshTargetFor, findLabHost, type HostDefaults } from './lab/lab-hosts.js';
export {
  readRepo,
  expandSutDir,
  settingsSchema,
  type Repo,
  type RepoSettings,
} from './lab/settings.js';
export { findRepos, requireRepos, labDirsOf } from './lab/repos.js';
export {
  LabHostPool,
  emptyLab,
  hostDefaultsOf,
  withHostOverrides,
  type LabHostPoolOptions,
  type HostOverrides,
} from './lab/lab-host-pool.js';
export { DryRunHost } from './hosts/dry-run-host.js';
export { findUserModule, importUserModule } from './lab/user-modules.js';
export {
  checkReservations,
  assertReserved,
  reservationUser,
  createReservationBackend,
  type ReservationBackend,
  type ReservationReport,
} from './lab/reservations.js';
export {
  defineOptions,
  flagNameOf,
  type OptionSpec,
  type OptionSpecs,
  type OptionValues,
  type StringOptionSpec,
  type NumberOptionSpec,
  type BooleanOptionSpec,
  type EnumOptionSpec,
} from './common/option-set.js';
export {
  defineInstruction,
  isInstruction,
  exitCodeOf,
  type Instruction,
  type InstructionContext,
  type InstructionOutcome,
  type InstructionSpec,
} from './instructions/instruction.js';
export {
  findInstructions,
  type FoundInstruction,
  type FoundInstructions,
} from './instructions/find-instructions.js';
export { runInstruction, type InstructionRun } from './instructions/run-instruction.js';
