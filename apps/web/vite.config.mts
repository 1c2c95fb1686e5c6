import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The client package is compiled from its TypeScript source (it is part of this bundle), so the
// browser build never depends on its CommonJS build. `turbo dev` runs Vite with a proxy to the
// gateway (GATEWAY_URL, default http://127.0.0.1:3200) for the API and socket.io.
const gateway = process.env.GATEWAY_URL ?? 'http://127.0.0.1:3200';

export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: {
      '@parley/client': fileURLToPath(new URL('../../packages/client/src/index.ts', import.meta.url)),
      '@parley/protocol': fileURLToPath(new URL('../../packages/protocol/src/index.ts', import.meta.url)),
    },
  },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2022' },
  server: {
    port: 5173,
    proxy: {
      '/api': { target: gateway, changeOrigin: false },
      '/socket.io': { target: gateway, ws: true, changeOrigin: false },
    },
  },
});
