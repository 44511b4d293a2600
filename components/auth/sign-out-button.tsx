"use client";

import { signOutHere } from "./sign-out";

export function SignOutButton() {
  return (
    <button type="button" onClick={() => void signOutHere()} className="font-medium text-brand-700 hover:underline">
      Sign in as someone else
    </button>
  );
}
