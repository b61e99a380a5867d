// The pages: national overview, regions (map and ranking), one region, one
// municipality, one school. Every figure comes from the API; every chart has its
// table beside it and a download.
import { get, downloads, boundaries, boundaryYear } from './api.js';
import { t } from './i18n.js';
import { formatInt, formatPct, numeric } from './format.js';
import { el, card, table, kpi, link } from './dom.js';
import { makeChart, registerMap, colors } from './charts.js';
import { filters, schoolYearName } from './state.js';

const SECTORS = ['VO', 'MBO', 'VAVO'];

// ---------------------------------------------------------------- helpers

function href(ctx, route, id) {
  return ctx.hrefFor({ route, id });
}

function breadcrumbs(ctx, items) {
  const trail = [el('a', { href: href(ctx, 'national') }, t('nationalCap'))];
  for (const item of items) {
    trail.push(el('span', { class: 'sep', 'aria-hidden': 'true' }, '›'));
    trail.push(item.href ? el('a', { href: item.href }, item.text) : el('span', { class: 'current' }, item.text));
  }
  return el('nav', { class: 'breadcrumbs', 'aria-label': 'breadcrumbs' }, trail);
}

function withSuppression(rows, suppression) {
  return rows.map((r) => ({ ...r, __suppression: suppression }));
}

function pctAxisLabel(v) {
  return formatPct(v);
}

function tooltipText(lines) {
  // Plain text lines; ECharts escapes nothing for us, so build from our own strings.
  return lines.map((l) => String(l).replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' }[c]))).join('<br>');
}

function yearIndex(trend, year) {
  return trend.years.findIndex((y) => y.school_year === schoolYearName(year));
}

function pctTrendChart(box, categories, series) {
  return makeChart(box, {
    color: series.map((s) => s.color),
    grid: { left: 56, right: 16, top: 36, bottom: 40 },
    legend: { top: 0, data: series.map((s) => s.name) },
    tooltip: {
      trigger: 'axis',
      formatter: (items) => tooltipText([items[0].axisValue, ...items.map((i) => `${i.seriesName}: ${formatPct(i.value)}`)]),
    },
    xAxis: { type: 'category', data: categories, axisLabel: { rotate: 30 } },
    yAxis: { type: 'value', axisLabel: { formatter: pctAxisLabel }, min: 0 },
    series: series.map((s) => ({
      name: s.name, type: 'line', data: s.data, symbolSize: 6, connectNulls: false,
      lineStyle: { width: s.width ?? 2, type: s.dashed ? 'dashed' : 'solid' },
    })),
  });
}

function sparkline(values) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 100 24');
  svg.setAttribute('class', 'spark');
  svg.setAttribute('aria-hidden', 'true');
  const nums = values.filter((v) => typeof v === 'number');
  if (nums.length < 2) return svg;
  const lo = Math.min(...nums), hi = Math.max(...nums);
  const points = [];
  values.forEach((v, i) => {
    if (typeof v !== 'number') return;
    const x = (i / (values.length - 1)) * 98 + 1;
    const y = hi === lo ? 12 : 22 - ((v - lo) / (hi - lo)) * 20;
    points.push(`${x.toFixed(1)},${y.toFixed(1)}`);
  });
  const line = document.createElementNS(ns, 'polyline');
  line.setAttribute('points', points.join(' '));
  line.setAttribute('fill', 'none');
  line.setAttribute('stroke', colors.x);
  line.setAttribute('stroke-width', '1.5');
  svg.append(line);
  return svg;
}

function legendNote(meta) {
  if (!meta.suppression?.applies) return null;
  return el('p', { class: 'legend' }, t('legend', { small: meta.suppression.small, n: meta.suppression.threshold }));
}

function decompositionRows(counts) {
  const detail = (key) => ({ label: t(key), key, value: counts[key], __class: 'detail' });
  return [
    { label: t('A'), key: 'A', value: counts.A, __class: 'major' },
    { label: t('B'), key: 'B', value: counts.B, __class: 'major' },
    detail('B1'), detail('B2'), detail('B3'),
    { label: t('C'), key: 'C', value: counts.C, __class: 'major' },
    detail('C_VO'), detail('C_MBO'), detail('C_VAVO'), detail('C_HO'), detail('C_SPECIAL'), detail('C_NONFUNDED'),
    detail('C_DJI'), detail('C_POLICE_DEFENCE'), detail('C_SOCIAL'),
    { label: t('D'), key: 'D', value: counts.D, __class: 'major' },
    detail('D_SK'), detail('D_ENTREE_WORK'),
    { label: t('X'), key: 'X', value: counts.X, __class: 'major result' },
  ].map((r) => ({ ...r, share: typeof r.value === 'number' && typeof counts.A === 'number' && counts.A > 0 ? (100 * r.value) / counts.A : null }));
}

