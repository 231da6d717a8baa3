import { useCallback, useEffect, useState } from 'react';
import { ROUTES } from '@mediagen/contract';
import { ApiError, isApiError } from '../../api/ApiError.ts';
import { adminLogin, adminLogout, getAdminSession } from '../../api/admin.ts';
import { onUnauthorized } from '../../api/http.ts';

export type AdminPhase = 'loading' | 'signed_out' | 'signed_in' | 'error';

export interface AdminSession {
  phase: AdminPhase;
  error: ApiError | null;
  login: (key: string) => Promise<ApiError | null>;
  logout: () => Promise<void>;
  retry: () => void;
}

const asApiError = (err: unknown): ApiError =>
  isApiError(err) ? err : new ApiError({ status: 0, code: 'unknown_error', message: String(err) });

/** The admin cookie (gg_admin): the key is sent once in x-admin-key to log in, then forgotten. */
export function useAdminSession(): AdminSession {
  const [phase, setPhase] = useState<AdminPhase>('loading');
  const [error, setError] = useState<ApiError | null>(null);

  const check = useCallback(() => {
    setPhase('loading');
    getAdminSession().then(
      (ok) => setPhase(ok ? 'signed_in' : 'signed_out'),
      (err: unknown) => {
        setError(asApiError(err));
        setPhase('error');
      },
    );
  }, []);

  useEffect(check, [check]);

  // An admin call answered 401 means the 12 h admin session ended.
  useEffect(
    () =>
      onUnauthorized((path) => {
        if (path.startsWith('/api/admin') && path !== ROUTES.adminSessionGet.path) setPhase('signed_out');
      }),
    [],
  );

  const login = useCallback(async (key: string): Promise<ApiError | null> => {
    try {
      await adminLogin(key);
      setPhase('signed_in');
      return null;
    } catch (err) {
      return asApiError(err);
    }
  }, []);

  const logout = useCallback(async (): Promise<void> => {
    try {
      await adminLogout();
    } catch {
      // already gone
    }
    setPhase('signed_out');
  }, []);

  return { phase, error, login, logout, retry: check };
}
