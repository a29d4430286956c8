// Browser test: the real server in headless Debian Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const base = process.env.TAGHTIA_URL;
const shots = process.env.TAGHTIA_SCREENSHOTS || '/tmp/taghtia-screens';
const skip = !base && 'TAGHTIA_URL is not set';

// open launches Chromium on a page that records page errors, console
// errors and HTTP responses of 400 or more in errors.
async function open() {
  mkdirSync(shots, { recursive: true });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
      '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
  const errors = [];
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (e) => errors.push('pageerror: ' + e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push('console: ' + m.text());
  });
  page.on('response', (r) => { if (r.status() >= 400) errors.push('HTTP ' + r.status() + ' ' + r.url()); });
  return { browser, page, errors };
}

async function api(path) {
  const r = await fetch(base + path);
  assert.equal(r.status, 200, path);
  return r.json();
}

// rendered polls until a layer has rendered features (up to 60 s).
async function rendered(page, layer) {
  let n = 0;
  for (let i = 0; i < 120 && n === 0; i++) {
    await page.waitForTimeout(500);
    n = await page.evaluate((l) => window.taghtiaMap.queryRenderedFeatures({ layers: [l] }).length, layer);
  }
  return n;
}

// settled waits until the map has loaded what it shows.
async function settled(page) {
  await page.waitForFunction(() => window.taghtiaMap.loaded() && window.taghtiaMap.areTilesLoaded(), null, { timeout: 60000 });
}

