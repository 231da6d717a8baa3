import { useCallback, useEffect, useRef, useState } from 'react';
import type { GalleryItem } from '@mediagen/contract';
import { ApiError, isApiError } from '../../api/ApiError.ts';
import { deleteGalleryItem, getGallery, type GalleryFilter } from '../../api/endpoints.ts';
import { starItem, trashItems } from '../../api/workspace.ts';

export interface GalleryControl {
  items: readonly GalleryItem[];
  loading: boolean;
  error: ApiError | null;
  hasMore: boolean;
  loadMore: () => void;
  reload: () => void;
  remove: (id: string) => Promise<void>;
  /** move several to the trash (restorable) */
  removeMany: (ids: readonly string[]) => Promise<void>;
  setStar: (id: string, starred: boolean) => Promise<void>;
}

const PAGE = 24;

function asApiError(err: unknown): ApiError {
  return isApiError(err) ? err : new ApiError({ status: 0, code: 'unknown_error', message: String(err) });
}

/** Cursor pages, newest first; a filter change starts over and drops answers to stale requests. */
export function useGallery(filter: GalleryFilter): GalleryControl {
  const [items, setItems] = useState<GalleryItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasMore, setHasMore] = useState(true);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const generation = useRef(0);
  const inFlight = useRef(false);

  const fetchPage = useCallback(
    (from: string | null, reset: boolean) => {
      const gen = generation.current;
      inFlight.current = true;
      setLoading(true);
      setError(null);
      getGallery(filter, from, PAGE)
        .then(
          (page) => {
            if (gen !== generation.current) return;
            setItems((prev) => {
              const base = reset ? [] : prev;
              const seen = new Set(base.map((i) => i.task_id));
              return [...base, ...page.items.filter((i) => !seen.has(i.task_id))];
            });
            setCursor(page.nextCursor);
            setHasMore(page.nextCursor !== null);
          },
          (err: unknown) => {
            if (gen === generation.current) setError(asApiError(err));
          },
        )
        .finally(() => {
          if (gen !== generation.current) return;
          inFlight.current = false;
          setLoading(false);
        });
    },
    [filter],
  ); // callers memoise the filter, so a new object means new criteria

  const reload = useCallback(() => {
    generation.current += 1;
    setItems([]);
    setCursor(null);
    setHasMore(true);
    fetchPage(null, true);
  }, [fetchPage]);

  useEffect(() => {
    reload();
  }, [reload]);

  const loadMore = useCallback(() => {
    if (inFlight.current || !hasMore || cursor === null) return;
    fetchPage(cursor, false);
  }, [cursor, fetchPage, hasMore]);

  const remove = useCallback(async (id: string) => {
    await deleteGalleryItem(id);
    setItems((prev) => prev.filter((i) => i.task_id !== id));
  }, []);

  const removeMany = useCallback(async (ids: readonly string[]) => {
    const gone = new Set(await trashItems([...ids]));
    setItems((prev) => prev.filter((i) => !gone.has(i.task_id)));
  }, []);

  const setStar = useCallback(async (id: string, starred: boolean) => {
    setItems((prev) => prev.map((i) => (i.task_id === id ? { ...i, starred } : i)));
    try {
      await starItem(id, starred);
    } catch (err) {
      setItems((prev) => prev.map((i) => (i.task_id === id ? { ...i, starred: !starred } : i)));
      throw err;
    }
  }, []);

  return { items, loading, error, hasMore, loadMore, reload, remove, removeMany, setStar };
}
