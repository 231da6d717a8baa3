import type { AppServices } from '#services/app-services.ts';
import { empty } from '#services/replies.ts';
import type { RouteHandlers } from '#services/request-context.ts';

export function adminQueueHandlers(
  s: AppServices,
): RouteHandlers<'adminQueueJobs' | 'adminQueueCancel' | 'adminQueueFront' | 'adminLanePause' | 'adminLaneResume'> {
  return {
    adminQueueJobs: () => s.adminQueue.jobs(),
    adminQueueCancel: async ({ params }) => {
      await s.adminQueue.cancel(params.id);
      return empty(204);
    },
    adminQueueFront: async ({ params }) => {
      await s.adminQueue.moveToFront(params.id);
      return empty(204);
    },
    adminLanePause: async ({ params }) => ({ paused_lanes: await s.adminQueue.pause(params.lane) }),
    adminLaneResume: async ({ params }) => ({ paused_lanes: await s.adminQueue.resume(params.lane) }),
  };
}
