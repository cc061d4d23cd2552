import type { APIEmbed, Client } from 'discord.js';
import type { ReportAttachment, ReportSink } from '../../src/admin/types.js';
import { ParleyError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/log.js';

/**
 * Retraining reports in DISCORD_ADMIN_CHANNEL: one message with an embed (verdict in the title,
 * headline numbers in the description, the chart as its image) and the chart PNG and the full
 * Markdown report attached. Embed limits (API v10): title 256, description 4096 characters.
 */

const VERDICT_COLOUR: Record<ReportAttachment['headline']['verdict'], number> = {
  promoted: 0x2e7d32,
  rejected: 0xc62828,
  skipped: 0x757575,
  failed: 0xef6c00,
};

const VERDICT_MARK: Record<ReportAttachment['headline']['verdict'], string> = {
  promoted: '✅',
  rejected: '❌',
  skipped: '⏭️',
  failed: '⚠️',
};

export interface ReportFile {
  attachment: Buffer;
  name: string;
}

/** The embed and files of a report message (the admin channel, or a follow-up). */
export function reportMessage(report: ReportAttachment): {
  embeds: APIEmbed[];
  files: ReportFile[];
} {
  const { verdict, summary } = report.headline;
  const hasChart = report.chartPng !== undefined && report.chartPng.length > 0;
  const chartName = `parley-run-${safeName(report.runId)}-chart.png`;
  const reportName = `parley-run-${safeName(report.runId)}-report.md`;

  const embed: APIEmbed = {
    title: `${VERDICT_MARK[verdict]} Retraining run ${report.runId}: ${verdict}`.slice(0, 256),
    description: summary.slice(0, 4096),
    color: VERDICT_COLOUR[verdict],
    footer: { text: 'The full report is attached as Markdown.' },
    ...(hasChart ? { image: { url: `attachment://${chartName}` } } : {}),
  };

  const files: ReportFile[] = [
    { attachment: Buffer.from(report.markdown, 'utf8'), name: reportName },
  ];
  if (hasChart) {
    files.unshift({ attachment: Buffer.from(report.chartPng as Uint8Array), name: chartName });
  }
  return { embeds: [embed], files };
}

function safeName(runId: string): string {
  return runId.replace(/[^\w.-]/g, '_').slice(0, 64);
}

export function createDiscordReportSink(deps: {
  client: Client;
  channelId: string;
  log: Logger;
}): ReportSink {
  return {
    name: 'discord',
    async postReport(report: ReportAttachment): Promise<void> {
      const channel = await adminChannel(deps.client, deps.channelId);
      const sent = await channel.send({
        ...reportMessage(report),
        allowedMentions: { parse: [] },
        // The same run's report is not posted twice when the REST client retries.
        nonce: `run-${report.runId}`.slice(0, 25),
        enforceNonce: true,
      });
      deps.log.info(
        { runId: report.runId, channel: deps.channelId, messageId: sent.id },
        'discord report posted',
      );
    },
  };
}

/** DISCORD_ADMIN_CHANNEL as a channel Parley can post in (fetched when not cached). */
export async function adminChannel(client: Client, channelId: string) {
  let channel;
  try {
    channel = await client.channels.fetch(channelId);
  } catch (err) {
    throw new ParleyError(
      'CONFIG_INVALID',
      `DISCORD_ADMIN_CHANNEL ${channelId} could not be read; check the id and that Parley is in that server with View Channel`,
      { cause: err },
    );
  }
  if (!channel?.isSendable()) {
    throw new ParleyError(
      'CONFIG_INVALID',
      `DISCORD_ADMIN_CHANNEL ${channelId} is not a text channel Parley can post in`,
    );
  }
  return channel;
}
