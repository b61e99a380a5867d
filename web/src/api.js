// The API of `vsv serve` (docs/api.md), fetched once per URL and kept for the
// session: the figures never change while the server runs.
const cache = new Map();

export function apiUrl(path, params = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') query.set(key, value);
  }
  const qs = query.toString();
  return `/api/v1/${path}${qs ? `?${qs}` : ''}`;
}

export async function get(path, params = {}) {
  const url = apiUrl(path, params);
  if (!cache.has(url)) {
    const promise = fetch(url, { headers: { Accept: 'application/json' } }).then(async (res) => {
      const body = await res.json().catch(() => null);
      if (!res.ok) {
        cache.delete(url);
        throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
      }
      return body;
    });
    cache.set(url, promise);
  }
  return cache.get(url);
}

// Download links for a table endpoint.
export function downloads(path, params = {}) {
  return {
    csv: apiUrl(path, { ...params, format: 'csv' }),
    xlsx: apiUrl(path, { ...params, format: 'xlsx' }),
  };
}

let geoPromise = null;
// The 2013 boundaries (the municipalities of the reference data), as GeoJSON
// feature collections keyed by layer: gemeente, rmc.
export function boundaries() {
  geoPromise ??= Promise.all([fetch('/geo/nl_2013.topojson').then((r) => {
    if (!r.ok) throw new Error(`boundaries: HTTP ${r.status}`);
    return r.json();
  }), import('topojson-client')]).then(([topo, topojson]) => ({
    gemeente: topojson.feature(topo, topo.objects.gemeente_2013),
    rmc: topojson.feature(topo, topo.objects.rmc_regio_2013),
  }));
  return geoPromise;
}
