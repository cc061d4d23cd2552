import { describe, expect, it } from 'vitest';
import { checkArtifact } from '../../src/nlu/artifact.js';
import { FEATURE_TABLE, WIDE_TABLE } from '../../src/nlu/model.js';
import { createNluEngine } from '../../src/nlu/runtime.js';
import { example, TINY, toyExamples, trainToy } from './toy.js';
import { train } from '../../src/train/trainer.js';
import type { Example } from '../../src/data/example.js';

describe('joint model training', () => {
  it('learns a toy set to 100% (intents and exact entity spans) within seconds', async () => {
    const started = Date.now();
    const { artifact } = await trainToy();
    expect(Date.now() - started).toBeLessThan(15_000);

    const engine = await createNluEngine(artifact);
    const data = toyExamples();
    const predictions = await engine.predictBatch(data.map((e) => e.text));
    predictions.forEach((prediction, i) => {
      expect(prediction.ranking[0].name, data[i].text).toBe(data[i].intent);
      const spans = prediction.entities.map((e) => [e.type, e.start, e.end]);
      expect(spans, data[i].text).toEqual(data[i].entities.map((e) => [e.type, e.start, e.end]));
    });
    // An unseen order id in a known phrasing: the n-grams and shapes generalise.
    const unseen = await engine.predict('where is my order Z9999');
    expect(unseen.intent.name).toBe('order_status');
    expect(unseen.entities).toMatchObject([
      { type: 'order_id', value: 'Z9999', start: 18, end: 23 },
    ]);
    await engine.release();
  });

  it('gives bit-identical weights for the same seed, and different ones for another seed', async () => {
    const a = await trainToy({ training: { epochs: 4 } });
    const b = await trainToy({ training: { epochs: 4 } });
    const c = await trainToy({ training: { epochs: 4, seed: 8 } });
    expect(Buffer.from(a.artifact.onnx).equals(Buffer.from(b.artifact.onnx))).toBe(true);
    expect(a.artifact.manifest.onnx.sha256).toBe(b.artifact.manifest.onnx.sha256);
    expect(a.artifact.manifest.onnx.sha256).not.toBe(c.artifact.manifest.onnx.sha256);
  });
});

describe('model options', () => {
  it('learns the toy set with mean pooling, the wide intent path and a local window too', async () => {
    // "hi" is two rows (__CLS__ and one token), fewer than the window reaches on either side
    const { artifact } = await trainToy({
      model: {
        hidden: 32,
        layers: 1,
        heads: 2,
        ffn: 64,
        intentPooling: 'cls+mean',
        wideIntent: true,
        localWindow: 2,
      },
    });
    const loaded = checkArtifact(artifact);
    expect(loaded.weights.get('intent.head.w')?.dims).toEqual([64, 4]);
    expect(loaded.weights.get(WIDE_TABLE)?.dims).toEqual([loaded.featurizer.featureCount, 4]);

    const engine = await createNluEngine(artifact);
    const data = toyExamples();
    const predictions = await engine.predictBatch(data.map((e) => e.text));
    expect(predictions.map((p) => p.ranking[0].name)).toEqual(data.map((e) => e.intent));
    await engine.release();
  });

  it('exports the padding row of the feature tables as zeros', async () => {
    const { artifact } = await trainToy({
      training: { epochs: 2 },
      model: { hidden: 32, layers: 1, heads: 2, ffn: 64, wideIntent: true },
    });
    const { weights } = checkArtifact(artifact);
    const table = weights.get(FEATURE_TABLE)!;
    expect(Array.from(table.data.subarray(0, 32)).every((v) => v === 0)).toBe(true);
    expect(Array.from(table.data.subarray(32, 64)).some((v) => v !== 0)).toBe(true);
    const wide = weights.get(WIDE_TABLE)!;
    expect(Array.from(wide.data.subarray(0, 4)).every((v) => v === 0)).toBe(true);
  });

  it('reads the neighbouring words through the local window when the encoder is off', async () => {
    // The same city is the origin after "from" and the destination after "to", at varying
    // positions: without attention and without the window, a token's tag can only come from
    // its own features and position, which do not tell the two apart.
    const trips = tripExamples();
    const options = (localWindow: 0 | 1 | 2) => ({
      ...TINY,
      train: trips,
      model: { hidden: 32, layers: 0, heads: 2, ffn: 64, localWindow, dropout: 0 },
      training: { ...TINY.training, epochs: 40 },
    });
    const spanAccuracy = async (localWindow: 0 | 1 | 2) => {
      const engine = await createNluEngine((await train(options(localWindow))).artifact);
      const predictions = await engine.predictBatch(trips.map((e) => e.text));
      await engine.release();
      const right = predictions.filter((p, i) =>
        sameSpans(
          p.entities.map((e) => [e.type, e.start, e.end]),
          trips[i].entities.map((e) => [e.type, e.start, e.end]),
        ),
      );
      return right.length / trips.length;
    };
    expect(await spanAccuracy(1)).toBe(1);
    expect(await spanAccuracy(2)).toBe(1);
    expect(await spanAccuracy(0)).toBeLessThan(0.8);
  });

  it('reads two words away when the tag head reads neighbouring rows (tagWindow)', async () => {
    // "from sunny boston": the word that gives the role is two before the city, beyond a
    // radius-1 window alone; the tag window reads the neighbours' windowed rows, so it reaches.
    const trips = describedTrips();
    const spanAccuracy = async (tagWindow: boolean) => {
      const { artifact } = await train({
        ...TINY,
        train: trips,
        model: { hidden: 32, layers: 0, heads: 2, ffn: 64, localWindow: 1, tagWindow, dropout: 0 },
        training: { ...TINY.training, epochs: 40 },
      });
      const engine = await createNluEngine(artifact);
      const predictions = await engine.predictBatch(trips.map((e) => e.text));
      await engine.release();
      const spans = (entities: Example['entities']) =>
        entities.map((e) => [e.type, e.start, e.end]);
      const right = predictions.filter((p, i) =>
        sameSpans(spans(p.entities), spans(trips[i].entities)),
      );
      return right.length / trips.length;
    };
    expect(await spanAccuracy(true)).toBe(1);
    expect(await spanAccuracy(false)).toBeLessThan(0.8);
  });

  it('learns intents from the words around a value when entity swapping is on', async () => {
    // Each city comes with one intent only, and half the phrasings ("X please") say nothing
    // else: without swapping the model answers by the city; swapping cities between examples
    // leaves "flight" and "weather" as what tells the intents apart.
    const { train: data, crossed } = confoundedCities();
    const accuracyOnCrossed = async (entitySwap: number) => {
      const { artifact } = await train({
        ...TINY,
        train: data,
        training: { ...TINY.training, entitySwap },
      });
      const engine = await createNluEngine(artifact);
      const predictions = await engine.predictBatch(crossed.map((e) => e.text));
      await engine.release();
      const right = predictions.filter((p, i) => p.ranking[0].name === crossed[i].intent);
      return right.length / crossed.length;
    };
    expect(await accuracyOnCrossed(0.5)).toBe(1);
    expect(await accuracyOnCrossed(0)).toBeLessThan(0.5);
  });

  it('refuses a tag window without a local window', async () => {
    await expect(
      trainToy({ model: { ...TINY.model, localWindow: 0, tagWindow: true } }),
    ).rejects.toThrow(/tagWindow needs a model.localWindow/);
  });
});

