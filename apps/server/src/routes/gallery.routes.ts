import type { AppServices } from '#services/app-services.ts';
import { empty } from '#services/replies.ts';
import type { RouteHandlers } from '#services/request-context.ts';

export function galleryHandlers(
  s: AppServices,
): RouteHandlers<
  | 'gallery'
  | 'galleryDelete'
  | 'galleryStar'
  | 'galleryDeleteMany'
  | 'galleryTrash'
  | 'galleryRestore'
  | 'galleryZip'
  | 'galleryLastFrame'
> {
  return {
    gallery: ({ query, ctx }) => s.gallery.list(ctx.user.id, query),
    galleryDelete: async ({ params, ctx }) => {
      await s.gallery.trashOne(ctx.user.id, params.id);
      return empty(204);
    },
    galleryStar: async ({ params, body, ctx }) => {
      await s.gallery.star(ctx.user.id, params.id, body.starred);
      return empty(204);
    },
    galleryDeleteMany: async ({ body, ctx }) => ({ ids: await s.gallery.trash(ctx.user.id, body.ids) }),
    galleryTrash: ({ ctx }) => s.gallery.trashList(ctx.user.id),
    galleryRestore: async ({ params, ctx }) => {
      await s.gallery.restore(ctx.user.id, params.id);
      return empty(204);
    },
    galleryZip: ({ query, ctx }) => s.gallery.zip(ctx.user.id, query.ids),
    galleryLastFrame: ({ params, ctx }) => s.gallery.lastFrame(ctx.user.id, params.id),
  };
}
