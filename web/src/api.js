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

// The years whose boundaries are shipped (data/reference/geo/nl_YEAR.topojson).
export const BOUNDARY_YEARS = [2013, 2015, 2025];

// The boundaries to draw school year `year` on: the nearest year that has them, a tie
// going to the earlier one, so that up to 2020 (39 regions) the map is a 39-region
// file and from 2021 (40 regions, region 14 split) the 2025 one.
export function boundaryYear(year) {
  let best = BOUNDARY_YEARS[0];
  for (const b of BOUNDARY_YEARS) if (Math.abs(b - year) < Math.abs(best - year)) best = b;
  return best;
}

const geoPromises = new Map();
// The boundaries of boundary year `b` as GeoJSON feature collections keyed by layer:
// gemeente, rmc.
export function boundaries(b) {
  if (!geoPromises.has(b)) {
    geoPromises.set(b, Promise.all([fetch(`/geo/nl_${b}.topojson`).then((r) => {
      if (!r.ok) throw new Error(`boundaries: HTTP ${r.status}`);
      return r.json();
    }), import('topojson-client')]).then(([topo, topojson]) => ({
      year: b,
      gemeente: topojson.feature(topo, topo.objects[`gemeente_${b}`]),
      rmc: topojson.feature(topo, topo.objects[`rmc_regio_${b}`]),
    })));
  }
  return geoPromises.get(b);
}