function waterfall(box, counts) {
  const A = numeric(counts.A), B = numeric(counts.B), C = numeric(counts.C), D = numeric(counts.D), X = numeric(counts.X);
  const steps = [t('stepA'), t('stepB'), t('stepC'), t('stepD'), t('stepX')];
  // Invisible bases make the floating bars: A, then A-B .. A, then A-B-C .. A-B, ...
  const afterB = A !== null && B !== null ? A - B : null;
  const afterC = afterB !== null && C !== null ? afterB - C : null;
  const base = [0, afterB, afterC, X, 0];
  const value = [A, B, C, D, X];
  const fill = [colors.a, colors.b, colors.c, colors.d, colors.x];
  return makeChart(box, {
    grid: { left: 12, right: 90, top: 10, bottom: 30, containLabel: true },
    tooltip: {
      trigger: 'axis', axisPointer: { type: 'shadow' },
      formatter: (items) => {
        const i = items[0].dataIndex;
        const v = [counts.A, counts.B, counts.C, counts.D, counts.X][i];
        return tooltipText([steps[i], i === 0 || i === 4 ? formatInt(v) : `− ${formatInt(v)}`]);
      },
    },
    xAxis: { type: 'value', axisLabel: { formatter: (v) => formatInt(v) } },
    yAxis: { type: 'category', data: steps, inverse: true },
    series: [
      { type: 'bar', stack: 'w', silent: true, itemStyle: { color: 'transparent' }, data: base.map((b) => b ?? 0) },
      {
        type: 'bar', stack: 'w', barWidth: '55%',
        data: value.map((v, i) => ({ value: v ?? 0, itemStyle: { color: fill[i] } })),
        label: {
          show: true, position: 'right',
          formatter: (p) => {
            const raw = [counts.A, counts.B, counts.C, counts.D, counts.X][p.dataIndex];
            return p.dataIndex === 0 || p.dataIndex === 4 ? formatInt(raw) : `− ${formatInt(raw)}`;
          },
        },
      },
    ],
  });
}

// ---------------------------------------------------------------- national

