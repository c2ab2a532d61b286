import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The merchant console, served by the app itself at /console/ from
 * console/dist (config/static-sites.ts). Built by `npm run build:console`.
 * In development, `npx vite --config console/vite.config.ts` serves it with
 * hot reload and forwards the staff API to the app on :7001.
 */
export default defineConfig({
  root,
  base: '/console/',
  plugins: [ vue() ],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    // every asset is a file of its own: no data: URLs in scripts or styles
    assetsInlineLimit: 0,
    target: 'es2022',
  },
  server: {
    proxy: { '/admin/api': `http://127.0.0.1:${process.env.PORT ?? 7001}` },
  },
});
