import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A dialog overlay: focus moves in on open and returns to the opener on close; Escape and the
 * backdrop close it. (role=dialog on a div: <dialog>.showModal is uneven across test DOMs.)
 */
export function Modal({
  title,
  onClose,
  closeLabel,
  children,
  testId,
}: {
  title: string;
  onClose: () => void;
  closeLabel: string;
  children: ReactNode;
  testId?: string;
}) {
  const panel = useRef<HTMLDivElement>(null);
  // Latest onClose without re-running the mount effect (which would steal focus on each render).
  const closeRef = useRef(onClose);
  useEffect(() => {
    closeRef.current = onClose;
  });
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    panel.current?.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') closeRef.current();
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      opener?.focus();
    };
  }, []);
  return (
    <div
      className="modal"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div className="modal__panel" role="dialog" aria-modal="true" aria-label={title} ref={panel} data-testid={testId}>
        <header className="modal__head">
          <h2 className="modal__title">{title}</h2>
          <button
            type="button"
            className="btn btn--ghost btn--small"
            data-autofocus
            aria-label={closeLabel}
            onClick={onClose}
            data-testid="modal-close"
          >
            ✕
          </button>
        </header>
        <div className="modal__body">{children}</div>
      </div>
    </div>
  );
}
