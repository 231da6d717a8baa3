import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, isApiError } from '../../api/ApiError.ts';

export interface Polled<T> {
  data: T | undefined;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
}

/** Load now and every `intervalMs` (0 = once) while the page is visible; keeps the last good data on error. */
export function usePolled<T>(load: () => Promise<T>, intervalMs: number): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const loadRef = useRef(load);
  const alive = useRef(true);
  useEffect(() => {
    loadRef.current = load;
  });

  const reload = useCallback(() => {
    loadRef.current().then(
      (d) => {
        if (!alive.current) return;
        setData(d);
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if (!alive.current) return;
        setError(isApiError(err) ? err : new ApiError({ status: 0, code: 'unknown_error', message: String(err) }));
        setLoading(false);
      },
    );
  }, []);

  useEffect(() => {
    alive.current = true;
    reload();
    if (intervalMs <= 0)
      return () => {
        alive.current = false;
      };
    const timer = setInterval(() => {
      if (document.visibilityState !== 'hidden') reload();
    }, intervalMs);
    return () => {
      alive.current = false;
      clearInterval(timer);
    };
  }, [reload, intervalMs]);

  return { data, error, loading, reload };
}
