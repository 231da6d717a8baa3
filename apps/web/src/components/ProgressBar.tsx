/** A determinate bar; `indeterminate` shows work without a number (waiting, saving) instead of a stuck 99 %. */
export function ProgressBar({
  value,
  label,
  testId,
  indeterminate = false,
}: {
  value: number;
  label: string;
  testId?: string;
  indeterminate?: boolean;
}) {
  const pct = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <div className={`progress${indeterminate ? ' progress--busy' : ''}`}>
      <div
        className="progress__track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={indeterminate ? undefined : pct}
        data-value={pct}
        data-testid={testId}
      >
        <div className="progress__fill" style={indeterminate ? undefined : { width: `${pct}%` }} />
      </div>
      {indeterminate ? null : <span className="progress__pct">{pct}%</span>}
    </div>
  );
}
