import { describedBy, FieldShell } from './FieldShell.tsx';

export interface NumberFieldProps {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  min?: number | undefined;
  max?: number | undefined;
  step?: number | undefined;
  placeholder?: string | undefined;
  hint?: string | undefined;
  error?: string | undefined;
  locked?: boolean | undefined;
  testId?: string | undefined;
  /** adds a range slider beside the number box for bounded values */
  slider?: boolean | undefined;
}

/** The value stays a string while typing ("1." is fine); the payload builder converts it. */
export function NumberField(p: NumberFieldProps) {
  const desc = describedBy(p.id, p.hint, p.error);
  const showSlider = p.slider && !p.locked && p.min !== undefined && p.max !== undefined;
  return (
    <FieldShell id={p.id} label={p.label} hint={p.hint} error={p.error} locked={p.locked}>
      <div className="number-field">
        {showSlider ? (
          <input
            type="range"
            aria-hidden="true"
            tabIndex={-1}
            min={p.min}
            max={p.max}
            step={p.step}
            value={p.value === '' ? (p.min ?? 0) : p.value}
            onChange={(e) => p.onChange(e.target.value)}
          />
        ) : null}
        <input
          id={p.id}
          type="number"
          inputMode="decimal"
          data-testid={p.testId}
          value={p.value}
          min={p.min}
          max={p.max}
          step={p.step ?? 'any'}
          placeholder={p.placeholder}
          disabled={p.locked}
          aria-invalid={p.error ? true : undefined}
          aria-describedby={desc}
          onChange={(e) => p.onChange(e.target.value)}
        />
      </div>
    </FieldShell>
  );
}
