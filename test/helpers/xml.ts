/**
 * A small strict XML parser for the SVG the project writes: elements, attributes (quoted, no raw
 * `<` or bare `&`), text, comments, one root. Throws on anything not well-formed; returns the tree.
 */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** Concatenated text directly inside the element, entities decoded. */
  text: string;
}

const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;

function decode(raw: string, where: string): string {
  if (/&/.test(raw.replace(ENTITY, ""))) throw new Error(`bare & in ${where}: ${raw.slice(0, 60)}`);
  return raw
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#x([0-9a-fA-F]+);/g, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, "&");
}

/** Parses an XML document; throws with the reason when it is not well formed. */
export function parseXml(source: string): XmlElement {
  let i = 0;
  const s = source.replace(/^<\?xml[^?]*\?>/, "");
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (i < s.length) {
    if (s.startsWith("<!--", i)) {
      const end = s.indexOf("-->", i + 4);
      if (end < 0) throw new Error("unclosed comment");
      i = end + 3;
    } else if (s.startsWith("</", i)) {
      const m = /^<\/([A-Za-z_][\w:.-]*)\s*>/.exec(s.slice(i));
      if (!m) throw new Error(`bad end tag at ${i}`);
      const open = stack.pop();
      if (!open || open.name !== m[1]) throw new Error(`end tag </${m[1]}> does not close <${open?.name ?? "nothing"}>`);
      i += m[0].length;
    } else if (s[i] === "<") {
      const m = /^<([A-Za-z_][\w:.-]*)((?:\s+[A-Za-z_][\w:.-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/.exec(s.slice(i));
      if (!m) throw new Error(`bad start tag at ${i}: ${s.slice(i, i + 60)}`);
      const attributes: Record<string, string> = {};
      for (const a of m[2]!.matchAll(/([A-Za-z_][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        if (a[1]! in attributes) throw new Error(`attribute ${a[1]} repeated on <${m[1]}>`);
        attributes[a[1]!] = decode(a[2] ?? a[3] ?? "", `attribute ${a[1]}`);
      }
      const el: XmlElement = { name: m[1]!, attributes, children: [], text: "" };
      if (stack.length > 0) stack[stack.length - 1]!.children.push(el);
      else if (root) throw new Error("more than one root element");
      else root = el;
      if (!m[3]) stack.push(el);
      i += m[0].length;
    } else {
      const end = s.indexOf("<", i);
      const raw = s.slice(i, end < 0 ? s.length : end);
      if (stack.length === 0) {
        if (raw.trim() !== "") throw new Error(`text outside the root: ${raw.trim().slice(0, 40)}`);
      } else stack[stack.length - 1]!.text += decode(raw, `text of <${stack[stack.length - 1]!.name}>`);
      i = end < 0 ? s.length : end;
    }
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (!root) throw new Error("no root element");
  return root;
}

/** Every element of a tree, depth first. */
export function elements(root: XmlElement): XmlElement[] {
  return [root, ...root.children.flatMap(elements)];
}
