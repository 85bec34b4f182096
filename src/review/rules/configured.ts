// Configured lists (review options) read as Sets, built once per list rather than on every statement.

/**
 * A reader of configured lists as Sets of normalized names. The options of a review are the same object for every
 * statement (and often every review), so each list is normalized once and kept, keyed by the list itself.
 */
export function configuredSet(normalize: (name: string) => string): (list: readonly string[]) => ReadonlySet<string> {
  const sets = new WeakMap<readonly string[], ReadonlySet<string>>();
  return (list) => {
    let set = sets.get(list);
    if (!set) sets.set(list, (set = new Set(list.map(normalize))));
    return set;
  };
}
