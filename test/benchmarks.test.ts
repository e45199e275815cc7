// The benchmark scripts run (tiny sizes) and print their figures. Nothing here times
// anything: the figures are for people, see the closing notes.
import * as assert from "assert";
import { spawnSync } from "child_process";
import { ROOT } from "../offline/stack-config";

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

    it("bench:render prints both medians and the ratio", () => {
        const out = npmRun("bench:render", "1");
        assert.match(out, /bare require\('@pulumi\/kubernetes'\): median \d+ ms/);
        assert.match(out, /render --stack prod \(cold process, warm transpile cache\):\s+median \d+ ms/);
        assert.match(out, /ratio render \/ bare require: [\d.]+x/);
    });
});
