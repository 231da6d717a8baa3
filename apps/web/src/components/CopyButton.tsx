import { useEffect, useState } from 'react';

async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through: clipboard API refused (plain http, permissions)
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  let ok: boolean;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

export function CopyButton({
  text,
  label,
  copiedLabel,
  testId,
  className,
}: {
  text: string;
  label: string;
  copiedLabel: string;
  testId?: string;
  className?: string;
}) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return undefined;
    const timer = setTimeout(() => setCopied(false), 1500);
    return () => clearTimeout(timer);
  }, [copied]);
  return (
    <button
      type="button"
      className={className ?? 'btn btn--small'}
      data-testid={testId}
      onClick={() => void copyText(text).then(setCopied)}
    >
      {copied ? copiedLabel : label}
      <span className="visually-hidden" aria-live="polite">
        {copied ? copiedLabel : ''}
      </span>
    </button>
  );
}
