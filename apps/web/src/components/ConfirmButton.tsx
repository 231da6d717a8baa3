import { useState } from 'react';

export interface ConfirmButtonProps {
  label: string;
  confirmLabel: string;
  cancelLabel: string;
  question: string;
  onConfirm: () => void;
  testId: string;
  disabled?: boolean;
}

/**
 * Two-step destructive action inside the page (no window.confirm, which automated
 * browsers dismiss by default): the first press asks, the second confirms.
 */
export function ConfirmButton(p: ConfirmButtonProps) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button
        type="button"
        className="btn btn--danger btn--small"
        data-testid={p.testId}
        disabled={p.disabled}
        onClick={() => setAsking(true)}
      >
        {p.label}
      </button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label={p.question}>
      <span className="confirm__q">{p.question}</span>
      <button
        type="button"
        className="btn btn--danger btn--small"
        data-testid={`${p.testId}-confirm`}
        autoFocus
        onClick={() => {
          setAsking(false);
          p.onConfirm();
        }}
      >
        {p.confirmLabel}
      </button>
      <button
        type="button"
        className="btn btn--ghost btn--small"
        data-testid={`${p.testId}-cancel`}
        onClick={() => setAsking(false)}
      >
        {p.cancelLabel}
      </button>
    </span>
  );
}