export async function nationalView(ctx) {
  const { state, meta } = ctx;
  const f = filters(state);
  const [trend, bySector] = await Promise.all([get('trend', f), get('trend', { ...f, by: 'sector' })]);
  const i = yearIndex(trend, state.year);
  const year = trend.years[i] ?? trend.years[trend.years.length - 1];
  const counts = year.total;
  const sy = year.school_year;

  const targets = (trend.targets ?? []).filter((tg) => tg.year - 1 >= meta.years.first);
  const ownTarget = targets.find((tg) => tg.school_year === sy);
  const nextTarget = targets.filter((tg) => tg.year - 1 > state.year).sort((a, b) => a.year - b.year)[0];
  let targetSub = null;
  if (ownTarget && typeof counts.X === 'number' && !state.sector && !state.category) {
    const diff = counts.X - ownTarget.max_new_vsv;
    targetSub = `${t('targetOf', { year: ownTarget.year })}: ${t('targetText', { n: formatInt(ownTarget.max_new_vsv) })} — ${
      diff > 0 ? t('moreThanTarget', { n: formatInt(diff) }) : t('lessThanTarget', { n: formatInt(-diff) })}`;
  }
  const kpis = el('div', { class: 'kpis' },
    kpi(`${t('newVsvCap')} ${sy}`, formatInt(counts.X), targetSub, 'kpi-x'),
    kpi(`${t('vsvPctCap')} ${sy}`, formatPct(counts.pct), `X / (A − B)`, 'kpi-pct'),
    kpi(t('startPopulationCap', { age: state.age }), formatInt(counts.A), `${t('B')}: ${formatInt(counts.B)}`, 'kpi-a'),
    nextTarget ? kpi(t('targetOf', { year: nextTarget.year }), formatInt(nextTarget.max_new_vsv), t('targetText', { n: formatInt(nextTarget.max_new_vsv) }), 'kpi-target') : null);

  // Trend against the targets: the axis runs on to the last target's school year.
  const lastYear = Math.max(meta.years.last, ...targets.map((tg) => tg.year - 1));
  const categories = [];
  for (let y = meta.years.first; y <= lastYear; y++) categories.push(schoolYearName(y));
  const bySy = Object.fromEntries(trend.years.map((y) => [y.school_year, y]));
  const xData = categories.map((c) => {
    const v = numeric(bySy[c]?.total.X);
    return v === null ? null : { value: v, itemStyle: { color: c === sy ? colors.x : '#5b7fa6' } };
  });
  const pctData = categories.map((c) => numeric(bySy[c]?.total.pct));
  const targetData = categories.map((c) => targets.find((tg) => tg.school_year === c)?.max_new_vsv ?? null);
  const trendRows = trend.years.map((y) => ({
    school_year: y.school_year, X: y.total.X, pct: y.total.pct, A: y.total.A, target: y.target,
    __class: y.school_year === sy ? 'selected' : undefined, __suppression: meta.suppression,
  }));
  const trendCard = card({
    title: t('trendTitle'), note: t('trendNote'), chart: true, testid: 'card-trend',
    links: downloads('trend', f),
    tableNode: table([
      { key: 'school_year', label: t('schoolYearCap'), kind: 'text' },
      { key: 'X', label: t('newVsv'), kind: 'int' },
      { key: 'pct', label: t('vsvPct'), kind: 'pct' },
      { key: 'A', label: t('startPopulation'), kind: 'int' },
      { key: 'target', label: t('target'), kind: 'int' },
    ], trendRows, { testid: 'table-trend' }),
  });
  const targetName = t('target');
  makeChart(trendCard.chartBox, {
    grid: { left: 64, right: 64, top: 40, bottom: 56 },
    legend: { top: 0, data: [t('newVsv'), t('vsvPct'), targetName] },
    tooltip: {
      trigger: 'axis',
      formatter: (items) => tooltipText([items[0].axisValue, ...items.filter((it) => it.value !== null && it.value !== undefined)
        .map((it) => `${it.seriesName}: ${it.seriesName === t('vsvPct') ? formatPct(it.value) : formatInt(it.value?.value ?? it.value)}`)]),
    },
    xAxis: { type: 'category', data: categories, axisLabel: { rotate: 35 } },
    yAxis: [
      { type: 'value', name: t('newVsv'), axisLabel: { formatter: (v) => formatInt(v) } },
      { type: 'value', name: t('vsvPct'), axisLabel: { formatter: pctAxisLabel }, splitLine: { show: false }, min: 0 },
    ],
    series: [
      { name: t('newVsv'), type: 'bar', data: xData, itemStyle: { color: '#5b7fa6' }, barMaxWidth: 36 },
      { name: t('vsvPct'), type: 'line', yAxisIndex: 1, data: pctData, color: colors.pct, symbolSize: 6 },
      {
        name: targetName, type: 'line', data: targetData, connectNulls: true, color: colors.target,
        lineStyle: { type: 'dashed', width: 2 }, symbol: 'diamond', symbolSize: 11,
        label: { show: true, position: 'top', formatter: (p) => (p.value === null ? '' : `max. ${formatInt(p.value)}`) },
      },
    ],
  });

  // Sectors.
  const sectorSeries = SECTORS.filter((s) => !state.sector || s === state.sector).map((s) => ({
    name: t(`sector${s}`), color: colors[s],
    data: bySector.years.map((y) => numeric(y.groups.find((g) => g.key.sector === s)?.pct)),
  }));
  const sectorRows = bySector.years.map((y) => {
    const row = { school_year: y.school_year, __class: y.school_year === sy ? 'selected' : undefined, __suppression: meta.suppression };
    for (const s of SECTORS) {
      const g = y.groups.find((gr) => gr.key.sector === s);
      row[`${s}_pct`] = g ? g.pct : null;
      row[`${s}_X`] = g ? g.X : null;
    }
    return row;
  });
  const sectorCols = [{ key: 'school_year', label: t('schoolYearCap'), kind: 'text' }];
  for (const s of SECTORS.filter((x) => !state.sector || x === state.sector)) {
    sectorCols.push({ key: `${s}_pct`, label: t(s), kind: 'pct' });
  }
  const sectorCard = card({
    title: t('sectorTitle'), chart: true, testid: 'card-sector',
    links: downloads('trend', { ...f, by: 'sector' }),
    tableNode: table(sectorCols, sectorRows, { testid: 'table-sector' }),
  });
  pctTrendChart(sectorCard.chartBox, bySector.years.map((y) => y.school_year), sectorSeries);

  // Decomposition of the chosen year.
  const decoRows = decompositionRows(counts).map((r) => ({ ...r, __suppression: meta.suppression }));
  const decoCard = card({
    title: t('decompositionTitle', { year: sy }), note: t('decompositionNote'), chart: true, testid: 'card-decomposition',
    links: downloads('count', { ...f, year: state.year }),
    tableNode: table([
      { key: 'label', label: '', kind: 'text' },
      { key: 'value', label: t('count'), kind: 'int' },
      { key: 'share', label: t('share'), kind: 'pct' },
    ], decoRows, { testid: 'table-decomposition' }),
  });
  waterfall(decoCard.chartBox, counts);

  return [
    el('h1', {}, t('nationalTitle')),
    kpis,
    trendCard.node,
    el('div', { class: 'grid-2' }, decoCard.node, sectorCard.node),
    legendNote(meta),
  ];
}

