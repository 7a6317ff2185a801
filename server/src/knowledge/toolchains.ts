/**
 * Toolchain images and their slim runtimes, with approximate sizes for the messages.
 * Sizes are uncompressed linux/amd64 image sizes as reported by `docker image ls` for the tags
 * named, rounded; the Go figures were also measured here by building real images (961 MB → 4.7 MB).
 */

export interface ToolchainEntry {
  repo: RegExp;
  ecosystem: 'go' | 'rust' | 'node' | 'python' | 'java' | 'dotnet' | 'ruby' | 'c' | 'php' | 'r';
  /** Approximate size of the toolchain image, MB. */
  sizeMb: number;
  /** The slim runtime a converted image would use, and its approximate size, MB. */
  runtime: string;
  runtimeSizeMb: number;
  source: string;
  checked: string;
}

export const TOOLCHAINS: ToolchainEntry[] = [
  { repo: /^golang$/, ecosystem: 'go', sizeMb: 850, runtime: 'gcr.io/distroless/static-debian12:nonroot', runtimeSizeMb: 2, source: 'golang:1.22 (≈ 814 MB) and distroless/static (≈ 2 MB) on Docker Hub / gcr.io; measured here: 961 MB → 4.7 MB', checked: '2026-11' },
  { repo: /^rust$/, ecosystem: 'rust', sizeMb: 1500, runtime: 'debian:bookworm-slim', runtimeSizeMb: 75, source: 'rust:1 (≈ 1.5 GB), debian:bookworm-slim (≈ 75 MB), Docker Hub', checked: '2026-11' },
  { repo: /^(gcc|buildpack-deps)$/, ecosystem: 'c', sizeMb: 1300, runtime: 'debian:bookworm-slim', runtimeSizeMb: 75, source: 'gcc:13 (≈ 1.4 GB), buildpack-deps:bookworm (≈ 800 MB), Docker Hub', checked: '2026-11' },
  { repo: /^(maven|gradle)$/, ecosystem: 'java', sizeMb: 500, runtime: 'eclipse-temurin:21-jre', runtimeSizeMb: 270, source: 'maven:3-eclipse-temurin-21 (≈ 500 MB), eclipse-temurin:21-jre (≈ 270 MB)', checked: '2026-11' },
  { repo: /^mcr\.microsoft\.com\/dotnet\/sdk$/, ecosystem: 'dotnet', sizeMb: 850, runtime: 'mcr.microsoft.com/dotnet/aspnet', runtimeSizeMb: 220, source: 'dotnet/sdk:8.0 (≈ 850 MB), dotnet/aspnet:8.0 (≈ 220 MB)', checked: '2026-11' },
];

export function lookupToolchain(repoKey: string): ToolchainEntry | null {
  return TOOLCHAINS.find((t) => t.repo.test(repoKey)) ?? null;
}
