import { ESLint } from "eslint";
import tseslint from "typescript-eslint";
import { describe, expect, it } from "vitest";
import { layerRules } from "../eslint.config.js";

// Only the layering rules, with the TypeScript parser but no type information, so a probe text
// can be linted as if it lived at any path under src/ without creating the file.
const eslint = new ESLint({
  cwd: new URL("..", import.meta.url).pathname,
  overrideConfigFile: true,
  overrideConfig: [{ files: ["**/*.ts"], languageOptions: { parser: tseslint.parser } }, ...layerRules()],
});

async function violations(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.message);
}

describe("the layering of DESIGN.md section 2 is enforced by lint", () => {
  it("core may not import node built-ins, with or without the node: prefix", async () => {
    expect(await violations("src/core/ioc/probe.ts", 'import { readFileSync } from "node:fs";\n')).toEqual([
      "'node:fs' import is restricted from being used by a pattern. src/core is pure logic: no node:* imports (DESIGN.md section 2)",
    ]);
    expect(await violations("src/core/ioc/probe.ts", 'import { join } from "path";\n')).toHaveLength(1);
  });

  it("core may not import other layers, but may import itself and npm packages", async () => {
    expect(await violations("src/core/ioc/probe.ts", 'import { x } from "../../scan/load-iocs.js";\n')).toEqual([
      "'../../scan/load-iocs.js' import is restricted from being used by a pattern. src/core may import only: nothing else of ours (DESIGN.md section 2)",
    ]);
    expect(await violations("src/core/ioc/probe.ts", 'import { x } from "../vocabulary/index.js";\nimport { SaxesParser } from "saxes";\n')).toEqual([]);
  });

  it("each layer may import only the layers DESIGN.md allows", async () => {
    expect(await violations("src/formats/probe.ts", 'import { x } from "../scan/load-iocs.js";\n')).toHaveLength(1);
    expect(await violations("src/formats/probe.ts", 'import { x } from "../core/ioc/index.js";\nimport { readFile } from "node:fs/promises";\n')).toEqual([]);
    expect(await violations("src/store/probe.ts", 'import { x } from "../server/app.js";\n')).toHaveLength(1);
    expect(await violations("src/scan/probe.ts", 'import { x } from "../collectors/file/index.js";\n')).toEqual([]);
    expect(await violations("src/agent/probe.ts", 'import { x } from "../store/index.js";\n')).toHaveLength(1);
  });

  it("the CLI, as the composition root, may import every layer", async () => {
    expect(await violations("src/cli/probe.ts", 'import { a } from "../server/app.js";\nimport { b } from "../store/index.js";\n')).toEqual([]);
  });
});