// ---------------------------------------------------------------- regions

function choropleth(box, mapName, data, onClick, nameOf) {
  const values = data.map((d) => d.value).filter((v) => typeof v === 'number');
  const chart = makeChart(box, {
    tooltip: {
      trigger: 'item',
      formatter: (p) => tooltipText([nameOf(p.name), `${t('vsvPct')}: ${formatPct(p.data?.pct ?? null)}`,
        `${t('newVsv')}: ${formatInt(p.data?.X ?? null)}`]),
    },
    visualMap: {
      type: 'continuous', min: values.length ? Math.min(...values) : 0, max: values.length ? Math.max(...values) : 1,
      left: 8, bottom: 8, calculable: false, precision: 2, itemHeight: 120,
      inRange: { color: ['#e8f1f8', '#8fcae7', '#01689b', '#154273'] },
      formatter: (v) => formatPct(Math.round(v * 100) / 100),
      text: values.length ? [formatPct(Math.max(...values)), formatPct(Math.min(...values))] : undefined,
    },
    series: [{
      type: 'map', map: mapName, roam: true, selectedMode: false, aspectScale: 0.62,
      itemStyle: { borderColor: '#ffffff', borderWidth: 0.6, areaColor: '#d9d9d9' },
      emphasis: { label: { show: false }, itemStyle: { areaColor: '#ffb612' } },
      data: data.map((d) => ({ name: d.name, value: typeof d.value === 'number' ? d.value : NaN, pct: d.pct, X: d.X })),
    }],
  });
  chart.on('click', (p) => onClick(p.name));
  return chart;
}

export async function regionsView(ctx) {
  const { state, meta } = ctx;
  const f = filters(state);
  const [regions, trend, geo] = await Promise.all([
    get('regions', { ...f, year: state.year }), get('trend', { ...f, by: 'region' }),
    boundaries(boundaryYear(state.year)).catch(() => null)]);
  const sy = regions.school_year;
  const series = {};
  for (const y of trend.years) {
    for (const g of y.groups) {
      if (g.key.region) (series[g.key.region] ??= []).push(g.pct);
    }
  }
  const rows = regions.regions.map((r) => ({
    ...r, __suppression: meta.suppression,
    __class: r.code === null ? 'unknown' : undefined,
    name: r.code === null ? t('unknownResidence') : r.name,
  }));
  rows.sort((a, b) => (a.rank ?? 999) - (b.rank ?? 999) || String(a.code).localeCompare(String(b.code)));

  const mapCard = card({
    title: t('mapTitle', { year: sy }), chart: true, testid: 'card-map',
    note: `${t('mapNote')} ${geo ? t('regionBoundariesOf', { year: geo.year }) : ''}`,
  });
  mapCard.chartBox.classList.add('map');
  if (geo) {
    const features = geo.rmc.features.map((ft) => ({ ...ft, properties: { ...ft.properties, name: ft.properties.rmc_code.replace('MC', '') } }));
    registerMap(`rmc-${geo.year}`, { type: 'FeatureCollection', features });
    const byCode = Object.fromEntries(regions.regions.filter((r) => r.code).map((r) => [r.code, r]));
    choropleth(mapCard.chartBox, `rmc-${geo.year}`,
      regions.regions.filter((r) => r.code).map((r) => ({ name: r.code, value: numeric(r.pct), pct: r.pct, X: r.X })),
      (code) => ctx.go({ route: 'region', id: code }),
      (code) => (byCode[code] ? `${byCode[code].name} (${code})` : code));
  }

  const rankCard = card({
    title: t('rankingTitle', { year: sy }), note: t('rankingNote'), testid: 'card-ranking',
    links: downloads('regions', { ...f, year: state.year }),
    tableNode: table([
      { key: 'rank', label: t('rank'), kind: 'int' },
      { key: 'code', label: t('code'), kind: 'text' },
      { key: 'name', label: t('regionCap'), kind: 'text', render: (r) => (r.code ? link(href(ctx, 'region', r.code), r.name) : r.name) },
      { key: 'A', label: t('startPopulation'), kind: 'int' },
      { key: 'X', label: t('newVsv'), kind: 'int' },
      { key: 'pct', label: t('vsvPct'), kind: 'pct' },
      { key: 'trend', label: `${t('trend')} ${trend.from.slice(0, 4)}–${trend.to.slice(5)}`, kind: 'text', render: (r) => (r.code ? sparkline(series[r.code] ?? []) : '') },
    ], rows, { testid: 'table-regions', footer: { ...regions.total, name: t('nationalCap'), __suppression: meta.suppression } }),
  });

  // Ranking as bars beside the map.
  const ranked = rows.filter((r) => r.code && typeof r.pct === 'number');
  const barCard = card({ title: `${t('vsvPctCap')}, ${sy}`, chart: true, testid: 'card-bars' });
  barCard.chartBox.classList.add('tall');
  const chart = makeChart(barCard.chartBox, {
    grid: { left: 8, right: 56, top: 24, bottom: 24, containLabel: true },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: (items) => tooltipText([items[0].name, formatPct(items[0].value)]) },
    xAxis: { type: 'value', axisLabel: { formatter: pctAxisLabel } },
    yAxis: { type: 'category', inverse: true, data: ranked.map((r) => `${r.name} (${r.code})`), axisLabel: { fontSize: 11 } },
    series: [{
      type: 'bar', data: ranked.map((r) => r.pct), itemStyle: { color: colors.VO }, barMaxWidth: 14,
      label: { show: true, position: 'right', formatter: (p) => formatPct(p.value), fontSize: 10 },
      markLine: typeof regions.total.pct === 'number' ? {
        symbol: 'none', lineStyle: { color: colors.pct, type: 'dashed' }, label: { formatter: () => t('vsAtNational', { pct: formatPct(regions.total.pct) }), position: 'start' },
        data: [{ xAxis: regions.total.pct }],
      } : undefined,
    }],
  });
  chart.on('click', (p) => ctx.go({ route: 'region', id: ranked[p.dataIndex].code }));

  return [
    el('h1', {}, t('regionsTitle', { year: sy })),
    el('div', { class: 'grid-2' }, mapCard.node, barCard.node),
    rankCard.node,
    legendNote(meta),
  ];
}

