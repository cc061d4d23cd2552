import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiMessage, InteractionRecord } from './fake-discord.js';
import { startHarness, SUPPORT, USER_A, USER_B, type Harness } from './harness.js';

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  await h.close();
});

/** Posts `text` and returns Parley's reply. */
async function answered(text: string): Promise<ApiMessage> {
  const before = h.fake.botMessages(SUPPORT).length;
  h.fake.post(SUPPORT, USER_A, text);
  await h.fake.until(() => h.fake.botMessages(SUPPORT).length > before, 'a reply');
  await h.adapter.idle();
  return h.fake.botMessages(SUPPORT).at(-1) as ApiMessage;
}

function componentIds(message: ApiMessage): string[] {
  return message.components.flatMap((row) =>
    ((row as { components: { custom_id: string }[] }).components ?? []).map((c) => c.custom_id),
  );
}

function idOf(message: ApiMessage, prefix: string): string {
  const id = componentIds(message).find((candidate) => candidate.startsWith(prefix));
  if (!id) throw new Error(`no component ${prefix} in ${componentIds(message).join(', ')}`);
  return id;
}

/** Waits until the interaction has its response and Parley has finished with it. */
async function responded(interactionId: string): Promise<InteractionRecord> {
  const record = await h.fake.until(() => {
    const found = h.fake.interactions.get(interactionId);
    return found && found.callbacks.length > 0 ? found : undefined;
  }, `a response to ${interactionId}`);
  await h.adapter.idle();
  return record;
}

function storedFeedback() {
  return [...h.ports.memory.feedback.values()];
}