function sameSpans(a: unknown[], b: unknown[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function tripExamples(): Example[] {
  const cities = ['boston', 'denver', 'dallas', 'atlanta', 'seattle', 'miami'];
  const data: Example[] = [];
  cities.forEach((a, i) => {
    const b = cities[(i + 1) % cities.length];
    data.push(
      example(`from ${a} to ${b}`, 'flight', [
        ['from', a],
        ['to', b],
      ]),
    );
    data.push(
      example(`to ${b} from ${a}`, 'flight', [
        ['to', b],
        ['from', a],
      ]),
    );
    data.push(
      example(`a flight to ${b} from ${a} please`, 'flight', [
        ['to', b],
        ['from', a],
      ]),
    );
    data.push(
      example(`a flight from ${a} to ${b} please`, 'flight', [
        ['from', a],
        ['to', b],
      ]),
    );
  });
  return data;
}

/**
 * Flight requests name only boston, denver and dallas, weather questions only paris, rome and
 * oslo; `crossed` asks about the other intent's cities ("paris flight", "weather boston").
 */
function confoundedCities(): { train: Example[]; crossed: Example[] } {
  const phrasings = {
    flight: ['X flight', 'flight X', 'X please', 'X tomorrow', 'X now'],
    weather: ['X weather', 'weather X', 'X please', 'X tomorrow', 'X now'],
  };
  const cities = { flight: ['boston', 'denver', 'dallas'], weather: ['paris', 'rome', 'oslo'] };
  const other = { flight: cities.weather, weather: cities.flight };
  const build = (intent: 'flight' | 'weather', names: string[], templates: string[]) =>
    names.flatMap((city) =>
      templates.map((t) => example(t.replace('X', city), intent, [['city', city]])),
    );
  return {
    train: [
      ...build('flight', cities.flight, phrasings.flight),
      ...build('weather', cities.weather, phrasings.weather),
    ],
    crossed: [
      ...build('flight', other.flight, phrasings.flight.slice(0, 2)),
      ...build('weather', other.weather, phrasings.weather.slice(0, 2)),
    ],
  };
}

/**
 * "from sunny boston" and "to sunny boston": the same describing words and cities in the same
 * places, so only the word two before the city tells its role.
 */
function describedTrips(): Example[] {
  const cities = ['boston', 'denver', 'dallas', 'atlanta', 'seattle', 'miami'];
  const words = ['sunny', 'rainy', 'old', 'big'];
  return cities.flatMap((city) =>
    words.flatMap((word) =>
      ['from', 'to'].map((role) => example(`${role} ${word} ${city}`, 'flight', [[role, city]])),
    ),
  );
}
