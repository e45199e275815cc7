// The benchmark scripts run (tiny sizes) and print their figures. Nothing here times
// anything: the figures are for people, see the closing notes.
import * as assert from "assert";
import { spawnSync } from "child_process";
import { ROOT } from "../offline/stack-config";
import { ENGINE_RATIOS, missingRatios } from "../scripts/bench-ratios";

function npmRun(script: string, ...args: string[]): string {
    const r = spawnSync("npm", ["run", "--silent", script, "--", ...args], { cwd: ROOT, encoding: "utf8" });
    assert.strictEqual(r.status, 0, `${script}: ${r.stdout}\n${r.stderr}`);
    return r.stdout;
}

describe("benchmark scripts", function () {
    this.timeout(180_000);

    it("bench:app prints req/s and p50/p99 of bare, tracing off and tracing on, and the ratios", () => {
        const out = npmRun("bench:app", "-n", "2000", "-rounds", "1");
        assert.match(out, /bare net\/http\s+\d+ req\/s\s+p50\s+\d+µs\s+p99\s+\d+µs\s+failed 0/);
        assert.match(out, /full chain, tracing off\s+\d+ req\/s\s+p50\s+\d+µs\s+p99\s+\d+µs\s+failed 0/);
        assert.match(out, /full chain, tracing on\s+\d+ req\/s\s+p50\s+\d+µs\s+p99\s+\d+µs\s+failed 0/);
        assert.match(out, /ratio full\/bare req\/s: \d\.\d{3} /);
        assert.match(out, /ratio traced\/bare req\/s: \d\.\d{3}, traced\/full: \d\.\d{3} /);
        // Spans really left the process: the receiver counted some.
        assert.match(out, /spans received by the OTLP\/HTTP receiver: [1-9]\d* in [1-9]\d* exports/);
    });

    it("bench:policy prints resources/s", () => {
        assert.match(npmRun("bench:policy", "600"), /policy pack over 600 resources: [\d.]+ s, \d+ resources\/s, 0 violations/);
    });

    it("bench:render prints the bare require's and the warm and cold render's medians, and their ratios", () => {
        const out = npmRun("bench:render", "1");
        for (const name of ["bare require\\('@pulumi\\/kubernetes'\\)", "render --stack prod, warm transpile cache", "render --stack prod, cold transpile cache"]) {
            assert.match(out, new RegExp(`^${name} +median +\\d+\\.\\d\\d s wall, \\d+\\.\\d\\d s CPU`, "m"));
        }
        assert.match(out, /^render prod \/ bare require, cold cache, CPU +\d+\.\d\dx {2}\(goal ≤ 1\.50x: (met|NOT met)\)$/m);
    });

    // What CI's one round of bench:engine is judged by (scripts/test.sh): here its offline half,
    // which needs no tier, so the engine's three ratios are exactly what the check finds missing.
    it("bench:engine --offline-only prints the render and policy ratios that CI's check looks for", () => {
        const out = npmRun("bench:engine", "1", "--offline-only");
        assert.deepStrictEqual(missingRatios(out), ENGINE_RATIOS);
        // Whichever way kube-score is (or is not) installed, the policy figures are there.
        assert.match(out, /^bench:policy, whole process, 10000 objects +median +\d+\.\d\d s wall/m);
        // And the check notices each offline line gone: every ratio line, and without kube-score
        // the two lines that stand for its ratios.
        const required = / {2}\(goal [≤≥]/.source + (/^kube-score not found/m.test(out) ? "|^kube-score not found|resources\\/s" : "");
        const lines = out.split("\n").filter((l) => new RegExp(required).test(l));
        assert.strictEqual(lines.length, 6, lines.join("\n")); // 4 render ratios + 2 for the policy
        for (const line of lines) assert.ok(missingRatios(out.replace(line, "")).length > ENGINE_RATIOS.length, `the check did not miss: ${line}`);
    });
});
