import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** The console builds into dist/web, next to the compiled server that serves it (src/server/console.ts). */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/",
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL("../dist/web", import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    // `npm run dev:web` beside `iocscan server --listen 127.0.0.1:8080`.
    proxy: { "/api": "http://127.0.0.1:8080" },
  },
});
