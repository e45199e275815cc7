// Benchmark: wall time of a cold offline render of the prod stack (a fresh node process
// running scripts/render.ts, policies included) against a fresh node process that only
// does `require('@pulumi/kubernetes')`, in the same run. Prints figures; asserts nothing.
//   node -r ts-node/register/transpile-only scripts/bench-render.ts [runs]
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");
const runs = Number(process.argv[2] ?? 3);
const out = fs.mkdtempSync(path.join(os.tmpdir(), "goship-bench-"));

function time(args: string[]): number {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8" });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
    return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// `npm run render`'s loader (engine/sucrase.js: sucrase, its output cached per file). One untimed
// render first, so the timed ones find the cache warm, as every render after a user's first does.
const RENDER = ["-r", "./engine/sucrase.js", "scripts/render.ts", "--stack", "prod", "--out", out];
time(RENDER);
const bare: number[] = [];
const render: number[] = [];
for (let i = 0; i < runs; i++) {
    // Alternate the two so machine noise hits both alike.
    bare.push(time(["-e", "require('@pulumi/kubernetes')"]));
    render.push(time(RENDER));
}
fs.rmSync(out, { recursive: true, force: true });
const b = median(bare), r = median(render);
console.log(`bare require('@pulumi/kubernetes'): median ${b.toFixed(0)} ms  (runs: ${bare.map((x) => x.toFixed(0)).join(", ")})`);
console.log(`render --stack prod (cold process, warm transpile cache):  median ${r.toFixed(0)} ms  (runs: ${render.map((x) => x.toFixed(0)).join(", ")})`);
console.log(`ratio render / bare require: ${(r / b).toFixed(2)}x   (target ≤ 1.5x, ≤ 3 s cold)`);