// ---------------------------------------------------------------- one region

export async function regionView(ctx) {
  const { state, meta } = ctx;
  const f = filters(state);
  const code = state.id;
  const [region, trend, national, schools, geo] = await Promise.all([
    get(`regions/${code}`, { ...f, year: state.year }), get('trend', { ...f, region: code }), get('trend', f),
    get('schools', { year: state.year, age_limit: state.age, sector: state.sector || undefined, region: code }),
    boundaries(boundaryYear(state.year)).catch(() => null)]);
  const sy = region.school_year;
  // The map shows the municipalities of its boundary year: when that is not the school
  // year, the figures of that year's division (every residence mapped onto it).
  const onMap = geo && geo.year !== state.year
    ? await get(`regions/${code}`, { ...f, year: state.year, boundaries: geo.year }).catch(() => null)
    : region;
  const kpis = el('div', { class: 'kpis' },
    kpi(`${t('newVsvCap')} ${sy}`, formatInt(region.total.X), null, 'kpi-x'),
    kpi(`${t('vsvPctCap')} ${sy}`, formatPct(region.total.pct), t('vsAtNational', { pct: formatPct(region.national.pct) }), 'kpi-pct'),
    kpi(t('startPopulationCap', { age: state.age }), formatInt(region.total.A), null, 'kpi-a'),
    kpi(t('municipalities'), formatInt(region.municipalities.length), null, 'kpi-municipalities'));

  const muniRows = withSuppression(region.municipalities, meta.suppression);
  const mapCard = card({
    title: t('mapMunicipalitiesTitle', { year: sy }), chart: !!geo, testid: 'card-municipalities',
    note: `${t('mapMunicipalityNote')} ${geo ? t('boundariesOf', { year: geo.year }) : ''}`,
    links: downloads(`regions/${code}`, { ...f, year: state.year }),
    tableNode: table([
      { key: 'code', label: t('code'), kind: 'text' },
      { key: 'name', label: t('municipalityCap'), kind: 'text', render: (r) => link(href(ctx, 'municipality', r.code), r.name) },
      { key: 'A', label: t('startPopulation'), kind: 'int' },
      { key: 'X', label: t('newVsv'), kind: 'int' },
      { key: 'pct', label: t('vsvPct'), kind: 'pct' },
    ], muniRows, { testid: 'table-municipalities', footer: { ...region.total, name: t('regionCap'), __suppression: meta.suppression } }),
  });
  if (geo && onMap) {
    mapCard.chartBox.classList.add('map');
    mapCard.chartBox.dataset.boundaries = String(geo.year);
    const codes = new Set(onMap.municipalities.map((m) => m.code));
    const features = geo.gemeente.features.filter((ft) => codes.has(ft.properties.gm_code))
      .map((ft) => ({ ...ft, properties: { ...ft.properties, name: ft.properties.gm_code } }));
    registerMap(`region-${code}-${geo.year}`, { type: 'FeatureCollection', features });
    const byCode = Object.fromEntries(onMap.municipalities.map((m) => [m.code, m]));
    choropleth(mapCard.chartBox, `region-${code}-${geo.year}`,
      onMap.municipalities.map((m) => ({ name: m.code, value: numeric(m.pct), pct: m.pct, X: m.X })),
      (c) => ctx.go({ route: 'municipality', id: c }), (c) => byCode[c]?.name ?? c);
  }

  // Where the region's area changed (region 14 in 2021): the trend compares other areas.
  const changes = trend.years.flatMap((y) => (y.area_changes ?? []).filter((c) => c.region === code)
    .map((c) => t('areaChanged', {
      year: y.school_year,
      lost: c.lost.map((m) => `${m.name} (${t('toRegion')} ${m.region})`).join(', ') || '–',
      gained: c.gained.map((m) => `${m.name} (${t('fromRegion')} ${m.region})`).join(', ') || '–',
    })));
  const trendCard = card({
    title: t('regionTrendTitle', { name: region.name }), chart: true, testid: 'card-region-trend',
    note: changes.length ? changes.join(' ') : undefined,
    links: downloads('trend', { ...f, region: code }),
    tableNode: table([
      { key: 'school_year', label: t('schoolYearCap'), kind: 'text' },
      { key: 'X', label: t('newVsv'), kind: 'int' },
      { key: 'pct', label: t('vsvPct'), kind: 'pct' },
      { key: 'national', label: t('nationalCap'), kind: 'pct' },
    ], trend.years.map((y, i) => ({ school_year: y.school_year, X: y.total.X, pct: y.total.pct, national: national.years[i]?.total.pct,
      __class: y.school_year === sy ? 'selected' : undefined, __suppression: meta.suppression })), { testid: 'table-region-trend' }),
  });
  pctTrendChart(trendCard.chartBox, trend.years.map((y) => y.school_year), [
    { name: region.name, color: colors.x, data: trend.years.map((y) => numeric(y.total.pct)), width: 3 },
    { name: t('nationalCap'), color: colors.national, data: national.years.map((y) => numeric(y.total.pct)), dashed: true },
  ]);

  const schoolsCard = schoolsTable(ctx, schools, t('schoolsInRegionTitle', { year: sy }),
    downloads('schools', { year: state.year, age_limit: state.age, sector: state.sector || undefined, region: code }));

  return [
    breadcrumbs(ctx, [{ text: t('navRegions'), href: href(ctx, 'regions') }, { text: `${region.name} (${code})` }]),
    el('h1', {}, t('regionTitle', { name: region.name, code })),
    kpis, mapCard.node, trendCard.node, schoolsCard.node, legendNote(meta),
  ];
}

