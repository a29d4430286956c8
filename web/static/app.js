// Taghtia map UI: MapLibre GL JS over the server's own vector tiles.
(function () {
  'use strict';
  const I18N = window.TAGHTIA_I18N;
  const LEVEL_COLOURS = ['match', ['get', 'level'],
    'very_good', '#1a9641', 'good', '#a6d96a', 'limited', '#fdae61', 'none', '#d7191c', '#cccccc'];
  const DISPUTE_COLOUR = '#d60093';
  // Host networks in the roaming view, by position in meta.operators.
  const HOST_COLOURS = ['#2b6cb0', '#6a3d9a', '#00897b', '#b15928'];
  // Lifecycle states, in order, with their chart colours.
  const STATES = ['identified', 'planned', 'assigned', 'works_started', 'in_service', 'verified', 'dropped'];
  const STATE_COLOURS = { identified: '#9aa5ad', planned: '#80b1d3', assigned: '#4a90c2', works_started: '#f39c34',
    in_service: '#66bd63', verified: '#1a7837', dropped: '#c0392b' };
  const state = {
    lang: localStorage.getItem('taghtia.lang') || 'fr', meta: null, stats: null, zones: [], mode: 'measured',
    disputes: null, disputeTotals: null, roaming: null, snapshots: null, diff: null, progress: null, zone: null, history: null,
    scenarios: null, plan: null, compare: null,
  };
  const $ = (s) => document.querySelector(s);
  const t = (k) => (I18N[state.lang] && I18N[state.lang][k]) || I18N.fr[k] || k;
  const tf = (k, vars) => t(k).replace(/\{(\w+)\}/g, (m, v) => (v in vars ? vars[v] : m));
  const locale = () => (state.lang === 'ar' ? 'ar-MA' : state.lang === 'en' ? 'en-GB' : 'fr-FR');
  const fmt = (n) => new Intl.NumberFormat(locale(), { maximumFractionDigits: 1 }).format(n);
  const pct = (n) => new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 1 }).format(n);
  const spct = (n) => new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 1, signDisplay: 'exceptZero' }).format(n);
  const signed = (n) => (n > 0 ? '+' : n < 0 ? '−' : '±') + fmt(Math.abs(n));
  const date = (s) => (s ? new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(s)) : '');
  const dateShort = (s) => new Intl.DateTimeFormat(locale(), { dateStyle: 'short', timeZone: 'UTC' }).format(new Date(s));
  const dateTime = (s) => new Intl.DateTimeFormat(locale(), { dateStyle: 'short', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(s));

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

  // selection is the operator and technology picked in the panel, as a query.
  function selection() {
    return 'mcc_mnc=' + encodeURIComponent($('#operator').value) + '&tech=' + encodeURIComponent($('#tech').value);
  }
  const coverageURL = () => '/tiles/coverage.json?' + selection();
  const disputesURL = () => '/tiles/disputes.json?' + selection();
  const declaredURL = () => '/tiles/declared.json?' + selection();
  const visible = (name) => (document.querySelector('[data-layer=' + name + ']').checked ? 'visible' : 'none');

  // Layers that follow the selected operator and technology: rebuilt when
  // either changes. before is the layer each goes under.
  const SELECTION_LAYERS = {
    coverage: { url: coverageURL, before: 'zones-fill', layers: () => [
      { id: 'coverage-fill', type: 'fill', 'source-layer': 'coverage', layout: { visibility: visible('coverage') },
        paint: { 'fill-color': LEVEL_COLOURS, 'fill-opacity': 0.55 } },
    ] },
    declared: { url: declaredURL, before: 'disputes-line', layers: () => [
      { id: 'declared-line', type: 'line', 'source-layer': 'declared', layout: { visibility: visible('declared') },
        paint: { 'line-color': LEVEL_COLOURS, 'line-width': 1.6, 'line-dasharray': [3, 1.5] } },
    ] },
    disputes: { url: disputesURL, before: 'commune-line', promoteId: { disputes: 'id' }, layers: () => [
      { id: 'disputes-fill', type: 'fill', 'source-layer': 'disputes', layout: { visibility: visible('disputes') },
        paint: { 'fill-color': DISPUTE_COLOUR, 'fill-opacity': 0.28 } },
      { id: 'disputes-line', type: 'line', 'source-layer': 'disputes', layout: { visibility: visible('disputes') },
        paint: { 'line-color': DISPUTE_COLOUR,
          'line-width': ['case', ['boolean', ['feature-state', 'selected'], false], 4.5, 2.5] } },
    ] },
  };

  function addSelectionSource(name) {
    const def = SELECTION_LAYERS[name];
    const src = { type: 'vector', url: def.url() };
    if (def.promoteId) src.promoteId = def.promoteId;
    map.addSource(name, src);
    for (const l of def.layers()) map.addLayer(Object.assign({ source: name }, l), map.getLayer(def.before) ? def.before : undefined);
  }

  function addLayers() {
    map.addSource('boundaries', { type: 'vector', url: '/tiles/boundaries.json' });
    map.addSource('places', { type: 'vector', url: '/tiles/places.json' });
    map.addSource('zones', { type: 'vector', url: '/tiles/zones.json', promoteId: { zones: 'id' } });
    map.addLayer({ id: 'region-fill', type: 'fill', source: 'boundaries', 'source-layer': 'region', paint: { 'fill-color': '#fbfaf6' } });
    map.addLayer({ id: 'zones-fill', type: 'fill', source: 'zones', 'source-layer': 'zones',
      paint: { 'fill-color': ['match', ['get', 'kind'], 'white', '#ffffff', '#8c8c8c'], 'fill-opacity': 0.9 } });
    map.addLayer({ id: 'roaming-fill', type: 'fill', source: 'zones', 'source-layer': 'zones', filter: roamingFilter(),
      layout: { visibility: 'none' }, paint: { 'fill-color': hostColours(), 'fill-opacity': 0.75 } });
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
    addSelectionSource('coverage');
    addSelectionSource('disputes');
    addSelectionSource('declared');
    if (state.plan) drawPlan();
    setMode();
  }

  const LAYER_GROUPS = {
    zones: ['zones-fill', 'zones-line'], coverage: ['coverage-fill'],
    boundaries: ['region-line', 'province-line', 'commune-line'], places: ['place-dot'], health: ['health-dot'],
    disputes: ['disputes-fill', 'disputes-line'], declared: ['declared-line'],
  };

  // setSelection rebuilds the layers of the selected operator and technology
  // and reloads what the panel shows of them.
  function setSelection() {
    selectedDispute = null;
    for (const name of Object.keys(SELECTION_LAYERS)) {
      if (!map.getSource(name)) continue;
      for (const l of SELECTION_LAYERS[name].layers()) map.removeLayer(l.id);
      map.removeSource(name);
      addSelectionSource(name);
    }
    loadDisputes();
    setMode();
  }

  // The roaming view: the programme's grey zones whose one operator (the
  // host) is another network, filled in the host's colour.
  function roamingFilter() {
    return ['all', ['==', ['get', 'kind'], 'grey'], ['==', ['get', 'programme'], true], ['has', 'operator'],
      ['!=', ['get', 'operator'], $('#operator').value || '']];
  }
  function hostColours() {
    const ops = (state.meta && state.meta.operators) || [];
    if (!ops.length) return HOST_COLOURS[0];
    const m = ['match', ['get', 'operator']];
    ops.forEach((o, i) => m.push(o.mcc_mnc, HOST_COLOURS[i % HOST_COLOURS.length]));
    m.push('#555555');
    return m;
  }
  function hostColour(code) {
    const i = state.meta ? state.meta.operators.findIndex((o) => o.mcc_mnc === code) : -1;
    return HOST_COLOURS[Math.max(0, i) % HOST_COLOURS.length];
  }

  function setMode() {
    state.mode = $('#mode').value;
    const roaming = state.mode === 'roaming';
    document.body.dataset.mode = state.mode;
    if (map.getLayer('roaming-fill')) {
      map.setFilter('roaming-fill', roamingFilter());
      map.setLayoutProperty('roaming-fill', 'visibility', roaming ? 'visible' : 'none');
    }
    $('#roaming').hidden = !roaming;
    $('#lg-roaming').hidden = !roaming;
    renderRoamingLegend();
    if (roaming) loadRoaming();
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
    renderRoamingLegend();
    renderDisputes();
    renderRoaming();
    fillSnapshots();
    renderDiff();
    renderProgress();
    fillScenarios();
    renderPlan();
    renderCompare();
    renderDetails();
  }

  function fillRegions() {
    const sel = $('#region');
    const cur = sel.value;
    sel.innerHTML = '';
    sel.append(new Option(t('all_regions'), ''));
    for (const r of state.meta.regions) sel.append(new Option(state.lang === 'ar' && r.name_ar ? r.name_ar : r.name_fr, r.code));
    sel.value = cur;
  }

  function regionName(code, fallback) {
    const r = state.meta && state.meta.regions.find((x) => x.code === code);
    if (!r) return fallback || code || '';
    return state.lang === 'ar' && r.name_ar ? r.name_ar : r.name_fr;
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
      li.innerHTML = '<span class="zp">' + fmt(z.population) + '</span><span class="sw ' + z.kind + '"></span><span class="zn">' +
        escapeHTML(communes(z)[0] || z.id) + '</span> <small>' + escapeHTML(local(z, 'province')) + '</small>';
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

  function failed(el, e) {
    console.warn(e);
    el.innerHTML = '<p class="small err">' + escapeHTML(e.message) + '</p>';
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

  // ---- zone details, with its lifecycle ----

  let selected = null;
  async function selectZone(id, fly) {
    if (selected) map.setFeatureState({ source: 'zones', sourceLayer: 'zones', id: selected }, { selected: false });
    selected = id;
    map.setFeatureState({ source: 'zones', sourceLayer: 'zones', id }, { selected: true });
    const z = await getJSON('/api/v1/zones/' + encodeURIComponent(id));
    if (fly) map.flyTo({ center: z.centroid, zoom: 10, speed: 1.6 });
    state.zone = z;
    state.history = null;
    renderDetails();
    try {
      const h = await getJSON('/api/v1/zones/' + encodeURIComponent(id) + '/history');
      if (state.zone && state.zone.id === id) state.history = h;
    } catch (e) {
      if (state.zone && state.zone.id === id) state.history = { error: e.message };
    }
    renderDetails();
  }

  function stateName(s) { return t('st_' + s); }
  // A site's state (in service reads "connected").
  function siteStateName(s) { return t('ss_' + s); }
  // arrow points the way the text reads.
  const arrow = () => (state.lang === 'ar' ? ' ← ' : ' → ');
  // opHTML is an operator's name and code, isolated so its parentheses
  // stay in place in right-to-left text.
  const opHTML = (code) => '<bdi>' + escapeHTML(operatorName(code)) + '</bdi>';

  function renderDetails() {
    const z = state.zone;
    const d = $('#details');
    if (!z) return;
    const h = state.history && !state.history.error ? state.history : null;
    const rows = [
      [t('rank'), fmt(z.rank)], [t('kind'), t('kind_' + z.kind)], [t('population'), fmt(z.population)],
      [t('area'), fmt(z.area_km2) + ' ' + t('km2')], [t('communes'), escapeHTML(communes(z).join(state.lang === 'ar' ? '، ' : ', '))],
      [t('province'), escapeHTML(local(z, 'province'))], [t('region'), escapeHTML(local(z, 'region'))],
    ];
    if (z.operator) rows.push([t('operator_one'), opHTML(z.operator)]);
    rows.push([t('programme'), z.programme ? t('yes') : t('no')]);
    const st = (h && h.state) || z.state || 'identified';
    const op = (h && h.operator) || z.assigned_operator;
    const deadline = (h && h.deadline) || z.deadline;
    const overdue = h ? h.overdue : z.overdue;
    rows.push([t('state'), '<span class="state" data-state="' + escapeHTML(st) + '"><i style="background:' +
      (STATE_COLOURS[st] || '#999') + '"></i>' + escapeHTML(stateName(st)) + '</span>']);
    rows.push([t('assigned_operator'), op ? opHTML(op) : '—']);
    rows.push([t('deadline'), deadline ? escapeHTML(date(deadline)) : '—']);
    rows.push([t('overdue'), overdue ? '<b class="overdue">' + t('yes') + '</b>' : t('no')]);
    let hist = '';
    if (state.history && state.history.error) {
      hist = '<p class="small err">' + escapeHTML(state.history.error) + '</p>';
    } else if (h) {
      const evs = h.events || [];
      hist = evs.length === 0 ? '<p class="small" data-testid="history-empty">' + t('h_none') + '</p>' :
        '<ol class="history" data-testid="history">' + evs.slice().reverse().map((ev) => {
          const what = ev.from === ev.to ? t('h_comment') : stateName(ev.from) + arrow() + stateName(ev.to);
          let extra = '';
          if (ev.operator && ev.to === 'assigned') extra += ' · ' + opHTML(ev.operator);
          if (ev.deadline && (ev.to === 'assigned' || ev.to === 'works_started')) extra += ' · ' + t('deadline') + ' ' + escapeHTML(date(ev.deadline));
          if (ev.reason) extra += ' · ' + escapeHTML(ev.reason);
          let ev2 = '';
          if (ev.comment) ev2 += '<div class="cm">' + escapeHTML(ev.comment) + '</div>';
          if (ev.evidence_url) ev2 += '<div><a href="' + escapeHTML(ev.evidence_url) + '" download>' + t('evidence') + ' : ' + escapeHTML(ev.evidence.name) + '</a></div>';
          return '<li><small>' + escapeHTML(dateTime(ev.at)) + ' · ' + escapeHTML(ev.actor || '') + '</small><br><b>' + escapeHTML(what) + '</b>' + extra + ev2 + '</li>';
        }).join('') + '</ol>';
    } else {
      hist = '<p class="small">…</p>';
    }
    d.hidden = false;
    d.innerHTML = '<h2>' + escapeHTML(z.id) + ' <button id="close" aria-label="' + t('close') + '">×</button></h2><table>' +
      rows.map((r) => '<tr><th>' + r[0] + '</th><td>' + r[1] + '</td></tr>').join('') + '</table>' +
      '<h3>' + t('history') + '</h3>' + hist;
    $('#close').onclick = () => { d.hidden = true; state.zone = null; };
  }

  function operatorName(code) {
    const o = state.meta && state.meta.operators.find((x) => x.mcc_mnc === code);
    return o ? o.name + ' (' + code + ')' : code;
  }
  function operatorShort(code) {
    const o = state.meta && state.meta.operators.find((x) => x.mcc_mnc === code);
    return o ? o.name : code;
  }

  // ---- disputes ----

  let selectedDispute = null;
  const disputeBounds = {}; // by selection: dispute id -> [[w, s], [e, n]]

  async function loadDisputes() {
    const el = $('#disputes-body');
    const sel = selection();
    try {
      const [list, all] = await Promise.all([
        getJSON('/api/v1/disputes?' + sel + '&limit=10'),
        getJSON('/api/v1/disputes?limit=0'),
      ]);
      if (sel !== selection()) return;
      state.disputes = list;
      state.disputeTotals = all;
    } catch (e) {
      state.disputes = null;
      failed(el, e);
      return;
    }
    renderDisputes();
  }

  function renderDisputes() {
    const el = $('#disputes-body');
    const r = state.disputes;
    if (!r) return;
    const sel = selection();
    const names = {};
    for (const c of r.by_commune || []) names[c.key] = c.name;
    let html = '<p class="small">' + escapeHTML(tf('d_total', { n: fmt(r.total), op: operatorShort($('#operator').value), tech: $('#tech').value })) + '</p>';
    if (r.total === 0) {
      html += '<p class="small" data-testid="disputes-none">' + t('d_none') + '</p>';
    } else {
      html += '<ol id="dispute-list" data-testid="dispute-list">' + r.disputes.map((d) => {
        const place = (d.commune_codes || []).map((c) => names[c] || c)[0] || regionName(d.region_code) || d.id;
        return '<li data-dispute="' + escapeHTML(d.id) + '"><span class="zp">' + fmt(d.population) + '</span><span class="sw dispute"></span><span class="zn">' +
          escapeHTML(place) + '</span> <small>' + escapeHTML(t(d.declared) + arrow() + t(d.measured)) + '</small>' +
          '<br><small>' + fmt(d.cells) + ' ' + t('d_cells') + ' · ' + fmt(d.samples) + ' ' + t('d_samples') + ' · ' + t('confidence') + ' ' + pct(d.confidence) + '</small></li>';
      }).join('') + '</ol>';
    }
    const totals = (state.disputeTotals && state.disputeTotals.by_operator) || [];
    if (totals.length) {
      html += '<h3>' + t('d_by_operator') + '</h3><table class="tbl" data-testid="dispute-totals"><tr><th></th><th>' + t('d_count') + '</th><th>' + t('d_cells') +
        '</th><th>' + t('population') + '</th></tr>' + totals.map((g) => {
        const [op, tech] = g.key.split(' ');
        return '<tr><td>' + escapeHTML(operatorShort(op) + ' ' + (tech || '')) + '</td><td>' + fmt(g.disputes) + '</td><td>' + fmt(g.cells) + '</td><td>' + fmt(g.population) + '</td></tr>';
      }).join('') + '</table>';
    }
    html += '<p class="dl">' + t('d_download') + ' : <a href="/api/v1/disputes.csv?' + escapeHTML(sel) + '" download data-testid="disputes-csv">CSV</a> · ' +
      '<a href="/api/v1/disputes.geojson?' + escapeHTML(sel) + '" download data-testid="disputes-geojson">GeoJSON</a></p>';
    el.innerHTML = html;
    el.querySelectorAll('[data-dispute]').forEach((li) => li.addEventListener('click', () => flyToDispute(li.dataset.dispute)));
  }

  function extend(b, coords) {
    if (typeof coords[0] === 'number') {
      b[0] = Math.min(b[0], coords[0]); b[1] = Math.min(b[1], coords[1]);
      b[2] = Math.max(b[2], coords[0]); b[3] = Math.max(b[3], coords[1]);
      return;
    }
    for (const c of coords) extend(b, c);
  }

  // flyToDispute shows a dispute: its bound from the GeoJSON download of
  // the selection (read once per selection), the disputes layer turned on.
  async function flyToDispute(id) {
    const sel = selection();
    if (!disputeBounds[sel]) {
      const fc = await getJSON('/api/v1/disputes.geojson?' + sel);
      const m = {};
      for (const f of fc.features) {
        const b = [Infinity, Infinity, -Infinity, -Infinity];
        extend(b, f.geometry.coordinates);
        m[f.id || f.properties.id] = [[b[0], b[1]], [b[2], b[3]]];
      }
      disputeBounds[sel] = m;
    }
    const b = disputeBounds[sel][id];
    if (!b) return;
    const cb = document.querySelector('[data-layer=disputes]');
    if (!cb.checked) { cb.checked = true; cb.dispatchEvent(new Event('change')); }
    if (selectedDispute) map.setFeatureState({ source: 'disputes', sourceLayer: 'disputes', id: selectedDispute }, { selected: false });
    selectedDispute = id;
    map.setFeatureState({ source: 'disputes', sourceLayer: 'disputes', id }, { selected: true });
    document.querySelectorAll('#dispute-list li').forEach((li) => li.classList.toggle('on', li.dataset.dispute === id));
    map.fitBounds(b, { padding: 80, maxZoom: 11.5, minZoom: 6, speed: 1.6 });
  }

  // ---- national roaming ----

  async function loadRoaming() {
    const op = $('#operator').value;
    try {
      const r = await getJSON('/api/v1/roaming?mcc_mnc=' + encodeURIComponent(op));
      if (op !== $('#operator').value) return;
      state.roaming = r;
    } catch (e) {
      state.roaming = null;
      failed($('#roaming-body'), e);
      return;
    }
    renderRoaming();
  }

  function renderRoamingLegend() {
    const el = $('#lg-roaming');
    if (!state.meta) return;
    const sel = $('#operator').value;
    el.innerHTML = state.meta.operators.filter((o) => o.mcc_mnc !== sel).map((o) =>
      '<div><i style="background:' + hostColour(o.mcc_mnc) + '"></i><span>' + escapeHTML(tf('lg_roaming', { host: o.name })) + '</span></div>').join('');
  }

  function renderRoaming() {
    const el = $('#roaming-body');
    const r = state.roaming;
    if (!r) return;
    const sel = $('#operator').value;
    const o = (r.operators || []).find((x) => x.mcc_mnc === sel);
    if (!o) { el.innerHTML = '<p class="small">' + t('r_none') + '</p>'; return; }
    const share = o.own > 0 ? o.gained / o.own : 0;
    let html = '<p class="small">' + escapeHTML(tf('r_rule', { op: operatorShort(sel), tech: r.tech, level: t(r.level).toLowerCase() })) + '</p>' +
      '<div class="figs"><div class="fig" data-testid="roaming-gained"><b>' + signed(o.gained) + '</b> ' + t('f_pop') + '<br><small>' + t('r_gained') +
      ' (' + spct(share) + ')</small></div>' +
      '<div class="fig"><b>' + fmt(o.zones) + '</b> ' + t('r_zones') + '<br><small>' + fmt(o.cells) + ' ' + t('d_cells') + '</small></div></div>' +
      '<table class="tbl"><tr><th>' + t('r_own') + '</th><td>' + fmt(o.own) + '</td></tr><tr><th>' + t('r_total') + '</th><td><b>' + fmt(o.population) + '</b></td></tr></table>';
    const top = (r.communes || []).filter((c) => c.mcc_mnc === sel).slice(0, 8);
    if (top.length) {
      html += '<h3>' + t('r_top') + '</h3><ol class="plain" data-testid="roaming-communes">' + top.map((c) =>
        '<li data-commune="' + escapeHTML(c.commune) + '" data-host="' + escapeHTML(c.host) + '"><span class="zp">' + signed(c.population) + '</span><span class="sw" style="background:' + hostColour(c.host) + '"></span><span class="zn">' +
        escapeHTML(c.name || c.commune) + '</span> <small>' + escapeHTML(tf('r_host', { host: operatorShort(c.host) })) + '</small></li>').join('') + '</ol>';
    }
    html += '<p class="small">' + t('r_zoom') + '</p>';
    el.innerHTML = html;
    el.querySelectorAll('[data-commune]').forEach((li) => li.addEventListener('click', () => flyToRoamingCommune(li.dataset.commune, li.dataset.host)));
  }

  let greyZones = null;
  // flyToRoamingCommune selects the largest programme grey zone of the host
  // in that commune.
  async function flyToRoamingCommune(code, host) {
    if (!greyZones) greyZones = (await getJSON('/api/v1/zones?kind=grey&limit=10000')).zones;
    const z = greyZones.find((x) => x.programme && x.operator === host && (x.commune_codes || []).includes(code)) ||
      greyZones.find((x) => x.programme && (x.commune_codes || []).includes(code));
    if (z) selectZone(z.id, true);
  }

  // ---- snapshots and their diff ----

  async function loadSnapshots() {
    try {
      state.snapshots = (await getJSON('/api/v1/snapshots')).snapshots || [];
    } catch (e) {
      failed($('#diff-body'), e);
      return;
    }
    const s = state.snapshots;
    fillSnapshots();
    if (s.length) {
      $('#snap-to').value = String(s[0].id);
      $('#snap-from').value = String((s[1] || s[0]).id);
      loadDiff();
    }
  }

  function fillSnapshots() {
    const s = state.snapshots;
    if (!s) return;
    for (const id of ['#snap-from', '#snap-to']) {
      const sel = $(id);
      const cur = sel.value;
      sel.innerHTML = '';
      for (const x of s) {
        const o = new Option(tf('s_snapshot', { id: x.id }) + ' · ' + dateShort(x.computed_at), String(x.id));
        o.title = dateTime(x.computed_at) + ' · ' + x.config_version;
        sel.append(o);
      }
      if (cur) sel.value = cur;
    }
  }

  async function loadDiff() {
    const a = $('#snap-from').value;
    const b = $('#snap-to').value;
    if (!a || !b) return;
    try {
      const r = await getJSON('/api/v1/snapshots/' + encodeURIComponent(a) + '/diff/' + encodeURIComponent(b));
      if (a !== $('#snap-from').value || b !== $('#snap-to').value) return;
      state.diff = r;
    } catch (e) {
      failed($('#diff-body'), e);
      return;
    }
    renderDiff();
  }

  const CHANGE_KINDS = ['added', 'removed', 'grown', 'shrunk', 'changed'];

  function renderDiff() {
    const el = $('#diff-body');
    const r = state.diff;
    if (!r || !state.snapshots) return;
    const d = r.diff;
    const latest = state.snapshots[0] && state.snapshots[0].id;
    let html = '';
    if (state.snapshots.length < 2) html += '<p class="small">' + t('s_one') + '</p>';
    html += '<p class="small">' + escapeHTML(tf('s_range', { a: r.from.id, b: r.to.id, cfg: r.to.config_version || '' })) + '</p>';
    html += '<div class="counts" data-testid="diff-counts">' + CHANGE_KINDS.map((k) =>
      '<span data-change="' + k + '"><b>' + fmt((d[k] || []).length) + '</b> ' + t('s_' + k) + '</span>').join('') +
      '<span><b>' + fmt(d.unchanged || 0) + '</b> ' + t('s_unchanged') + '</span></div>';
    const totals = d.totals || {};
    html += '<table class="tbl"><tr><th></th><th>' + t('s_zones') + '</th><th>' + t('population') + '</th></tr>' + ['white', 'grey'].map((k) => {
      const x = totals[k] || { zones_from: 0, zones_to: 0, population_from: 0, population_to: 0 };
      return '<tr><td><span class="sw ' + k + '"></span>' + t('k_' + k) + '</td><td>' + fmt(x.zones_to) + ' <small>(' + signed(x.zones_to - x.zones_from) + ')</small></td><td>' +
        fmt(x.population_to) + ' <small class="' + (x.population_to > x.population_from ? 'up' : x.population_to < x.population_from ? 'down' : '') + '">(' +
        signed(x.population_to - x.population_from) + ')</small></td></tr>';
    }).join('') + '</table>';
    const communes = (d.communes || []).slice(0, 8);
    if (communes.length) {
      html += '<h3>' + t('s_communes') + '</h3><table class="tbl" data-testid="diff-communes"><tr><th></th><th>' + t('k_white') + '</th><th>' + t('k_grey') + '</th></tr>' +
        communes.map((c) => '<tr><td>' + escapeHTML(c.name || c.code) + '</td><td>' + signed(c.white_to - c.white_from) + '</td><td>' + signed(c.grey_to - c.grey_from) + '</td></tr>').join('') + '</table>';
    }
    const changes = [];
    for (const k of CHANGE_KINDS) for (const z of d[k] || []) changes.push(Object.assign({ change: k }, z));
    changes.sort((x, y) => Math.abs(y.population_to - y.population_from) - Math.abs(x.population_to - x.population_from));
    if (changes.length) {
      // A zone can be selected when the latest snapshot holds it.
      const inLatest = (z) => (String(r.to.id) === String(latest) && z.change !== 'removed') || (String(r.from.id) === String(latest) && z.change !== 'added');
      html += '<h3>' + t('s_changes') + '</h3><ol class="plain" data-testid="diff-zones">' + changes.slice(0, 10).map((z) =>
        '<li' + (inLatest(z) ? ' class="link" data-zone="' + escapeHTML(z.id) + '"' : '') + '><span class="zp">' + signed(z.population_to - z.population_from) + '</span><span class="sw ' + escapeHTML(z.kind) + '"></span><span class="zn">' +
        escapeHTML(z.id) + '</span> <small>' + t('s_' + z.change) + '</small></li>').join('') + '</ol>';
    }
    el.innerHTML = html;
    el.querySelectorAll('[data-zone]').forEach((li) => li.addEventListener('click', () => selectZone(li.dataset.zone, true)));
  }

  // ---- programme progress ----

  async function loadProgress() {
    try {
      state.progress = await getJSON('/api/v1/progress');
    } catch (e) {
      failed($('#progress-body'), e);
      return;
    }
    renderProgress();
  }

  // progressDays is the counts per state after each day with events, and
  // today's counts when today had none; past MAX_BARS days, evenly spaced
  // days and the last.
  const MAX_BARS = 60;
  function progressDays(p) {
    const today = new Date().toISOString().slice(0, 10);
    let days = (p.history || []).map((h) => ({ date: h.date, states: h.states }));
    if (!days.length || days[days.length - 1].date < today) days.push({ date: today, states: p.states });
    if (days.length > MAX_BARS) {
      const step = days.length / MAX_BARS;
      const kept = [];
      for (let i = 0; i < MAX_BARS - 1; i++) kept.push(days[Math.floor(i * step)]);
      kept.push(days[days.length - 1]);
      days = kept;
    }
    return days;
  }

  // chartSVG draws the programme zones per state as one stacked bar per day
  // (verified at the bottom, identified on top, dropped left out), with the
  // target as a dashed line. Dates are ISO: they read the same in every
  // language, and the time axis runs left to right in Arabic too.
  function chartSVG(p) {
    const W = 292, H = 180, L = 38, R = 8, T = 12, B = 24;
    const days = progressDays(p);
    const stack = ['verified', 'in_service', 'works_started', 'assigned', 'planned', 'identified'];
    const ymax = Math.max(p.target || 0, p.zones || 0, 1) * 1.08;
    const Y = (v) => T + (1 - v / ymax) * (H - T - B);
    const n2 = (v) => Math.round(v * 10) / 10;
    const slot = (W - L - R) / days.length;
    const bw = Math.max(1, Math.min(28, slot * 0.7));
    let s = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ' + W + ' ' + H + '" width="100%" role="img" aria-label="' +
      escapeHTML(t('progress')) + '" data-testid="progress-chart">';
    s += '<rect class="plot" x="' + L + '" y="' + T + '" width="' + (W - L - R) + '" height="' + (H - T - B) + '"/>';
    for (let i = 0; i <= 4; i++) {
      const v = ymax / 1.08 * i / 4;
      s += '<line class="grid" x1="' + L + '" x2="' + (W - R) + '" y1="' + n2(Y(v)) + '" y2="' + n2(Y(v)) + '"/>' +
        '<text class="ax" x="' + (L - 4) + '" y="' + n2(Y(v) + 3) + '" text-anchor="end">' + fmt(Math.round(v)) + '</text>';
    }
    days.forEach((d, i) => {
      const x = L + slot * i + (slot - bw) / 2;
      let acc = 0;
      for (const st of stack) {
        const v = d.states[st] || 0;
        if (v > 0) {
          s += '<rect class="bar" data-state="' + st + '" x="' + n2(x) + '" y="' + n2(Y(acc + v)) + '" width="' + n2(bw) + '" height="' +
            n2(Math.max(0.8, Y(acc) - Y(acc + v))) + '" fill="' + STATE_COLOURS[st] + '"><title>' + escapeHTML(d.date + ' · ' + stateName(st) + ' : ' + fmt(v)) + '</title></rect>';
        }
        acc += v;
      }
    });
    const first = days[0].date, last = days[days.length - 1].date;
    s += '<text class="ax" x="' + n2(L + slot / 2) + '" y="' + (H - 8) + '" text-anchor="' + (days.length > 1 ? 'start' : 'middle') + '" dx="' + (days.length > 1 ? n2(-bw / 2) : 0) + '">' + first + '</text>';
    if (days.length > 1) s += '<text class="ax" x="' + (W - R) + '" y="' + (H - 8) + '" text-anchor="end">' + last + '</text>';
    if (p.target) {
      s += '<path class="target" data-testid="progress-target" d="M' + L + ' ' + n2(Y(p.target)) + 'H' + (W - R) + '"/>' +
        '<text class="tl" x="' + (W - R - 4) + '" y="' + n2(Y(p.target) - 3) + '" text-anchor="end">' + escapeHTML(tf('p_target', { n: fmt(p.target) })) + '</text>';
    }
    return s + '</svg>';
  }

  function renderProgress() {
    const el = $('#progress-body');
    const p = state.progress;
    if (!p) return;
    const done = (p.states.verified || 0);
    let html = '<div class="figs"><div class="fig"><b>' + fmt(done) + '</b> / ' + fmt(p.target) + '<br><small>' + t('st_verified') + ' (' + pct(p.verified_share || 0) + ')</small></div>' +
      '<div class="fig"><b' + (p.overdue ? ' class="overdue"' : '') + '>' + fmt(p.overdue) + '</b> ' + t('p_overdue') + '<br><small>' + t('deadline') + ' ' + escapeHTML(date(p.deadline)) + '</small></div></div>';
    html += chartSVG(p);
    html += '<div class="states" data-testid="progress-legend">' + STATES.map((s) =>
      '<span data-state="' + s + '"><i style="background:' + STATE_COLOURS[s] + '"></i>' + escapeHTML(stateName(s)) + ' <b>' + fmt(p.states[s] || 0) + '</b></span>').join('') +
      '<span><i class="dash"></i>' + escapeHTML(tf('p_target', { n: fmt(p.target) })) + '</span></div>';
    html += '<h3>' + t('p_by_region') + '</h3><table class="tbl" data-testid="progress-regions"><tr><th>' + t('region') + '</th><th>' + t('s_zones') + '</th><th>' + t('p_engaged') +
      '</th><th>' + t('st_in_service') + '</th><th>' + t('st_verified') + '</th><th>' + t('overdue') + '</th></tr>' + (p.by_region || []).map((g) => {
      const s = g.states || {};
      const engaged = (s.planned || 0) + (s.assigned || 0) + (s.works_started || 0);
      return '<tr><td>' + escapeHTML(regionName(g.key, g.name)) + '</td><td>' + fmt(g.zones) + '</td><td>' + fmt(engaged) + '</td><td>' + fmt(s.in_service || 0) +
        '</td><td>' + fmt(s.verified || 0) + '</td><td' + (g.overdue ? ' class="overdue"' : '') + '>' + fmt(g.overdue) + '</td></tr>';
    }).join('') + '</table>';
    if ((p.by_operator || []).length) {
      html += '<h3>' + t('p_by_operator') + '</h3><table class="tbl"><tr><th>' + t('operator') + '</th><th>' + t('s_zones') + '</th><th>' + t('st_in_service') + '</th><th>' +
        t('st_verified') + '</th><th>' + t('overdue') + '</th></tr>' + p.by_operator.map((g) => '<tr><td>' + escapeHTML(operatorShort(g.key)) + '</td><td>' + fmt(g.zones) +
        '</td><td>' + fmt(g.states.in_service || 0) + '</td><td>' + fmt(g.states.verified || 0) + '</td><td>' + fmt(g.overdue) + '</td></tr>').join('') + '</table>';
    }
    html += sitesProgressHTML(p.sites);
    el.innerHTML = html;
  }

  // sitesProgressHTML is the administrative sites of the newest plan:
  // urban sites connected against the 6,300 target, and per technology
  // how many are at each step (connected is in service or verified).
  function sitesProgressHTML(sp) {
    if (!sp || !sp.total) return '';
    // Columns: planned, engaged (assigned or works started), connected,
    // verified, and dropped when any is.
    const cols = [['planned', siteStateName('planned'), ['planned']], ['engaged', t('p_engaged'), ['assigned', 'works_started']],
      ['in_service', siteStateName('in_service'), ['in_service']], ['verified', siteStateName('verified'), ['verified']]];
    if ((sp.states || {}).dropped) cols.push(['dropped', siteStateName('dropped'), ['dropped']]);
    let html = '<h3>' + t('p_sites') + '</h3><div class="figs" data-testid="progress-sites"><div class="fig"><b>' + fmt(sp.urban_fibre_connected) + '</b> / ' + fmt(sp.urban_target) +
      '<br><small>' + t('p_urban_connected') + ' (' + pct(sp.urban_fibre_share || 0) + ')<br>' + escapeHTML(tf('p_urban_fibre_planned', { n: fmt(sp.urban_fibre || 0) })) +
      '</small></div>' +
      '<div class="fig"><b' + (sp.overdue ? ' class="overdue"' : '') + '>' + fmt(sp.overdue) + '</b> ' + t('p_overdue') + '<br><small>' + t('deadline') + ' ' +
      escapeHTML(date(sp.deadline)) + '</small></div></div>';
    html += '<table class="tbl" data-testid="progress-sites-tech"><tr><th></th>' + cols.map((c) => '<th>' + escapeHTML(c[1]) + '</th>').join('') + '</tr>' +
      ['fibre', 'satellite'].map((k) => {
        const x = (sp.by_tech || {})[k] || { states: {} };
        return '<tr data-tech="' + k + '"><td><span class="sw" style="background:' + PLAN_COLOURS[k] + '"></span>' + t('pl_' + k) + '</td>' +
          cols.map((c) => '<td data-col="' + c[0] + '">' + fmt(c[2].reduce((n, st) => n + (x.states[st] || 0), 0)) + '</td>').join('') + '</tr>';
      }).join('') + '</table>';
    return html;
  }

  // ---- planning scenarios ----

  const PLAN_COLOURS = { fibre: '#283593', satellite: '#00897b', site4g: '#e65100', roaming: '#8e24aa' };
  const PLAN_LAYERS = ['plan-zones', 'plan-routes', 'plan-sites'];
  const URBAN_FIBRE_TARGET = 6300; // Maroc Digital 2030: urban administrative sites on fibre by 2026
  const TECHS = ['fibre', 'satellite', 'site4g', 'roaming'];
  // money is an amount in MAD, compact (exact in the title).
  // In tables (bare) the unit is in the column's heading.
  const money = (n, bare) => new Intl.NumberFormat(locale(), { notation: 'compact', maximumFractionDigits: 1 }).format(n) + (bare ? '' : ' ' + t('mad'));
  const moneyHTML = (n, bare) => '<span title="' + escapeHTML(fmt(Math.round(n)) + ' ' + t('mad')) + '">' + escapeHTML(money(n, bare)) + '</span>';
  const madTH = (k) => '<th>' + t(k) + ' <small>(' + t('mad') + ')</small></th>';
  const signedMoney = (n) => (n > 0 ? '+' : n < 0 ? '−' : '±') + money(Math.abs(n), true);
  const planOpen = () => $('#planning').open;

  async function loadScenarios() {
    try {
      state.scenarios = (await getJSON('/api/v1/scenarios')).scenarios || [];
    } catch (e) {
      failed($('#plan-body'), e);
      return;
    }
    fillScenarios();
    if (!state.scenarios.length) { renderPlan(); return; }
    $('#plan-scenario').value = String(state.scenarios[0].id);
    loadPlan();
  }

  function fillScenarios() {
    const s = state.scenarios;
    if (!s) return;
    const label = (x) => tf('s_snapshot', { id: x.id }) + ' · ' + x.name + ' · ' + dateShort(x.created_at);
    for (const [id, none] of [['#plan-scenario', false], ['#plan-compare', true]]) {
      const sel = $(id);
      const cur = sel.value;
      sel.innerHTML = '';
      if (none) sel.append(new Option(t('pl_none'), ''));
      for (const x of s) {
        const o = new Option(label(x), String(x.id));
        o.title = dateTime(x.created_at);
        sel.append(o);
      }
      sel.value = cur;
      if (sel.selectedIndex < 0) sel.selectedIndex = 0;
    }
  }

  // loadPlan reads the chosen scenario and its fibre routes, draws them
  // and, when one is chosen, reloads the comparison.
  async function loadPlan() {
    const id = $('#plan-scenario').value;
    if (!id) return;
    try {
      const r = await getJSON('/api/v1/scenarios/' + encodeURIComponent(id));
      if (id !== $('#plan-scenario').value) return;
      state.plan = r;
    } catch (e) {
      state.plan = null;
      failed($('#plan-body'), e);
      return;
    }
    renderPlan();
    drawPlan();
    loadCompare();
  }

  function techCount(tech, x) {
    if (tech === 'site4g') return tf('pl_sites_zones', { n: fmt(x.radio_sites_built), z: fmt(x.zones_covered) });
    if (tech === 'roaming') return tf('pl_zones', { n: fmt(x.zones_covered) });
    return tf('pl_sites', { n: fmt(x.admin_sites_connected) });
  }

  function renderPlan() {
    const el = $('#plan-body');
    if (state.scenarios && !state.scenarios.length) { el.innerHTML = '<p class="small" data-testid="plan-none">' + t('pl_empty') + '</p>'; return; }
    const p = state.plan;
    if (!p) return;
    const sm = p.summary, inp = p.inputs || {}, bt = sm.by_technology, tot = sm.total, fn = sm.fibre_network || {};
    let html = '';
    if (sm.scenario && sm.scenario.description) html += '<p class="small">' + escapeHTML(sm.scenario.description) + '</p>';
    html += '<div class="figs" data-testid="plan-totals"><div class="fig"><b>' + moneyHTML(tot.cost_mad) + '</b><br><small>' + t('pl_total_cost') + '</small></div>' +
      '<div class="fig"><b>' + fmt(tot.population_covered) + '</b><br><small>' + t('pl_covered') + '</small></div></div>';
    if (fn.proxy_roads || inp.proxy_roads) {
      const f = (sm.scenario && sm.scenario.fibre && sm.scenario.fibre.proxy_detour_factor) || 1.3;
      html += '<p class="note" data-testid="plan-proxy">' + escapeHTML(tf('pl_proxy', { f: fmt(f) })) + '</p>';
    }
    if (inp.synthetic_sites > 0) html += '<p class="note" data-testid="plan-synthetic">' + escapeHTML(tf('pl_synthetic', { n: fmt(inp.synthetic_sites), total: fmt(inp.sites) })) + '</p>';
    if (inp.pops_assumed) html += '<p class="small">' + t('pl_pops') + '</p>';
    // The strategy's target: 6,300 urban administrative sites on fibre.
    const urban = (p.sites || []).filter((x) => x.urban);
    const onFibre = urban.filter((x) => x.tech === 'fibre').length;
    html += '<p class="' + (onFibre < URBAN_FIBRE_TARGET ? 'note' : 'small') + '" data-testid="plan-urban-fibre">' +
      escapeHTML(tf('pl_urban_fibre', { n: fmt(onFibre), target: fmt(URBAN_FIBRE_TARGET), sat: fmt(urban.length - onFibre) })) + '</p>';
    html += '<table class="tbl" data-testid="plan-tech"><tr><th></th><th>' + t('pl_count') + '</th>' + madTH('pl_cost') + '<th>' + t('population') + '</th></tr>' +
      TECHS.map((k) => {
        const x = bt[k];
        return '<tr data-tech="' + k + '"><td>' + (PLAN_COLOURS[k] ? '<span class="sw" style="background:' + PLAN_COLOURS[k] + '"></span>' : '') + t('pl_' + k) + '</td><td>' +
          techCount(k, x) + '</td><td>' + moneyHTML(x.cost_mad, true) + '</td><td>' + fmt(x.population_covered) + '</td></tr>';
      }).join('') +
      '<tr class="total"><td>' + t('pl_total') + '</td><td>' + fmt(tot.items) + '</td><td>' + moneyHTML(tot.cost_mad, true) + '</td><td>' + fmt(tot.population_covered) + '</td></tr></table>';
    const km = (n) => fmt(Math.round(n)) + ' ' + t('km');
    html += '<h3>' + t('pl_network') + '</h3><table class="tbl" data-testid="plan-fibre"><tr><th>' + t('pl_trench') + '</th><td>' + km(fn.new_trench_km || 0) + '</td></tr>' +
      '<tr><th>' + t('pl_separate') + '</th><td>' + km(fn.separate_routes_km || 0) + '</td></tr>' +
      '<tr><th>' + t('pl_saving') + '</th><td><b>' + km((fn.separate_routes_km || 0) - (fn.new_trench_km || 0)) + '</b> · ' + moneyHTML(fn.saving_mad || 0) + '</td></tr>' +
      '<tr><th>' + t('pl_bound') + '</th><td>' + km(fn.lower_bound_km || 0) + '<br><small>' + t('pl_bound_note') + '</small></td></tr>' +
      (fn.lower_bound_km > 0 ? '<tr><th>' + t('pl_gap') + '</th><td data-testid="plan-gap">' +
        escapeHTML(new Intl.NumberFormat(locale(), { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format((fn.new_trench_km || 0) / fn.lower_bound_km)) +
        '<br><small>' + t('pl_gap_note') + '</small></td></tr>' : '') + '</table>';
    const years = (sm.schedule && sm.schedule.years) || [];
    html += '<h3>' + t('pl_schedule') + '</h3><table class="tbl" data-testid="plan-schedule"><tr><th>' + t('pl_year') + '</th>' + madTH('pl_budget') +
      madTH('pl_spent') + '<th>' + t('pl_count') + '</th><th>' + t('population') + '</th></tr>' + years.map((y) => {
      const x = y.totals || {};
      return '<tr><td>' + escapeHTML(String(y.year)) + '</td><td>' + moneyHTML(y.budget_mad, true) + '</td><td>' + moneyHTML(y.spent_mad, true) + '</td><td>' + fmt(x.items || 0) +
        '</td><td>' + fmt(x.population_covered || 0) + '</td></tr>';
    }).join('') + '</table>';
    const nf = sm.schedule && sm.schedule.not_funded;
    if (nf && nf.items > 0) html += '<p class="small overdue">' + escapeHTML(tf('pl_not_funded', { n: fmt(nf.items), mad: money(nf.cost_mad) })) + '</p>';
    html += '<div class="states"><span><i class="route"></i>' + t('pl_lg_route') + '</span><span><i class="dot" style="background:' + PLAN_COLOURS.fibre + '"></i>' +
      t('pl_lg_fibre') + '</span><span><i class="dot" style="background:' + PLAN_COLOURS.satellite + '"></i>' + t('pl_lg_sat') + '</span>' +
      '<span><i class="dot radio" style="background:' + PLAN_COLOURS.site4g + '"></i>' + t('pl_lg_radio') + '</span>' +
      '<span><i style="background:' + PLAN_COLOURS.site4g + '; opacity: .5"></i>' + t('pl_lg_zone4g') + '</span>' +
      '<span><i style="background:' + PLAN_COLOURS.roaming + '; opacity: .5"></i>' + t('pl_lg_roaming') + '</span></div>';
    const dl = '/api/v1/scenarios/' + encodeURIComponent(p.id) + '/';
    html += '<p class="dl" data-testid="plan-downloads">' + t('d_download') + ' : ' + [['sites.csv', t('pl_dl_sites')], ['zones.csv', t('pl_dl_zones')],
      ['routes.geojson', t('pl_dl_routes')], ['assignments.geojson', t('pl_dl_map')]].map(([f, label]) =>
      '<a href="' + escapeHTML(dl + f) + '" download>' + escapeHTML(label) + '</a>').join(' · ') + '</p>';
    el.innerHTML = html;
  }

  // drawPlan puts the chosen scenario on the map from its vector tiles
  // (/tiles/plan.json?scenario=ID): zones by the work planned (new 4G
  // sites or roaming), fibre routes, administrative sites by technology
  // and the new 4G sites, shown while the section is open.
  function drawPlan() {
    if (!map.getLayer('place-dot')) return; // addLayers calls it again
    const p = state.plan;
    for (const id of PLAN_LAYERS) if (map.getLayer(id)) map.removeLayer(id);
    if (map.getSource('plan')) map.removeSource('plan');
    if (!p) return;
    map.addSource('plan', { type: 'vector', url: '/tiles/plan.json?scenario=' + encodeURIComponent(p.id) });
    const vis = planOpen() ? 'visible' : 'none';
    map.addLayer({ id: 'plan-zones', type: 'fill', source: 'plan', 'source-layer': 'zones', layout: { visibility: vis },
      paint: { 'fill-color': ['match', ['get', 'tech'], 'roaming', PLAN_COLOURS.roaming, PLAN_COLOURS.site4g], 'fill-opacity': 0.35,
        'fill-outline-color': ['match', ['get', 'tech'], 'roaming', PLAN_COLOURS.roaming, PLAN_COLOURS.site4g] } });
    map.addLayer({ id: 'plan-routes', type: 'line', source: 'plan', 'source-layer': 'routes', layout: { visibility: vis, 'line-cap': 'round' },
      paint: { 'line-color': PLAN_COLOURS.fibre, 'line-width': ['interpolate', ['linear'], ['zoom'], 5, 0.8, 12, 3], 'line-opacity': 0.85 } });
    map.addLayer({ id: 'plan-sites', type: 'circle', source: 'plan', 'source-layer': 'sites', layout: { visibility: vis },
      paint: { 'circle-radius': ['interpolate', ['linear'], ['zoom'], 5, ['match', ['get', 'kind'], 'radio', 2.6, 1.8], 12, ['match', ['get', 'kind'], 'radio', 7, 5.5]],
        'circle-color': ['match', ['get', 'tech'], 'fibre', PLAN_COLOURS.fibre, 'satellite', PLAN_COLOURS.satellite, 'site4g', PLAN_COLOURS.site4g, '#777777'],
        'circle-stroke-color': ['match', ['get', 'kind'], 'radio', '#3e2723', '#ffffff'],
        'circle-stroke-width': ['interpolate', ['linear'], ['zoom'], 5, 0.3, 12, 1.2] } });
  }

  function showPlanLayers() {
    for (const id of PLAN_LAYERS) if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', planOpen() ? 'visible' : 'none');
  }

  async function loadCompare() {
    const a = $('#plan-scenario').value;
    const b = $('#plan-compare').value;
    if (!a || !b) { state.compare = null; $('#plan-compare-body').innerHTML = ''; return; }
    try {
      const r = await getJSON('/api/v1/scenarios/' + encodeURIComponent(a) + '/compare/' + encodeURIComponent(b));
      if (a !== $('#plan-scenario').value || b !== $('#plan-compare').value) return;
      state.compare = Object.assign({ ia: a, ib: b }, r);
    } catch (e) {
      state.compare = null;
      failed($('#plan-compare-body'), e);
      return;
    }
    renderCompare();
  }

  // The count compared per technology: sites connected, radio sites built
  // or zones covered.
  const COUNT_FIELD = { fibre: 'admin_sites_connected', satellite: 'admin_sites_connected', site4g: 'radio_sites_built', roaming: 'zones_covered' };

  function renderCompare() {
    const el = $('#plan-compare-body');
    const c = state.compare;
    if (!c) { el.innerHTML = ''; return; }
    const cls = (d) => (d > 0 ? 'up' : d < 0 ? 'down' : '');
    const row = (label, x, field) => {
      const pl = x.planned;
      const pop = pl.population_covered.delta;
      return '<tr><td>' + label + '</td><td class="' + cls(pl.cost_mad.delta) + '">' + escapeHTML(signedMoney(pl.cost_mad.delta)) + '</td><td>' + signed(pl[field].delta) +
        '</td><td class="' + cls(-pop) + '">' + signed(pop) + '</td></tr>';
    };
    el.innerHTML = '<h3>' + escapeHTML(tf('pl_cmp', { a: c.a, b: c.b, ia: c.ia, ib: c.ib })) + '</h3>' +
      '<table class="tbl" data-testid="plan-compare"><tr><th></th><th>' + t('pl_d_cost') + '</th><th>' + t('pl_d_count') + '</th><th>' + t('pl_d_pop') + '</th></tr>' +
      TECHS.map((k) => row(t('pl_' + k), c.by_technology[k], COUNT_FIELD[k])).join('') + row(t('pl_total'), c.total, 'items').replace('<tr>', '<tr class="total">') + '</table>' +
      '<div class="counts" data-testid="plan-moves"><span><b>' + fmt((c.moves || []).length) + '</b> ' + t('pl_moves') + '</span></div>';
  }

  // ---- map events ----

  map.on('click', 'zones-fill', (e) => {
    const f = e.features[0];
    if (!f) return;
    if (f.properties.agg) {
      // a plan site on top has its own popup
      if (map.getLayer('plan-sites') && map.queryRenderedFeatures(e.point, { layers: ['plan-sites'] }).length) return;
      new maplibregl.Popup().setLngLat(e.lngLat).setText(t('agg').replace('{n}', f.properties.zones)).addTo(map);
      return;
    }
    selectZone(f.properties.id, false);
  });
  map.on('mouseenter', 'zones-fill', () => { map.getCanvas().style.cursor = 'pointer'; });
  map.on('mouseleave', 'zones-fill', () => { map.getCanvas().style.cursor = ''; });
  map.on('click', 'disputes-fill', (e) => {
    const f = e.features[0];
    if (!f) return;
    const p = f.properties;
    new maplibregl.Popup({ className: 'dispute-pop' }).setLngLat(e.lngLat).setHTML('<b>' + t('l_disputes') + '</b> · ' + escapeHTML(operatorShort(p.mcc_mnc)) + ' ' + escapeHTML(p.tech) +
      '<br>' + t('d_declared') + ' : ' + escapeHTML(t(p.declared)) + '<br>' + t('d_measured') + ' : ' + escapeHTML(t(p.measured)) +
      '<br>' + fmt(p.samples) + ' ' + t('d_samples') + ' · ' + fmt(p.population) + ' ' + t('f_pop') + '<br>' + t('confidence') + ' ' + pct(p.confidence)).addTo(map);
  });
  // A coverage hexagon at the grid's own resolution explains its level.
  map.on('click', 'coverage-fill', async (e) => {
    if (map.getZoom() < 9) return;
    if (map.queryRenderedFeatures(e.point, { layers: ['zones-fill', 'disputes-fill', 'roaming-fill', 'plan-sites', 'plan-zones'].filter((l) => map.getLayer(l)) }).length) return;
    const q = new URLSearchParams({ lon: e.lngLat.lng.toFixed(6), lat: e.lngLat.lat.toFixed(6), mcc_mnc: $('#operator').value, tech: $('#tech').value });
    let r;
    try { r = await getJSON('/api/v1/evidence?' + q); } catch (err) { return; }
    const ev = r.evidence[0];
    let html = '<b>' + t('e_title') + '</b> <small>' + escapeHTML(r.cell) + '</small><br>';
    if (!ev) {
      html += t('e_none');
    } else {
      html += t('e_result') + ' : <b>' + escapeHTML(t(ev.result)) + '</b> · ' + t('confidence') + ' ' + pct(ev.confidence) +
        '<br>' + t('d_declared') + ' : ' + escapeHTML(t(ev.declared)) + '<br>' + t('e_votes') + ' : ' +
        ev.votes.map((v) => escapeHTML(t('e_src_' + v.source)) + ' ' + escapeHTML(t(v.level)) + (v.samples ? ' (' + fmt(v.samples) + ')' : '')).join(', ');
      if (ev.disputed) html += '<br><b>' + t('l_disputes') + '</b>';
    }
    new maplibregl.Popup({ className: 'evidence-pop' }).setLngLat(e.lngLat).setHTML(html).addTo(map);
  });
  map.on('click', 'roaming-fill', (e) => {
    const f = e.features[0];
    if (!f) return;
    new maplibregl.Popup().setLngLat(e.lngLat).setText(tf('lg_roaming', { host: operatorShort(f.properties.operator) }) + ' · ' + fmt(f.properties.population) + ' ' + t('f_pop')).addTo(map);
  });

  document.querySelectorAll('[data-layer]').forEach((cb) => cb.addEventListener('change', () => {
    for (const id of LAYER_GROUPS[cb.dataset.layer]) {
      if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', cb.checked ? 'visible' : 'none');
    }
    const lg = document.querySelector('.lg-' + cb.dataset.layer);
    if (lg) lg.hidden = !cb.checked;
  }));
  $('#lang').addEventListener('change', (e) => { state.lang = e.target.value; localStorage.setItem('taghtia.lang', state.lang); applyLang(); });
  $('#kind').addEventListener('change', loadZones);
  $('#region').addEventListener('change', loadZones);
  $('#mode').addEventListener('change', setMode);
  $('#snap-from').addEventListener('change', loadDiff);
  $('#snap-to').addEventListener('change', loadDiff);
  $('#snapshots').addEventListener('toggle', () => { if ($('#snapshots').open && !state.snapshots) loadSnapshots(); });
  $('#progress').addEventListener('toggle', () => { if ($('#progress').open) loadProgress(); });
  $('#planning').addEventListener('toggle', () => {
    showPlanLayers();
    if (planOpen() && !state.scenarios) loadScenarios();
  });
  $('#plan-scenario').addEventListener('change', loadPlan);
  $('#plan-compare').addEventListener('change', loadCompare);
  map.on('click', 'plan-sites', (e) => {
    const f = e.features[0];
    if (!f) return;
    const p = f.properties;
    // Below the tiles' detail zoom a site carries only its kind and
    // technology (and a new site its zone and population).
    const cost = p.cost_mad != null ? '<br>' + escapeHTML(money(p.cost_mad)) : '';
    let html;
    if (p.kind === 'radio') {
      html = '<b>' + t('pl_lg_radio') + '</b><br>' + escapeHTML(tf('pl_radio_pop', { zone: p.zone, n: fmt(p.population || 0) })) + cost;
    } else if (!p.site) {
      html = '<b>' + t('pl_' + p.tech) + '</b><br><small>' + t('pl_zoom_in') + '</small>';
    } else {
      html = '<b>' + escapeHTML(p.name || p.site) + '</b><br>' + t('pl_' + p.tech) + cost +
        (p.tech === 'fibre' ? '<br>' + fmt(p.new_km || 0) + ' ' + t('km') + ' ' + t('pl_new_km') : '');
    }
    const pop = new maplibregl.Popup({ className: 'plan-pop' }).setLngLat(e.lngLat).setHTML(html).addTo(map);
    if (p.kind === 'admin' && p.site) siteStatus(p.site, state.plan && state.plan.id).then((s) => { if (s && pop.isOpen()) pop.setHTML(html + s); });
  });

  // siteStatus is the lifecycle line of an administrative site's popup:
  // its state (in service reads "connected"), operator, deadline and last
  // event; '' when the site is not tracked in that run.
  async function siteStatus(id, scenario) {
    let h;
    try {
      h = await getJSON('/api/v1/sites/' + encodeURIComponent(id) + '/history' + (scenario ? '?scenario=' + encodeURIComponent(scenario) : ''));
    } catch (e) {
      return '';
    }
    const name = siteStateName(h.state);
    let out = '<div class="site-state" data-testid="site-state"><i style="background:' + (STATE_COLOURS[h.state] || '#777') + '"></i>' + escapeHTML(name);
    if (h.operator) out += ' · ' + escapeHTML(operatorShort(h.operator));
    if (h.deadline) out += ' · ' + t('deadline') + ' ' + escapeHTML(date(h.deadline));
    if (h.overdue) out += ' · <span class="overdue">' + t('overdue') + '</span>';
    const last = (h.events || [])[h.events.length - 1];
    if (last) out += '<br><small>' + escapeHTML(dateShort(last.at) + ' · ' + (last.actor || '') + (last.comment ? ' · ' + last.comment : '')) + '</small>';
    return out + '</div>';
  }
  map.on('click', 'plan-zones', (e) => {
    if (map.queryRenderedFeatures(e.point, { layers: ['plan-sites'] }).length) return;
    const f = e.features[0];
    if (!f) return;
    const p = f.properties;
    const work = p.tech === 'roaming' ? tf('pl_roaming_host', { host: p.host || '?' }) : tf('pl_new_sites', { n: fmt(p.new_sites || 0) });
    new maplibregl.Popup({ className: 'plan-pop' }).setLngLat(e.lngLat).setHTML('<b>' + escapeHTML(p.zone) + '</b> · ' + t('pl_' + p.tech) + '<br>' + escapeHTML(work) +
      '<br>' + escapeHTML(tf('pl_zone_pop', { n: fmt(p.covered || p.population || 0), total: fmt(p.population || 0) })) + '<br>' + escapeHTML(money(p.cost_mad || 0))).addTo(map);
  });
  map.on('mouseenter', 'plan-sites', () => { map.getCanvas().style.cursor = 'pointer'; });
  map.on('mouseleave', 'plan-sites', () => { map.getCanvas().style.cursor = ''; });

  async function init() {
    state.meta = await getJSON('/api/v1/meta');
    const op = $('#operator');
    for (const o of state.meta.operators) op.append(new Option(o.name + ' (' + o.mcc_mnc + ')', o.mcc_mnc));
    const tech = $('#tech');
    for (const x of state.meta.techs) tech.append(new Option(x, x));
    tech.value = '4G';
    op.addEventListener('change', setSelection);
    tech.addEventListener('change', setSelection);
    $('#simulated').hidden = !state.meta.simulated;
    try { state.stats = await getJSON('/api/v1/stats'); } catch (e) { state.stats = null; }
    applyLang();
    await loadZones();
    loadDisputes();
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
