import type { Config } from '../config.ts';
import type { FileStore } from '#ports/file-store.ts';
import type { Store } from '#ports/store.ts';
import type { AccountsService } from './accounts.service.ts';
import type { AuthService } from './auth.service.ts';
import type { CreditsService } from './credits.service.ts';
import type { GenerationService } from './generation.service.ts';
import type { ReferenceImages } from './reference-images.ts';
import type { TaskEvents } from './task-events.ts';
import type { TasksService } from './tasks.service.ts';
import type { UsersService } from './users.service.ts';
import type { QueueView } from './queue-view.ts';

/** What route handlers may use: services only (routes never see adapters). */
export interface AppServices {
  config: Config;
  store: Store;
  files: FileStore;
  events: TaskEvents;
  auth: AuthService;
  generation: GenerationService;
  tasks: TasksService;
  accounts: AccountsService;
  users: UsersService;
  credits: CreditsService;
  images: ReferenceImages;
  queue: QueueView;
  /** prometheus exposition text */
  metricsText: () => Promise<string>;
  metricsContentType: string;
  onRequestTimed?: (route: string, method: string, status: number, seconds: number) => void;
  version: string;
}
