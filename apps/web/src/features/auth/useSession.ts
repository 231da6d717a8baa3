import { useCallback, useEffect, useState } from 'react';
import { ROUTES, type SessionInfo } from '@mediagen/contract';
import { ApiError, isApiError } from '../../api/ApiError.ts';
import { createSession, deleteSession, getSession } from '../../api/endpoints.ts';
import { onUnauthorized } from '../../api/http.ts';

export type SessionState =
  | { phase: 'loading' }
  | { phase: 'signed_out'; expired: boolean }
  | { phase: 'signed_in'; session: SessionInfo }
  | { phase: 'error'; error: ApiError };

export interface SessionControl {
  state: SessionState;
  /** resolves to an error to show, or null on success */
  login: (accessKey: string) => Promise<ApiError | null>;
  logout: () => Promise<void>;
  /** silent re-read (credits after a job) */
  refresh: () => void;
  /** full re-check after an error */
  retry: () => void;
}

function asApiError(err: unknown): ApiError {
  return isApiError(err) ? err : new ApiError({ status: 0, code: 'unknown_error', message: String(err) });
}

/** GET /api/auth/session on load; 401 → the access-key screen; `auth_mode: open` is signed in. */
export function useSession(): SessionControl {
  const [state, setState] = useState<SessionState>({ phase: 'loading' });

  const load = useCallback(async (): Promise<void> => {
    try {
      const session = await getSession();
      setState({ phase: 'signed_in', session });
    } catch (err) {
      const e = asApiError(err);
      setState(e.status === 401 ? { phase: 'signed_out', expired: false } : { phase: 'error', error: e });
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  // Any user call answered 401 means the cookie expired or was revoked.
  useEffect(
    () =>
      onUnauthorized((path) => {
        if (path.startsWith('/api/admin') || path === ROUTES.sessionGet.path) return;
        setState((s) => (s.phase === 'signed_in' ? { phase: 'signed_out', expired: true } : s));
      }),
    [],
  );

  const login = useCallback(
    async (accessKey: string): Promise<ApiError | null> => {
      try {
        await createSession(accessKey);
        await load();
        return null;
      } catch (err) {
        return asApiError(err);
      }
    },
    [load],
  );

  const logout = useCallback(async (): Promise<void> => {
    try {
      await deleteSession();
    } catch {
      // the cookie may already be gone; the screen changes either way
    }
    setState({ phase: 'signed_out', expired: false });
  }, []);

  const refresh = useCallback(() => {
    getSession().then(
      (session) => setState({ phase: 'signed_in', session }),
      () => undefined,
    );
  }, []);

  const retry = useCallback(() => {
    setState({ phase: 'loading' });
    void load();
  }, [load]);

  return { state, login, logout, refresh, retry };
}
