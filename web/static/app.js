// Taghtia map UI: MapLibre GL JS over the server's own vector tiles.
(function () {
  'use strict';
  const I18N = window.TAGHTIA_I18N;
  const LEVEL_COLOURS = ['match', ['get', 'level'],
    'very_good', '#1a9641', 'good', '#a6d96a', 'limited', '#fdae61', 'none', '#d7191c', '#cccccc'];
  const state = { lang: localStorage.getItem('taghtia.lang') || 'fr', meta: null, stats: null, zones: [] };
  const $ = (s) => document.querySelector(s);
  const t = (k) => (I18N[state.lang] && I18N[state.lang][k]) || I18N.fr[k] || k;
  const fmt = (n) => new Intl.NumberFormat(state.lang === 'ar' ? 'ar-MA' : state.lang === 'en' ? 'en-GB' : 'fr-FR',
    { maximumFractionDigits: 1 }).format(n);

  async function getJSON(url) {
    const r = await fetch(url);
    if (!r.ok) {
      let msg = r.status + '';
      try { msg = (await r.json()).error.message; } catch (e) { /* keep status */ }
      throw new Error(url + ': ' + msg);
    }
    return r.json();
  }

  const map = new maplibregl.Map({
    container: 'map',
    style: { version: 8, sources: {}, layers: [{ id: 'bg', type: 'background', paint: { 'background-color': '#e8eef1' } }] },
    bounds: [[-17.2, 20.7], [-0.9, 36.0]],
    fitBoundsOptions: { padding: 20 },
    attributionControl: { compact: false },
    maxZoom: 16,
  });
  window.taghtiaMap = map;
  map.addControl(new maplibregl.NavigationControl(), 'top-right');
  map.addControl(new maplibregl.ScaleControl(), 'bottom-right');

  function coverageURL() {
    return '/tiles/coverage.json?mcc_mnc=' + encodeURIComponent($('#operator').value) + '&tech=' + encodeURIComponent($('#tech').value);
  }

  function addLayers() {
    map.addSource('boundaries', { type: 'vector', url: '/tiles/boundaries.json' });
    map.addSource('places', { type: 'vector', url: '/tiles/places.json' });
    map.addSource('zones', { type: 'vector', url: '/tiles/zones.json', promoteId: { zones: 'id' } });
    map.addSource('coverage', { type: 'vector', url: coverageURL() });
    map.addLayer({ id: 'region-fill', type: 'fill', source: 'boundaries', 'source-layer': 'region', paint: { 'fill-color': '#fbfaf6' } });
    map.addLayer({ id: 'coverage-fill', type: 'fill', source: 'coverage', 'source-layer': 'coverage',
      paint: { 'fill-color': LEVEL_COLOURS, 'fill-opacity': 0.55 } });
    map.addLayer({ id: 'zones-fill', type: 'fill', source: 'zones', 'source-layer': 'zones',
      paint: { 'fill-color': ['match', ['get', 'kind'], 'white', '#ffffff', '#8c8c8c'], 'fill-opacity': 0.9 } });
    map.addLayer({ id: 'zones-line', type: 'line', source: 'zones', 'source-layer': 'zones',
      paint: { 'line-color': ['case', ['boolean', ['feature-state', 'selected'], false], '#0057b8', '#222222'],
        'line-width': ['case', ['boolean', ['feature-state', 'selected'], false], 3, 0.7] } });
    map.addLayer({ id: 'commune-line', type: 'line', source: 'boundaries', 'source-layer': 'commune', minzoom: 8,
      paint: { 'line-color': '#9aa5ad', 'line-width': 0.5 } });
    map.addLayer({ id: 'province-line', type: 'line', source: 'boundaries', 'source-layer': 'province', minzoom: 5,
      paint: { 'line-color': '#7b8790', 'line-width': 0.8 } });
    map.addLayer({ id: 'region-line', type: 'line', source: 'boundaries', 'source-layer': 'region',
      paint: { 'line-color': '#4a5660', 'line-width': 1.4 } });
    map.addLayer({ id: 'health-dot', type: 'circle', source: 'places', 'source-layer': 'health', minzoom: 9,
      layout: { visibility: 'none' }, paint: { 'circle-radius': 3, 'circle-color': '#c2185b', 'circle-stroke-color': '#fff', 'circle-stroke-width': 1 } });
    map.addLayer({ id: 'place-dot', type: 'circle', source: 'places', 'source-layer': 'place',
      paint: { 'circle-radius': 2.5, 'circle-color': '#263238' } });
  }

  const LAYER_GROUPS = {
    zones: ['zones-fill', 'zones-line'], coverage: ['coverage-fill'],
    boundaries: ['region-line', 'province-line', 'commune-line'], places: ['place-dot'], health: ['health-dot'],
  };

  function setCoverage() {
    if (!map.getSource('coverage')) return;
    map.removeLayer('coverage-fill');
    map.removeSource('coverage');
    map.addSource('coverage', { type: 'vector', url: coverageURL() });
    map.addLayer({ id: 'coverage-fill', type: 'fill', source: 'coverage', 'source-layer': 'coverage',
      layout: { visibility: document.querySelector('[data-layer=coverage]').checked ? 'visible' : 'none' },
      paint: { 'fill-color': LEVEL_COLOURS, 'fill-opacity': 0.55 } }, 'zones-fill');
  }

  function applyLang() {
    const rtl = state.lang === 'ar';
    document.documentElement.lang = state.lang;
    document.documentElement.dir = rtl ? 'rtl' : 'ltr';
    document.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
    $('#lang').value = state.lang;
    if (state.meta) fillRegions();
    renderFigures();
    renderZones();
  }

  function fillRegions() {
    const sel = $('#region');
    const cur = sel.value;
    sel.innerHTML = '';
    sel.append(new Option(t('all_regions'), ''));
    for (const r of state.meta.regions) sel.append(new Option(state.lang === 'ar' && r.name_ar ? r.name_ar : r.name_fr, r.code));
    sel.value = cur;
  }

  function renderFigures() {
    const s = state.stats;
    const el = $('#figures');
    if (!s || !s.zones) { el.innerHTML = ''; return; }
    el.innerHTML = '<div class="fig"><b>' + fmt(s.zones.white) + '</b> ' + t('f_white') + '<br><small>' + fmt(s.population.white) + ' ' + t('f_pop') + '</small></div>' +
      '<div class="fig"><b>' + fmt(s.zones.grey) + '</b> ' + t('f_grey') + '<br><small>' + fmt(s.population.grey) + ' ' + t('f_pop') + '</small></div>' +
      '<p class="small">' + fmt(s.population.unmeasured) + ' ' + t('f_unmeasured') + '</p>';
  }

  function renderZones() {
    const ol = $('#zone-list');
    ol.innerHTML = '';
    for (const z of state.zones) {
      const li = document.createElement('li');
      li.dataset.zone = z.id;
      li.innerHTML = '<span class="sw ' + z.kind + '"></span><span class="zn">' + escapeHTML(communes(z)[0] || z.id) +
        '</span> <small>' + escapeHTML(local(z, 'province')) + '</small><span class="zp">' + fmt(z.population) + '</span>';
      li.addEventListener('click', () => selectZone(z.id, true));
      ol.append(li);
    }
  }

  // communes and local give Arabic names in Arabic where the pack has them.
  function communes(z) {
    if (state.lang === 'ar' && z.communes_ar) return z.communes.map((c, i) => z.communes_ar[i] || c);
    return z.communes;
  }
  function local(z, field) {
    return (state.lang === 'ar' && z[field + '_ar']) || z[field] || '';
  }

  function escapeHTML(s) {
    return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  }

  async function loadZones() {
    const q = new URLSearchParams({ limit: '20' });
    if ($('#kind').value) q.set('kind', $('#kind').value);
    if ($('#region').value) q.set('region', $('#region').value);
    try {
      const r = await getJSON('/api/v1/zones?' + q);
      state.zones = r.zones;
    } catch (e) {
      state.zones = [];
    }
    renderZones();
  }

  let selected = null;
  async function selectZone(id, fly) {
    if (selected) map.setFeatureState({ source: 'zones', sourceLayer: 'zones', id: selected }, { selected: false });
    selected = id;
    map.setFeatureState({ source: 'zones', sourceLayer: 'zones', id }, { selected: true });
    const z = await getJSON('/api/v1/zones/' + encodeURIComponent(id));
    if (fly) map.flyTo({ center: z.centroid, zoom: 10, speed: 1.6 });
    const rows = [
      [t('rank'), fmt(z.rank)], [t('kind'), t('kind_' + z.kind)], [t('population'), fmt(z.population)],
      [t('area'), fmt(z.area_km2) + ' ' + t('km2')], [t('communes'), escapeHTML(communes(z).join(state.lang === 'ar' ? '، ' : ', '))],
      [t('province'), escapeHTML(local(z, 'province'))], [t('region'), escapeHTML(local(z, 'region'))],
    ];
    if (z.operator) rows.push([t('operator_one'), escapeHTML(operatorName(z.operator))]);
    rows.push([t('programme'), z.programme ? t('yes') : t('no')]);
    const d = $('#details');
    d.hidden = false;
    d.innerHTML = '<h2>' + escapeHTML(z.id) + ' <button id="close" aria-label="close">×</button></h2><table>' +
      rows.map((r) => '<tr><th>' + r[0] + '</th><td>' + r[1] + '</td></tr>').join('') + '</table>';
    $('#close').onclick = () => { d.hidden = true; };
  }

  function operatorName(code) {
    const o = state.meta && state.meta.operators.find((x) => x.mcc_mnc === code);
    return o ? o.name + ' (' + code + ')' : code;
  }

  map.on('click', 'zones-fill', (e) => {
    const f = e.features[0];
    if (!f) return;
    if (f.properties.agg) {
      new maplibregl.Popup().setLngLat(e.lngLat).setText(t('agg').replace('{n}', f.properties.zones)).addTo(map);
      return;
    }
    selectZone(f.properties.id, false);
  });
  map.on('mouseenter', 'zones-fill', () => { map.getCanvas().style.cursor = 'pointer'; });
  map.on('mouseleave', 'zones-fill', () => { map.getCanvas().style.cursor = ''; });

  document.querySelectorAll('[data-layer]').forEach((cb) => cb.addEventListener('change', () => {
    for (const id of LAYER_GROUPS[cb.dataset.layer]) {
      if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', cb.checked ? 'visible' : 'none');
    }
  }));
  $('#lang').addEventListener('change', (e) => { state.lang = e.target.value; localStorage.setItem('taghtia.lang', state.lang); applyLang(); });
  $('#kind').addEventListener('change', loadZones);
  $('#region').addEventListener('change', loadZones);

  async function init() {
    state.meta = await getJSON('/api/v1/meta');
    const op = $('#operator');
    for (const o of state.meta.operators) op.append(new Option(o.name + ' (' + o.mcc_mnc + ')', o.mcc_mnc));
    const tech = $('#tech');
    for (const x of state.meta.techs) tech.append(new Option(x, x));
    tech.value = '4G';
    op.addEventListener('change', setCoverage);
    tech.addEventListener('change', setCoverage);
    $('#simulated').hidden = !state.meta.simulated;
    try { state.stats = await getJSON('/api/v1/stats'); } catch (e) { state.stats = null; }
    applyLang();
    await loadZones();
    const start = () => {
      addLayers();
      map.once('idle', () => { document.body.dataset.ready = '1'; });
    };
    if (map.isStyleLoaded()) start(); else map.once('load', start);
  }
  init().catch((e) => {
    console.error(e);
    $('#figures').textContent = e.message;
  });
})();
