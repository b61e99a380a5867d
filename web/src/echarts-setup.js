// ECharts, only the parts the dashboard uses (bundled from npm; no CDN). Loaded on
// demand by charts.js, so the page's data is fetched while this parses.
import * as echarts from 'echarts/core';
import { BarChart, LineChart, MapChart } from 'echarts/charts';
import {
  GridComponent, TooltipComponent, LegendComponent, VisualMapComponent, MarkLineComponent, AriaComponent,
} from 'echarts/components';
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, MapChart, GridComponent, TooltipComponent, LegendComponent,
  VisualMapComponent, MarkLineComponent, AriaComponent, CanvasRenderer, SVGRenderer]);

export default echarts;
