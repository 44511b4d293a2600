import { describe, expect, it } from "vitest";

import {
  COPY_MARK_HEADER,
  exchangeCopyRule,
  googleCopyRule,
  postfixCopyConfig,
  whatArrives,
  type MailSystem,
  type RedirectRule,
} from "@/lib/domains/redirects";

const support: RedirectRule = { from: "support@acme.com", to: "support@help.acme.com" };

describe("the rule each mail system needs to keep a copy and pass the message on", () => {
  it("Exchange: adds our address as Bcc (keeping the original delivery), never replaces the recipient", () => {
    const rule = exchangeCopyRule(support);
    const choices = rule.settings.map((setting) => `${setting.section}: ${setting.choice}`);
    expect(choices).toEqual([
      "Apply this rule if: The recipient › is this person",
      "Do the following: Add recipients › to the Bcc box",
      "And: Modify the message properties › set a message header",
      "Except if: A message header › includes any of these words",
      "Except if: The sender › domain is",
    ]);
    expect(rule.settings[0]!.values).toEqual([{ text: "support@acme.com" }]);
    expect(rule.settings[1]!.values).toEqual([{ text: "support@help.acme.com" }]);
    expect(JSON.stringify(rule)).not.toContain("Redirect the message to");
  });

  it("Exchange: the header the rule stamps is the one its exception skips, per target, and mail from our domain is not copied back", () => {
    const rule = exchangeCopyRule(support);
    const stamp = rule.settings.find((setting) => setting.choice.endsWith("set a message header"))!;
    const skip = rule.settings.find((setting) => setting.choice.startsWith("A message header"))!;
    expect(stamp.values).toEqual([
      { label: "Header", text: COPY_MARK_HEADER },
      { label: "Value", text: "support@help.acme.com" },
    ]);
    expect(skip.values).toEqual([
      { label: "Header", text: COPY_MARK_HEADER },
      { label: "Words", text: "support@help.acme.com" },
    ]);
    expect(rule.settings.find((setting) => setting.choice === "The sender › domain is")!.values).toEqual([{ text: "help.acme.com" }]);
  });

  it("Google Workspace: Also deliver to › Add more recipients, limited to the original envelope recipient", () => {
    const rule = googleCopyRule({ from: "billing@acme.com", to: "billing@acme.mail.routing.example" });
    const also = rule.settings.find((setting) => setting.section === "Also deliver to")!;
    expect(also.choice).toMatch(/^Add more recipients/);
    expect(also.values).toEqual([{ text: "billing@acme.mail.routing.example" }]);
    const filter = rule.settings.find((setting) => setting.section.endsWith("Envelope filter"))!;
    expect(filter.choice).toBe("Only affect specific envelope recipients › Single recipient");
    expect(filter.values).toEqual([{ text: "billing@acme.com" }]);
    expect(JSON.stringify(rule)).not.toContain("Change envelope recipient");
  });

  it("Postfix: each original address expands to itself and ours; main.cf names the table; commands compile and load it", () => {
    const config = postfixCopyConfig([support, { from: "sales@acme.com", to: "sales@help.acme.com" }]);
    expect(config.mainCf).toEqual(["virtual_alias_maps = hash:/etc/postfix/virtual"]);
    expect(config.virtualMap.split("\n")).toEqual([
      `${"support@acme.com".padEnd(32)} support@acme.com, support@help.acme.com`,
      `${"sales@acme.com".padEnd(32)} sales@acme.com, sales@help.acme.com`,
      "",
    ]);
    expect(config.commands).toEqual(["postmap /etc/postfix/virtual", "postfix reload"]);
    expect(postfixCopyConfig([support], { mapFile: "/srv/mail/virtual" }).mainCf).toEqual(["virtual_alias_maps = hash:/srv/mail/virtual"]);
  });

  it("writes internationalised domains in their A-label form, which every mail system accepts", () => {
    const rule = { from: "kontakt@bücher.example", to: "kontakt@hilfe.bücher.example" };
    expect(postfixCopyConfig([rule]).virtualMap).toContain("kontakt@xn--bcher-kva.example, kontakt@hilfe.xn--bcher-kva.example");
    expect(exchangeCopyRule(rule).settings[1]!.values).toEqual([{ text: "kontakt@hilfe.xn--bcher-kva.example" }]);
  });

  it("says for each mail system that the customer stays the sender and the reply address", () => {
    for (const system of ["microsoft", "google", "postfix"] as MailSystem[]) {
      expect(whatArrives(system, [support])).toMatch(/From and Reply-To .*customer's, so replies go back to them/);
    }
    expect(whatArrives("microsoft", [support])).toContain("support+SRS=…@acme.com");
    expect(whatArrives("postfix", [support])).toContain("envelope sender (Return-Path) stays the customer's");
  });
});
