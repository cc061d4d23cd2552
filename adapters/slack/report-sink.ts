import type { webApi } from '@slack/bolt';
import type { ReportAttachment, ReportSink } from '../../src/admin/types.js';
import type { Logger } from '../../src/core/log.js';
import { reportBlocks, reportFallbackText } from './blocks.js';
import { postOnce } from './reply.js';

type WebClient = InstanceType<typeof webApi.WebClient>;

export interface ReportSinkDeps {
  /** Web API client with retries, for the upload calls. */
  client: WebClient;
  /** Client without automatic retries, for chat.postMessage (see reply.ts). */
  postClient: WebClient;
  channel: string;
  log: Logger;
}

interface UploadFile {
  filename: string;
  title: string;
  bytes: Uint8Array;
}

/**
 * Reports in the admin channel: one Block Kit message (verdict, headline numbers), and in its
 * thread the chart PNG and the full Markdown report as files, uploaded with Slack's external
 * upload flow (files.getUploadURLExternal, a POST of the bytes, files.completeUploadExternal).
 */
export function createSlackReportSink(deps: ReportSinkDeps): ReportSink {
  return {
    name: 'slack',
    async postReport(report: ReportAttachment): Promise<void> {
      const log = deps.log.child({ runId: report.runId, channel: deps.channel });
      const hasChart = report.chartPng !== undefined && report.chartPng.length > 0;

      const ts = await postOnce(
        deps.postClient,
        {
          channel: deps.channel,
          text: reportFallbackText(report),
          blocks: reportBlocks(report, hasChart),
        },
        log,
      );

      const files: UploadFile[] = [
        {
          filename: `parley-run-${report.runId}-report.md`,
          title: `Run ${report.runId}: full report`,
          bytes: new TextEncoder().encode(report.markdown),
        },
      ];
      if (hasChart) {
        files.unshift({
          filename: `parley-run-${report.runId}-chart.png`,
          title: `Run ${report.runId}: before and after`,
          bytes: report.chartPng as Uint8Array,
        });
      }

      await uploadFiles(deps.client, { channel: deps.channel, threadTs: ts, files });
      log.info({ files: files.length }, 'slack report posted');
    },
  };
}

/** Slack's external upload flow, all files shared in one completeUploadExternal call. */
export async function uploadFiles(
  client: WebClient,
  target: { channel: string; threadTs?: string; files: UploadFile[] },
): Promise<void> {
  const uploaded: { id: string; title: string }[] = [];

  for (const file of target.files) {
    const slot = await client.files.getUploadURLExternal({
      filename: file.filename,
      length: file.bytes.length,
    });
    if (!slot.upload_url || !slot.file_id) {
      throw new Error(`files.getUploadURLExternal gave no upload_url for ${file.filename}`);
    }

    const response = await fetch(slot.upload_url, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: file.bytes,
    });
    if (!response.ok) {
      throw new Error(`upload of ${file.filename} failed with HTTP ${response.status}`);
    }
    uploaded.push({ id: slot.file_id, title: file.title });
  }

  await client.files.completeUploadExternal({
    files: uploaded as [{ id: string; title: string }],
    channel_id: target.channel,
    ...(target.threadTs ? { thread_ts: target.threadTs } : {}),
  });
}
