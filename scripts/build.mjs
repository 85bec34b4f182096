// `npm run build`: compiles Sluice to plain JavaScript in dist/ (what `npm start` runs: no TypeScript loader in
// the process, ~95 MB less memory than running the sources under tsx). Type checking is `npm run typecheck`'s job.
// `node scripts/build.mjs bench/tsconfig.json` builds the benchmarks' child processes the same way.
// `--if-stale` (npm start's prestart) skips the build when dist/ was built from exactly the current inputs: a hash of
// every input file's path and content is kept in dist/.build-inputs, so a checkout, an edit or a new file rebuilds.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const ifStale = args.includes("--if-stale");
const project = join(root, args.find((arg) => !arg.startsWith("--")) ?? "tsconfig.build.json");
const outDir = join(dirname(project), JSON.parse(readFileSync(project, "utf8")).compilerOptions.outDir);
const stampFile = join(outDir, ".build-inputs");

const filesUnder = (dir) =>
  readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));

/** What the build reads: the sources, the migrations, the compiler settings and this script. */
function inputsHash() {
  const files = [...filesUnder("src"), ...filesUnder("prisma/migrations"), relative(root, project), "tsconfig.json", "package-lock.json", "scripts/build.mjs"].sort();
  const hash = createHash("sha256");
  for (const file of files) hash.update(`${file}\0`).update(readFileSync(join(root, file))).update("\0");
  return hash.digest("hex");
}

const inputs = inputsHash();
if (ifStale && existsSync(stampFile) && readFileSync(stampFile, "utf8") === inputs) process.exit(0);

rmSync(outDir, { recursive: true, force: true });
execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", project], { cwd: root, stdio: "inherit" });

// Files the code reads next to itself (SQL, the sandbox page's assets and config) and the store's migrations.
const assets = (dir) => filesUnder(dir).filter((file) => !file.endsWith(".ts"));
for (const file of [...assets("src"), ...assets("prisma/migrations")]) cpSync(join(root, file), join(outDir, file));
writeFileSync(stampFile, inputs);
