"use client";

// The console's one link component: every other file imports this one (eslint.config.mjs).
// eslint-disable-next-line no-restricted-imports
import NextLink from "next/link";
import { useState, type ComponentProps } from "react";

/**
 * `next/link` that prefetches when the admin shows intent (pointer over it, keyboard focus, a
 * touch), not when it scrolls into view. Next's default fetches every visible link's page in the
 * background: the sidebar alone made 16 requests on every page view, and a page of messages or
 * routes one per row, each checking the session and reading the database on the server. Now a
 * page view costs what it shows; the link the admin reaches for is still fetched before the
 * click lands, so navigating feels as quick as before. `prefetch={false}` still turns it off.
 */
export function Link({ prefetch, onMouseEnter, onFocus, onTouchStart, ...props }: ComponentProps<typeof NextLink>) {
  const [intent, setIntent] = useState(false);
  const showIntent = () => setIntent(true);
  return (
    <NextLink
      {...props}
      // null is Next's default prefetching, which starts at once for a link on screen.
      prefetch={prefetch === false || !intent ? false : (prefetch ?? null)}
      onMouseEnter={(event) => {
        showIntent();
        onMouseEnter?.(event);
      }}
      onFocus={(event) => {
        showIntent();
        onFocus?.(event);
      }}
      onTouchStart={(event) => {
        showIntent();
        onTouchStart?.(event);
      }}
    />
  );
}
