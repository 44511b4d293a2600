import { GeistMono } from "geist/font/mono";
import { GeistSans } from "geist/font/sans";
import type { Metadata } from "next";
import type { ReactNode } from "react";

import { RowIconSymbols } from "@/components/ui/row-icons";

import "./globals.css";
import { Providers } from "./providers";

export const metadata: Metadata = {
  title: { default: "Email Routing Console", template: "%s · Email Routing Console" },
  description: "Set up inbound email routing: scenarios, domain verification and address-to-queue routes.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" className={`${GeistSans.variable} ${GeistMono.variable}`}>
      <body className="min-h-screen font-sans">
        <RowIconSymbols />
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
