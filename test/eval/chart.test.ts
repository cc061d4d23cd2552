import { crc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isParleyError } from '../../src/core/errors.js';
import { canDrawText, renderConfusionChart, renderF1Chart } from '../../src/eval/chart.js';
import { evaluate, type Evaluation } from '../../src/eval/metrics.js';
import { item } from './helpers.js';

interface PngInfo {
  width: number;
  height: number;
  chunks: string[];
}

/**
 * Walks the PNG by hand: signature, then chunks of [length u32 BE][type][data][crc32 of type+data].
 * Checks every CRC and that the inflated image data is exactly one filter byte plus one RGBA row
 * per line, which is what a decoder would need.
 */
function readPng(bytes: Uint8Array): PngInfo {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  expect([...buf.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

  const chunks: string[] = [];
  const idat: Buffer[] = [];
  let width = 0;
  let height = 0;
  for (let at = 8; at < buf.length;) {
    const length = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    const data = buf.subarray(at + 8, at + 8 + length);
    expect(buf.readUInt32BE(at + 8 + length)).toBe(crc32(buf.subarray(at + 4, at + 8 + length)));
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([data[8], data[9]]).toEqual([8, 6]); // 8 bits per channel, RGBA
    }
    if (type === 'IDAT') idat.push(data);
    chunks.push(type);
    at += 12 + length;
  }

  expect(chunks[0]).toBe('IHDR');
  expect(chunks.at(-1)).toBe('IEND');
  expect(inflateSync(Buffer.concat(idat)).length).toBe(height * (1 + width * 4));
  return { width, height, chunks };
}

function evaluationOf(intents: string[], wrongEvery: number): Evaluation {
  return evaluate(
    intents.flatMap((gold, g) =>
      Array.from({ length: 6 }, (_, k) =>
        item(gold, (k + g) % wrongEvery === 0 ? intents[(g + 1) % intents.length] : gold),
      ),
    ),
  );
}

const three = ['cancel_order', 'greet', 'refund'];
const eight = [...three, 'goodbye', 'order_status', 'out_of_scope', 'change_address', 'track'];

describe('renderF1Chart', () => {
  it('renders a well-formed PNG of sensible size', async () => {
    const png = readPng(await renderF1Chart(evaluationOf(three, 3), evaluationOf(three, 4)));
    expect(png.width).toBeGreaterThan(300);
    expect(png.width).toBeLessThan(1500);
    expect(png.height).toBeGreaterThan(300);
    expect(png.height).toBeLessThan(1200);
  });

  it('grows with the number of intents and with the scale', async () => {
    const small = readPng(await renderF1Chart(evaluationOf(three, 3), evaluationOf(three, 4)));
    const wide = readPng(await renderF1Chart(evaluationOf(eight, 3), evaluationOf(eight, 4)));
    const sharp = readPng(
      await renderF1Chart(evaluationOf(eight, 3), evaluationOf(eight, 4), { scale: 1 }),
    );
    expect(wide.width).toBeGreaterThan(small.width + 5 * 2 * 30);
    expect(sharp.width * 2).toBe(wide.width);
  });

  it('refuses an absurd scale', async () => {
    const e = evaluationOf(three, 3);
    await expect(renderF1Chart(e, e, { scale: 0 })).rejects.toSatisfy((err: unknown) =>
      isParleyError(err, 'BAD_REQUEST'),
    );
  });
});

describe('renderConfusionChart', () => {
  it('renders a well-formed PNG that grows with the label count', async () => {
    const small = readPng(await renderConfusionChart(evaluationOf(three, 3)));
    const large = readPng(await renderConfusionChart(evaluationOf(eight, 3)));
    expect(small.width).toBeGreaterThan(200);
    expect(large.height).toBeGreaterThan(small.height + 5 * 2 * 20);
  });
});

describe('fonts', () => {
  it('finds a system font, so chart labels are drawn', () => {
    // Needs a font under the fontconfig folders (Debian: fonts-dejavu-core).
    expect(canDrawText()).toBe(true);
  });
});
