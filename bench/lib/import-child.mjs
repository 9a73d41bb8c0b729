// Copied into a bench app and run as a fresh `node` process: times `import("@aws-amplify/seed")`
// from inside the app (as a seed script there would), with RSS before and after. With
// `--load-native` it then also loads the package's native binding (what our first call does),
// since our import itself defers that. Prints one JSON line and exits at once (upstream starts
// AWS calls in the background at import; they are not part of the figure).
import { createRequire } from "node:module";
import path from "node:path";

const rssBefore = process.memoryUsage().rss;
const started = performance.now();
await import("@aws-amplify/seed");
const importMs = performance.now() - started;
const rssAfter = process.memoryUsage().rss;

const result = { importMs, rssBefore, rssAfter, rssDelta: rssAfter - rssBefore };
if (process.argv.includes("--load-native")) {
  const require = createRequire(import.meta.url);
  const packageDir = path.dirname(require.resolve("@aws-amplify/seed/package.json"));
  const loadStarted = performance.now();
  require(path.join(packageDir, "loader.cjs")).loadBinding();
  result.loadNativeMs = performance.now() - loadStarted;
  result.rssAfterNative = process.memoryUsage().rss;
  result.rssDeltaWithNative = result.rssAfterNative - rssBefore;
}
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
