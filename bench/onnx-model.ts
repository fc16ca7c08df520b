/**
 * A minimal ONNX model writer for the benchmark peers (onnxruntime-node): a graph of MatMul / Mul /
 * Einsum nodes over named float inputs, encoded as protobuf by hand (no onnx package needed).
 */

/** One node of the graph. */
export interface OnnxNode {
  readonly op: "MatMul" | "Mul" | "Einsum" | "Transpose";
  readonly inputs: readonly string[];
  readonly output: string;
  /** Einsum equation. */
  readonly equation?: string;
  /** Transpose permutation. */
  readonly perm?: readonly number[];
}

/** A graph: typed inputs, nodes in order, one output. */
export interface OnnxGraph {
  readonly dtype: "float32" | "float64";
  readonly inputs: readonly { readonly name: string; readonly shape: readonly number[] }[];
  readonly nodes: readonly OnnxNode[];
  readonly output: string;
}

class Writer {
  private readonly bytes: number[] = [];
  varint(v: number): this {
    let x = v;
    while (x >= 0x80) {
      this.bytes.push((x % 128) | 0x80);
      x = Math.floor(x / 128);
    }
    this.bytes.push(x);
    return this;
  }
  key(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }
  int(field: number, v: number): this {
    return this.key(field, 0).varint(v);
  }
  bytesField(field: number, data: Uint8Array | number[]): this {
    this.key(field, 2).varint(data.length);
    for (const b of data) this.bytes.push(b);
    return this;
  }
  str(field: number, s: string): this {
    return this.bytesField(field, new TextEncoder().encode(s));
  }
  msg(field: number, w: Writer): this {
    return this.bytesField(field, w.bytes);
  }
  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

const ELEM = { float32: 1, float64: 11 } as const;

function valueInfo(name: string, shape: readonly number[] | undefined, dtype: "float32" | "float64"): Writer {
  const tensorType = new Writer().int(1, ELEM[dtype]);
  if (shape) {
    const s = new Writer();
    for (const d of shape) s.msg(1, new Writer().int(1, d));
    tensorType.msg(2, s);
  }
  return new Writer().str(1, name).msg(2, new Writer().msg(1, tensorType));
}

/** Serialized ModelProto (IR version 8, default opset 17). */
export function onnxModel(g: OnnxGraph): Uint8Array {
  const graph = new Writer();
  g.nodes.forEach((n, i) => {
    const node = new Writer();
    for (const x of n.inputs) node.str(1, x);
    node.str(2, n.output).str(3, `n${i}`).str(4, n.op);
    // AttributeProto: name=1, s=4, ints=8, type=20 (STRING = 3, INTS = 7)
    if (n.equation !== undefined) node.msg(5, new Writer().str(1, "equation").str(4, n.equation).int(20, 3));
    if (n.perm !== undefined) {
      const a = new Writer().str(1, "perm");
      for (const p of n.perm) a.int(8, p);
      node.msg(5, a.int(20, 7));
    }
    graph.msg(1, node);
  });
  graph.str(2, "bench");
  for (const x of g.inputs) graph.msg(11, valueInfo(x.name, x.shape, g.dtype));
  graph.msg(12, valueInfo(g.output, undefined, g.dtype));
  return new Writer().int(1, 8).msg(8, new Writer().str(1, "").int(2, 17)).msg(7, graph).done();
}
