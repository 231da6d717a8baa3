import type { AppServices } from '#services/app-services.ts';
import { empty, json, text } from '#services/replies.ts';
import type { RouteHandlers } from '#services/request-context.ts';

export function adminHandlers(
  s: AppServices,
): RouteHandlers<
  | 'accountsList'
  | 'accountCreate'
  | 'accountGet'
  | 'accountPatch'
  | 'accountDelete'
  | 'accountCheck'
  | 'accountSetupScript'
  | 'queue'
  | 'stats'
  | 'audit'
  | 'usersList'
  | 'userCreate'
  | 'userCredits'
  | 'userLedger'
  | 'userRotateKey'
  | 'userDelete'
> {
  return {
    accountsList: async () => ({ items: s.accounts.list().map((a) => s.accounts.view(a)) }),
    accountCreate: async ({ body }) => json(201, s.accounts.view(await s.accounts.create(body))),
    accountGet: async ({ params }) => s.accounts.view(await s.accounts.get(params.id)),
    accountPatch: async ({ params, body }) => s.accounts.view(await s.accounts.patch(params.id, body)),
    accountDelete: async ({ params }) => {
      await s.accounts.remove(params.id);
      return empty(204);
    },
    accountCheck: async ({ params }) => s.accounts.view(await s.accounts.check(params.id)),
    accountSetupScript: async ({ params }) =>
      text('text/x-shellscript; charset=utf-8', await s.accounts.setupScript(params.id)),
    queue: () => s.queue.snapshot(),
    stats: ({ query }) => s.stats.usage(query.days),
    audit: ({ query }) => s.audit.list(query.limit),
    usersList: () => s.users.list(),
    userCreate: async ({ body }) => json(201, await s.users.create(body.name, body.credits)),
    userCredits: ({ params, body }) => s.users.grant(params.id, body.amount),
    userLedger: ({ params }) => s.users.ledger(params.id),
    userRotateKey: ({ params }) => s.users.rotateKey(params.id),
    userDelete: async ({ params }) => {
      await s.users.remove(params.id);
      await s.accountData.erase(params.id, 'admin');
      return empty(204);
    },
  };
}
