// Deferred loading: an SDK client's module imported, and its client built, when first needed rather than at cold start.

/** Runs `load` once and shares its promise; a failed load is forgotten so the next caller tries again. */
export function onFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () =>
    (loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    }));
}
