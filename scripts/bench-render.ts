// Benchmark: the offline render of the prod stack (a fresh node process running
// scripts/render.ts, policies included) against a fresh node process that only does
// `require('@pulumi/kubernetes')`, side by side in the same run, wall and CPU of the whole
// processes. The render runs twice a round: with its transpile cache warm (every render after a
// user's first) and cold (an empty cache of its own, as a fresh clone's first render or CI's).
// Prints figures; asserts nothing. npm run bench:engine prints the same lines after its own.
//   npm run bench:render -- [rounds]        (default 3)
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { goal, median, ProcessTime, processRow, timeProcess } from "./bench-process";

export interface RenderBench { bare: ProcessTime[]; warm: ProcessTime[]; cold: ProcessTime[] }

/** Runs the render and the bare require `rounds` times each, alternating so noise hits all alike. */
export function benchRender(rounds: number): RenderBench {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "goship-bench-render-"));
    // `npm run render`'s loader (engine/sucrase.js: sucrase, its output cached per file).
    const render = ["-r", "./engine/sucrase.js", "scripts/render.ts", "--stack", "prod", "--out", out];
    try {
        timeProcess(process.execPath, render); // untimed: fills the shared cache for the warm runs
        const r: RenderBench = { bare: [], warm: [], cold: [] };
        for (let i = 0; i < rounds; i++) {
            r.bare.push(timeProcess(process.execPath, ["-e", "require('@pulumi/kubernetes')"]));
            r.warm.push(timeProcess(process.execPath, render));
            // Cold: engine/cache.js honours GOSHIP_CACHE_DIR; an empty one per run, so the
            // shared node_modules/.cache is never emptied under anyone else's feet.
            const cache = fs.mkdtempSync(path.join(os.tmpdir(), "goship-bench-cache-"));
            try {
                r.cold.push(timeProcess(process.execPath, render, { env: { GOSHIP_CACHE_DIR: cache } }));
            } finally {
                fs.rmSync(cache, { recursive: true, force: true });
            }
        }
        return r;
    } finally {
        fs.rmSync(out, { recursive: true, force: true });
    }
}

/**
 * The rows and four ratio lines: warm and cold, each in wall time (what a user waits for) and in
 * CPU time (steadier on a shared machine, where other work stretches wall times unevenly).
 */
export function renderReport(r: RenderBench): string[] {
    const wall = (xs: ProcessTime[]) => median(xs.map((x) => x.wallMs));
    const cpu = (xs: ProcessTime[]) => median(xs.map((x) => x.cpuMs));
    return [
        processRow("bare require('@pulumi/kubernetes')", r.bare),
        processRow("render --stack prod, warm transpile cache", r.warm),
        processRow("render --stack prod, cold transpile cache", r.cold),
        goal("render prod / bare require, warm cache, wall", wall(r.warm) / wall(r.bare), 1.5),
        goal("render prod / bare require, warm cache, CPU", cpu(r.warm) / cpu(r.bare), 1.5),
        goal("render prod / bare require, cold cache, wall", wall(r.cold) / wall(r.bare), 1.5),
        goal("render prod / bare require, cold cache, CPU", cpu(r.cold) / cpu(r.bare), 1.5),
    ];
}

if (require.main === module) {
    const rounds = Number(process.argv[2] ?? 3);
    if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`rounds must be a positive integer (got ${process.argv[2]})`);
    for (const line of renderReport(benchRender(rounds))) console.log(line);
}
