// Benchmark: the offline render of the prod stack (a fresh node process running
// scripts/render.ts, policies included) against a fresh node process that only does
// `require('@pulumi/kubernetes')`, side by side in the same run, wall and CPU of the whole
// processes. The render runs twice a round: with its transpile cache warm (every render after a
// user's first) and cold (an empty cache of its own, as a fresh clone's first render or CI's).
// Prints figures; asserts nothing. npm run bench:engine prints the same lines after its own.
//   npm run bench:render -- [rounds]        (default 3)
import { goal, inTempDir, medianCpu, medianWall, ProcessTime, processRow, timeProcess } from "./bench-process";

export interface RenderBench { bare: ProcessTime[]; warm: ProcessTime[]; cold: ProcessTime[] }

/** Runs the render and the bare require `rounds` times each, alternating so noise hits all alike. */
export function benchRender(rounds: number): RenderBench {
    return inTempDir("goship-bench-render-", (out) => {
        // `npm run render`'s loader (engine/sucrase.js: sucrase, its output cached per file).
        const render = ["-r", "./engine/sucrase.js", "scripts/render.ts", "--stack", "prod", "--out", out];
        timeProcess(process.execPath, render); // untimed: fills the shared cache for the warm runs
        const r: RenderBench = { bare: [], warm: [], cold: [] };
        for (let i = 0; i < rounds; i++) {
            r.bare.push(timeProcess(process.execPath, ["-e", "require('@pulumi/kubernetes')"]));
            r.warm.push(timeProcess(process.execPath, render));
            // Cold: engine/cache.js honours GOSHIP_CACHE_DIR; an empty one per run, so the
            // shared node_modules/.cache is never emptied under anyone else's feet.
            r.cold.push(inTempDir("goship-bench-cache-", (cache) => timeProcess(process.execPath, render, { env: { GOSHIP_CACHE_DIR: cache } })));
        }
        return r;
    });
}

/**
 * The rows and four ratio lines: warm and cold, each in wall time (what a user waits for) and in
 * CPU time (steadier on a shared machine, where other work stretches wall times unevenly).
 */
export function renderReport(r: RenderBench): string[] {
    return [
        processRow("bare require('@pulumi/kubernetes')", r.bare),
        processRow("render --stack prod, warm transpile cache", r.warm),
        processRow("render --stack prod, cold transpile cache", r.cold),
        goal("render prod / bare require, warm cache, wall", medianWall(r.warm) / medianWall(r.bare), 1.5),
        goal("render prod / bare require, warm cache, CPU", medianCpu(r.warm) / medianCpu(r.bare), 1.5),
        goal("render prod / bare require, cold cache, wall", medianWall(r.cold) / medianWall(r.bare), 1.5),
        goal("render prod / bare require, cold cache, CPU", medianCpu(r.cold) / medianCpu(r.bare), 1.5),
    ];
}

if (require.main === module) {
    const rounds = Number(process.argv[2] ?? 3);
    if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`rounds must be a positive integer (got ${process.argv[2]})`);
    for (const line of renderReport(benchRender(rounds))) console.log(line);
}
