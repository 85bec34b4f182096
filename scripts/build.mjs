// `npm run build`: compiles Sluice to plain JavaScript in dist/ (what `npm start` runs: no TypeScript loader in
// the process, ~95 MB less memory than running the sources under tsx). Type checking is `npm run typecheck`'s job.
// `node scripts/build.mjs bench/tsconfig.json` builds the benchmarks' child processes the same way.
import { execFileSync } from "node:child_process";
import { cpSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const project = join(root, process.argv[2] ?? "tsconfig.build.json");
const outDir = join(dirname(project), JSON.parse(readFileSync(project, "utf8")).compilerOptions.outDir);

rmSync(outDir, { recursive: true, force: true });
execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", project], { cwd: root, stdio: "inherit" });

// Files the code reads next to itself (SQL, the sandbox page's assets and config) and the store's migrations.
const assets = (dir) =>
  readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.endsWith(".ts"))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
for (const file of [...assets("src"), ...assets("prisma/migrations")]) cpSync(join(root, file), join(outDir, file));
