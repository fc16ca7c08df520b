/**
 * TensorFlow.js as a benchmark peer (cpu and wasm backends; tfjs-node cannot be installed here).
 */
import path from "node:path";
import { createRequire } from "node:module";
import type { DenseTensor } from "../../src/index.js";
import { time, type Timing } from "../harness.js";

type Tf = typeof import("@tensorflow/tfjs");
/** A tfjs tensor. */
export type TfTensor = import("@tensorflow/tfjs").Tensor;

let loaded: Tf | undefined;

/** Loads tfjs with the wasm backend registered; silences its Node banner. */
export async function loadTf(): Promise<Tf> {
  if (loaded) return loaded;
  const log = console.log;
  console.log = () => {};
  try {
    const tf = await import("@tensorflow/tfjs");
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    const require = createRequire(import.meta.url);
    const dist = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json"));
    wasm.setWasmPaths(path.join(dist, "dist") + path.sep);
    loaded = tf;
    return tf;
  } finally {
    console.log = log;
  }
}

/** Switches tfjs to `backend` ("cpu" or "wasm"). */
export async function useBackend(tf: Tf, backend: "cpu" | "wasm"): Promise<void> {
  const log = console.log;
  console.log = () => {};
  try {
    await tf.setBackend(backend);
    await tf.ready();
  } finally {
    console.log = log;
  }
}

/** Copies one of our tensors into tfjs (float32; tfjs has no float64). */
export function toTf(tf: Tf, x: DenseTensor): TfTensor {
  return tf.tensor(Float32Array.from(x.toTypedArray()), [...x.shape], "float32");
}

/** Times `fn` (which returns a tfjs tensor), waiting for its data and disposing intermediates. */
export async function timeTf(tf: Tf, fn: () => TfTensor, repeats = 5): Promise<Timing> {
  return time(
    async () => {
      const out = tf.tidy(fn);
      await out.data();
      out.dispose();
    },
    repeats,
    2,
  );
}
