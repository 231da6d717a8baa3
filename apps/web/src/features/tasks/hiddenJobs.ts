const KEY = 'mediagen.hiddenJobs';
const MAX = 500;

/** Jobs the user dismissed from the panel (ids only; the jobs stay on the server and in the gallery). */
export const hiddenJobs = {
  read(): Set<string> {
    try {
      const raw = globalThis.localStorage?.getItem(KEY);
      const list: unknown = raw ? JSON.parse(raw) : [];
      return new Set(Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : []);
    } catch {
      return new Set();
    }
  },
  add(id: string): void {
    try {
      const list = [...this.read(), id].slice(-MAX);
      globalThis.localStorage?.setItem(KEY, JSON.stringify(list));
    } catch {
      // storage blocked: the job just comes back after a reload
    }
  },
};