describe('discord feedback', () => {
  it('thumbs up is deferred, recorded, and the deferred response says so', async () => {
    const reply = await answered('where is order A1234');
    const click = h.fake.click(reply, idOf(reply, 'parley:up:'), USER_B);
    const record = await responded(click);
    await h.ports.flush();

    expect(record.callbacks.map((c) => [c.type, c.data?.flags])).toEqual([[5, 64]]);
    expect(record.original?.content).toBe('✅ Thank you, your 👍 is recorded.');
    expect(storedFeedback()).toEqual([expect.objectContaining({ userId: USER_B.id, kind: 'up' })]);
  });

  it('a button clicked twice records one feedback row, and each click gets one response', async () => {
    const reply = await answered('where is order A1234');
    const up = idOf(reply, 'parley:up:');
    const first = h.fake.click(reply, up, USER_B);
    const second = h.fake.click(reply, up, USER_B);
    await responded(first);
    await responded(second);
    const third = h.fake.click(reply, up, USER_B);
    await responded(third);
    await h.ports.flush();

    expect(storedFeedback()).toHaveLength(1);
    expect(h.ports.recorded).toHaveLength(1);
    for (const id of [first, second, third]) {
      expect(h.fake.interactions.get(id)?.callbacks).toHaveLength(1);
    }
  });

  it('a changed mind replaces the row: up then down leaves one row, down', async () => {
    const reply = await answered('where is order A1234');
    await responded(h.fake.click(reply, idOf(reply, 'parley:up:'), USER_B));
    await responded(h.fake.click(reply, idOf(reply, 'parley:down:'), USER_B));
    await h.ports.flush();

    expect(storedFeedback()).toEqual([expect.objectContaining({ kind: 'down' })]);
    expect(h.ports.recorded).toHaveLength(2);
  });

  it('fix: pick an intent, mark the details, and the correction has offsets into the text', async () => {
    const reply = await answered('refund order A1234 please');
    const fix = h.fake.click(reply, idOf(reply, 'parley:fix:'), USER_B);
    const opened = await responded(fix);
    expect(opened.callbacks[0]).toMatchObject({ type: 4, data: { flags: 64 } });
    let picker = h.fake.responseMessage(fix);
    expect(picker.content).toContain('> refund order A1234 please');
    expect(picker.content).toContain('Intent: `refund_request`');
    expect(picker.content).toContain('order_id `A1234`');

    const intentSelect = h.fake.select(
      picker,
      idOf(picker, 'parley:fix-intent:'),
      ['cancel_order'],
      USER_B,
    );
    expect((await responded(intentSelect)).callbacks[0].type).toBe(7);
    picker = h.fake.responseMessage(intentSelect);
    expect(picker.content).toContain('Intent: `cancel_order`');

    const details = h.fake.click(picker, idOf(picker, 'parley:fix-details:'), USER_B);
    const modal = (await responded(details)).callbacks[0];
    expect(modal.type).toBe(9);
    const fields = (
      modal.data?.components as { component: { custom_id: string; value?: string } }[]
    ).map((label) => [label.component.custom_id, label.component.value]);
    expect(fields).toEqual([
      ['entity:order_id', 'A1234'],
      ['entity:email', undefined],
    ]);

    const submit = h.fake.submitModal(
      picker,
      String(modal.data?.custom_id),
      { 'entity:order_id': 'a1234', 'entity:email': '' },
      USER_B,
    );
    const saved = await responded(submit);
    await h.ports.flush();

    expect(saved.callbacks.map((c) => c.type)).toEqual([6]);
    expect(saved.original?.content).toContain('✅ Thank you, your fix is recorded.');
    expect(storedFeedback()).toEqual([
      expect.objectContaining({
        userId: USER_B.id,
        kind: 'correction',
        intent: 'cancel_order',
        entities: [{ type: 'order_id', start: 13, end: 18, value: 'A1234' }],
      }),
    ]);
  });

  it('fix: a detail that is not in the message is explained and nothing is recorded', async () => {
    const reply = await answered('refund order A1234 please');
    const fix = h.fake.click(reply, idOf(reply, 'parley:fix:'), USER_B);
    await responded(fix);
    const picker = h.fake.responseMessage(fix);

    const submit = h.fake.submitModal(
      picker,
      idOf(picker, 'parley:fix-details:').replace('fix-details', 'fix-modal'),
      { 'entity:order_id': 'Z9999' },
      USER_B,
    );
    const record = await responded(submit);

    expect(record.callbacks.map((c) => c.type)).toEqual([7]);
    expect(record.original?.content).toContain('order_id "Z9999" is not in the message');
    expect(h.ports.recorded).toEqual([]);
  });

  it('fix: Save with the predicted details keeps them', async () => {
    const reply = await answered('refund order A1234 please');
    const fix = h.fake.click(reply, idOf(reply, 'parley:fix:'), USER_B);
    await responded(fix);
    const picker = h.fake.responseMessage(fix);
    const save = h.fake.click(picker, idOf(picker, 'parley:fix-save:'), USER_B);
    await responded(save);
    await h.ports.flush();

    expect(storedFeedback()).toEqual([
      expect.objectContaining({
        kind: 'correction',
        intent: 'refund_request',
        entities: [{ type: 'order_id', start: 13, end: 18, value: 'A1234' }],
      }),
    ]);
  });

  it('fix after a restart defers and reads the text through the reply’s reference', async () => {
    const reply = await answered('refund order A1234 please');
    await h.restart();

    const fix = h.fake.click(reply, idOf(reply, 'parley:fix:'), USER_B);
    const record = await responded(fix);

    expect(record.callbacks.map((c) => c.type)).toEqual([5]);
    expect(record.original?.content).toContain('> refund order A1234 please');
  });

  it('another person cannot continue someone’s fix', async () => {
    const reply = await answered('refund order A1234 please');
    const fix = h.fake.click(reply, idOf(reply, 'parley:fix:'), USER_B);
    await responded(fix);
    const picker = h.fake.responseMessage(fix);
    const save = h.fake.click(picker, idOf(picker, 'parley:fix-save:'), USER_A);
    const record = await responded(save);

    expect(record.original?.content).toContain('This fix has expired');
    expect(h.ports.recorded).toEqual([]);
  });

  it('every interaction gets exactly one callback within 3 s', async () => {
    const reply = await answered('refund order A1234 please');
    const ids = [
      h.fake.click(reply, idOf(reply, 'parley:up:'), USER_B),
      h.fake.click(reply, idOf(reply, 'parley:down:'), USER_A),
      h.fake.click(reply, idOf(reply, 'parley:fix:'), USER_B),
      h.fake.click(reply, 'parley:unknown:x', USER_B),
      h.fake.slash(SUPPORT, USER_B, 'models'),
    ];
    for (const id of ids) await responded(id);
    const picker = h.fake.responseMessage(ids[2]);
    ids.push(h.fake.select(picker, idOf(picker, 'parley:fix-intent:'), ['greet'], USER_B));
    ids.push(h.fake.click(picker, idOf(picker, 'parley:fix-details:'), USER_B));
    ids.push(h.fake.click(picker, idOf(picker, 'parley:fix-save:'), USER_B));
    for (const id of ids) await responded(id);

    for (const id of ids) {
      const record = h.fake.interactions.get(id) as InteractionRecord;
      expect(record.callbacks.map((c) => c.status)).toEqual([204]);
      expect(record.callbacks[0].at - record.dispatchedAt).toBeLessThan(3_000);
    }
  });
});
