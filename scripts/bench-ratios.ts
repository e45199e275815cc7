// What `npm run bench:engine` must print for CI (scripts/test.sh) to count it passed: every
// ratio of issue #16, each as `name   1.23x  (goal ≤ 1.50x: met|NOT met)`. A goal not met is
// fine (figures, not assertions); a missing line is not. Without kube-score the policy ratios
// are replaced by bench:policy's resources/s and the line saying kube-score was not found.
//   npm run --silent bench:engine -- 1 | node -r ./engine/sucrase.js scripts/bench-ratios.ts
// prints each missing line and exits 1, or exits 0.
import * as fs from "fs";

export const ENGINE_RATIOS = [
    "goship preview / empty preview",
    "weight-only up / empty up",
    "canary start up / (Deployment step + 2 goship previews)",
];
export const RENDER_RATIOS = [
    "render prod / bare require, warm cache, wall",
    "render prod / bare require, warm cache, CPU",
    "render prod / bare require, cold cache, wall",
    "render prod / bare require, cold cache, CPU",
];
const RATIOS = [...ENGINE_RATIOS, ...RENDER_RATIOS];
export const KUBE_SCORE_RATIOS = [
    "kube-score / bench:policy, CPU (goship's speed-up)",
    "kube-score / bench:policy, wall (goship's speed-up)",
];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const ratioLine = (name: string) => new RegExp(`^${escape(name)} +\\d+\\.\\d\\dx  \\(goal [≤≥] \\d+\\.\\d\\dx: (met|NOT met)\\)$`, "m");

/** The lines missing from bench:engine's output (empty when it printed every ratio). */
export function missingRatios(output: string): string[] {
    const missing = RATIOS.filter((name) => !ratioLine(name).test(output));
    if (KUBE_SCORE_RATIOS.some((name) => ratioLine(name).test(output))) {
        missing.push(...KUBE_SCORE_RATIOS.filter((name) => !ratioLine(name).test(output)));
    } else {
        if (!/^ {2}= \d+ resources\/s of wall time, \d+ per CPU second$/m.test(output)) missing.push("bench:policy's resources/s (kube-score absent)");
        if (!/^kube-score not found \(.+\): no ratio against it; install it with `go install .+`/m.test(output)) {
            missing.push(`${KUBE_SCORE_RATIOS.join(", ")} (or the line saying kube-score was not found)`);
        }
    }
    return missing;
}

if (require.main === module) {
    const missing = missingRatios(fs.readFileSync(0, "utf8"));
    for (const m of missing) console.error(`bench:engine printed no line for: ${m}`);
    process.exitCode = missing.length ? 1 : 0;
}
