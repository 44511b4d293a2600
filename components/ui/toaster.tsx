"use client";

import { useEffect } from "react";
import { toast, Toaster as SonnerToaster } from "sonner";

/** Whether a click on this element leaves the current page for another page of the console. */
function leavesPage(event: MouseEvent): boolean {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return false;
  const anchor = event.target instanceof Element ? event.target.closest("a[href]") : null;
  if (!(anchor instanceof HTMLAnchorElement) || (anchor.target && anchor.target !== "_self") || anchor.hasAttribute("download")) return false;
  const target = new URL(anchor.href, window.location.href);
  return target.origin === window.location.origin && target.pathname !== window.location.pathname;
}

/**
 * Toasts at the bottom: the header's bell and account menu and a dialog's close button all sit at
 * the top, and a toast there would cover them.
 *
 * A toast belongs to the page it was shown on: following a link or going back dismisses it. A toast
 * raised by code that then navigates (a domain deleted, back to the list) is the news for the page
 * it lands on, so navigation alone does not dismiss — leaving by the admin's own click or history does.
 */
export function Toaster() {
  useEffect(() => {
    const onClick = (event: MouseEvent) => {
      if (leavesPage(event)) toast.dismiss();
    };
    const onPopState = () => toast.dismiss();
    document.addEventListener("click", onClick, true);
    window.addEventListener("popstate", onPopState);
    return () => {
      document.removeEventListener("click", onClick, true);
      window.removeEventListener("popstate", onPopState);
    };
  }, []);
  return <SonnerToaster position="bottom-right" richColors closeButton />;
}
