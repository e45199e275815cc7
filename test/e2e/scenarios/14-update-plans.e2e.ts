// Scenario 14: reviewed = applied. Every release move as a saved plan: `pulumi preview
// --save-plan` then `pulumi up --plan` for each canary step, the promotion, an abort, and a
// blue/green preview and switch, with the analysis gate on, against a real Prometheus
// (/usr/bin/prometheus) that scrapes a metrics endpoint this test controls. An edit between
// the preview and the up, and a Prometheus whose answer flips in between, fail the `up --plan`
// and leave the API server and the release state as they were. One dedicated stack, one
// deploy reused by every step.
import * as assert from "assert";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { tier } from "../hooks";
import { errors, imageFor, Run, TestStack } from "../stack";
import { canaryWeight, deployment, mainSelectorTrack } from "../story";
import { PROMETHEUS, startPrometheus, stopAll } from "../../support/processes";

/** What the candidate's metrics say, per version; the endpoint serves it to Prometheus. */
const health: Record<string, number> = {};

/** The metrics endpoint Prometheus scrapes: one success-rate gauge per version (p99 and volume fixed). */
function metricsServer(): http.Server {
    return http.createServer((_req, res) => {
        const lines = Object.entries(health).flatMap(([v, rate]) => [
            `goship_e2e_success_rate{version="${v}"} ${rate}`,
            `goship_e2e_p99_seconds{version="${v}"} 0.05`,
            `goship_e2e_requests{version="${v}"} 500`,
        ]);
        res.setHeader("content-type", "text/plain; version=0.0.4");
        res.end(`${lines.join("\n")}\n`);
    });
}