function schoolsTable(ctx, schools, title, links) {
  const { meta } = ctx;
  return card({
    title, note: t('schoolsNote'), links, testid: 'card-schools',
    tableNode: table([
      { key: 'location', label: t('locationCap'), kind: 'text' },
      { key: 'name', label: t('name'), kind: 'text', render: (r) => link(href(ctx, 'school', r.brin), r.name) },
      { key: 'sector', label: t('sector'), kind: 'text', render: (r) => t(r.sector) },
      { key: 'municipality_name', label: t('municipalityCap'), kind: 'text' },
      { key: 'A', label: t('startPopulation'), kind: 'int' },
      { key: 'X', label: t('newVsv'), kind: 'int' },
      { key: 'pct', label: t('vsvPct'), kind: 'pct' },
    ], withSuppression(schools.schools, meta.suppression), { testid: 'table-schools', footer: { ...schools.total, __suppression: meta.suppression } }),
  });
}

// ---------------------------------------------------------------- one municipality

export async function municipalityView(ctx) {
  const { state, meta } = ctx;
  const f = filters(state);
  const code = state.id;
  const list = await get('municipalities', { ...f, year: state.year });
  const muni = list.municipalities.find((m) => m.code === code);
  if (!muni) throw new Error(`${t('municipalityCap')} ${code}: ${t('noData')}`);
  const [count, trend, regionTrend, national, schools] = await Promise.all([
    get('count', { ...f, year: state.year, municipality: code }), get('trend', { ...f, municipality: code }),
    get('trend', { ...f, region: muni.region }), get('trend', f),
    get('schools', { year: state.year, age_limit: state.age, sector: state.sector || undefined, municipality: code })]);
  const sy = count.school_year;
  const ri = yearIndex(regionTrend, state.year);
  const ni = yearIndex(national, state.year);
  const kpis = el('div', { class: 'kpis' },
    kpi(`${t('newVsvCap')} ${sy}`, formatInt(count.total.X), null, 'kpi-x'),
    kpi(`${t('vsvPctCap')} ${sy}`, formatPct(count.total.pct),
      `${t('vsRegion', { pct: formatPct(regionTrend.years[ri]?.total.pct) })} · ${t('vsAtNational', { pct: formatPct(national.years[ni]?.total.pct) })}`, 'kpi-pct'),
    kpi(t('startPopulationCap', { age: state.age }), formatInt(count.total.A), null, 'kpi-a'));
  const trendCard = card({
    title: t('regionTrendTitle', { name: muni.name }), chart: true, testid: 'card-municipality-trend',
    links: downloads('trend', { ...f, municipality: code }),
    tableNode: table([
      { key: 'school_year', label: t('schoolYearCap'), kind: 'text' },
      { key: 'X', label: t('newVsv'), kind: 'int' },
      { key: 'pct', label: t('vsvPct'), kind: 'pct' },
      { key: 'region', label: t('regionCap'), kind: 'pct' },
      { key: 'national', label: t('nationalCap'), kind: 'pct' },
    ], trend.years.map((y, i) => ({ school_year: y.school_year, X: y.total.X, pct: y.total.pct, region: regionTrend.years[i]?.total.pct,
      national: national.years[i]?.total.pct, __class: y.school_year === sy ? 'selected' : undefined, __suppression: meta.suppression })),
    { testid: 'table-municipality-trend' }),
  });
  pctTrendChart(trendCard.chartBox, trend.years.map((y) => y.school_year), [
    { name: muni.name, color: colors.x, data: trend.years.map((y) => numeric(y.total.pct)), width: 3 },
    { name: muni.region_name, color: colors.VO, data: regionTrend.years.map((y) => numeric(y.total.pct)) },
    { name: t('nationalCap'), color: colors.national, data: national.years.map((y) => numeric(y.total.pct)), dashed: true },
  ]);
  const schoolsCard = schoolsTable(ctx, schools, t('schoolsInMunicipalityTitle', { year: sy }),
    downloads('schools', { year: state.year, age_limit: state.age, sector: state.sector || undefined, municipality: code }));
  return [
    breadcrumbs(ctx, [{ text: t('navRegions'), href: href(ctx, 'regions') },
      { text: `${muni.region_name} (${muni.region})`, href: href(ctx, 'region', muni.region) }, { text: muni.name }]),
    el('h1', {}, t('municipalityTitle', { name: muni.name, code })),
    kpis, trendCard.node, schoolsCard.node, legendNote(meta),
  ];
}

