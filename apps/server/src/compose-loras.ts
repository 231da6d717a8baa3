// Wiring of the LoRA library, apart from container.ts (which wires everything else).
import type { Engine } from '#ports/engine.ts';
import type { FileStore } from '#ports/file-store.ts';
import type { MediaTools } from '#ports/media-tools.ts';
import type { Store } from '#ports/store.ts';
import type { AccountsService } from '#services/accounts.service.ts';
import { LorasService } from '#services/loras.service.ts';

export function composeLoraLibrary(d: {
  store: Store;
  files: FileStore;
  media: MediaTools;
  accounts: Pick<AccountsService, 'list' | 'readyModels'>;
  engine: Pick<Engine, 'unsupportedParams'>;
  now: () => number;
}): LorasService {
  return new LorasService({
    store: d.store,
    files: d.files,
    media: d.media,
    accounts: d.accounts,
    unsupportedParams: () => d.engine.unsupportedParams?.() ?? [],
    now: d.now,
  });
}
