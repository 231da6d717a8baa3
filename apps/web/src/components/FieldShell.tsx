import type { ReactNode } from 'react';
import { Icon } from './Icon.tsx';

export interface FieldShellProps {
  id: string;
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  /** shows a lock and the reason: a value the model fixes (SPEC §1) */
  locked?: boolean | undefined;
  className?: string | undefined;
  children: ReactNode;
}

/** ids for aria-describedby, so a screen reader reads the hint and the error with the control. */
export function describedBy(id: string, hint: unknown, error: unknown): string | undefined {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

/** Label, control, hint and error laid out the same way for every form field. */
export function FieldShell({ id, label, hint, error, locked, className, children }: FieldShellProps) {
  return (
    <div
      className={['field', error ? 'field--error' : '', locked ? 'field--locked' : '', className ?? '']
        .join(' ')
        .trim()}
    >
      <label htmlFor={id} className="field__label">
        {label}
        {locked ? (
          <span className="field__lock" title={hint} data-testid={`lock-${id.replace(/^f-/, '')}`}>
            <Icon name="lock" size={13} />
          </span>
        ) : null}
      </label>
      {children}
      {hint ? (
        <p id={`${id}-hint`} className="field__hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="field__error" role="alert" data-testid={`error-${id.replace(/^f-/, '')}`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}
