import { DEFAULT_USER_ACTION, type ErrorCode } from '@mediagen/contract';
import type { MessageKey, Translate } from './catalog.ts';

/**
 * The contract and the server word validation details in English; the common rule messages
 * are recognised here and re-worded in the UI language. Anything else is shown as sent.
 */
export function localizeDetail(t: Translate, message: string): string {
  let m: RegExpMatchArray | null;
  if ((m = message.match(/^must be between (\S+) and (\S+)$/)))
    return t('rule.between', { min: m[1] ?? '', max: m[2] ?? '' });
  if ((m = message.match(/^must be one of (.+)$/))) return t('rule.oneOf', { values: m[1] ?? '' });
  if ((m = message.match(/^must be at most (\d+) characters$/))) return t('rule.maxChars', { n: m[1] ?? '' });
  if ((m = message.match(/^must be at most (\d+) \(num_frames/))) return t('rule.maxFrameIndex', { n: m[1] ?? '' });
  if ((m = message.match(/^must be (\S+) for (\w+)$/)))
    return t('rule.fixed', { value: m[1] ?? '', model: m[2] ?? '' });
  if ((m = message.match(/^applies to (\w+) only$/))) return t('rule.appliesTo', { mode: m[1] ?? '' });
  if ((m = message.match(/^is not a parameter of (\w+)$/))) return t('rule.notParam', { model: m[1] ?? '' });
  if ((m = message.match(/^\w+ offers (.+)$/))) return t('rule.modes', { modes: m[1] ?? '' });
  if ((m = message.match(/^\w+ is a (\w+) model$/))) return t('rule.typeMismatch', { type: m[1] ?? '' });
  if (message === 'must not be empty') return t('rule.notEmpty');
  if (message === 'must be an integer') return t('rule.integer');
  if (message === 'must be a number') return t('rule.number');
  if (/needs a reference_image$/.test(message)) return t('rule.needsReference');
  if (/^first_last_frame needs first_frame_image/.test(message)) return t('rule.needsFirstFrame');
  if (/^first_last_frame needs last_frame_image/.test(message)) return t('rule.needsLastFrame');
  return message;
}

const USER_ACTION_KEYS: Partial<Record<ErrorCode, MessageKey>> = {
  queue_overloaded: 'userAction.queue_overloaded',
  no_backend_available: 'userAction.no_backend_available',
  rate_limited: 'userAction.rate_limited',
  validation_error: 'userAction.validation_error',
  fixed_parameter_violation: 'userAction.fixed_parameter_violation',
  unauthorized: 'userAction.unauthorized',
  insufficient_credits: 'userAction.insufficient_credits',
};

/** The contract's default user_action texts are re-worded in the UI language; custom ones stay. */
export function localizeUserAction(t: Translate, code: string, text: string): string {
  const known = code in DEFAULT_USER_ACTION ? DEFAULT_USER_ACTION[code as ErrorCode] : undefined;
  const key = USER_ACTION_KEYS[code as ErrorCode];
  return known === text && key ? t(key) : text;
}