describe("e2e 14: update plans (reviewed = applied)", function () {
    let stack: TestStack;
    let prometheusUrl: string;
    let metrics: http.Server;
    let plans: string;
    let n = 0;
    const timings: string[] = [];

    /** Waits until Prometheus answers `rate` for `version` (it scrapes every second). */
    async function prometheusSays(version: string, rate: number): Promise<void> {
        health[version] = rate;
        const q = encodeURIComponent(`max(goship_e2e_success_rate{version="${version}"})`);
        const deadline = Date.now() + 30_000;
        while (Date.now() < deadline) {
            const body: any = await (await fetch(`${prometheusUrl}/api/v1/query?query=${q}`)).json();
            if (Number(body.data?.result?.[0]?.value?.[1]) === rate) return;
            await new Promise((r) => setTimeout(r, 250));
        }
        throw new Error(`Prometheus did not report ${rate} for ${version} within 30 s`);
    }

    /** `pulumi preview --save-plan` of the current config: the plan a reviewer approves. */
    async function savePlan(what: string): Promise<string> {
        const file = path.join(plans, `${++n}-${what.replace(/\W+/g, "-")}.json`);
        const preview = await stack.preview({ plan: file });
        assert.ok(preview.ok, preview.stderr + preview.stdout);
        if (process.env.GOSHIP_E2E_VERBOSE) console.log(preview.stdout);
        // What the reviewer reads holds no time (the plan fixes everything it shows).
        assert.doesNotMatch(preview.stdout, /^\s*[-+~]?\s*(at|switchedAt)\s*:/m, "a time in the reviewed diff");
        assert.ok(fs.statSync(file).size > 0, "the plan was saved");
        timings.push(`${what}: preview ${(preview.ms / 1000).toFixed(1)} s`);
        return file;
    }

    async function applyPlan(file: string, what: string): Promise<Run> {
        const up = await stack.up({ plan: file });
        timings.push(`${what}: up --plan ${(up.ms / 1000).toFixed(1)} s`);
        return up;
    }

    /** One reviewed move: preview with --save-plan, then up --plan of exactly that plan. */
    async function reviewed(what: string, edits: Record<string, string | number | boolean>): Promise<Run> {
        await stack.set(edits);
        const file = await savePlan(what);
        const up = await applyPlan(file, what);
        assert.ok(up.ok, `${what}: up --plan failed\n${up.stderr}\n${up.stdout}`);
        return up;
    }

    /** What a failed apply must not have changed: the API server's routing and tracks, and the release state. */
    async function snapshot() {
        const [blue, green] = await Promise.all([deployment(stack, "blue"), deployment(stack, "green")]);
        const track = (d: any) => ({ replicas: d.spec.replicas, image: d.spec.template.spec.containers[0].image, generation: d.metadata.generation });
        return {
            weight: await canaryWeight(stack),
            main: await mainSelectorTrack(stack),
            blue: track(blue),
            green: track(green),
            record: JSON.stringify(await stack.releaseRecord()),
        };
    }

    before(async function () {
        if (!fs.existsSync(PROMETHEUS)) {
            if (process.env.CI) throw new Error(`${PROMETHEUS} is missing: .ci/run installs Debian's prometheus package`);
            this.skip();
        }
        metrics = metricsServer();
        await new Promise<void>((r) => metrics.listen(0, "127.0.0.1", r));
        prometheusUrl = await startPrometheus([`127.0.0.1:${(metrics.address() as any).port}`]);
        plans = fs.mkdtempSync(path.join(tier().work, "plans-"));
        stack = await TestStack.create(tier(), "plans", "dev");
        await stack.setSecret("apiToken", "e2e-plans-token"); // without it the Secret is replaced at every up
        await stack.set({
            "release.analysis.prometheusUrl": prometheusUrl,
            "release.analysis.window": "1m",
            "release.analysis.minRequests": 100,
            "release.analysis.onFailure": "refuse",
            "release.analysis.queries.successRate": 'max(goship_e2e_success_rate{version="{{version}}"})',
            "release.analysis.queries.p99": 'max(goship_e2e_p99_seconds{version="{{version}}"})',
            "release.analysis.queries.requests": 'max(goship_e2e_requests{version="{{version}}"})',
        });
        const first = await stack.up();
        assert.ok(first.ok, first.stderr + first.stdout);
    });

    after(async () => {
        stopAll(); // Prometheus, by pid
        await new Promise<void>((r) => (metrics ? metrics.close(() => r()) : r()));
        if (timings.length) console.log(`      ${timings.join("\n      ")}`);
    });

    it("canary: the start and each gated step apply exactly their saved plan", async () => {
        await prometheusSays("1.1.0", 0.999);
        await stack.release("1.1.0", { "release.step": 0 });
        await reviewed("start 1.1.0", {});
        assert.strictEqual(await canaryWeight(stack), "5");
        await reviewed("step 1", { "release.step": 1 });
        assert.strictEqual(await canaryWeight(stack), "20");
        const entry = (await stack.releaseRecord()).state.history.at(-1);
        assert.deepStrictEqual([entry.event, entry.analysis.verdict, entry.analysis.values.successRate], ["advance", "pass", 0.999]);
        assert.ok(!Number.isNaN(Date.parse(entry.at)), "update recorded the time of the step");
    });

    it("an edit between the preview and the up fails `up --plan` and changes nothing; the unedited plan still applies", async () => {
        await stack.set({ "release.step": 2 });
        const file = await savePlan("step 2");
        const before = await snapshot();
        await stack.set({ "release.abort": true }); // edited after the review
        const up = await applyPlan(file, "step 2 after an edit");
        assert.ok(!up.ok, "an edited config must not apply the plan");
        // The first resource to see the edit fails the update: the dynamic resources' provider,
        // whose inputs are the stack's config, is registered before anything else.
        const message = errors(up).join("\n");
        console.log(`      plan violation: ${message.slice(0, 300)}…`);
        assert.match(message, /violates plan: properties changed: ~~goship:release\[/);
        assert.deepStrictEqual(await snapshot(), before, "the API server and the release state are untouched");
        await stack.set({ "release.abort": false }); // back to what was reviewed
        const again = await applyPlan(file, "step 2 as reviewed");
        assert.ok(again.ok, again.stderr + again.stdout);
        assert.strictEqual(await canaryWeight(stack), "50");
    });

    it("a Prometheus whose answer flips between the preview and the apply fails the update without moving traffic", async () => {
        await stack.set({ "release.step": 3 });
        const file = await savePlan("promote");
        const before = await snapshot();
        await prometheusSays("1.1.0", 0.5);
        const up = await applyPlan(file, "promote, analysis flipped");
        assert.ok(!up.ok, "a flipped analysis must not apply the plan");
        const message = errors(up)[0] ?? "";
        console.log(`      flipped analysis: ${message}`);
        assert.match(message, /success rate 0\.500 \(min 0\.990\)/, "the apply-time value");
        assert.match(message, /^goship:release: release 1\.1\.0 is at step 2\/4 \(50%\); analysis failed/);
        assert.match(message, /Measured at apply: no traffic moved\. If the reviewed preview passed, the candidate changed since: run the same up \(the deploy\) again once it recovers/);
        assert.deepStrictEqual(await snapshot(), before, "traffic did not move and the release state is untouched");
        // The candidate recovers: the reviewed plan applies as it is.
        await prometheusSays("1.1.0", 0.999);
        const again = await applyPlan(file, "promote as reviewed");
        assert.ok(again.ok, again.stderr + again.stdout);
        assert.strictEqual(await mainSelectorTrack(stack), "green");
        assert.strictEqual((await stack.releaseRecord()).state.phase, "Promoted");
    });

    it("abort: the start and the abort apply exactly their saved plans", async () => {
        await stack.release("1.2.0", { "release.step": 0 });
        await reviewed("start 1.2.0", {});
        assert.strictEqual(await canaryWeight(stack), "5");
        await reviewed("abort", { "release.abort": true });
        assert.strictEqual(await canaryWeight(stack), "0");
        assert.strictEqual((await deployment(stack, "blue")).spec.replicas, 0, "the aborted candidate scaled down");
        assert.strictEqual((await stack.releaseRecord()).state.phase, "Aborted");
    });

    it("onFailure abort: a flip between the preview and the apply fails `up --plan` before anything moves; no automatic abort the reviewer never saw", async () => {
        await prometheusSays("1.4.0", 0.999);
        await stack.release("1.4.0", { "release.step": 0, "release.abort": false, "release.analysis.onFailure": "abort" });
        await reviewed("start 1.4.0", {});
        await stack.set({ "release.step": 1 });
        const file = await savePlan("step 1 of 1.4.0, onFailure abort");
        const before = await snapshot();
        await prometheusSays("1.4.0", 0.5);
        const up = await applyPlan(file, "step 1 of 1.4.0, analysis flipped");
        assert.ok(!up.ok, "a flipped analysis must not apply the plan");
        // The up's own check measures the failure and plans the automatic abort; the saved
        // plan says advance, so the engine refuses the release before its update runs.
        const message = errors(up).join("\n");
        console.log(`      flipped analysis, onFailure abort: ${message}`);
        assert.match(message, /goship-release violates plan: properties changed: /);
        assert.match(message, /~~status\[\{canary 1\.4\.0 step 2\/4: 20% · stable 1\.1\.0\}!=\{aborted 1\.4\.0/, "the planned and the apply-time status");
        assert.deepStrictEqual(await snapshot(), before, "traffic did not move, nothing aborted, the release state is untouched");
        // Recovered, the reviewed plan applies as it is; then the release is aborted on purpose.
        await prometheusSays("1.4.0", 0.999);
        const again = await applyPlan(file, "step 1 of 1.4.0 as reviewed");
        assert.ok(again.ok, again.stderr + again.stdout);
        assert.strictEqual(await canaryWeight(stack), "20");
        await reviewed("abort 1.4.0", { "release.abort": true, "release.analysis.onFailure": "refuse" });
        assert.strictEqual((await stack.releaseRecord()).state.phase, "Aborted");
    });

    it("blue/green: the preview and the gated switch apply exactly their saved plans", async () => {
        await prometheusSays("1.3.0", 0.999);
        await stack.remove("release.match");
        await stack.release("1.3.0", { "release.strategy": "blueGreen", "release.abort": false, "release.step": 0 });
        await reviewed("blue/green preview 1.3.0", {});
        assert.strictEqual(await mainSelectorTrack(stack), "green");
        assert.strictEqual((await deployment(stack, "blue")).spec.template.spec.containers[0].image, imageFor("1.3.0"));
        await reviewed("switch", { "release.step": 1 });
        assert.strictEqual(await mainSelectorTrack(stack), "blue");
        const record = await stack.releaseRecord();
        assert.strictEqual(record.state.phase, "Switched");
        assert.ok(record.state.switchedAt, "update recorded the switch time");
        assert.deepStrictEqual(record.state.history.map((h: any) => h.event),
            ["deploy", "start", "advance", "advance", "promote", "start", "abort", "start", "advance", "abort", "start", "switch"]);
        assert.ok(record.state.history.every((h: any) => h.at), "every entry has its time");
    });
});
