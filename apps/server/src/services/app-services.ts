import type { AccountsService } from './accounts.service.ts';
import type { AdminQueueService } from './admin-queue.service.ts';
import type { AvailabilityService } from './availability.service.ts';
import type { GalleryService } from './gallery.service.ts';
import type { MyTasksService } from './my-tasks.service.ts';
import type { PresetsService } from './presets.service.ts';
import type { PromptHistoryService } from './prompt-history.service.ts';
import type { AuditService } from './audit.service.ts';
import type { AuthService } from './auth.service.ts';
import type { GenerationService } from './generation.service.ts';
import type { LorasService } from './loras.service.ts';
import type { QueueView } from './queue-view.ts';
import type { SessionsService } from './sessions.service.ts';
import type { StatsService } from './stats.service.ts';
import type { SystemService } from './system.service.ts';
import type { TasksService } from './tasks.service.ts';
import type { UsersService } from './users.service.ts';
import type { WebhooksService } from './webhooks.service.ts';

/** What the HTTP layer may use: services only (routes never see the store, the files or any adapter). */
export interface AppServices {
  auth: AuthService;
  sessions: SessionsService;
  generation: GenerationService;
  tasks: TasksService;
  accounts: AccountsService;
  users: UsersService;
  queue: QueueView;
  stats: StatsService;
  audit: AuditService;
  system: SystemService;
  webhooks: WebhooksService;
  myTasks: MyTasksService;
  availability: AvailabilityService;
  prompts: PromptHistoryService;
  presets: PresetsService;
  gallery: GalleryService;
  adminQueue: AdminQueueService;
  loras: LorasService;
}
