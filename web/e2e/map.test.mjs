// Browser test: the real server in headless Debian Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const base = process.env.TAGHTIA_URL;
const shots = process.env.TAGHTIA_SCREENSHOTS || '/tmp/taghtia-screens';

test('map renders zones, switches to Arabic right to left', { skip: !base && 'TAGHTIA_URL is not set' }, async () => {
  mkdirSync(shots, { recursive: true });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
      '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
  const errors = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => errors.push('pageerror: ' + e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push('console: ' + m.text());
    });
    page.on('response', (r) => { if (r.status() >= 400) errors.push('HTTP ' + r.status() + ' ' + r.url()); });
    await page.goto(base + '/');
    await page.waitForSelector('body[data-ready="1"]', { timeout: 60000 });
    const first = await (await fetch(base + '/api/v1/zones?limit=1')).json();
    assert.ok(first.zones.length > 0, 'the server has zones');
    await page.evaluate((c) => window.taghtiaMap.jumpTo({ center: c, zoom: 9.5 }), first.zones[0].centroid);
    let n = 0;
    for (let i = 0; i < 120 && n === 0; i++) {
      await page.waitForTimeout(500);
      n = await page.evaluate(() => window.taghtiaMap.queryRenderedFeatures({ layers: ['zones-fill'] }).length);
    }
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
