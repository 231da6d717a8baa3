import { checkGenerateRules, zGenerateRequest, type ErrorDetail, type GenerateRequest } from '@mediagen/contract';

export interface Validation {
  request: GenerateRequest | null;
  details: ErrorDetail[];
}

/**
 * The same two stages the server runs (SPEC §3): types and enums first, then the rules on
 * well-typed values. Type failures here are numbers left unparseable in the form.
 */
export function validateRequest(payload: Record<string, unknown>): Validation {
  const typed = zGenerateRequest.safeParse(payload);
  if (!typed.success) {
    const details = typed.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.') || 'form',
      message: issue.code === 'invalid_type' ? 'must be a number' : issue.message,
    }));
    return { request: null, details };
  }
  const { invalid, fixed } = checkGenerateRules(typed.data);
  const details = [...invalid, ...fixed];
  return { request: details.length === 0 ? typed.data : null, details };
}
