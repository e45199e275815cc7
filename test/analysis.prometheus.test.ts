// The analysis gate against a real Prometheus (Debian's package) scraping real instances
// of the Go service: stable 1.0.0, a healthy candidate, a faulty one (FAULT_ERROR_RATE) and
// an idle one, under a bounded load on 127.0.0.1.
import * as assert from "assert";
import * as fs from "fs";
import { runAnalysis } from "../components/release/analysis";
import { releaseProvider } from "../components/release/provider";
import type { AnalysisConfig } from "../components/config/schema";
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
        const entry = healthy.inputs.state.history.at(-1);
        assert.strictEqual(entry.event, "advance");
        assert.strictEqual(entry.analysis.verdict, "pass");
        assert.ok(entry.analysis.values.requests >= 100);
    });
});
