/** @type {import('next').NextConfig} */
const nextConfig = {
  // A separate build folder per checkout user (e.g. tests running beside a developer's own build).
  distDir: process.env.NEXT_DIST_DIR || ".next",
  reactStrictMode: true,
  poweredByHeader: false,
  typedRoutes: false,
  experimental: {
    // The build's cache only pays on the next build in the same checkout; a CI run has none, and
    // writing it took 14 s of a clean clone's build.
    turbopackFileSystemCacheForBuild: process.env.CI !== "true",
    // forbidden() renders app/forbidden.tsx with a real 403 status for licence/permission gates.
    authInterrupts: true,
    // Bytes; equal to lib/http/body-limits.ts, whose check in scripts/serve.ts answers first, readably.
    serverActions: { bodySizeLimit: 256 * 1024 },
  },
  // Lint and type checks run in `npm test` (and CI); the build does not repeat them.
  typescript: { ignoreBuildErrors: true },
  // Security headers (CSP with a per-request nonce, HSTS from NEXTAUTH_URL at run time) are set by
  // proxy.ts and scripts/serve.ts, not here: this file is read at build time.
};

export default nextConfig;
