/**
 * Estimated savings quoted in messages. Each figure says where it comes from.
 */
export const SAVINGS = {
  aptLists: {
    text: 'about 20–90 MB',
    source: 'Measured here 2026-11-23: bookworm-slim + updates + security lists ≈ 87 MB; a bare bookworm main list ≈ 20 MB',
  },
  aptRecommends: {
    text: 'a few MB to hundreds of MB, depending on the packages',
    source: 'Measured here 2026-11-23: curl pulls ≈ 3.4 MB of recommends; build-essential recommends add ≈ 100+ MB (Debian package sizes)',
  },
} as const;
