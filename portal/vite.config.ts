// The portal's build: plain TypeScript and CSS into dist/ (git-ignored),
// which `hdhub serve` serves with a strict Content-Security-Policy
// (src/hdhub/server/static_files.h): no inline script or style anywhere,
// hashed names under /assets/ (cached for a year), index.html not cached.
import { defineConfig } from "vite";

export default defineConfig({
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    // The polyfill would be fine under the CSP, but no browser we support needs it.
    modulePreload: { polyfill: false },
    // Never inline an asset as a data: URL into CSS or JS: one rule for all files.
    assetsInlineLimit: 0,
    sourcemap: false,
    target: "es2022",
  },
});
