/**
 * Bundles the `iocscan` command line (src/cli/main.ts) with esbuild into dist/bin/: one ES module
 * for what every command loads, plus one chunk per `await import()` (code splitting), so that a
 * command loads only the code it runs.
 *
 *   npx tsx scripts/bundle-cli.ts [--emit-root DIR] [--package-root DIR] [--out-dir DIR]
 *
 * run by `npm run build` after tsc has written dist/ (defaults: dist/, the repository, dist/bin/).
 *
 * Why: node loads an ES module graph file by file. The per-file emit of tsc makes a scan load
 * about 500 modules (kysely, zod, hono, our own ~140), about 1 s of CPU before the first file
 * is looked at. One bundle costs a fraction of that (BENCHMARKS.md, "Fixed cost and IOC loading").
 *
 * What stays outside the bundle, loaded from node_modules at run time:
 * - native addons (re2, better-sqlite3) and pg's optional native binding;
 * - files located at run time with `new URL("relative", import.meta.url)` (package.json, worker
 *   entry files): the relative path is rewritten to point from the bundle to the same file of the
 *   per-file emit (dist/ for a source under src/, the package root for anything else), so a worker
 *   started from a file keeps working.
 *
 * The type-checked per-file emit of tsc stays in dist/ for the library entry (`main`).
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build, type Metafile, type Plugin } from "esbuild";

/** Packages that cannot be bundled: native addons and optional native bindings. */
export const EXTERNAL_PACKAGES = ["re2", "better-sqlite3", "pg-native"];

/** Where the parts of a build are. */
export interface BundleLayout {
  /** The repository (its src/ is bundled). */
  readonly repo: string;
  /** The per-file emit of src/ (dist/ for `npm run build`). */
  readonly emitRoot: string;
  /** The package root next to the emit (holds package.json and node_modules). */
  readonly packageRoot: string;
  /** The folder the bundle is written to; its entry is `iocscan.js`. */
  readonly outDir: string;
}

/** `new URL("./x", import.meta.url)` with a literal relative path. */
const RELATIVE_URL = /new URL\(\s*(["'])(\.\.?\/[^"']+)\1\s*,\s*import\.meta\.url\s*\)/g;

/** Rewrites relative run-time URLs of sources under src/ to where the file is beside the bundle. */
function runtimeUrls(layout: BundleLayout): Plugin {
  const srcRoot = join(layout.repo, "src");
  return {
    name: "runtime-urls",
    setup(context) {
      context.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (!args.path.startsWith(srcRoot + sep)) return undefined;
        const source = await readFile(args.path, "utf8");
        if (!source.includes("import.meta.url")) return { contents: source, loader: "ts" };
        const contents = source.replace(RELATIVE_URL, (_whole, quote: string, target: string) => {
          const absolute = resolve(dirname(args.path), target);
          const shipped = absolute.startsWith(srcRoot + sep)
            ? join(layout.emitRoot, relative(srcRoot, absolute))
            : join(layout.packageRoot, relative(layout.repo, absolute));
          let fromBundle = relative(layout.outDir, shipped).split(sep).join("/");
          if (!fromBundle.startsWith(".")) fromBundle = `./${fromBundle}`;
          return `new URL(${quote}${fromBundle}${quote}, import.meta.url)`;
        });
        return { contents, loader: "ts" };
      });
    },
  };
}

/**
 * Writes the bundle to `layout.outDir`; resolves to esbuild's metafile (inputs per output).
 * Bundled CommonJS packages call `require` for node's built-ins: the banner gives them one.
 */
export async function bundleCli(layout: BundleLayout): Promise<Metafile> {
  const result = await build({
    entryPoints: { iocscan: join(layout.repo, "src/cli/main.ts") },
    outdir: layout.outDir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    external: EXTERNAL_PACKAGES,
    plugins: [runtimeUrls(layout)],
    banner: { js: `import { createRequire as __iocscanCreateRequire } from "node:module";\nconst require = __iocscanCreateRequire(import.meta.url);` },
    // Every chunk beside the entry: a rewritten run-time URL is relative to that one folder.
    chunkNames: "iocscan-[name]-[hash]",
    legalComments: "linked",
    metafile: true,
    logLevel: "warning",
  });
  return result.metafile;
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const repo = fileURLToPath(new URL("../", import.meta.url));
  // The benchmarks bundle a scanner of their own, from a per-file emit in a temp folder.
  const { values } = parseArgs({ options: { "emit-root": { type: "string" }, "package-root": { type: "string" }, "out-dir": { type: "string" } } });
  const layout: BundleLayout = {
    repo,
    emitRoot: resolve(values["emit-root"] ?? join(repo, "dist")),
    packageRoot: resolve(values["package-root"] ?? repo),
    outDir: resolve(values["out-dir"] ?? join(repo, "dist/bin")),
  };
  const metafile = await bundleCli(layout);
  const outputs = Object.entries(metafile.outputs).filter(([file]) => file.endsWith(".js"));
  const bytes = outputs.reduce((sum, [, output]) => sum + output.bytes, 0);
  process.stdout.write(`bundled src/cli/main.ts into ${join(layout.outDir, "iocscan.js")} and ${outputs.length - 1} chunk(s), ${(bytes / 1e6).toFixed(1)} MB\n`);
}
