"use client";

import { useEffect, useState } from "react";

import { useHydrated } from "./use-hydrated";

/**
 * The one home for showing a moment in time: `LocalTime` for the date and time, `RelativeTime`
 * for "3 minutes ago". Both speak the reader's own locale and time zone. The server knows
 * neither, so the first render (server and hydration) shows UTC in a fixed locale, and the
 * browser's render replaces it.
 */

const SERVER_LOCALE = "en-GB";

function toDate(value: string | Date): Date {
  return typeof value === "string" ? new Date(value) : value;
}

/**
 * Building an Intl formatter costs far more than formatting with one (a table of 50 times spent
 * most of its render there), so each kind is built once. The browser's locale and time zone do
 * not change while a page is open; the server's are fixed.
 */
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
const relativeFormats = new Map<string, Intl.RelativeTimeFormat>();

function dateTimeFormat(isClient: boolean, withSeconds: boolean): Intl.DateTimeFormat {
  const key = `${isClient}:${withSeconds}`;
  let format = dateTimeFormats.get(key);
  if (!format) {
    // undefined: the browser's own locale (its language settings decide the order and words).
    format = new Intl.DateTimeFormat(isClient ? undefined : SERVER_LOCALE, {
      dateStyle: "medium",
      timeStyle: withSeconds ? "medium" : "short",
      ...(isClient ? {} : { timeZone: "UTC" }),
    });
    dateTimeFormats.set(key, format);
  }
  return format;
}

function relativeFormat(locale: string | undefined, numeric: "always" | "auto"): Intl.RelativeTimeFormat {
  const key = `${locale ?? ""}:${numeric}`;
  let format = relativeFormats.get(key);
  if (!format) {
    format = new Intl.RelativeTimeFormat(locale, { numeric });
    relativeFormats.set(key, format);
  }
  return format;
}

let zoneFormat: Intl.DateTimeFormat | undefined;

/** The reader's time zone as the locale abbreviates it at that moment ("CET", "GMT-5", "UTC"). */
function zoneName(date: Date): string {
  zoneFormat ??= new Intl.DateTimeFormat(undefined, { timeZoneName: "short" });
  return zoneFormat.formatToParts(date).find((part) => part.type === "timeZoneName")?.value ?? "";
}

/**
 * Always with its time zone: a time next to a filter that counts days in UTC (the Messages log),
 * or read by an admin in another zone, must say which clock it is on.
 */
function formatDateTime(date: Date, isClient: boolean, withSeconds: boolean): string {
  const text = dateTimeFormat(isClient, withSeconds).format(date);
  const zone = isClient ? zoneName(date) : "UTC";
  return zone ? `${text} ${zone}` : text;
}

export function LocalTime({ value, withSeconds = false }: { value: string | Date; withSeconds?: boolean }) {
  const date = toDate(value);
  const isClient = useHydrated();
  return (
    <time dateTime={date.toISOString()} title={date.toISOString()}>
      {formatDateTime(date, isClient, withSeconds)}
    </time>
  );
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 86_400],
  ["month", 30 * 86_400],
  ["week", 7 * 86_400],
  ["day", 86_400],
  ["hour", 3_600],
  ["minute", 60],
  ["second", 1],
];

/**
 * "3 minutes ago" / "in 2 hours" in the given locale; exported for unit tests. A moment expected in
 * the past that reads less than a minute ahead (the page's clock behind the server's, or not yet
 * ticked) is "1 second ago": it has happened, whatever the clocks say.
 */
export function describeRelative(target: number, now: number, locale?: string, expect: "past" | "future" = "past"): string {
  const seconds = Math.round((target - now) / 1000);
  // Under a minute stays in seconds ("5 seconds ago", never "now").
  if (Math.abs(seconds) < 60) return relativeFormat(locale, "always").format(expect === "past" || seconds <= 0 ? Math.min(seconds, -1) : seconds, "second");
  const format = relativeFormat(locale, "auto");
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
  }
  return format.format(seconds, "second");
}

/**
 * "2 minutes ago", kept current, with the exact local time on hover and for assistive technology.
 * `expect="future"` is for a moment that should still be ahead (a scheduled check): once it has
 * passed, it reads "any moment now" rather than "1 minute ago".
 */
export function RelativeTime({ iso, fallback = "never", expect = "past" }: { iso: string | null; fallback?: string; expect?: "past" | "future" }) {
  const isClient = useHydrated();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    // The clock ticks every 15 s, and once more as soon as the moment shown changes, so a check
    // that has just run is measured from now, not from the last tick.
    const tick = () => setNow(Date.now());
    const first = setTimeout(tick, 0);
    const timer = setInterval(tick, 15_000);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, [iso]);
  if (!iso) return <span>{fallback}</span>;
  const target = new Date(iso).getTime();
  const locale = isClient ? undefined : SERVER_LOCALE;
  const text = expect === "future" && target <= now ? "any moment now" : describeRelative(target, now, locale, expect);
  return (
    <time dateTime={iso} title={formatDateTime(new Date(iso), isClient, false)} suppressHydrationWarning>
      {text}
    </time>
  );
}