// ---------------------------------------------------------------- one school

export async function schoolView(ctx) {
  const { state, meta } = ctx;
  const f = filters(state);
  const brin = state.id;
  const school = await get(`schools/${brin}`, { year: state.year, age_limit: state.age });
  const [byCat, trend, regionTrend, national] = await Promise.all([
    get('count', { ...f, year: state.year, school: brin, by: 'category,pathway' }), get('trend', { ...f, school: brin }),
    school.region ? get('trend', { ...f, region: school.region }) : Promise.resolve(null), get('trend', f)]);
  const sy = byCat.school_year;
  const ri = regionTrend ? yearIndex(regionTrend, state.year) : -1;
  const ni = yearIndex(national, state.year);
  const kpis = el('div', { class: 'kpis' },
    kpi(`${t('newVsvCap')} ${sy}`, formatInt(byCat.total.X), null, 'kpi-x'),
    kpi(`${t('vsvPctCap')} ${sy}`, formatPct(byCat.total.pct), null, 'kpi-pct'),
    kpi(`${t('regionCap')} ${school.region_name ?? ''}`, formatPct(regionTrend?.years[ri]?.total.pct), t('vsvPct'), 'kpi-region'),
    kpi(t('nationalCap'), formatPct(national.years[ni]?.total.pct), t('vsvPct'), 'kpi-national'));

  const catRows = byCat.groups.map((g) => ({
    category: t(g.key.category), pathway: g.key.pathway ? t(g.key.pathway) : t('noPathway'), A: g.A, X: g.X, pct: g.pct,
    __suppression: meta.suppression,
  }));
  const catCard = card({
    title: t('byCategoryTitle', { year: sy }), chart: true, testid: 'card-categories',
    links: downloads('count', { ...f, year: state.year, school: brin, by: 'category,pathway' }),
    tableNode: table([
      { key: 'category', label: t('category'), kind: 'text' },
      { key: 'pathway', label: t('pathway'), kind: 'text' },
      { key: 'A', label: t('startPopulation'), kind: 'int' },
      { key: 'X', label: t('newVsv'), kind: 'int' },
      { key: 'pct', label: t('vsvPct'), kind: 'pct' },
    ], catRows, { testid: 'table-categories', footer: { ...byCat.total, category: t('schoolCap'), __suppression: meta.suppression } }),
  });
  makeChart(catCard.chartBox, {
    grid: { left: 56, right: 16, top: 30, bottom: 70 },
    legend: { top: 0, data: [t('startPopulation'), t('newVsv')] },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' },
      formatter: (items) => tooltipText([items[0].name, ...items.map((i) => `${i.seriesName}: ${formatInt(catRows[i.dataIndex][i.seriesIndex ? 'X' : 'A'])}`)]) },
    xAxis: { type: 'category', data: catRows.map((r) => `${r.category} · ${r.pathway}`), axisLabel: { interval: 0, fontSize: 10, rotate: 25 } },
    yAxis: { type: 'value', axisLabel: { formatter: (v) => formatInt(v) } },
    series: [
      { name: t('startPopulation'), type: 'bar', data: catRows.map((r) => numeric(r.A)), itemStyle: { color: colors.a }, barMaxWidth: 28 },
      { name: t('newVsv'), type: 'bar', data: catRows.map((r) => numeric(r.X)), itemStyle: { color: colors.x }, barMaxWidth: 28 },
    ],
  });

  const trendCard = card({
    title: t('schoolTrendTitle'), chart: true, testid: 'card-school-trend',
    links: downloads('trend', { ...f, school: brin }),
    tableNode: table([
      { key: 'school_year', label: t('schoolYearCap'), kind: 'text' },
      { key: 'X', label: t('newVsv'), kind: 'int' },
      { key: 'pct', label: t('schoolCap'), kind: 'pct' },
      { key: 'region', label: t('regionCap'), kind: 'pct' },
      { key: 'national', label: t('nationalCap'), kind: 'pct' },
    ], trend.years.map((y, i) => ({ school_year: y.school_year, X: y.total.X, pct: y.total.pct, region: regionTrend?.years[i]?.total.pct,
      national: national.years[i]?.total.pct, __class: y.school_year === sy ? 'selected' : undefined, __suppression: meta.suppression })),
    { testid: 'table-school-trend' }),
  });
  pctTrendChart(trendCard.chartBox, trend.years.map((y) => y.school_year), [
    { name: school.name, color: colors.x, data: trend.years.map((y) => numeric(y.total.pct)), width: 3 },
    ...(regionTrend ? [{ name: school.region_name, color: colors.VO, data: regionTrend.years.map((y) => numeric(y.total.pct)) }] : []),
    { name: t('nationalCap'), color: colors.national, data: national.years.map((y) => numeric(y.total.pct)), dashed: true },
  ]);

  const locCard = card({
    title: t('locationsTitle', { year: sy }), testid: 'card-locations',
    links: downloads(`schools/${brin}`, { year: state.year, age_limit: state.age }),
    tableNode: table([
      { key: 'location', label: t('locationCap'), kind: 'text' },
      { key: 'name', label: t('name'), kind: 'text' },
      { key: 'municipality_name', label: t('municipalityCap'), kind: 'text',
        render: (r) => (r.municipality ? link(href(ctx, 'municipality', r.municipality), r.municipality_name) : '–') },
      { key: 'region_name', label: t('regionCap'), kind: 'text', render: (r) => (r.region ? link(href(ctx, 'region', r.region), r.region_name) : '–') },
      { key: 'A', label: t('startPopulation'), kind: 'int' },
      { key: 'X', label: t('newVsv'), kind: 'int' },
      { key: 'pct', label: t('vsvPct'), kind: 'pct' },
    ], withSuppression(school.locations, meta.suppression), { testid: 'table-locations' }),
  });

  const trail = [{ text: t('navRegions'), href: href(ctx, 'regions') }];
  if (school.region) trail.push({ text: `${school.region_name} (${school.region})`, href: href(ctx, 'region', school.region) });
  if (school.municipality) trail.push({ text: school.municipality_name, href: href(ctx, 'municipality', school.municipality) });
  trail.push({ text: school.name });
  return [
    breadcrumbs(ctx, trail),
    el('h1', {}, t('schoolTitle', { name: school.name, code: brin })),
    el('p', { class: 'subtitle' }, `${t(`sector${school.sector}`) ?? school.sector} · ${school.municipality_name ?? ''}`),
    kpis, el('div', { class: 'grid-2' }, catCard.node, trendCard.node), locCard.node, legendNote(meta),
  ];
}
