// The analysis gate against a real Prometheus (Debian's package) scraping real instances
// of the Go service: stable 1.0.0, a healthy candidate, a faulty one (FAULT_ERROR_RATE) and
// an idle one, under a bounded load on 127.0.0.1.
import * as assert from "assert";
import * as fs from "fs";
import { runAnalysis } from "../components/release/analysis";
import { releaseProvider } from "../components/release/provider";
import type { AnalysisConfig } from "../components/release/analysis";
import { trafficView } from "../offline/results";
import { T } from "../offline/results";
import { CheckedEngine } from "./support/release-view";
import { load, PROMETHEUS, startGoship, startPrometheus, stopAll } from "./support/processes";

describe("analysis gate against a real Prometheus", function () {
    this.timeout(120_000);
    let prometheusUrl: string;
    const cfg = (extra: Partial<AnalysisConfig> = {}): AnalysisConfig => ({
        prometheusUrl, window: "30s", minSuccessRate: 0.99, maxP99Seconds: 0.5, minRequests: 100,
        noData: "fail", onFailure: "refuse", queries: {}, ...extra,
    });

    before(async function () {
        if (!fs.existsSync(PROMETHEUS)) {
            if (process.env.CI) throw new Error(`${PROMETHEUS} is missing: .ci/run installs Debian's prometheus package`);
            this.skip();
        }
        const [stable, healthy, faulty, idle] = await Promise.all([
            startGoship({ VERSION: "1.0.0" }),
            startGoship({ VERSION: "1.1.0" }),
            startGoship({ VERSION: "1.2.0", FAULT_ERROR_RATE: "0.3" }),
            startGoship({ VERSION: "1.3.0" }),
        ]);
        prometheusUrl = await startPrometheus([stable.addr, healthy.addr, faulty.addr, idle.addr]);
        // A first request creates each series; let Prometheus see them before the load so
        // increase() and rate() measure the load itself.
        await Promise.all([stable, healthy, faulty].map((s) => load(`http://${s.addr}/`, 8, 4, 0.2)));
        await new Promise((r) => setTimeout(r, 2500));
        const results = await Promise.all([stable, healthy, faulty].map((s) => load(`http://${s.addr}/`, 1200, 8, 4)));
        console.log(`      load: stable ${results[0].ok} ok; healthy ${results[1].ok} ok; faulty ${results[2].ok} ok / ${results[2].failed} failed`);
        await new Promise((r) => setTimeout(r, 2500)); // two more scrapes
    });

    after(() => stopAll());

    it("passes a healthy candidate", async () => {
        const o = await runAnalysis(cfg(), "1.1.0");
        console.log(`      healthy: ${o.summary}`);
        assert.strictEqual(o.verdict, "pass", o.summary);
        assert.ok((o.values.requests ?? 0) >= 100);
        assert.ok((o.values.successRate ?? 0) >= 0.99);
    });

    it("refuses a faulty candidate with the measured success rate", async () => {
        const o = await runAnalysis(cfg(), "1.2.0");
        console.log(`      faulty: ${o.summary}`);
        assert.strictEqual(o.verdict, "fail");
        assert.ok(o.values.successRate! > 0.5 && o.values.successRate! < 0.9, `success rate ${o.values.successRate}`);
        assert.match(o.summary, /success rate below the minimum: success rate 0\.[5-8]\d\d/);
    });

    it("applies the no-data policy to an idle candidate", async () => {
        for (const noData of ["fail", "pass", "hold"] as const) {
            const o = await runAnalysis(cfg({ noData }), "1.3.0");
            assert.strictEqual(o.verdict, noData, o.summary);
            assert.match(o.summary, new RegExp(`not enough data \\(noData: ${noData}\\)`));
        }
    });

    it("judges stable apart from the candidates (the version label)", async () => {
        const o = await runAnalysis(cfg(), "1.0.0");
        assert.strictEqual(o.verdict, "pass", o.summary);
    });

    it("gates a release step through the provider: faulty refused with values, healthy advanced with values in history", async () => {
        const inputs = (version: string, step: number) => ({
            desired: { version, strategy: "canary", steps: [5, 20, 50, 100], step, abort: false, scaleDownDelaySeconds: 600 },
            imageRef: `goship:${version}`, analysis: cfg(), now: "2026-11-24T10:00:00.000Z",
        });
        const rollout = async (version: string) => {
            const first = (await releaseProvider.check!({}, inputs("1.0.0", 0))).inputs;
            return (await releaseProvider.check!(first, inputs(version, 0))).inputs; // a start needs no analysis
        };
        const faulty = await releaseProvider.check!(await rollout("1.2.0"), inputs("1.2.0", 1));
        assert.strictEqual(faulty.failures?.length, 1);
        assert.match(faulty.failures![0].reason, /release 1\.2\.0 is at step 0\/4 \(5%\); analysis failed: analysis of 1\.2\.0 over 30s: success rate below the minimum: success rate 0\.\d{3}/);
        const healthy = await releaseProvider.check!(await rollout("1.1.0"), inputs("1.1.0", 1));
        assert.ok(!healthy.failures?.length, JSON.stringify(healthy.failures));
        assert.strictEqual(healthy.inputs.state.weight, 20);
        // check plans the verdict; update measures again at apply and records the values.
        assert.deepStrictEqual(healthy.inputs.state.history.at(-1).analysis, { verdict: "pass", onFailure: "refuse" });
        const stored = (await releaseProvider.update!("release", await rollout("1.1.0"), healthy.inputs)).outs;
        const entry = stored.state.history.at(-1);
        assert.strictEqual(entry.event, "advance");
        assert.strictEqual(entry.analysis.verdict, "pass");
        assert.ok(entry.analysis.values.requests >= 100);
    });

    // The whole path: stack config → program → release provider → Prometheus, over
    // several updates of the dev stack (stable 1.0.0; 1.2.0 faulty; 1.1.0 healthy).
    // A 10m window: the load ran once, in before(); a slow machine must not age it out.
    const analysisConfig = (onFailure: "abort" | "refuse") => ({
        "goship:release.analysis": { prometheusUrl, window: "10m", minSuccessRate: 0.99, maxP99Seconds: 0.5, minRequests: 100, noData: "fail", onFailure },
    });

    it("stack config with analysis (onFailure: abort): a faulty canary is aborted, the aborted config stays a no-op, unrelated edits apply; a healthy one is promoted", async () => {
        const e = new CheckedEngine("dev", analysisConfig("abort"));
        await e.up();
        await e.up({ "goship:version": "1.2.0", "goship:release.step": 0 });
        let r = await e.up({ "goship:release.step": 1 });
        const status = r.outputs.releaseStatus as string;
        console.log(`      status: ${status}`);
        // The status is planned (a saved plan fixes it): the verdict; the values are in the history.
        assert.match(status, /^aborted 1\.2\.0 by analysis at step 1 \(fail\) · /);
        assert.match(status, /stable 1\.0\.0 · to retry set goship:release\.step 0; to give up set goship:version 1\.0\.0$/);
        assert.match(r.release.lastTransition, /^abort 1\.2\.0 by analysis at step 1: .*success rate 0\.\d{3}.*weight 5% → 0%, green scaled down/);
        assert.strictEqual(trafficView(r).canary!.weight, "0");
        const abortEntry = r.release.state.history.at(-1);
        assert.strictEqual(abortEntry.event, "abort");
        assert.ok(abortEntry.analysis.values.successRate < 0.99, JSON.stringify(abortEntry.analysis));

        // The same config again: a no-op, not "step must be 0 to retry".
        r = await e.up();
        assert.strictEqual(r.changed, false);
        // An unrelated edit applies; the release does not move.
        r = await e.up({ "goship:app.greeting": "hello after the abort" });
        assert.strictEqual(r.changed, false);
        assert.strictEqual(r.ofType(T.ConfigMap)[0].inputs.data.GREETING, "hello after the abort");
        assert.match(r.outputs.releaseStatus as string, /^aborted 1\.2\.0 by analysis/);

        // Give up on 1.2.0, then ship the healthy 1.1.0 through every gate.
        r = await e.up({ "goship:version": "1.0.0" });
        assert.strictEqual(r.outputs.releaseStatus, "stable 1.0.0");
        await e.up({ "goship:version": "1.1.0", "goship:release.step": 0 });
        for (const step of [1, 2, 3]) r = await e.up({ "goship:release.step": step });
        assert.strictEqual(r.outputs.releaseStatus, "stable 1.1.0");
        const gated = r.release.state.history.slice(-3);
        assert.deepStrictEqual(gated.map((h: any) => [h.event, h.analysis?.verdict]), [["advance", "pass"], ["advance", "pass"], ["promote", "pass"]]);
        assert.ok(gated.every((h: any) => h.analysis.values.requests >= 100));
    });

    it("stack config with analysis (onFailure: refuse): the blue/green switch is gated — faulty refused, healthy switched", async () => {
        const faulty = new CheckedEngine("dev", { ...analysisConfig("refuse"), "goship:release.strategy": "blueGreen", "goship:release.match": undefined });
        await faulty.up();
        await faulty.up({ "goship:version": "1.2.0", "goship:release.step": 0 });
        await assert.rejects(faulty.up({ "goship:release.step": 1 }),
            /release 1\.2\.0 is in blueGreen preview \(step 0\); analysis failed: analysis of 1\.2\.0 over 10m: success rate below the minimum/);
        // The refused switch left everything where it was: step 0 is still a no-op.
        const r0 = await faulty.up({ "goship:release.step": 0 });
        assert.strictEqual(r0.changed, false);
        assert.strictEqual(trafficView(r0).mainSelectorTrack, "blue");

        const healthy = new CheckedEngine("dev", { ...analysisConfig("refuse"), "goship:release.strategy": "blueGreen", "goship:release.match": undefined });
        await healthy.up();
        await healthy.up({ "goship:version": "1.1.0", "goship:release.step": 0 });
        const r = await healthy.up({ "goship:release.step": 1 });
        assert.strictEqual(trafficView(r).mainSelectorTrack, "green");
        const entry = r.release.state.history.at(-1);
        assert.deepStrictEqual([entry.event, entry.analysis.verdict], ["switch", "pass"]);
    });
});
