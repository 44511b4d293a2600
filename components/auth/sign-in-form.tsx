"use client";

import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";

import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardBody } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";

const RATE_LIMITED = "RateLimited";

function describeSignInError(code: string): string {
  if (code.startsWith(`${RATE_LIMITED}:`)) {
    const seconds = Number(code.slice(RATE_LIMITED.length + 1));
    const minutes = Math.max(1, Math.ceil((Number.isFinite(seconds) ? seconds : 900) / 60));
    return `Too many failed sign-in attempts. For your security, try again in ${minutes} ${minutes === 1 ? "minute" : "minutes"}.`;
  }
  if (code === "CredentialsSignin") return "That email and password do not match an account. Check both and try again.";
  return "Signing in did not work just now. Try again in a moment.";
}

export function SignInForm({ callbackPath }: { callbackPath: string }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    try {
      const result = await signIn("credentials", {
        email: String(data.get("email") ?? ""),
        password: String(data.get("password") ?? ""),
        redirect: false,
      });
      if (result?.ok && !result.error) {
        window.location.assign(callbackPath);
        return;
      }
      setError(describeSignInError(result?.error ?? "unknown"));
    } catch {
      setError(describeSignInError("unknown"));
    }
    setPending(false);
  }

  return (
    <Card>
      <CardBody className="py-6">
        <form onSubmit={onSubmit} className="space-y-4" aria-describedby={error ? "sign-in-error" : undefined}>
          {error ? (
            <div id="sign-in-error">
              <Alert tone="danger">{error}</Alert>
            </div>
          ) : null}
          <Field id="email" label="Email">
            <Input id="email" name="email" type="email" autoComplete="username" required autoFocus />
          </Field>
          <Field id="password" label="Password">
            <Input id="password" name="password" type="password" autoComplete="current-password" required />
          </Field>
          <Button type="submit" className="w-full" pending={pending}>
            Sign in
          </Button>
        </form>
      </CardBody>
    </Card>
  );
}
