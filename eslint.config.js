// @ts-check
import { builtinModules } from "node:module";
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/**
 * The layering of DESIGN.md section 2, enforced here rather than by review.
 * Each entry: the folder under src/ and the sibling folders it may import.
 */
const LAYERS = {
  core: [],
  // Small helpers with I/O that every other layer may use (make-folder.ts).
  shared: [],
  collectors: ["core", "shared"],
  actions: ["core", "shared"],
  formats: ["core", "shared"],
  scan: ["core", "shared", "collectors", "actions"],
  store: ["core", "shared"],
  server: ["core", "shared", "store", "formats"],
  agent: ["core", "shared", "scan", "server"],
  cli: null, // the composition root may import everything
};
const ALL = Object.keys(LAYERS);

const nodeBuiltins = builtinModules.filter((m) => !m.startsWith("_"));

/** @returns {import("eslint").Linter.Config[]} */
export function layerRules() {
  return Object.entries(LAYERS)
    .filter(([, allowed]) => allowed !== null)
    .map(([layer, allowed]) => {
      const forbidden = ALL.filter((l) => l !== layer && !(allowed ?? []).includes(l));
      /** @type {any[]} */
      const patterns = [
        {
          regex: `^(\\.\\./)+(${forbidden.join("|")})(/|$)`,
          message: `src/${layer} may import only: ${(allowed ?? []).join(", ") || "nothing else of ours"} (DESIGN.md section 2)`,
        },
      ];
      if (layer === "core") {
        patterns.push({
          regex: `^(node:.*|(${nodeBuiltins.map((m) => m.replace(/[/]/g, "\\/")).join("|")})(/.*)?)$`,
          message: "src/core is pure logic: no node:* imports (DESIGN.md section 2)",
        });
      }
      return {
        files: [`src/${layer}/**/*.ts`],
        ignores: ["src/**/*.test.ts"],
        rules: { "no-restricted-imports": ["error", { patterns }] },
      };
    });
}

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", "bench/.work/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["src/**/*.ts"],
    ignores: ["src/**/*.test.ts", "src/**/_test*.ts", "src/**/_testdata/**", "src/shared/make-folder.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: "CallExpression[callee.name=/^mkdir(Sync)?$/] Property[key.name='recursive'][value.value=true]",
          message: "Node's recursive mkdir never returns in /proc: use makeFolderSync (src/shared/make-folder.ts)",
        },
      ],
    },
  },
  {
    files: ["**/*.js"],
    ...tseslint.configs.disableTypeChecked,
  },
  ...layerRules(),
);
