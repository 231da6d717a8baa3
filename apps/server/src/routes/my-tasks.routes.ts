import type { AppServices } from '#services/app-services.ts';
import { empty } from '#services/replies.ts';
import type { RouteHandlers } from '#services/request-context.ts';

export function myTasksHandlers(
  s: AppServices,
): RouteHandlers<
  | 'tasksList'
  | 'tasksEvents'
  | 'tasksCancelQueued'
  | 'taskRetry'
  | 'availability'
  | 'promptsList'
  | 'promptDelete'
  | 'presetsList'
  | 'presetSave'
  | 'presetsImport'
  | 'presetDelete'
> {
  return {
    tasksList: ({ query, ctx }) => s.myTasks.list(ctx.user.id, query),
    tasksEvents: async ({ ctx }) => s.myTasks.events(ctx.user.id),
    tasksCancelQueued: ({ ctx }) => s.myTasks.cancelQueued(ctx.user.id),
    taskRetry: ({ params, ctx }) => s.myTasks.retry(ctx, params.id),
    availability: ({ ctx }) => s.availability.now(ctx.user.id),
    promptsList: ({ query, ctx }) => s.prompts.list(ctx.user.id, query.q, query.limit),
    promptDelete: async ({ params, ctx }) => {
      await s.prompts.remove(ctx.user.id, params.id);
      return empty(204);
    },
    presetsList: ({ ctx }) => s.presets.list(ctx.user.id),
    presetSave: ({ body, ctx }) => s.presets.save(ctx.user.id, body),
    presetsImport: ({ body, ctx }) => s.presets.import(ctx.user.id, body.presets),
    presetDelete: async ({ params, ctx }) => {
      await s.presets.remove(ctx.user.id, params.id);
      return empty(204);
    },
  };
}
