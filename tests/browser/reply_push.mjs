// reply_push.mjs: an agent's phone and the reply pages' service worker in
// headless Chromium (Debian's, driven by playwright-core). The agent opens
// his reply link and asks for the alerts on this phone: the page gets the
// notification permission (granted by the test) and registers /r/sw.js;
// headless Chromium has no push service, so the subscription itself fails
// and the page says so. A push message is then handed to the registered
// worker as its push service would (DevTools' ServiceWorker.deliverPushMessage)
// with the text the push service decrypted: the worker shows it as a
// notification and acknowledges it to vigied. Prints one line per step,
// "step: what was seen", for the calling test; exits non-zero at the
// first step that fails.
//
// Usage: node reply_push.mjs PAGE_URL MESSAGE_FILE
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const [url, messageFile] = process.argv.slice(2);
if (!url || !messageFile) {
  console.error('usage: node reply_push.mjs PAGE_URL MESSAGE_FILE');
  process.exit(2);
}
// Every wait is bounded: a page or a worker that does not come fails the test.
const STEP_TIMEOUT_MS = 15000;
const origin = new URL(url).origin;
const message = readFileSync(messageFile, 'utf8');

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  // Containers run tests as root, where Chromium's sandbox cannot start.
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
  timeout: 60000,
});
let page;
const problems = [];
try {
  const context = await browser.newContext({ isMobile: true, locale: 'fr-FR' });
  await context.grantPermissions(['notifications'], { origin });
  page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  // A script or worker refused by the Content-Security-Policy is a defect.
  page.on('console', (line) => {
    if (/Content Security Policy|Refused to/i.test(line.text())) problems.push(line.text());
  });
  page.on('pageerror', (error) => problems.push(String(error)));

  const opened = await page.goto(url);
  console.log(`open: ${opened.status()} ${await page.title()}`);
  await page.waitForSelector('#push-section:not([hidden])');
  console.log(`offer: ${(await page.textContent('#push')).trim()}`);
  await page.click('#push');
  await page.waitForFunction(() => {
    const state = document.getElementById('push-state').textContent;
    return state !== '' && state !== document.getElementById('push').dataset.wait;
  });
  console.log(`subscribe: ${(await page.textContent('#push-state')).trim()}`);

  // The worker the page registered, as DevTools lists it.
  const cdp = await context.newCDPSession(page);
  const registrations = new Map();
  cdp.on('ServiceWorker.workerRegistrationUpdated', (event) => {
    for (const r of event.registrations) registrations.set(r.registrationId, r);
  });
  const versions = new Map();
  cdp.on('ServiceWorker.workerVersionUpdated', (event) => {
    for (const v of event.versions) versions.set(v.registrationId, v);
  });
  await cdp.send('ServiceWorker.enable');
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  let registration;
  while (Date.now() < deadline) {
    registration = [...registrations.values()].find((r) => !r.isDeleted);
    const version = registration && versions.get(registration.registrationId);
    if (version && version.status === 'activated') break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!registration) throw new Error('no service worker was registered');
  console.log(`worker: ${registration.scopeURL} ${versions.get(registration.registrationId)?.scriptURL}`);

  // The push service hands the message over; the worker shows it.
  await cdp.send('ServiceWorker.deliverPushMessage', {
    origin,
    registrationId: registration.registrationId,
    data: message,
  });
  await page.waitForFunction(async () => {
    const r = await navigator.serviceWorker.getRegistration('./');
    return r && (await r.getNotifications()).length > 0;
  });
  const shown = await page.evaluate(async () => {
    const r = await navigator.serviceWorker.getRegistration('./');
    const n = (await r.getNotifications())[0];
    return `${n.title} | ${n.body} | ${n.tag}`;
  });
  console.log(`notification: ${shown}`);
  if (problems.length) throw new Error(`the page had errors: ${problems.join(' | ')}`);
} catch (error) {
  console.log(`failed: ${error.message.split('\n')[0]}`);
  if (page) console.log(`page: ${(await page.textContent('body').catch(() => '')) || ''}`);
  await browser.close();
  process.exit(1);
}
await browser.close();
