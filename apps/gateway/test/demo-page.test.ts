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
// A test that stops the persister leaves the next one a persister, whether it passed or not; no test's pages
// or peers stay connected into the next.
afterEach(async () => {
  await Promise.all(browser.context.pages().map((page) => page.close()));
  await system.closeClients();
  await system.restore({ persisters: 1, gateways: 1 });
});
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

/** Signs in with a token pasted in the form: any user, not only DEMO_TOKENS' ready-made ones. */
async function signInWithToken(user: string): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(system.url());
  await page.fill('input[name=token]', mintToken(user));
  await page.press('input[name=token]', 'Enter');
  await page.waitForSelector('.me >> text=online');
  return page;
}

/** The message with this seq in the open conversation, and its parts. */
const message = (page: Page, seq: number) => page.locator(`.message[data-seq="${seq}"]`);

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
    // Bob's page received it (and said so) but he has not opened it: delivered, not read.
    await message(alice, 1).locator('.receipt', { hasText: /^✓✓$/ }).waitFor();

    await entry.click();
    await bob.waitForSelector('.message[data-seq="1"] >> text=Hi Bob! Lunch at noon?');
    await bob.fill('input[name=text]', 'Sure, see you there');
    await alice.locator('.typing', { hasText: 'bob is typing…' }).waitFor();
    await bob.press('input[name=text]', 'Enter');
    await bob.waitForSelector('.message.mine[data-seq="2"]');
    await alice.locator('.typing', { hasText: 'typing' }).waitFor({ state: 'detached' });

    await message(alice, 1).locator('.receipt', { hasText: '✓✓ read' }).waitFor();
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

    // Retry while storage is still down, so nothing can store the message under the click (an earlier attempt
    // waiting in Kafka would, once the persister is back); the page then keeps trying for SEND_TIMEOUT_MS.
    await failed.locator('button', { hasText: 'Retry' }).click();
    await system.startPersister();
    await alice.waitForSelector('.message.mine[data-seq="3"] >> text=Are you there?');
    // An earlier attempt may be stored too once the persister is back: one message all the same.
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
  it('replies, edits, reactions and deletions (for everyone and for me) show on both pages', async () => {
    const erin = await signInWithToken('erin');
    const frank = await signInWithToken('frank');
    await erin.fill('input[name=otherUserId]', 'frank');
    await erin.press('input[name=otherUserId]', 'Enter');
    await erin.fill('input[name=text]', 'See you at 5');
    await erin.press('input[name=text]', 'Enter');
    await message(erin, 1).waitFor();
    await frank.locator('li[data-user="erin"]').click();

    await message(frank, 1).getByRole('button', { name: 'Reply' }).click();
    await frank.locator('.composing', { hasText: 'Replying to erin: See you at 5' }).waitFor();
    await frank.fill('input[name=text]', 'At the station?');
    await frank.press('input[name=text]', 'Enter');
    for (const page of [erin, frank])
      await message(page, 2).locator('.quote', { hasText: 'erin See you at 5' }).waitFor();

    await message(erin, 1).getByRole('button', { name: 'Edit' }).click();
    expect(await erin.inputValue('input[name=text]')).toBe('See you at 5');
    await erin.fill('input[name=text]', 'See you at 6');
    await erin.press('input[name=text]', 'Enter');
    for (const page of [erin, frank]) {
      await message(page, 1).locator('.text', { hasText: 'See you at 6' }).waitFor();
      await message(page, 1).locator('.edited', { hasText: 'edited' }).waitFor();
    }
    // A quote keeps the text as it was when the reply was sent.
    expect(await message(frank, 2).locator('.quote').textContent()).toBe('erin See you at 5');
    expect(await message(frank, 1).getByRole('button', { name: 'Edit' }).count(), "not frank's to edit").toBe(
      0,
    );

    const thumbs = (page: Page) => message(page, 1).locator('.reaction[data-emoji="👍"]');
    await message(frank, 1).getByRole('button', { name: 'React 👍' }).click();
    await thumbs(erin).filter({ hasText: '👍 1' }).waitFor();
    await message(erin, 1).getByRole('button', { name: 'React 👍' }).click();
    await thumbs(frank).filter({ hasText: '👍 2' }).waitFor();
    await message(erin, 1).getByRole('button', { name: 'React ❤️' }).click();
    await message(frank, 1).locator('.reaction[data-emoji="❤️"]', { hasText: '❤️ 1' }).waitFor();
    await thumbs(frank).click(); // his own: a click takes it back
    await thumbs(erin).filter({ hasText: '👍 1' }).waitFor();
    expect(await thumbs(erin).getAttribute('title')).toBe('erin');

    await message(erin, 1).getByRole('button', { name: 'Delete for everyone' }).click();
    for (const page of [erin, frank]) {
      await message(page, 1).locator('.tombstone', { hasText: 'This message was deleted' }).waitFor();
      await message(page, 2).locator('.quote', { hasText: '(deleted)' }).waitFor();
      expect(await message(page, 1).locator('.reaction, .edited, .actions').count()).toBe(0);
    }
    await screenshot(frank, 'frank-lifecycle');

    await message(frank, 2).getByRole('button', { name: 'Delete for me' }).click();
    await message(frank, 2).waitFor({ state: 'detached' });
    expect(await message(erin, 2).locator('.text').textContent(), 'erin still sees it').toBe(
      'At the station?',
    );
    // Reloaded, the page shows what the server keeps: the tombstone, and frank's reply hidden from him alone.
    await frank.reload();
    await frank.locator('li[data-user="erin"]').click();
    await message(frank, 1).locator('.tombstone').waitFor();
    expect(await message(frank, 2).count()).toBe(0);
  });

  it('groups: create, add and remove members, typing and "seen by N" on own messages', async () => {
    const gina = await signInWithToken('gina');
    const hank = await signInWithToken('hank');
    const ivy = system.chatClient('ivy');
    await ivy.connect();

    await gina.fill('input[name=groupName]', 'lunch');
    await gina.fill('input[name=groupMembers]', 'hank');
    await gina.press('input[name=groupMembers]', 'Enter');
    await gina.locator('.chat header', { hasText: 'lunch' }).waitFor();
    const roster = (page: Page) => page.locator('.members li').allTextContents();
    expect(await roster(gina)).toEqual(['gina admin', 'hank✕']);
    await hank.locator('.inbox li', { hasText: 'lunch' }).click();
    await hank.locator('.members li[data-member="gina"]').waitFor();
    expect(await hank.locator('.members form').count(), 'only admins add').toBe(0);

    await gina.fill('input[name=addMember]', 'ivy');
    await gina.press('input[name=addMember]', 'Enter');
    for (const page of [gina, hank]) await page.locator('.members li[data-member="ivy"]').waitFor();
    await gina.locator('.chat header', { hasText: '3 members' }).waitFor();

    await gina.fill('input[name=text]', 'Pizza?');
    await gina.press('input[name=text]', 'Enter');
    // Hank has the group open: he reads it as it arrives.
    await message(gina, 1).locator('.receipt', { hasText: 'seen by 1' }).waitFor();
    const [group] = (await ivy.api.inbox()).conversations;
    expect(group?.name).toBe('lunch');
    await ivy.markRead({ conversationId: group?.id as string });
    await message(gina, 1).locator('.receipt', { hasText: 'seen by 2' }).waitFor();
    await message(hank, 1).locator('.sender', { hasText: 'gina' }).waitFor();
    expect(await message(hank, 1).locator('.receipt').count(), 'receipts are for the sender').toBe(0);

    ivy.startTyping(group?.id as string);
    await Promise.all(
      [gina, hank].map((page) => page.locator('.typing', { hasText: 'ivy is typing…' }).waitFor()),
    );
    ivy.stopTyping(group?.id as string);
    await gina.locator('.typing', { hasText: 'typing' }).waitFor({ state: 'detached' });

    await screenshot(gina, 'gina-group');
    await gina.getByRole('button', { name: 'Remove hank' }).click();
    await gina.locator('.members li[data-member="hank"]').waitFor({ state: 'detached' });
    expect(await roster(gina)).toEqual(['gina admin', 'ivy✕']);
    await hank.locator('.members', { hasText: 'You are no longer a member of this group.' }).waitFor();
    expect(await roster(hank)).toEqual(['gina admin', 'ivy']);
  });
  it('a page that was offline shows the edits and reactions made meanwhile, from the change log', async () => {
    const kim = system.chatClient('kim');
    await kim.connect();
    const first = await kim.send({ otherUserId: 'judy', text: 'draft' });
    const judy = await signInWithToken('judy');
    await judy.locator('li[data-user="kim"]').click();
    await message(judy, 1).locator('.text', { hasText: 'draft' }).waitFor();

    await browser.context.setOffline(true);
    try {
      await judy.locator('.me', { hasText: 'disconnected' }).waitFor();
      await kim.edit(first.id, 'final');
      await kim.react(first.id, ['❤️']);
    } finally {
      await browser.context.setOffline(false);
    }
    await judy.locator('.me', { hasText: 'online' }).waitFor();
    await message(judy, 1).locator('.text', { hasText: 'final' }).waitFor();
    await message(judy, 1).locator('.edited').waitFor();
    await message(judy, 1).locator('.reaction[data-emoji="❤️"]', { hasText: '❤️ 1' }).waitFor();
  });
});
