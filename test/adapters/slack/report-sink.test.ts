import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_CHANNEL, startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe('the Slack report sink', () => {
  it('posts the headline as Block Kit and the chart and full report as files in its thread', async () => {
    h = await startHarness();
    const sink = h.adapter.reportSink;
    expect(sink?.name).toBe('slack');

    await sink?.postReport(h.admin.report);

    const [post] = h.fake.callsTo('chat.postMessage').map((c) => c.args);
    expect(post.channel).toBe(ADMIN_CHANNEL);
    expect(post.text).toBe(
      'Retraining run 7: promoted. intent accuracy 0.91 -> 0.94, entity F1 0.88 -> 0.90',
    );
    const blocks = post.blocks as Record<string, any>[];
    expect(blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Retraining run 7: promoted' },
    });
    expect(blocks[1].text.text).toBe(
      ':white_check_mark: intent accuracy 0.91 -&gt; 0.94, entity F1 0.88 -&gt; 0.90',
    );

    const reportTs = h.fake.messages.find((m) => m.channel === ADMIN_CHANNEL)?.ts;
    const slots = h.fake.callsTo('files.getUploadURLExternal').map((c) => c.args);
    expect(slots).toEqual([
      { filename: 'parley-run-7-chart.png', length: '11' },
      {
        filename: 'parley-run-7-report.md',
        length: String(Buffer.byteLength(h.admin.report.markdown)),
      },
    ]);
    const uploads = [...h.fake.uploads.values()];
    expect(uploads.map((u) => [u.filename, u.completed, u.channel, u.threadTs])).toEqual([
      ['parley-run-7-chart.png', true, ADMIN_CHANNEL, reportTs],
      ['parley-run-7-report.md', true, ADMIN_CHANNEL, reportTs],
    ]);
    expect(uploads[0].bytes).toEqual(Buffer.from(h.admin.report.chartPng as Uint8Array));
    expect(uploads[1].bytes?.toString('utf8')).toBe(h.admin.report.markdown);
    expect(h.fake.callsTo('files.completeUploadExternal')).toHaveLength(1);
  });

  it('posts a report without a chart with the full report alone', async () => {
    h = await startHarness();
    await h.adapter.reportSink?.postReport({
      runId: '8',
      markdown: '# Run 8\nskipped: no new feedback\n',
      headline: { verdict: 'skipped', summary: 'no new feedback since run 7' },
    });
    expect([...h.fake.uploads.values()].map((u) => u.filename)).toEqual(['parley-run-8-report.md']);
    const blocks = h.fake.callsTo('chat.postMessage')[0].args.blocks as Record<string, any>[];
    expect(blocks[2].elements[0].text).toBe('The full report is in the thread.');
  });

  it('is absent when SLACK_ADMIN_CHANNEL is not set', async () => {
    h = await startHarness({ env: { SLACK_ADMIN_CHANNEL: undefined } });
    expect(h.adapter.reportSink).toBeUndefined();
  });

  it('rejects when Slack refuses the upload, so the caller can log it', async () => {
    h = await startHarness();
    h.fake.script('files.getUploadURLExternal', { kind: 'error', error: 'not_in_channel' });
    await expect(h.adapter.reportSink?.postReport(h.admin.report)).rejects.toThrow(
      /not_in_channel/,
    );
  });
});