test('map renders zones, switches to Arabic right to left', { skip }, async () => {
  const { browser, page, errors } = await open();
  try {
    await page.goto(base + '/');
    await page.waitForSelector('body[data-ready="1"]', { timeout: 60000 });
    const first = await (await fetch(base + '/api/v1/zones?limit=1')).json();
    assert.ok(first.zones.length > 0, 'the server has zones');
    await page.evaluate((c) => window.taghtiaMap.jumpTo({ center: c, zoom: 9.5 }), first.zones[0].centroid);
    const n = await rendered(page, 'zones-fill');
    assert.ok(n > 0, 'zones-fill rendered features');
    const items = await page.locator('#zone-list li').count();
    assert.ok(items > 0, 'the zone list is filled');
    await page.locator('#zone-list li').first().click();
    await page.waitForSelector('#details:not([hidden]) table');
    await page.waitForTimeout(2500);
    await page.screenshot({ path: join(shots, 'map-fr.png') });
    await page.selectOption('#lang', 'ar');
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'ar');
    assert.match(await page.locator('[data-i18n=legend]').textContent(), /مفتاح/);
    assert.match(await page.locator('#zone-list li .zn').first().textContent(), /[\u0600-\u06FF]/, 'zone list in Arabic names');
    await page.screenshot({ path: join(shots, 'map-ar.png') });
    await page.selectOption('#lang', 'fr');
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'ltr');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('disputes, national roaming, snapshots, lifecycle and progress', { skip }, async (t) => {
  const { browser, page, errors } = await open();
  const tileStatus = {}; // tileset -> HTTP statuses of its TileJSON and tiles
  page.on('response', (r) => {
    const m = /\/tiles\/(disputes|declared)(\.json|\/\d+\/\d+\/\d+\.mvt)/.exec(r.url());
    if (m) (tileStatus[m[1] + (m[2] === '.json' ? '.json' : '')] ||= []).push(r.status());
  });
  try {
    await page.goto(base + '/');
    await page.waitForSelector('body[data-ready="1"]', { timeout: 60000 });

    // Disputes: pick the operator and technology with most disputes, if any.
    const all = await api('/api/v1/disputes?limit=0');
    assert.equal(typeof all.total, 'number');
    assert.ok(Array.isArray(all.by_operator));
    if (all.by_operator.length) {
      const [op, tech] = all.by_operator[0].key.split(' ');
      await page.selectOption('#operator', op);
      await page.selectOption('#tech', tech);
    }
    const op = await page.inputValue('#operator');
    const tech = await page.inputValue('#tech');
    const sel = await api('/api/v1/disputes?mcc_mnc=' + op + '&tech=' + tech + '&limit=10');
    assert.ok(Array.isArray(sel.disputes));
    // The panel lists the disputes of the selection (not those of the operator shown before).
    await page.waitForFunction((q) => {
      const a = document.querySelector('#disputes-body [data-testid=disputes-csv]');
      return a && a.getAttribute('href').endsWith(q);
    }, '?mcc_mnc=' + op + '&tech=' + tech, { timeout: 30000 });
    for (const kind of ['csv', 'geojson']) {
      const href = await page.getAttribute('[data-testid=disputes-' + kind + ']', 'href');
      assert.match(href, new RegExp('mcc_mnc=' + op + '&tech=' + tech));
      const r = await fetch(base + href);
      assert.equal(r.status, 200, href);
      await r.arrayBuffer();
    }
    await page.check('[data-layer=disputes]');
    await page.check('[data-layer=declared]');
    assert.equal(await page.evaluate(() => window.taghtiaMap.getLayoutProperty('disputes-fill', 'visibility')), 'visible');
    if (sel.total > 0) {
      await page.locator('#dispute-list li').first().click();
      await page.waitForTimeout(1000);
      await settled(page);
      const n = await rendered(page, 'disputes-fill');
      assert.ok(n > 0, 'disputes-fill rendered features after flying to ' + sel.disputes[0].id);
      const ids = await page.evaluate(() => window.taghtiaMap.queryRenderedFeatures({ layers: ['disputes-fill'] }).map((f) => f.properties.id));
      assert.ok(ids.includes(sel.disputes[0].id), 'the first dispute is drawn');
    } else {
      t.diagnostic('the server has no disputes: the rendered-feature check is skipped');
      await page.waitForSelector('[data-testid=disputes-none]');
      const z = (await api('/api/v1/zones?limit=1')).zones[0];
      await page.evaluate((c) => window.taghtiaMap.jumpTo({ center: c, zoom: 8 }), z.centroid);
      await page.waitForTimeout(1000);
      await settled(page);
    }
    assert.ok(await page.evaluate(() => window.taghtiaMap.isSourceLoaded('disputes') && window.taghtiaMap.isSourceLoaded('declared')));
    for (const k of ['disputes.json', 'disputes', 'declared.json', 'declared']) {
      assert.ok((tileStatus[k] || []).length > 0, k + ' was requested');
      assert.ok(tileStatus[k].every((s) => s === 200 || s === 204 || s === 304), k + ': ' + tileStatus[k]);
    }
    await page.evaluate(() => document.querySelector('#disputes').scrollIntoView({ block: 'center' }));
    await page.waitForTimeout(1000);
    await page.screenshot({ path: join(shots, 'disputes-fr.png') });
    await page.uncheck('[data-layer=declared]');

    // A click on a coverage hexagon explains its level (the cell evidence).
    if (sel.total > 0) {
      const pt = await page.evaluate((id) => {
        const m = window.taghtiaMap;
        const f = m.queryRenderedFeatures({ layers: ['disputes-fill'] }).find((x) => x.properties.id === id);
        const ring = f.geometry.type === 'Polygon' ? f.geometry.coordinates[0] : f.geometry.coordinates[0][0];
        const c = ring.slice(0, -1).reduce((a, p) => [a[0] + p[0] / (ring.length - 1), a[1] + p[1] / (ring.length - 1)], [0, 0]);
        const px = m.project(c);
        return { x: px.x, y: px.y };
      }, sel.disputes[0].id);
      await page.uncheck('[data-layer=disputes]');
      await page.uncheck('[data-layer=zones]');
      await page.waitForTimeout(500);
      const box = await page.locator('#map').boundingBox();
      await page.mouse.click(box.x + pt.x, box.y + pt.y);
      await page.waitForSelector('.evidence-pop', { timeout: 10000 });
      assert.match(await page.locator('.evidence-pop').textContent(), /Preuves de la cellule/);
      await page.screenshot({ path: join(shots, 'evidence-fr.png') });
      await page.evaluate(() => document.querySelectorAll('.maplibregl-popup').forEach((p) => p.remove()));
      await page.check('[data-layer=zones]');
      await page.check('[data-layer=disputes]');
    }

    // National roaming for the selected operator.
    const roaming = await api('/api/v1/roaming?mcc_mnc=' + op);
    const mine = roaming.operators.find((o) => o.mcc_mnc === op);
    await page.selectOption('#mode', 'roaming');
    await page.waitForSelector('#roaming:not([hidden]) [data-testid=roaming-gained]');
    const gained = await page.locator('[data-testid=roaming-gained] b').textContent();
    assert.match(gained, /\d/);
    assert.equal(await page.evaluate(() => window.taghtiaMap.getLayoutProperty('roaming-fill', 'visibility')), 'visible');
    if (mine && roaming.communes.length > 0) {
      const top = roaming.communes.filter((c) => c.mcc_mnc === op);
      assert.equal(await page.locator('[data-testid=roaming-communes] li').count(), Math.min(8, top.length));
      assert.ok((await page.locator('[data-testid=roaming-communes] li .zn').first().textContent()).includes(top[0].name));
      await page.locator('[data-testid=roaming-communes] li').first().click();
      await page.waitForSelector('#details:not([hidden]) table');
      await page.waitForTimeout(1500);
      await settled(page);
      const n = await rendered(page, 'roaming-fill');
      assert.ok(n > 0, 'roaming-fill rendered the zones covered through roaming');
      const hosts = await page.evaluate(() => window.taghtiaMap.queryRenderedFeatures({ layers: ['roaming-fill'] }).map((f) => f.properties.operator));
      assert.ok(hosts.every((h) => h && h !== op), 'roaming zones are hosted by another operator');
    }
    await page.uncheck('[data-layer=disputes]');
    await page.evaluate(() => document.querySelector('#roaming').scrollIntoView({ block: 'start' }));
    await page.waitForTimeout(1000);
    await page.screenshot({ path: join(shots, 'roaming-fr.png') });

    // Lifecycle of the selected zone.
    await page.waitForSelector('#details [data-testid=history], #details [data-testid=history-empty]');
    assert.match(await page.locator('#details .state').textContent(), /\S/);

    // Snapshots and their diff.
    const snaps = (await api('/api/v1/snapshots')).snapshots;
    assert.ok(snaps.length > 0);
    await page.locator('#snapshots summary').click();
    await page.waitForSelector('[data-testid=diff-counts]');
    assert.equal(await page.locator('#snap-from option').count(), snaps.length);
    assert.equal(await page.inputValue('#snap-to'), String(snaps[0].id));
    assert.equal(await page.inputValue('#snap-from'), String((snaps[1] || snaps[0]).id));
    assert.equal(await page.locator('[data-testid=diff-counts] [data-change]').count(), 5);

    // Progress chart and table.
    const prog = await api('/api/v1/progress');
    await page.locator('#progress summary').click();
    await page.waitForSelector('svg[data-testid=progress-chart]');
    assert.ok(await page.locator('svg[data-testid=progress-chart] path, svg[data-testid=progress-chart] rect').count() > 0);
    const bars = await page.locator('svg[data-testid=progress-chart] rect.bar').count();
    assert.ok(bars >= 1 && bars >= Object.values(prog.states).filter((n) => n > 0).length - 1, 'bars: ' + bars);
    assert.equal(await page.locator('[data-testid=progress-legend] [data-state]').count(), 7);
    assert.equal(await page.locator('[data-testid=progress-regions] tr').count(), prog.by_region.length + 1);
    // The administrative sites of the newest plan, when one is stored.
    if (prog.sites && prog.sites.total > 0) {
      assert.match(await page.locator('[data-testid=progress-sites] .fig b').first().textContent(), new RegExp('^' + prog.sites.urban_fibre_connected + '$'));
      assert.match(await page.locator('[data-testid=progress-sites]').textContent(), /6[\s\u202f\u00a0]?300/);
      const planned = await page.locator('[data-testid=progress-sites-tech] tr[data-tech=fibre] td[data-col=planned]').textContent();
      assert.equal(planned.replace(/\D/g, ''), String(prog.sites.by_tech.fibre.states.planned));
    }

    await page.selectOption('#lang', 'ar');
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
    assert.match(await page.locator('[data-testid=progress-legend]').textContent(), /محددة/);
    assert.match(await page.locator('#progress summary').textContent(), /تقدم/);
    await page.evaluate(() => document.querySelector('#progress').scrollIntoView({ block: 'start' }));
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(shots, 'progress-ar.png') });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('planning: scenario totals, schedule, routes and sites on the map, comparison', { skip }, async (t) => {
  const list = await fetch(base + '/api/v1/scenarios');
  const scenarios = list.status === 200 ? (await list.json()).scenarios || [] : [];
  if (!scenarios.length) {
    t.skip('the server has no stored scenario (GET /api/v1/scenarios: ' + list.status + ')');
    return;
  }
  const { browser, page, errors } = await open();
  try {
    await page.goto(base + '/');
    await page.waitForSelector('body[data-ready="1"]', { timeout: 60000 });
    assert.equal(await page.evaluate(() => !!window.taghtiaMap.getLayer('plan-routes')), false, 'nothing planned is drawn before the section opens');
    await page.locator('#planning summary').click();
    await page.waitForSelector('#plan-scenario option', { state: 'attached' });
    assert.equal(await page.locator('#plan-scenario option').count(), scenarios.length);
    await page.selectOption('#plan-scenario', String(scenarios[0].id));
    await page.waitForSelector('[data-testid=plan-totals]');
    assert.match(await page.locator('[data-testid=plan-totals] .fig b').first().textContent(), /\d/);
    const body = await api('/api/v1/scenarios/' + scenarios[0].id);
    assert.equal(await page.locator('[data-testid=plan-tech] tr[data-tech]').count(), 4);
    assert.match(await page.locator('[data-testid=plan-fibre]').textContent(), /\d.*km/);
    const fn = body.summary.fibre_network;
    if (fn.lower_bound_km > 0) {
      const gap = parseFloat((await page.locator('[data-testid=plan-gap]').textContent()).replace(',', '.'));
      assert.ok(Math.abs(gap - fn.new_trench_km / fn.lower_bound_km) < 0.006 && gap >= 1 - 1e-9, 'gap ' + gap);
    }
    assert.equal(await page.locator('[data-testid=plan-schedule] tr').count(), body.summary.schedule.years.length + 1);
    assert.equal(await page.locator('[data-testid=plan-proxy]').count(), body.summary.fibre_network.proxy_roads ? 1 : 0);
    assert.equal(await page.locator('[data-testid=plan-synthetic]').count(), body.inputs.synthetic_sites > 0 ? 1 : 0);
    // The downloads answer.
    const hrefs = await page.locator('[data-testid=plan-downloads] a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.equal(hrefs.length, 4);
    for (const h of hrefs) assert.equal((await fetch(base + h)).status, 200, h);
    const urbanFibre = body.sites.filter((x) => x.urban && x.tech === 'fibre').length;
    assert.equal((await page.locator('[data-testid=plan-urban-fibre]').textContent()).replace(/\D/g, ''),
      '6300' + String(urbanFibre) + String(body.sites.filter((x) => x.urban).length - urbanFibre));

    // On the map: the routes and sites, near the first fibre site.
    await page.waitForFunction(() => window.taghtiaMap.getLayer('plan-routes') && window.taghtiaMap.getLayer('plan-sites'));
    assert.equal(await page.evaluate(() => window.taghtiaMap.getLayoutProperty('plan-routes', 'visibility')), 'visible');
    const site = body.sites.find((s) => s.tech === 'fibre' && s.new_km > 0) || body.sites.find((s) => s.tech === 'fibre');
    if (site) {
      await page.evaluate((c) => window.taghtiaMap.jumpTo({ center: c, zoom: 10 }), [site.lon, site.lat]);
      await page.waitForTimeout(1000);
      await settled(page);
      assert.ok(await rendered(page, 'plan-routes') > 0, 'plan-routes rendered features near ' + site.id);
      assert.ok(await rendered(page, 'plan-sites') > 0, 'plan-sites rendered features near ' + site.id);
      // A click on the site: its popup with its lifecycle state.
      const xy = await page.evaluate((c) => {
        const m = window.taghtiaMap, p = m.project(c), r = m.getCanvas().getBoundingClientRect();
        return [r.left + p.x, r.top + p.y];
      }, [site.lon, site.lat]);
      await page.mouse.click(xy[0], xy[1]);
      await page.waitForSelector('[data-testid=site-state]', { timeout: 10000 });
      assert.match(await page.locator('[data-testid=site-state]').textContent(), /Planifié|Attribué|Travaux|Raccordé|Vérifié|Abandonné/);
      assert.equal(await page.locator('.maplibregl-popup').count(), 1, 'one popup: the site, not the cell evidence under it');
      await page.screenshot({ path: join(shots, 'planning-site.png') });
      await page.evaluate(() => document.querySelectorAll('.plan-pop .maplibregl-popup-close-button').forEach((b) => b.click()));
    } else {
      t.diagnostic('the scenario has no fibre site: the rendered-route check is skipped');
    }
    // A white zone planned with new 4G sites: its polygon and its sites.
    const zrow = body.zones.find((z) => z.work === 'site4g' && z.new_sites > 0);
    if (zrow) {
      const zone = await api('/api/v1/zones/' + encodeURIComponent(zrow.id));
      await page.evaluate((c) => window.taghtiaMap.jumpTo({ center: c, zoom: 11 }), zone.centroid);
      await page.waitForTimeout(1000);
      await settled(page);
      assert.ok(await rendered(page, 'plan-zones') > 0, 'plan-zones rendered near ' + zrow.id);
      const radio = await page.evaluate(() => window.taghtiaMap.queryRenderedFeatures({ layers: ['plan-sites'] }).filter((f) => f.properties.kind === 'radio').length);
      assert.ok(radio > 0, 'new 4G sites rendered in ' + zrow.id);
      await page.screenshot({ path: join(shots, 'planning-zone.png') });
    } else {
      t.diagnostic('the scenario plans no new 4G site: the rendered-zone check is skipped');
    }

    // Comparison (with itself when only one is stored).
    const other = scenarios[1] || scenarios[0];
    await page.selectOption('#plan-compare', String(other.id));
    await page.waitForSelector('[data-testid=plan-compare]');
    const cmp = await api('/api/v1/scenarios/' + scenarios[0].id + '/compare/' + other.id);
    assert.equal(await page.locator('[data-testid=plan-compare] tr').count(), 6);
    assert.equal((await page.locator('[data-testid=plan-moves] b').textContent()).replace(/\D/g, ''), String(cmp.moves.length));
    await page.evaluate(() => document.querySelector('#planning').scrollIntoView({ block: 'start' }));
    await page.waitForTimeout(1000);
    await page.screenshot({ path: join(shots, 'planning-fr.png') });

    await page.selectOption('#lang', 'ar');
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
    assert.match(await page.locator('#planning summary').textContent(), /التخطيط/);
    assert.match(await page.locator('[data-testid=plan-tech]').textContent(), /الألياف/);
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(shots, 'planning-ar.png') });
    await page.selectOption('#lang', 'fr');

    // Closing the section hides what it drew.
    await page.locator('#planning summary').click();
    // (the details element's toggle event comes after the click resolves)
    await page.waitForFunction(() => ['plan-routes', 'plan-sites', 'plan-zones'].every((id) => window.taghtiaMap.getLayoutProperty(id, 'visibility') === 'none'),
      null, { timeout: 5000 });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
