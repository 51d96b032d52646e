import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeIocBytes } from "./decode.js";
import { parseSimpleXml } from "./xml-fast.js";
import { parseXmlTree, parseXmlTreeWithSaxes } from "./xml-tree.js";

const LIMITS = { maxDepth: 6 };
function fast(text: string) {
  return parseSimpleXml(text, LIMITS.maxDepth);
}

// Pieces of XML, mostly valid, some not, mixed at random: each document is read by both readers.
const mostly = <T>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<T>): fc.Arbitrary<T> => fc.oneof({ arbitrary: valid, weight: 12 }, { arbitrary: other, weight: 1 });
const name = mostly(fc.constantFrom("ioc", "Indicator", "IndicatorItem", "Content", "a", "a.b-c_1", "x:a"), fc.constantFrom("y:b", "1a", "xmlns:a", "é", ":a", "a:"));
const attributeValue = mostly(
  fc.constantFrom("v", "", "a b", "a\tb\nc", "x &amp; y", "&lt;&gt;&quot;&apos;", "'", ">", "http://example.org/ns"),
  fc.constantFrom("&#65;", "&bad;", "a & b", "http://www.w3.org/2000/xmlns/"),
);
const attribute = mostly(
  fc.tuple(fc.constantFrom("id", "operator", "x:id", "xml:lang", "xmlns", "xmlns:x", "condition"), attributeValue, fc.constantFrom('"', "'")).map(([n, v, q]) => ` ${n}=${q}${v.replace(new RegExp(q, "g"), "")}${q}`),
  fc.constantFrom(' xmlns:y="http://example.org/y"', ' y:id="1"', ' xmlns:xml="x"', ' xmlns:x=""', ' xmlns=""', "a='1'", ' b = "2" ', ' c="<"', ' id="1" id="2"', ' x:id="1" id="2" x:id="3"'),
);
const text = mostly(
  fc.constantFrom("", " ", "\n  ", "hash 0123abcd", "a &amp; b", "&lt;x&gt;", "é \u{1F600}", ">", "<!-- c -->", "<!---->"),
  fc.constantFrom("&#x41;", "]]>", "a\r\nb", "\u0001", "\uD800", "&", "<!-- a -- b -->", "<![CDATA[x]]>", "<?pi x?>"),
);

interface Node {
  name: string;
  attributes: string[];
  children: (Node | string)[];
  selfClose: boolean;
  closeAs: string | undefined;
}
const { tree } = fc.letrec<{ tree: Node; child: Node | string }>((tie) => ({
  tree: fc.record({
    name,
    attributes: fc.array(attribute, { maxLength: 3 }),
    children: fc.array(tie("child"), { maxLength: 3 }),
    selfClose: fc.boolean(),
    closeAs: fc.option(name, { nil: undefined, freq: 40 }),
  }),
  child: fc.oneof({ depthSize: "small" }, text, tie("tree")),
}));

function render(node: Node | string): string {
  if (typeof node === "string") return node;
  const open = `<${node.name}${node.attributes.join("")}`;
  if (node.selfClose && node.children.length === 0) return `${open}/>`;
  return `${open}>${node.children.map(render).join("")}</${node.closeAs ?? node.name}>`;
}

const prologue = mostly(fc.constantFrom("", '<?xml version="1.0" encoding="utf-8"?>\n', "<?xml version='1.0'?>", "<!-- licence -->\n", "  "), fc.constantFrom('<?xml version="1.1"?>', "<!DOCTYPE ioc>", "x"));
const epilogue = mostly(fc.constantFrom("", "\n", "<!-- end -->"), fc.constantFrom("<a/>", "x", "<?pi?>"));

describe("the fast XML reader", () => {
  it("builds the tree saxes builds, or leaves the text to saxes", () => {
    let readFast = 0;
    fc.assert(
      fc.property(prologue, tree, epilogue, (head, root, tail) => {
        // The prefix x is mostly bound (on the root), y never is.
        const xml = head + render({ ...root, attributes: [' xmlns:x="http://example.org/x"', ...root.attributes] }) + tail;
        const reference = parseXmlTreeWithSaxes(xml, LIMITS);
        const quick = fast(xml);
        if (quick) {
          readFast++;
          expect(reference).toEqual({ ok: true, root: quick });
        }
        expect(parseXmlTree(xml, LIMITS)).toEqual(reference);
      }),
      { numRuns: 3000 },
    );
    // The generator must exercise the fast reader, not only its refusals.
    expect(readFast).toBeGreaterThan(150);
  });

  it("reads plain IOC files itself", () => {
    const xml = `<?xml version="1.0" encoding="us-ascii"?>
<ioc xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" id="i-1" last-modified="2013-02-20T21:59:03" xmlns="http://schemas.mandiant.com/2010/ioc">
  <short_description>A &amp; B</short_description>
  <definition>
    <Indicator operator="OR" id="ind-1">
      <!-- a comment -->
      <IndicatorItem id="item-1" condition="is">
        <Context document="FileItem" search="FileItem/Sha256sum" type="mir" />
        <Content type="sha256">0123</Content>
      </IndicatorItem>
    </Indicator>
  </definition>
</ioc>
`;
    const quick = fast(xml);
    expect(quick?.local).toBe("ioc");
    expect(quick?.uri).toBe("http://schemas.mandiant.com/2010/ioc");
    expect(quick?.attributes.get("id")).toBe("i-1");
    expect(quick?.children[0]?.text).toBe("A & B");
    const item = quick?.children[1]?.children[0]?.children[0];
    expect(item?.position).toEqual({ line: 7, column: 7 });
    expect(item?.children[1]?.text).toBe("0123");
    expect({ ok: true, root: quick }).toEqual(parseXmlTreeWithSaxes(xml, LIMITS));
  });

  it("leaves what is outside its subset to saxes", () => {
    for (const xml of ["<a>&#65;</a>", "<!DOCTYPE a><a/>", "<a><![CDATA[x]]></a>", "<a>\r\n</a>", "<a><?pi?></a>", "<a x:b='1'/>", "<a b='1' b='2'/>", "<a></b>", "<a>", "", "<a/><b/>"]) {
      expect(fast(xml), xml).toBeUndefined();
    }
  });

  // The shared corpus of real files (when next to the repository) and our own.
  const corpora = ["../../../test/data", "../../../../shared/corpus/openioc"].map((r) => fileURLToPath(new URL(r, import.meta.url))).filter((r) => existsSync(r));
  it.each(corpora)("agrees with saxes on every IOC file of %s", (root) => {
    const files = (function walk(dir: string): string[] {
      return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : /\.(ioc|xml)$/i.test(e.name) ? [join(dir, e.name)] : []));
    })(root);
    let readFast = 0;
    for (const file of files) {
      const decoded = decodeIocBytes(readFileSync(file));
      if (!decoded.ok) continue;
      const xml = decoded.text;
      const limits = { maxDepth: 100 };
      const reference = parseXmlTreeWithSaxes(xml, limits);
      expect(parseXmlTree(xml, limits), file).toEqual(reference);
      if (parseSimpleXml(xml, 100)) readFast++;
    }
    expect(files.length).toBeGreaterThan(0);
    expect(readFast).toBeGreaterThan(0);
  });
});
