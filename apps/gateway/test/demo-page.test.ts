import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type BrowserContext,
  launchBrowser,
  mintToken,
  type Page,
  sendStored,
  TestSystem,
  testInfra,
} from '@chat/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
/** Screenshots of each run, outside git (ignored). */
const artifacts = `${repoRoot}test-artifacts/demo-page`;

const system = new TestSystem(testInfra(), {
  DEMO_PAGE: 'on',
  DEMO_TOKENS: `alice=${mintToken('alice')},bob=${mintToken('bob')}`,
  PRESENCE_OFFLINE_DEBOUNCE_MS: '300',
  SEND_ACK_TIMEOUT_MS: '2000',
});
let browser: { context: BrowserContext; close: () => Promise<void> };

// Chromium is installed, when missing, by the suite's global setup, before any test runs.
beforeAll(async () => {
  await system.startPersister();
  await system.startGateway();
  browser = await launchBrowser();
});
// A test that stops the persister leaves the next one a persister, whether it passed or not.
afterEach(() => system.restore({ persisters: 1, gateways: 1 }));
afterAll(async () => {
  await browser?.close();
  await system.stop();
});

async function signIn(user: string): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(system.url());
  await page.getByRole('button', { name: user, exact: true }).click();
  await page.waitForSelector('.me >> text=online');
  return page;
}

async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(artifacts, { recursive: true });
  const path = `${artifacts}/${name}.png`;
  await page.screenshot({ path });
  process.stdout.write(`screenshot: ${path}\n`);
  return path;
}

describe('the demo chat page in Chromium', () => {
  it('alice sends, bob sees it and reads it, alice sees "read", then bob going offline', async () => {
    const alice = await signIn('alice');
    const bob = await signIn('bob');

    await alice.fill('input[name=otherUserId]', 'bob');
    await alice.press('input[name=otherUserId]', 'Enter');
    await alice.waitForSelector('.chat header >> text=bob');
    await alice.fill('input[name=text]', 'Hi Bob! Lunch at noon?');
    await alice.press('input[name=text]', 'Enter');
    await alice.waitForSelector('.message.mine[data-seq="1"]');

    const entry = bob.locator('li[data-user="alice"]');
    await entry.locator('.badge', { hasText: '1' }).waitFor();
    expect(await entry.locator('.preview').textContent()).toBe('Hi Bob! Lunch at noon?');

    await entry.click();
    await bob.waitForSelector('.message[data-seq="1"] >> text=Hi Bob! Lunch at noon?');
    await bob.fill('input[name=text]', 'Sure, see you there');
    await bob.press('input[name=text]', 'Enter');
    await bob.waitForSelector('.message.mine[data-seq="2"]');

    await alice.waitForSelector('.message.mine[data-seq="1"] .receipt >> text=read');
    await alice.waitForSelector('.message[data-seq="2"] >> text=Sure, see you there');
    await alice.waitForSelector('.chat header .dot.online');
    await bob.waitForSelector('.message.mine[data-seq="2"] .receipt >> text=read');
    const alicePng = await screenshot(alice, 'alice');
    await screenshot(bob, 'bob');
    if (process.env.CHAT_UPDATE_DEMO_SCREENSHOT) copyFileSync(alicePng, `${repoRoot}docs/demo.png`);

    await bob.close();
    await alice.waitForSelector('.chat header .presence >> text=last seen');
    expect(await alice.locator('.chat header .dot.online').count()).toBe(0);
    expect(await alice.locator('li[data-user="bob"] .dot.online').count()).toBe(0);
    await screenshot(alice, 'alice-after-bob-left');
  });

  it('shows a send that failed with its code, and retries it with the same clientMessageId', async () => {
    const alice = await signIn('alice');
    await alice.locator('li[data-user="bob"]').click();
    await alice.waitForSelector('.message[data-seq="2"]');
    await system.persisters[0]?.stop(); // storage is down: the gateway refuses with UNAVAILABLE
    await alice.fill('input[name=text]', 'Are you there?');
    await alice.press('input[name=text]', 'Enter');
    // The outcome, not the moment in between: "pending" may last less than a poll when the refusal is fast.
    const failed = alice.locator('.message.mine.failed', { hasText: 'Are you there?' });
    await failed.locator('text=failed: UNAVAILABLE').waitFor();
    expect(await failed.getAttribute('data-pending'), 'not stored: no seq').toBe('true');

    await system.startPersister();
    await failed.locator('button', { hasText: 'Retry' }).click();
    await alice.waitForSelector('.message.mine[data-seq="3"] >> text=Are you there?');
    // The first attempt was stored too once the persister came back: one message all the same.
    const stored = await system.db.collection('messages').find({ text: 'Are you there?' }).toArray();
    expect(stored).toHaveLength(1);
    expect(await alice.locator('.message', { hasText: 'Are you there?' }).count()).toBe(1);
  });

  it('signs in with a pasted token, shows unread counts and pages older history', async () => {
    const dave = await system.connect('dave');
    for (let index = 1; index <= 25; index++) await sendStored(dave, 'carol', `note ${index}`);
    const carol = await browser.context.newPage();
    await carol.goto(system.url());
    await carol.fill('input[name=token]', mintToken('carol'));
    await carol.press('input[name=token]', 'Enter');
    const entry = carol.locator('li[data-user="dave"]');
    await entry.locator('.badge', { hasText: '25' }).waitFor();
    expect(await entry.locator('.preview').textContent()).toBe('note 25');

    await entry.click();
    await carol.waitForSelector('.message[data-seq="25"]');
    expect(await carol.locator('.message').count()).toBe(20);
    await carol.getByRole('button', { name: 'Load older' }).click();
    await carol.waitForSelector('.message[data-seq="1"] >> text=note 1');
    expect(await carol.locator('.message').count()).toBe(25);
    expect(await carol.getByRole('button', { name: 'Load older' }).count()).toBe(0);
    await entry.locator('.badge').waitFor({ state: 'detached' });
  });
});
