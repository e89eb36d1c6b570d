/** Flags of the `otto docker` commands. */
export interface DockerFlags {
  /** The parent whose engine does the work: `local` or a docker-capable lab host. */
  on?: string;
  /** `build`: build even when an image of the same content hash exists. */
  rebuild?: boolean;
  /** `up`: do not build the repo's images first. */
  build?: boolean;
  /** `clean`: list what would be removed, remove nothing. */
  dryRun?: boolean;
}
