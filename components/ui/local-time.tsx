"use client";

import { useSyncExternalStore } from "react";

const subscribe = () => () => {};

/**
 * A timestamp in the reader's own time zone. The server does not know it, so the first render
 * (server and hydration) shows UTC, and the browser's render replaces it with local time.
 */
export function LocalTime({ value, withSeconds = false }: { value: string | Date; withSeconds?: boolean }) {
  const date = typeof value === "string" ? new Date(value) : value;
  const isClient = useSyncExternalStore(subscribe, () => true, () => false);
  const options: Intl.DateTimeFormatOptions = {
    dateStyle: "medium",
    timeStyle: withSeconds ? "medium" : "short",
    ...(isClient ? {} : { timeZone: "UTC" }),
  };
  const text = new Intl.DateTimeFormat("en-GB", options).format(date);
  return (
    <time dateTime={date.toISOString()} title={date.toISOString()}>
      {isClient ? text : `${text} UTC`}
    </time>
  );
}
