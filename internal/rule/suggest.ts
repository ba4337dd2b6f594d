/**
 * "Did you mean …?" for misspelt keys. Flowlord silently ignored any rule key it did not know (`Offset=-6h`,
 * `meta_file=…`), so a typo cost a silent misconfiguration; taskmaster warns and names the nearest known key.
 * The workflow module reuses `nearest` for phase keys.
 */

/** Folds the differences people do not notice when they type a key: case, and `-` versus `_`. */
function fold(word: string): string {
  return word.toLowerCase().replaceAll("-", "_");
}

/**
 * Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of neighbours each
 * cost 1. Swaps count once because `retyr_delay` is one slip of the fingers, not two.
 */
export function editDistance(a: string, b: string): number {
  const width = b.length + 1;
  // Three rolling rows are enough: the swap rule looks two rows back.
  let before = new Array<number>(width).fill(0);
  let previous = Array.from({ length: width }, (_, j) => j);
  let current = new Array<number>(width).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, (before[j - 2] ?? 0) + 1);
      }
      current[j] = best;
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length] ?? 0;
}

/**
 * The candidate `word` most likely meant, or undefined when none is close.
 *
 * A candidate equal to `word` ignoring case and `-`/`_` wins outright. Otherwise the closest candidate by
 * edit distance, if within 3 edits and within half the word's length: without the second bound every one- or
 * two-letter word would be "near" `by` or `tz`, and the suggestion would be noise. Ties go to the earlier
 * candidate, so callers list their keys most-common first.
 */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const folded = fold(word);
  const same = candidates.find((candidate) => fold(candidate) === folded);
  if (same !== undefined) return same;
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 2)));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const distance = editDistance(folded, fold(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
