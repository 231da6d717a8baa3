import { describedBy, FieldShell } from './FieldShell.tsx';

export interface SelectOption {
  value: string;
  label: string;
}

export interface SelectFieldProps {
  id: string;
  label: string;
  value: string;
  options: readonly SelectOption[];
  onChange: (value: string) => void;
  hint?: string | undefined;
  error?: string | undefined;
  testId?: string | undefined;
  disabled?: boolean | undefined;
}

export function SelectField(p: SelectFieldProps) {
  return (
    <FieldShell id={p.id} label={p.label} hint={p.hint} error={p.error}>
      <select
        id={p.id}
        data-testid={p.testId}
        value={p.value}
        disabled={p.disabled}
        aria-invalid={p.error ? true : undefined}
        aria-describedby={describedBy(p.id, p.hint, p.error)}
        onChange={(e) => p.onChange(e.target.value)}
      >
        {p.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}
