export interface BarDatum {
  group: string;
  series: string;
  ok: number;
  failed: number;
}

export interface BarChartProps {
  data: readonly BarDatum[];
  /** series in drawing order (also the legend order) */
  series: readonly { key: string; label: string }[];
  title: string;
  okLabel: string;
  failedLabel: string;
  testId?: string;
}

const PALETTE = ['#7c5cff', '#2ec4b6', '#ffb020', '#4ea8ff', '#e86bd1', '#9bd35a'];
const H = 160;
const BAR_W = 10;
const GAP = 3;
const GROUP_GAP = 14;
const AXIS = 22;

/** Grouped, stacked bars in plain SVG: completed in the series colour, failed on top in red. */
export function BarChart({ data, series, title, okLabel, failedLabel, testId }: BarChartProps) {
  const groups = [...new Set(data.map((d) => d.group))].sort();
  const max = Math.max(1, ...data.map((d) => d.ok + d.failed));
  const groupW = series.length * (BAR_W + GAP) - GAP;
  const width = Math.max(200, groups.length * (groupW + GROUP_GAP) + GROUP_GAP);
  const scale = (v: number): number => (v / max) * (H - 8);
  return (
    <figure className="chart" data-testid={testId}>
      <div className="chart__scroll">
        <svg viewBox={`0 0 ${width} ${H + AXIS}`} width={width} height={H + AXIS} role="img" aria-label={title}>
          <title>{title}</title>
          <line x1={0} x2={width} y1={H} y2={H} className="chart__axis" />
          {groups.map((g, gi) => {
            const x0 = GROUP_GAP + gi * (groupW + GROUP_GAP);
            return (
              <g key={g}>
                {series.map((s, si) => {
                  const d = data.find((r) => r.group === g && r.series === s.key);
                  if (!d) return null;
                  const x = x0 + si * (BAR_W + GAP);
                  const okH = scale(d.ok);
                  const failH = scale(d.failed);
                  return (
                    <g key={s.key}>
                      <title>{`${s.label} · ${g}: ${d.ok} ${okLabel}, ${d.failed} ${failedLabel}`}</title>
                      <rect x={x} y={H - okH} width={BAR_W} height={okH} fill={PALETTE[si % PALETTE.length]} rx={2} />
                      {failH > 0 ? (
                        <rect x={x} y={H - okH - failH} width={BAR_W} height={failH} className="chart__failed" rx={2} />
                      ) : null}
                    </g>
                  );
                })}
                <text x={x0 + groupW / 2} y={H + 15} textAnchor="middle" className="chart__label">
                  {g.slice(5)}
                </text>
              </g>
            );
          })}
        </svg>
      </div>
      <figcaption className="chart__legend">
        {series.map((s, si) => (
          <span key={s.key} className="chart__key">
            <span className="chart__swatch" style={{ background: PALETTE[si % PALETTE.length] }} aria-hidden="true" />
            {s.label}
          </span>
        ))}
        <span className="chart__key">
          <span className="chart__swatch chart__swatch--failed" aria-hidden="true" />
          {failedLabel}
        </span>
      </figcaption>
    </figure>
  );
}
