/**
 * A modal dialog on the native `<dialog>` element: `showModal()` makes the rest of the page inert,
 * Escape closes it (the `cancel` event), and Tab wraps from the last control to the first (and
 * Shift+Tab back), so focus stays inside without a focus-trap library.
 * Rendered only while open; focus returns to the element that opened it.
 */
import { useEffect, useRef, type ReactNode } from "react";

const FOCUSABLE = "button, [href], input, select, textarea, [tabindex]:not([tabindex='-1'])";

export interface DialogProps {
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** Buttons at the bottom (the dialog adds none of its own besides the close cross). */
  actions?: ReactNode;
}

export function Dialog({ title, onClose, children, actions }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;
  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.showModal();
    const cancel = (e: Event) => {
      e.preventDefault();
      onCloseRef.current();
    };
    // The modal makes the page inert, but Tab still leaves for the browser's own controls: wrap it.
    const wrapTab = (e: KeyboardEvent) => {
      if (e.key !== "Tab") return;
      const focusable = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => !el.hasAttribute("disabled") && el.offsetParent !== null);
      const first = focusable[0];
      const last = focusable[focusable.length - 1];
      if (first === undefined || last === undefined) return;
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    };
    dialog.addEventListener("cancel", cancel);
    dialog.addEventListener("keydown", wrapTab);
    return () => {
      dialog.removeEventListener("cancel", cancel);
      dialog.removeEventListener("keydown", wrapTab);
      dialog.close();
      opener?.focus();
    };
  }, []);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="dialog-title">
      <div className="dialog-head">
        <h2 id="dialog-title">{title}</h2>
        <button type="button" className="dialog-x" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </div>
      <div className="dialog-body">{children}</div>
      {actions !== undefined && <div className="dialog-actions">{actions}</div>}
    </dialog>
  );
}

/** "Delete X?" with Cancel and a red confirm button; shows the server's refusal inside. */
export function ConfirmDialog({ title, children, confirm, onConfirm, onClose, error }: { title: string; children: ReactNode; confirm: string; onConfirm: () => void; onClose: () => void; error?: string | undefined }) {
  return (
    <Dialog
      title={title}
      onClose={onClose}
      actions={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="danger" onClick={onConfirm}>
            {confirm}
          </button>
        </>
      }
    >
      {children}
      {error !== undefined && (
        <div className="error" role="alert">
          {error}
        </div>
      )}
    </Dialog>
  );
}

/** The message to show for a failed request. */
export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
