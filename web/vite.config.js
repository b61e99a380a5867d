// Static build into dist/, served by `vsv serve` (no CDN, no inline scripts: the
// server's Content-Security-Policy allows only files from its own origin).
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1200,
    modulePreload: { polyfill: false },
    rollupOptions: {
      // The dashboard (index.html) and the caseworkers' register (register.html).
      input: { main: 'index.html', register: 'register.html' },
      output: {
        manualChunks: { echarts: ['echarts/core', 'echarts/charts', 'echarts/components', 'echarts/renderers'] },
      },
    },
  },
});
