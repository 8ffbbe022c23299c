// reply_page.mjs: an agent on a phone answers a mass alert in headless
// Chromium (Debian's, driven by playwright-core): opens the reply link,
// presses "received", goes back, writes a sighting, adds the position the
// browser gives (granted and set by the test), and sends it. Prints one
// line per step, "step: what the page showed", for the calling test to
// check; exits non-zero at the first step that fails, with the page's text.
//
// Usage: node reply_page.mjs URL LAT LON ACCURACY TEXT
import { chromium } from 'playwright-core';

const [url, lat, lon, accuracy, text] = process.argv.slice(2);
if (!url || !text) {
  console.error('usage: node reply_page.mjs URL LAT LON ACCURACY TEXT');
  process.exit(2);
}
// Every wait is bounded: a page that does not come fails the test.
const STEP_TIMEOUT_MS = 15000;

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
  const context = await browser.newContext({
    // The centre's certificate is made by the test; the page must still be
    // a secure context for the browser to give a position.
    ignoreHTTPSErrors: true,
    viewport: { width: 360, height: 640 },
    isMobile: true,
    locale: 'fr-FR',
    geolocation: { latitude: Number(lat), longitude: Number(lon), accuracy: Number(accuracy) },
    permissions: ['geolocation'],
  });
  page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  // A style or script refused by the Content-Security-Policy is a defect.
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(String(error)));

  const opened = await page.goto(url);
  console.log(`open: ${opened.status()} ${await page.title()}`);
  console.log(`message: ${(await page.textContent('#message')).replace(/\s+/g, ' ')}`);
  const colour = await page.$eval('#received', (b) => getComputedStyle(b).backgroundColor);
  console.log(`styled: ${colour}`);

  await Promise.all([page.waitForURL(/\/received$/), page.click('#received')]);
  console.log(`received: ${(await page.textContent('#thanks')).trim()}`);

  await Promise.all([page.waitForURL(/\/r\/[^/]+$/), page.click('#back')]);
  console.log(`back: ${(await page.textContent('#received-note')).trim()}`);

  await page.fill('#text', text);
  await page.click('#position');
  await page.waitForFunction(() => document.getElementById('lat').value !== '');
  console.log(`position: ${(await page.textContent('#position-state')).trim()}`);
  console.log(
    `fields: ${await page.inputValue('#lat')} ${await page.inputValue('#lon')} ` +
      `${await page.inputValue('#accuracy')}`,
  );

  await Promise.all([page.waitForURL(/\/seen$/), page.click('#send-seen')]);
  console.log(`seen: ${(await page.textContent('#thanks')).trim()}`);
  if (problems.length) throw new Error(`the page had errors: ${problems.join(' | ')}`);
} catch (error) {
  console.log(`failed: ${error.message.split('\n')[0]}`);
  if (page) console.log(`page: ${(await page.textContent('body').catch(() => '')) || ''}`);
  await browser.close();
  process.exit(1);
}
await browser.close();
