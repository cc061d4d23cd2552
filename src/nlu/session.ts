import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ort from 'onnxruntime-node';
import { ParleyError } from '../core/errors.js';

export type Device = 'cpu' | 'cuda';

export interface SessionOptions {
  device?: Device;
  /** Threads for one operator (ORT's intra-op pool); 0 lets ORT choose. */
  threads?: number;
}

/**
 * Where onnxruntime-node keeps its native libraries. The CUDA provider is an extra shared
 * library that the default npm install does not download (checked against onnxruntime-node
 * 1.30: `ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci` fetches it).
 */
function nativeLibraryFolder(): string {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('onnxruntime-node/package.json'));
  return join(root, 'bin', 'napi-v6', process.platform, process.arch);
}

/** Throws DEVICE_UNAVAILABLE with what to do when `device` cannot run here. */
export function checkDevice(device: Device): void {
  if (device === 'cpu') return;
  const library = join(nativeLibraryFolder(), 'libonnxruntime_providers_cuda.so');
  if (process.platform !== 'linux' || !existsSync(library)) {
    throw new ParleyError(
      'DEVICE_UNAVAILABLE',
      `--device cuda needs the CUDA execution provider of onnxruntime-node, and ${library} is ` +
        'missing. Install it with `ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci` on a machine with ' +
        'CUDA 12 and cuDNN 9, or use --device cpu.',
    );
  }
}

/** An inference session on `device`, with ORT's own logging limited to errors. */
export async function createInferenceSession(
  model: Uint8Array,
  options: SessionOptions = {},
): Promise<ort.InferenceSession> {
  const device = options.device ?? 'cpu';
  checkDevice(device);
  try {
    return await ort.InferenceSession.create(model, {
      executionProviders: [device],
      graphOptimizationLevel: 'all',
      intraOpNumThreads: options.threads ?? 0,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      logSeverityLevel: 3,
      // Flush denormal floats to zero: tiny weights of rarely seen features can be denormal,
      // and x86 computes with them up to 100 times slower. This reaches onnxruntime's pool
      // threads only: a run on one intra-op thread (the engine's default) computes on the
      // calling thread, where it changed nothing (a softmax over subnormal results: 83 against
      // 88 µs), so the graphs themselves avoid producing them (model.ts, FORWARD_PADDING_SCORE).
      extra: { session: { set_denormal_as_zero: '1' } },
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (device === 'cuda') {
      throw new ParleyError(
        'DEVICE_UNAVAILABLE',
        `the CUDA execution provider failed to start: ${reason}`,
        {
          cause: err,
        },
      );
    }
    throw new ParleyError('MODEL_INVALID', `onnxruntime cannot load the model graph: ${reason}`, {
      cause: err,
    });
  }
}
