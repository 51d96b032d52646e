/**
 * Bundles the `iocscan` command line with esbuild into dist/bin/: `iocscan-cli.cjs`, the whole CLI
 * (src/cli/bundle-entry.ts) as one CommonJS file, and `iocscan.cjs`, its launcher (src/cli/bin.ts,
 * CommonJS too: node starts its ES module loader only for an ES module entry).
 *
 *   npx tsx scripts/bundle-cli.ts [--emit-root DIR] [--package-root DIR] [--out-dir DIR]
 *
 * run by `npm run build` after tsc has written dist/ (defaults: dist/, the repository, dist/bin/).
 *
 * Why a bundle: node loads an ES module graph file by file. The per-file emit of tsc makes a scan
 * load about 500 modules (kysely, zod, hono, our own ~140), about 1 s of CPU before the first file
 * is looked at (BENCHMARKS.md, "Fixed cost and IOC loading"). Why CommonJS, one file: the launcher
 * runs it with V8's code cache (src/cli/code-cache.ts), which Node.js 20 offers only for scripts,
 * not for ES modules; modules only some commands use (the server, the agent) are compiled
 * lazily, when first called, so the other commands do not pay for them.
 *
 * What stays outside the bundle, loaded from node_modules at run time:
 * - native addons (re2; better-sqlite3's compiled addon, which src/store/sqlite/_open.ts names by
 *   path, while the package's JavaScript is bundled) and pg's optional native binding;
 * - files located at run time with `new URL("relative", import.meta.url)` (package.json, the web
 *   console): the relative path is rewritten to point from the bundle to the same file of the
 *   per-file emit (dist/ for a source under src/, the package root for anything else).
 *
 * The type-checked per-file emit of tsc stays in dist/ for the library entry (`main`).
 *
 * @module
 */
import { readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build, type BuildOptions, type Metafile, type Plugin } from "esbuild";

/** Packages that cannot be bundled: native addons and optional native bindings. */
export const EXTERNAL_PACKAGES = ["re2", "pg-native"];

/** Where the parts of a build are. */
export interface BundleLayout {
  /** The repository (its src/ is bundled). */
  readonly repo: string;
  /** The per-file emit of src/ (dist/ for `npm run build`). */
  readonly emitRoot: string;
  /** The package root next to the emit (holds package.json and node_modules). */
  readonly packageRoot: string;
  /** The folder the bundle is written to; its entry is `iocscan.cjs`. */
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
          // A folder's URL keeps its trailing slash: files are resolved against it.
          if (target.endsWith("/") && !fromBundle.endsWith("/")) fromBundle += "/";
          return `new URL(${quote}${fromBundle}${quote}, import.meta.url)`;
        });
        return { contents, loader: "ts" };
      });
    },
  };
}

/** The CommonJS bundle's name of `import.meta.url` (the bundle's own URL, set by its banner). */
const BUNDLE_URL = "__iocscanBundleUrl";
/** The same for the launcher. */
const LAUNCHER_URL = "__iocscanLauncherUrl";

/**
 * Writes the bundle and its launcher to `layout.outDir`; resolves to esbuild's metafile of the
 * bundle (inputs per output).
 */
export async function bundleCli(layout: BundleLayout): Promise<Metafile> {
  const common: BuildOptions = { bundle: true, platform: "node", target: "node20", plugins: [runtimeUrls(layout)], legalComments: "linked", logLevel: "warning" };
  const result = await build({
    ...common,
    entryPoints: [join(layout.repo, "src/cli/bundle-entry.ts")],
    outfile: join(layout.outDir, "iocscan-cli.cjs"),
    format: "cjs",
    external: EXTERNAL_PACKAGES,
    // Every module sees the bundle's URL as its own: run-time URLs were rewritten relative to it.
    define: { "import.meta.url": BUNDLE_URL },
    banner: { js: `const ${BUNDLE_URL} = require("node:url").pathToFileURL(__filename).href;` },
    metafile: true,
  });
  await asciiOnly(join(layout.outDir, "iocscan-cli.cjs"));
  await build({
    ...common,
    entryPoints: [join(layout.repo, "src/cli/bin.ts")],
    outfile: join(layout.outDir, "iocscan.cjs"),
    format: "cjs",
    define: { "import.meta.url": LAUNCHER_URL },
    banner: { js: `const ${LAUNCHER_URL} = require("node:url").pathToFileURL(__filename).href;` },
  });
  // The ES module launcher of earlier builds.
  await rm(join(layout.outDir, "iocscan.js"), { force: true });
  if (result.metafile === undefined) throw new Error("esbuild wrote no metafile");
  return result.metafile;
}

/**
 * Rewrites the characters beyond ASCII in `file` as \u escapes (esbuild escapes those of strings
 * and names, not those of comments): the launcher reads an ASCII bundle as latin1, a copy of its
 * bytes, three times faster than decoding UTF-8 (src/cli/code-cache.ts).
 */
async function asciiOnly(file: string): Promise<void> {
  const text = await readFile(file, "utf8");
  // eslint-disable-next-line no-control-regex
  const ascii = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  if (ascii !== text) await writeFile(file, ascii);
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
  const bytes = Object.entries(metafile.outputs).reduce((sum, [file, output]) => sum + (file.endsWith(".cjs") ? output.bytes : 0), 0);
  process.stdout.write(`bundled the CLI into ${join(layout.outDir, "iocscan-cli.cjs")} (${(bytes / 1e6).toFixed(1)} MB), launched by ${join(layout.outDir, "iocscan.cjs")}\n`);
}
