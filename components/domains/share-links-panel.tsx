"use client";

import { Link2 } from "lucide-react";
import { useState } from "react";

import { createShareLinkAction, revokeShareLinkAction } from "@/app/(console)/domains/share-actions";
import { MANAGE_REQUIRED_HINT } from "@/components/shell/manage-hint";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Select } from "@/components/ui/input";
import { LocalTime } from "@/components/ui/local-time";
import { asActionResult } from "@/lib/actions/result";
import { SHARE_LINK_DAYS } from "@/lib/domains/schemas";
import type { ShareLinkView } from "@/lib/domains/types";

import { CopyableCode } from "./copy-button";

const STATE_BADGES = {
  active: { label: "Active", tone: "success" },
  expired: { label: "Expired", tone: "neutral" },
  revoked: { label: "Revoked", tone: "neutral" },
} as const;

/**
 * Read-only links to this domain's records and their live status, for whoever runs the DNS: no
 * sign-in, expiring, revocable. The link itself is shown once, when created (only its HMAC is kept).
 */
export function ShareLinksPanel({ domainId, domainName, initial, canManage }: { domainId: string; domainName: string; initial: ShareLinkView[]; canManage: boolean }) {
  const [links, setLinks] = useState(initial);
  const [days, setDays] = useState<number>(7);
  const [created, setCreated] = useState<{ url: string; expiresAt: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState<string | null>(null);

  async function create() {
    setPending("create");
    setError(null);
    const result = await asActionResult(createShareLinkAction({ domainId, validDays: days }));
    setPending(null);
    if (!result.ok) return setError(result.error);
    setCreated({ url: `${window.location.origin}/share/${result.data.token}`, expiresAt: result.data.expiresAt });
    setLinks(result.data.links);
  }

  async function revoke(linkId: string) {
    setPending(linkId);
    setError(null);
    const result = await asActionResult(revokeShareLinkAction({ linkId }));
    setPending(null);
    if (!result.ok) return setError(result.error);
    setLinks(result.data);
    setCreated(null);
  }

  return (
    <Card className="min-w-0">
      <CardHeader
        title="Share with whoever runs your DNS"
        description={`A read-only page with ${domainName}'s records and their live status. No sign-in; it shows nothing else of your console.`}
      />
      <CardBody className="space-y-4">
        <Alert tone="danger">{error}</Alert>
        <div className="flex flex-wrap items-end gap-2">
          <label className="text-sm text-slate-700">
            <span className="mb-1 block">Works for</span>
            <Select value={String(days)} onChange={(event) => setDays(Number(event.target.value))} disabled={!canManage} className="w-32">
              {SHARE_LINK_DAYS.map((value) => (
                <option key={value} value={value}>
                  {value === 1 ? "1 day" : `${value} days`}
                </option>
              ))}
            </Select>
          </label>
          <Button variant="secondary" onClick={create} pending={pending === "create"} disabled={!canManage} title={canManage ? undefined : MANAGE_REQUIRED_HINT}>
            <Link2 aria-hidden /> Create share link
          </Button>
        </div>
        {created ? (
          <div className="rounded-md border border-emerald-200 bg-emerald-50 p-3 text-sm" data-testid="new-share-link">
            <p className="font-medium text-emerald-900">Send this link to whoever runs the DNS. It is shown only now.</p>
            <CopyableCode value={created.url} label="share link" testId="share-url" className="mt-2" />
            <p className="mt-1 text-xs text-emerald-900">
              Works until <LocalTime value={created.expiresAt} />.
            </p>
          </div>
        ) : null}
        {links.length > 0 ? (
          <ul className="divide-y divide-slate-200 text-sm" aria-label="Share links">
            {links.map((link) => (
              <li key={link.id} className="flex flex-wrap items-center justify-between gap-2 py-2" data-link-state={link.state}>
                <div className="min-w-0">
                  <Badge tone={STATE_BADGES[link.state].tone}>{STATE_BADGES[link.state].label}</Badge>{" "}
                  <span className="text-slate-600">
                    by {link.createdByEmail}, {link.state === "revoked" ? "revoked" : link.state === "expired" ? "expired" : "until"}{" "}
                    <LocalTime value={link.revokedAt ?? link.expiresAt} />
                  </span>
                </div>
                {link.state === "active" && canManage ? (
                  <Button variant="secondary" size="sm" onClick={() => revoke(link.id)} pending={pending === link.id}>
                    Revoke
                  </Button>
                ) : null}
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-sm text-slate-500">No share links yet.</p>
        )}
      </CardBody>
    </Card>
  );
}
