// The patient's web app, built into web/app/dist and served by the local stack at `/` (on AWS:
// S3 behind CloudFront, the API on the same domain). Vitest runs the app's own logic in jsdom.
import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

export default defineConfig({
  root: new URL(".", import.meta.url).pathname,
  plugins: [preact()],
  build: { outDir: "dist", emptyOutDir: true, target: "es2020", sourcemap: false },
  test: { environment: "jsdom", include: ["src/**/*.test.ts"] },
});
