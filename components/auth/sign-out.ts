"use client";

import { signOut } from "next-auth/react";

/**
 * Ends the session and opens the sign-in page on the host the console was opened on. Left to
 * next-auth, the browser would be sent to NEXTAUTH_URL's host instead (opened as 127.0.0.1, it
 * would land on localhost, where nobody is signed in or out).
 */
export async function signOutHere(): Promise<void> {
  await signOut({ redirect: false });
  // A whole page load, not a client navigation: nothing of the signed-out user's pages stays in memory.
  // eslint-disable-next-line @next/next/no-location-assign-relative-destination
  window.location.assign("/signin");
}
