import { useCallback, useEffect, useState } from 'react';

export type Route = 'studio' | 'gallery' | 'admin';

/** Three screens do not need a router library: the path picks one (the gateway serves index.html for each). */
export function routeOf(pathname: string): Route {
  const p = pathname.replace(/\/+$/, '') || '/';
  if (p === '/admin' || p.startsWith('/admin/')) return 'admin';
  if (p === '/gallery') return 'gallery';
  return 'studio';
}

export function useRoute(): { route: Route; navigate: (path: string) => void } {
  const [path, setPath] = useState(() => window.location.pathname);
  useEffect(() => {
    const onPop = (): void => setPath(window.location.pathname);
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = useCallback((to: string) => {
    if (to !== window.location.pathname) window.history.pushState(null, '', to);
    setPath(to);
  }, []);
  return { route: routeOf(path), navigate };
}
