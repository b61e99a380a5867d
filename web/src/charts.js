// ECharts, only the parts the dashboard uses (bundled from npm; no CDN).
import * as echarts from 'echarts/core';
import { BarChart, LineChart, MapChart } from 'echarts/charts';
import {
  GridComponent, TooltipComponent, LegendComponent, VisualMapComponent, MarkLineComponent,
  MarkPointComponent, AriaComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, MapChart, GridComponent, TooltipComponent, LegendComponent,
  VisualMapComponent, MarkLineComponent, MarkPointComponent, AriaComponent, CanvasRenderer]);

export const colors = {
  x: '#154273', pct: '#d52b1e', target: '#a90061', national: '#8fa4b8',
  VO: '#01689b', MBO: '#e17000', VAVO: '#39870c',
  a: '#8fcae7', b: '#b2b2b2', c: '#76d2b6', d: '#ffd08a',
};

const live = new Set();
const pending = [];
const observer = new ResizeObserver((entries) => {
  for (const entry of entries) echarts.getInstanceByDom(entry.target)?.resize();
});

function create(box, option, handlers) {
  const chart = echarts.init(box, null, { renderer: 'canvas' });
  chart.setOption({ animationDuration: 300, textStyle: { fontFamily: 'inherit' }, aria: { enabled: true }, ...option });
  for (const [event, fn] of handlers) chart.on(event, fn);
  observer.observe(box);
  live.add(chart);
  return chart;
}

// A chart in `box`. Views build their DOM before it is in the document, so the
// chart is created by flushCharts() once the box has a size; `on` handlers given
// before then are attached at creation.
export function makeChart(box, option) {
  const handlers = [];
  if (box.isConnected && box.clientWidth > 0) return create(box, option, handlers);
  pending.push({ box, option, handlers });
  return { on: (event, fn) => handlers.push([event, fn]) };
}

export function flushCharts() {
  while (pending.length) {
    const { box, option, handlers } = pending.shift();
    if (box.isConnected) create(box, option, handlers);
  }
}

// Called before a view is replaced.
export function disposeCharts() {
  pending.length = 0;
  for (const chart of live) {
    observer.unobserve(chart.getDom());
    chart.dispose();
  }
  live.clear();
}

const registered = new Set();
export function registerMap(name, geojson) {
  if (!registered.has(name)) {
    echarts.registerMap(name, geojson);
    registered.add(name);
  }
}
