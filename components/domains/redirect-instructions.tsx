"use client";

import * as Tabs from "@radix-ui/react-tabs";
import { ArrowRight, Mail } from "lucide-react";

import { COPY_MARK_HEADER, COPY_RULE_BUILDERS, postfixCopyConfig, whatArrives, type MailSystem, type MailSystemRule, type RedirectRule } from "@/lib/domains/redirects";

import { CopyButton } from "./copy-button";

const tabClasses =
  "rounded-md px-3 py-1.5 text-sm font-medium text-slate-600 data-[state=active]:bg-white data-[state=active]:text-slate-900 data-[state=active]:shadow-sm";

/** One rule per address, numbered, as the mail system's console would have them added. */
function RuleList({ system, rules, testId }: { system: keyof typeof COPY_RULE_BUILDERS; rules: readonly RedirectRule[]; testId: string }) {
  return (
    <ol className="list-decimal space-y-4 pl-5">
      {rules.map((rule) => (
        <li key={rule.from} data-testid={testId}>
          <RuleSettings rule={COPY_RULE_BUILDERS[system](rule)} />
        </li>
      ))}
    </ol>
  );
}

function RuleSettings({ rule }: { rule: MailSystemRule }) {
  return (
    <dl className="grid gap-x-4 gap-y-2 sm:grid-cols-[13rem_1fr]">
      <dt className="text-slate-500">Name</dt>
      <dd>{rule.name}</dd>
      {rule.settings.map((setting, index) => (
        <div key={index} className="contents">
          <dt className="text-slate-500">{setting.section}</dt>
          <dd className="min-w-0">
            <span className="font-medium text-slate-900">{setting.choice}</span>
            {setting.values.map((value) => (
              <span key={`${value.label ?? ""}${value.text}`} className="block break-all">
                {value.label ? <span className="text-slate-500">{value.label}: </span> : null}
                <span className="font-mono">{value.text}</span>
              </span>
            ))}
            {setting.why ? <span className="block text-xs text-slate-500">{setting.why}</span> : null}
          </dd>
        </div>
      ))}
    </dl>
  );
}

function WhatArrives({ system, rules }: { system: MailSystem; rules: RedirectRule[] }) {
  return (
    <div className="flex gap-2 rounded-md border border-slate-200 bg-slate-50 p-3 text-slate-700" data-testid="what-arrives">
      <Mail className="mt-0.5 size-4 shrink-0 text-slate-400" aria-hidden />
      <p>
        <span className="font-medium text-slate-900">What the contact centre receives: </span>
        {whatArrives(system, rules)}
      </p>
    </div>
  );
}

function CodeBlock({ text, label }: { text: string; label: string }) {
  return (
    <div className="relative">
      <pre className="overflow-x-auto rounded-md bg-slate-900 p-4 pr-20 font-mono text-xs text-slate-100" aria-label={label}>
        {text.trimEnd()}
      </pre>
      <CopyButton value={text} label={label} className="absolute right-2 top-2 bg-white" />
    </div>
  );
}

/**
 * The exact rule each address needs on the three mail systems admins have most. Every rule keeps
 * the original delivery and adds ours: that copy is what scenarios 2 and 4 promise.
 */
export function RedirectInstructions({ rules }: { rules: RedirectRule[] }) {
  const postfix = postfixCopyConfig(rules);
  const originalDomains = [...new Set(rules.map((rule) => rule.from.slice(rule.from.lastIndexOf("@") + 1)))];
  return (
    <div className="space-y-5">
      <div className="rounded-lg border border-amber-200 bg-amber-50 p-4 text-sm text-amber-950">
        <p className="font-medium">Keep your copy and pass the message on unchanged; do not forward it</p>
        <p className="mt-1">
          Each rule below delivers the customer&apos;s message to your mailbox as before <strong>and</strong>, unchanged, to the contact centre, so the
          customer stays the sender and replies go back to them. Forwarding from a mailbox re-sends the message from you (replies would come to
          you), and Exchange&apos;s &ldquo;Redirect the message to&rdquo; keeps no copy in your mailbox.
        </p>
      </div>

      <ul className="space-y-2" aria-label="Addresses to copy">
        {rules.map((rule) => (
          <li key={rule.from} className="flex flex-wrap items-center gap-2 rounded-md border border-slate-200 bg-white px-4 py-2 font-mono text-sm" data-testid="redirect-rule">
            <span className="break-all">{rule.from}</span>
            <ArrowRight className="size-4 text-slate-400" aria-label="also delivered to" />
            <span className="break-all">{rule.to}</span>
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
          <p>
            In the Exchange admin center, go to <strong>Mail flow › Rules</strong>, choose <strong>Add a rule › Create a new rule</strong>, and
            create one rule for each address:
          </p>
          <RuleList system="microsoft" rules={rules} testId="exchange-rule" />
          <p className="text-slate-600">
            Use <strong>Add recipients › to the Bcc box</strong>, not <strong>Redirect the message to</strong>: a redirect sends the message only to
            the contact centre and nothing stays in your mailbox. The rule stamps the header <span className="font-mono">{COPY_MARK_HEADER}</span>{" "}
            on what it copies. <strong>The recipient › is this person</strong> matches a mailbox (a shared mailbox is fine), mail user or mail contact
            by its primary address; for a distribution group, choose <strong>The message › To or Cc box contains this person</strong> instead.
          </p>
          <WhatArrives system="microsoft" rules={rules} />
        </Tabs.Content>

        <Tabs.Content value="google" className="mt-4 space-y-3 text-sm text-slate-800">
          <p>
            In the Google Admin console, go to <strong>Apps › Google Workspace › Gmail › Routing</strong>, and under <strong>Routing</strong> choose{" "}
            <strong>Configure</strong> (or <strong>Add another rule</strong>), once for each address:
          </p>
          <RuleList system="google" rules={rules} testId="google-rule" />
          <p className="text-slate-600">
            <strong>Add more recipients</strong> keeps the delivery to your mailbox. Leave <strong>Change envelope recipient</strong> unticked: it
            would send the message only to the contact centre.
          </p>
          <WhatArrives system="google" rules={rules} />
        </Tabs.Content>

        <Tabs.Content value="postfix" className="mt-4 space-y-3 text-sm text-slate-800">
          <p>
            In <span className="font-mono">main.cf</span> (if <span className="font-mono">virtual_alias_maps</span> is already set, add this table
            to its list):
          </p>
          <CodeBlock text={`${postfix.mainCf.join("\n")}\n`} label="main.cf setting" />
          <p>
            In <span className="font-mono">{postfix.mapFile}</span>, one line per address. Each original address is listed on its own right-hand
            side too, so it is still delivered to its mailbox:
          </p>
          <CodeBlock text={postfix.virtualMap} label="Postfix virtual lines" />
          <p>Then load the change:</p>
          <CodeBlock text={`${postfix.commands.join("\n")}\n`} label="Postfix commands" />
          <p className="text-slate-600">
            {originalDomains.join(", ")} must stay a domain this server already delivers (<span className="font-mono">mydestination</span>,{" "}
            <span className="font-mono">virtual_mailbox_domains</span> or <span className="font-mono">relay_domains</span>). Do not add it to{" "}
            <span className="font-mono">virtual_alias_domains</span>: the copy for your mailbox would then bounce with &ldquo;User unknown in virtual
            alias table&rdquo;. If the file already has a line for one of these addresses, add the contact-centre address to the end of that line
            instead of adding a second one.
          </p>
          <WhatArrives system="postfix" rules={rules} />
        </Tabs.Content>
      </Tabs.Root>
    </div>
  );
}
