// Charts for the views. Views describe a chart (box + ECharts option) while they
// build their DOM; flushCharts() draws them once the DOM is in the document and
// ECharts (echarts-setup.js, a separate chunk) has loaded — its download and parse
// overlap with the page's API requests.
export const colors = {
  x: '#154273', pct: '#d52b1e', target: '#a90061', national: '#8fa4b8',
  VO: '#01689b', MBO: '#e17000', VAVO: '#39870c',
  a: '#8fcae7', b: '#b2b2b2', c: '#76d2b6', d: '#ffd08a',
};

// The page's font (style.css), named so ECharts measures text as it is drawn.
const FONT = '"Segoe UI", "Noto Sans", "DejaVu Sans", Roboto, Helvetica, Arial, sans-serif';

let echartsPromise = null;
export function loadCharts() {
  echartsPromise ??= import('./echarts-setup.js').then((m) => m.default);
  return echartsPromise;
}

const live = new Set();
const pending = [];
const maps = new Map();  // name -> GeoJSON, registered when ECharts is there
let observer = null;

function create(echarts, box, option, handlers) {
  observer ??= new ResizeObserver((entries) => {
    for (const entry of entries) echarts.getInstanceByDom(entry.target)?.resize();
  });
  const chart = echarts.init(box, null, { renderer: 'svg' });
  chart.setOption({ animationDuration: 300, textStyle: { fontFamily: FONT }, aria: { enabled: true }, ...option });
  for (const [event, fn] of handlers) chart.on(event, fn);
  observer.observe(box);
  live.add(chart);
  return chart;
}

// A chart in `box`; returns a handle whose `on(event, fn)` attaches handlers.
export function makeChart(box, option) {
  const handlers = [];
  pending.push({ box, option, handlers });
  return { on: (event, fn) => handlers.push([event, fn]) };
}

export function registerMap(name, geojson) {
  if (!maps.has(name)) maps.set(name, { geojson, registered: false });
}

// Draws the charts described since the last call. Resolves when they are drawn.
export async function flushCharts() {
  if (!pending.length) return;
  const echarts = await loadCharts();
  for (const [name, m] of maps) {
    if (!m.registered) {
      echarts.registerMap(name, m.geojson);
      m.registered = true;
    }
  }
  while (pending.length) {
    const { box, option, handlers } = pending.shift();
    if (box.isConnected) create(echarts, box, option, handlers);
  }
}

// Called before a view is replaced.
export function disposeCharts() {
  pending.length = 0;
  for (const chart of live) {
    observer?.unobserve(chart.getDom());
    chart.dispose();
  }
  live.clear();
}
