export type BadgeTone = 'neutral' | 'info' | 'success' | 'warning' | 'danger' | 'muted';

export function Badge({
  tone,
  children,
  testId,
  title,
}: {
  tone: BadgeTone;
  children: string;
  testId?: string;
  title?: string | undefined;
}) {
  return (
    <span className={`badge badge--${tone}`} data-testid={testId} title={title}>
      {children}
    </span>
  );
}
