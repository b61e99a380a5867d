// The view's state lives in the URL hash, so every view can be shared or bookmarked:
//   #/regio/21?jaar=2023&leeftijd=22&sector=MBO&categorie=MBO-2&taal=en
// Routes: #/ (landelijk), #/regios, #/regio/{code}, #/gemeente/{code}, #/school/{brin}.

const routes = { '': 'national', regios: 'regions', regio: 'region', gemeente: 'municipality', school: 'school' };
const routeNames = Object.fromEntries(Object.entries(routes).map(([k, v]) => [v, k]));

export function parseHash(hash, defaults) {
  const [path, query = ''] = hash.replace(/^#\/?/, '').split('?');
  const [first = '', id = null] = path.split('/').filter(Boolean).concat([]);
  const params = new URLSearchParams(query);
  const year = Number.parseInt(params.get('jaar') ?? '', 10);
  const age = Number.parseInt(params.get('leeftijd') ?? '', 10);
  return {
    route: routes[first] ?? 'national',
    id: id ? decodeURIComponent(id) : null,
    year: Number.isFinite(year) ? year : defaults.year,
    age: Number.isFinite(age) ? age : defaults.age,
    sector: params.get('sector') ?? '',
    category: params.get('categorie') ?? '',
    lang: params.get('taal') ?? defaults.lang,
  };
}

export function toHash(state, defaults) {
  const name = routeNames[state.route] ?? '';
  const path = state.id && name ? `${name}/${encodeURIComponent(state.id)}` : name;
  const params = new URLSearchParams();
  if (state.year !== defaults.year) params.set('jaar', state.year);
  if (state.age !== defaults.age) params.set('leeftijd', state.age);
  if (state.sector) params.set('sector', state.sector);
  if (state.category) params.set('categorie', state.category);
  if (state.lang !== defaults.lang) params.set('taal', state.lang);
  const qs = params.toString();
  return `#/${path}${qs ? `?${qs}` : ''}`;
}

// The API's filter parameters of a state.
export function filters(state) {
  return { age_limit: state.age, sector: state.sector || undefined, category: state.category || undefined };
}

export function schoolYearName(year) {
  return `${year}-${year + 1}`;
}
