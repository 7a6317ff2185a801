/**
 * Application frameworks whose apps write into a few directories of their source tree at run time. The
 * non-root user needs to own those; everything else it only reads. Data with a source and the date checked.
 */

export interface AppFramework {
  name: string;
  /** Matched against the text of the final stage's instructions (CMD, ENTRYPOINT, RUN, ENV). */
  detect: RegExp;
  /** Directories under the working directory the running app writes to. */
  writable: string[];
  source: string;
  checked: string;
}

export const APP_FRAMEWORKS: AppFramework[] = [
  {
    name: 'Rails',
    detect: /\bbin\/rails\b|\brails\s+(s|server)\b|\bRAILS_ENV\b|\brails\s+assets:precompile\b/,
    writable: ['db', 'log', 'storage', 'tmp'],
    source: 'Rails 7.1+ generated Dockerfile (railties dockerfile.tt: chown -R rails:rails db log storage tmp)',
    checked: '2026-11',
  },
];
