/**
 * Nearest names for "did you mean" hints: one case-insensitive edit distance, used by the env registry
 * (unknown ids), the agent registry (unknown names) and config validation (unknown keys).
 */

/** The `limit` candidates nearest to `name` by case-insensitive edit distance, nearest first. */
export function closestNames(name: string, candidates: readonly string[], limit = 3): string[] {
  return candidates
    .map((candidate) => ({ candidate, distance: editDistance(name.toLowerCase(), candidate.toLowerCase()) }))
    .sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate))
    .slice(0, limit)
    .map((x) => x.candidate);
}

/**
 * The one candidate close enough to `name` to be a plausible typo of it (at most a third of its letters
 * differ, and at least one may), or undefined when none is.
 */
export function nearestName(name: string, candidates: readonly string[]): string | undefined {
  const [best] = closestNames(name, candidates, 1);
  if (best === undefined) return undefined;
  const allowed = Math.max(1, Math.floor(Math.max(name.length, best.length) / 3));
  return editDistance(name.toLowerCase(), best.toLowerCase()) <= allowed ? best : undefined;
}

/** Levenshtein distance (insertions, deletions, substitutions). */
export function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0];
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j];
      previous[j] = Math.min(previous[j] + 1, previous[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length];
}
