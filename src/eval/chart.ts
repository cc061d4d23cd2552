import { Resvg } from '@resvg/resvg-js';
import { parse, View, Error as VegaErrorLevel } from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { ParleyError } from '../core/errors.js';
import { logger } from '../core/log.js';
import type { Evaluation } from './metrics.js';

/**
 * PNG charts for reports: a vega-lite spec, compiled to vega, rendered headless to SVG (renderer
 * 'none', so no canvas package is needed; vega estimates text widths), then rasterised by resvg.
 * Data is always inline, so vega's loader never reaches for a file or the network.
 *
 * Fonts: resvg draws no text without a font. It loads the system fonts (fontconfig's folders,
 * e.g. /usr/share/fonts); the family list below prefers DejaVu Sans (Debian: fonts-dejavu-core)
 * and falls back to the first system font. With no font installed at all the bars still render
 * but labels are missing, and a warning says so once.
 */

export const CHART_FONT = 'DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif';

export interface ChartOptions {
  /** Pixel density: 2 renders at twice the SVG size, crisp on high-density screens. */
  scale?: number;
  /** Legend names of the two models, e.g. `active v6` and `candidate v7`. */
  beforeName?: string;
  afterName?: string;
}

const BEFORE_COLOUR = '#9e9e9e';
const AFTER_COLOUR = '#1f77b4';
const log = logger('eval.chart');

/** Grouped bars of per-intent F1, active model beside candidate, for intents in the test set. */
export async function renderF1Chart(
  before: Evaluation,
  after: Evaluation,
  options: ChartOptions = {},
): Promise<Uint8Array> {
  const beforeName = options.beforeName ?? 'active (before)';
  const afterName = options.afterName ?? 'candidate (after)';
  const intents = Object.keys(before.intent.perLabel).filter(
    // intents only ever predicted have no F1 worth drawing (support 0, F1 0 by convention)
    (name) => before.intent.perLabel[name].support > 0,
  );
  const values = intents.flatMap((intent) => [
    { intent, model: beforeName, f1: before.intent.perLabel[intent].f1 },
    { intent, model: afterName, f1: after.intent.perLabel[intent]?.f1 ?? 0 },
  ]);

  const spec: TopLevelSpec = {
    title: 'Per-intent F1 before and after retraining',
    data: { values },
    width: { step: 40 },
    height: 240,
    mark: { type: 'bar' },
    encoding: {
      x: {
        field: 'intent',
        type: 'nominal',
        sort: intents,
        axis: { labelAngle: -40, title: null },
      },
      xOffset: { field: 'model', sort: [beforeName, afterName] },
      y: { field: 'f1', type: 'quantitative', scale: { domain: [0, 1] }, title: 'F1' },
      color: {
        field: 'model',
        scale: { domain: [beforeName, afterName], range: [BEFORE_COLOUR, AFTER_COLOUR] },
        legend: { orient: 'top', title: null },
      },
    },
    config: chartConfig(),
  };
  return renderSpec(spec, options.scale);
}

/** A heatmap of the confusion matrix: gold intents down, predicted across, counts in the cells. */
export async function renderConfusionChart(
  e: Evaluation,
  options: Pick<ChartOptions, 'scale'> = {},
): Promise<Uint8Array> {
  const { labels, matrix } = e.intent.confusion;
  const values = labels.flatMap((gold, g) =>
    labels.map((predicted, p) => ({ gold, predicted, count: matrix[g][p] })),
  );

  const spec: TopLevelSpec = {
    title: 'Confusion matrix (rows gold, columns predicted)',
    data: { values },
    width: { step: 28 },
    height: { step: 28 },
    encoding: {
      x: {
        field: 'predicted',
        type: 'nominal',
        sort: labels,
        title: 'predicted',
        axis: { labelAngle: -40, orient: 'top' },
      },
      y: { field: 'gold', type: 'nominal', sort: labels, title: 'gold' },
    },
    layer: [
      {
        mark: { type: 'rect' },
        encoding: {
          color: {
            field: 'count',
            type: 'quantitative',
            scale: { scheme: 'blues', domainMin: 0 },
            legend: { title: 'count' },
          },
        },
      },
      {
        mark: { type: 'text', fontSize: 10 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          // dark cells get white digits; the threshold is half the largest count
          color: {
            condition: { test: `datum.count > ${maxCount(matrix) / 2}`, value: 'white' },
            value: 'black',
          },
          opacity: { condition: { test: 'datum.count === 0', value: 0 }, value: 1 },
        },
      },
    ],
    config: chartConfig(),
  };
  return renderSpec(spec, options.scale);
}

/** Rasterises an SVG on white with the system fonts; `scale` multiplies the SVG pixel size. */
export function svgToPng(svg: string, scale = 2): Uint8Array {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: true, sansSerifFamily: 'DejaVu Sans' },
    logLevel: 'off',
  });
  return resvg.render().asPng();
}

function chartConfig() {
  return {
    font: CHART_FONT,
    background: 'white',
    view: { stroke: null },
  };
}

async function renderSpec(spec: TopLevelSpec, scale = 2): Promise<Uint8Array> {
  if (!(scale > 0 && scale <= 4)) {
    throw new ParleyError('BAD_REQUEST', `chart scale is ${scale}; expected a number in (0, 4]`);
  }
  warnIfNoFont();

  let svg: string;
  // vega-lite is loaded on first use: it is only needed when a report is drawn, and loading it
  // before discord.js breaks discord.js's bundled inspect module under vitest's module runner.
  const { compile } = await import('vega-lite');
  const view = new View(parse(compile(spec).spec), { renderer: 'none' }).logLevel(VegaErrorLevel);
  try {
    svg = await view.toSVG();
  } catch (err) {
    throw new ParleyError('DATA_INVALID', 'chart could not be drawn from the evaluation', {
      cause: err,
    });
  } finally {
    view.finalize();
  }
  return svgToPng(svg, scale);
}

function maxCount(matrix: number[][]): number {
  return Math.max(0, ...matrix.flat());
}

let fontChecked = false;

/** Once per process: draw one word and see whether any pixel is inked. */
function warnIfNoFont(): void {
  if (fontChecked) return;
  fontChecked = true;
  if (!canDrawText()) {
    log.warn('no usable font found; chart labels will be missing (install fonts-dejavu-core)');
  }
}

export function canDrawText(): boolean {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><text x="2" y="15" font-family="${CHART_FONT}" font-size="14">Hg</text></svg>`;
  const image = new Resvg(svg, {
    font: { loadSystemFonts: true, sansSerifFamily: 'DejaVu Sans' },
    logLevel: 'off',
  }).render();
  const rgba = image.pixels;
  // without a background every pixel starts transparent; alpha is every fourth byte
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i] > 0) return true;
  return false;
}
