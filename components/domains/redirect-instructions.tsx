"use client";

import * as Tabs from "@radix-ui/react-tabs";
import { ArrowRight } from "lucide-react";

import { postfixVirtualLines, type RedirectRule } from "@/lib/domains/redirects";

import { CopyButton } from "./copy-button";

const tabClasses =
  "rounded-md px-3 py-1.5 text-sm font-medium text-slate-600 data-[state=active]:bg-white data-[state=active]:text-slate-900 data-[state=active]:shadow-sm";

/** The exact redirect each address needs, for the three mail systems admins have most. */
export function RedirectInstructions({ rules }: { rules: RedirectRule[] }) {
  return (
    <div className="space-y-5">
      <div className="rounded-lg border border-amber-200 bg-amber-50 p-4 text-sm text-amber-950">
        <p className="font-medium">Redirect, do not forward</p>
        <p className="mt-1">
          A <strong>redirect</strong> delivers the customer&apos;s message unchanged, so the customer stays the sender and replies go back to them.
          A <strong>forward</strong> re-sends it from your mailbox: replies would go to you, not to the customer. Use the rules below, not your
          mail client&apos;s &ldquo;Forward&rdquo;.
        </p>
      </div>

      <ul className="space-y-2" aria-label="Redirects to create">
        {rules.map((rule) => (
          <li key={rule.from} className="flex flex-wrap items-center gap-2 rounded-md border border-slate-200 bg-white px-4 py-2 font-mono text-sm" data-testid="redirect-rule">
            <span>{rule.from}</span>
            <ArrowRight className="size-4 text-slate-400" aria-label="redirected to" />
            <span>{rule.to}</span>
            <CopyButton value={rule.to} label={`target address for ${rule.from}`} className="ml-auto" />
          </li>
        ))}
      </ul>

      <Tabs.Root defaultValue="microsoft">
        <Tabs.List className="inline-flex flex-wrap gap-1 rounded-lg bg-slate-100 p-1" aria-label="Your mail system">
          <Tabs.Trigger value="microsoft" className={tabClasses}>Microsoft 365 / Exchange</Tabs.Trigger>
          <Tabs.Trigger value="google" className={tabClasses}>Google Workspace</Tabs.Trigger>
          <Tabs.Trigger value="postfix" className={tabClasses}>Postfix</Tabs.Trigger>
        </Tabs.List>
        <Tabs.Content value="microsoft" className="mt-4 space-y-3 text-sm text-slate-800">
          <p>In the Exchange admin center, go to <strong>Mail flow → Rules → Add a rule → Create a new rule</strong>, once for each address:</p>
          <ol className="list-decimal space-y-3 pl-5">
            {rules.map((rule) => (
              <li key={rule.from}>
                <dl className="grid gap-1 sm:grid-cols-[14rem_1fr]">
                  <dt className="text-slate-500">Name</dt>
                  <dd>Route {rule.from} to the contact centre</dd>
                  <dt className="text-slate-500">Apply this rule if</dt>
                  <dd>The recipient is… <span className="font-mono">{rule.from}</span></dd>
                  <dt className="text-slate-500">Do the following</dt>
                  <dd>Redirect the message to… <span className="font-mono">{rule.to}</span></dd>
                </dl>
              </li>
            ))}
          </ol>
          <p className="text-slate-600">
            &ldquo;Redirect the message to&rdquo; keeps the customer as the sender. To keep a copy in the original mailbox as well, choose{" "}
            <strong>Add recipients → Bcc the message to</strong> instead: the message then goes to both.
          </p>
        </Tabs.Content>
        <Tabs.Content value="google" className="mt-4 space-y-3 text-sm text-slate-800">
          <p>In the Google Admin console, go to <strong>Apps → Google Workspace → Gmail → Routing → Configure</strong>, once for each address:</p>
          <ol className="list-decimal space-y-3 pl-5">
            {rules.map((rule) => (
              <li key={rule.from}>
                <dl className="grid gap-1 sm:grid-cols-[14rem_1fr]">
                  <dt className="text-slate-500">Messages to affect</dt>
                  <dd>Inbound</dd>
                  <dt className="text-slate-500">Envelope filter</dt>
                  <dd>Only affect specific envelope recipients → Single recipient: <span className="font-mono">{rule.from}</span></dd>
                  <dt className="text-slate-500">Also deliver to</dt>
                  <dd>Add more recipients → <span className="font-mono">{rule.to}</span></dd>
                </dl>
              </li>
            ))}
          </ol>
          <p className="text-slate-600">
            &ldquo;Add more recipients&rdquo; keeps the copy in the original mailbox. &ldquo;Change envelope recipient&rdquo; would send the message
            only to us.
          </p>
        </Tabs.Content>
        <Tabs.Content value="postfix" className="mt-4 space-y-3 text-sm text-slate-800">
          <p>
            Add these lines to your <span className="font-mono">virtual_alias_maps</span> file (e.g. <span className="font-mono">/etc/postfix/virtual</span>).
            Each original address is listed on its own right-hand side too, so a copy stays in its mailbox:
          </p>
          <div className="relative">
            <pre className="overflow-x-auto rounded-md bg-slate-900 p-4 font-mono text-xs text-slate-100">{postfixVirtualLines(rules)}</pre>
            <CopyButton value={postfixVirtualLines(rules)} label="Postfix lines" className="absolute right-2 top-2 bg-white" />
          </div>
          <p>
            Then run <span className="font-mono">postmap /etc/postfix/virtual</span> and <span className="font-mono">postfix reload</span>. The
            envelope sender is unchanged, so replies reach the customer.
          </p>
        </Tabs.Content>
      </Tabs.Root>
    </div>
  );
}
