import { AppError } from '#domain/app-error.ts';

/** Cursors of newest-first task lists: the last item's creation time and id. */
export function encodeCursor(t: { createdAt: number; id: string }): string {
  return Buffer.from(`${t.createdAt}:${t.id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: number; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split(':');
  const createdAt = Number(at);
  if (!id || !Number.isFinite(createdAt)) {
    throw new AppError('invalid_request', 'Bad cursor', [
      { path: 'cursor', message: 'is not a cursor this server issued' },
    ]);
  }
  return { createdAt, id };
}
