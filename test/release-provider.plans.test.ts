// Reviewed = applied: `pulumi preview --save-plan` records what the release provider's
// `check` returned, and `pulumi up --plan` fails when its own `check` returns anything
// else. These tests drive the provider as the engine does (check gets the stored inputs,
// diff and update the stored outputs) and emulate the plan's comparison: for every move,
// a check at another time and with another measurement of the same verdict must return
// exactly the planned inputs, while update adds the volatile facts to the outputs.
import * as assert from "assert";
import * as http from "http";
import { engineReleaseProvider, plannedState, releaseProvider } from "../components/release/provider";
import { RELEASE_TYPE, runProgram } from "../offline/mock-runtime";
import { MockEngine } from "../offline/engine";

const T0 = Date.parse("2026-11-24T10:00:00.000Z");
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

/** A stand-in Prometheus on 127.0.0.1: every query answers `successRate` (p99 50 ms, 500 requests). */
function standIn() {
    const s = { successRate: "0.999", queries: 0, server: undefined as unknown as http.Server, url: "" };
    s.server = http.createServer((req, res) => {
        s.queries++;
        const q = new URL(req.url!, "http://x").searchParams.get("query") ?? "";
        const value = q.startsWith("histogram_quantile") ? "0.05" : q.startsWith("sum(increase") ? "500" : s.successRate;
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ status: "success", data: { resultType: "vector", result: [{ metric: {}, value: [0, value] }] } }));
    });
    return s;
}

/** The engine's view of one dynamic resource: stored inputs (for check) and outputs (for diff/update). */
class Stored {
    inputs: any = {};
    outputs: any = undefined;
    readonly histories: any[][] = [];

    /** `pulumi preview --save-plan`: the checked inputs are the plan. */
    async preview(news: any): Promise<any> {
        const c = await releaseProvider.check!(this.inputs, news);
        assert.ok(!c.failures?.length, JSON.stringify(c.failures));
        if (this.outputs) await releaseProvider.diff!("release", this.outputs, c.inputs);
        return c.inputs;
    }

    /** `pulumi up --plan`: checks again, fails on any difference from the plan, then applies. */
    async up(news: any, plan: any): Promise<any> {
        const c = await releaseProvider.check!(this.inputs, news);
        assert.ok(!c.failures?.length, JSON.stringify(c.failures));
        assert.deepStrictEqual(c.inputs, plan, "check at up returned something else than the plan (violates plan)");
        let outs: any;
        if (this.outputs === undefined) {
            outs = (await releaseProvider.create!(c.inputs)).outs;
        } else {
            const d = await releaseProvider.diff!("release", this.outputs, c.inputs);
            outs = d.changes ? (await releaseProvider.update!("release", this.outputs, c.inputs)).outs! : this.outputs;
        }
        this.inputs = c.inputs;
        this.outputs = outs;
        this.histories.push(outs.state.history);
        return outs;
    }
}

describe("release provider: update plans (reviewed = applied)", function () {
    this.timeout(60_000);
    const prom = standIn();
    before(() => new Promise<void>((r) => prom.server.listen(0, "127.0.0.1", () => {
        prom.url = `http://127.0.0.1:${(prom.server.address() as any).port}`;
        r();
    })));
    after(() => new Promise<void>((r) => prom.server.close(() => r())));

    const analysis = (onFailure: "refuse" | "abort" = "refuse") => ({
        prometheusUrl: prom.url, window: "5m", minSuccessRate: 0.99, maxP99Seconds: 0.5, minRequests: 100, noData: "fail", onFailure, queries: {},
    });
    const news = (version: string, step: number, o: { strategy?: string; abort?: boolean; delay?: number; now?: number; onFailure?: "refuse" | "abort" } = {}) => ({
        desired: { version, strategy: o.strategy ?? "canary", steps: [5, 20, 50, 100], step, abort: o.abort ?? false, scaleDownDelaySeconds: o.delay ?? 0 },
        imageRef: `goship:${version}`,
        analysis: analysis(o.onFailure),
    });

    /**
     * One reviewed move: previewed at one time with one measurement, applied later with
     * another measurement of the same verdict. The clock is the wall clock, as on the real
     * engine (no `now` input); the measurement changes between the two.
     */
    async function move(s: Stored, n: any): Promise<any> {
        prom.successRate = "0.999";
        const plan = await s.preview(n);
        await new Promise((r) => setTimeout(r, 5));
        prom.successRate = "0.995";
        return s.up(n, plan);
    }

    it("every canary step, the promotion and an abort apply exactly the previewed plan", async () => {
        const s = new Stored();
        await move(s, news("1.0.0", 0));
        await move(s, news("1.1.0", 0));
        for (const step of [1, 2]) assert.strictEqual((await move(s, news("1.1.0", step))).state.weight, [5, 20, 50][step]);
        assert.strictEqual((await move(s, news("1.1.0", 3))).state.phase, "Promoted");
        await move(s, news("1.2.0", 0));
        await move(s, news("1.2.0", 1));
        assert.strictEqual((await move(s, news("1.2.0", 1, { abort: true }))).state.phase, "Aborted");
        assert.deepStrictEqual(s.outputs.state.history.map((h: any) => h.event),
            ["deploy", "start", "advance", "advance", "promote", "start", "advance", "abort"]);
    });

    it("blue/green preview, switch, switch back and scale-down apply exactly the previewed plan", async () => {
        const s = new Stored();
        await move(s, news("1.0.0", 0, { strategy: "blueGreen" }));
        assert.strictEqual((await move(s, news("1.1.0", 0, { strategy: "blueGreen" }))).state.phase, "Preview");
        const switched = await move(s, news("1.1.0", 1, { strategy: "blueGreen" }));
        assert.strictEqual(switched.state.phase, "Switched");
        assert.ok(switched.state.switchedAt, "update records the switch time");
        assert.strictEqual(s.inputs.state.switchedAt, undefined, "the plan holds no switch time");
        assert.strictEqual((await move(s, news("1.1.0", 1, { strategy: "blueGreen", abort: true }))).state.phase, "Aborted");
        await move(s, news("1.1.0", 0, { strategy: "blueGreen" }));
        await move(s, news("1.1.0", 1, { strategy: "blueGreen" }));
        assert.strictEqual((await move(s, news("1.1.0", 2, { strategy: "blueGreen" }))).state.phase, "Promoted");
    });

    it("update adds the times and the values measured at apply, carrying every earlier one: history is append-only and complete", async () => {
        const s = new Stored();
        await move(s, news("1.0.0", 0));
        await move(s, news("1.1.0", 0));
        await move(s, news("1.1.0", 1));
        await move(s, news("1.1.0", 2));
        const history = s.outputs.state.history;
        assert.ok(history.every((h: any) => !Number.isNaN(Date.parse(h.at))), JSON.stringify(history));
        assert.deepStrictEqual([...history.map((h: any) => h.at)].sort(), history.map((h: any) => h.at), "times in order");
        // The values of the apply-time measurement (0.995), not of the preview (0.999).
        assert.deepStrictEqual(history.slice(2).map((h: any) => h.analysis.values.successRate), [0.995, 0.995]);
        assert.match(history[2].analysis.summary, /success rate 0\.995/);
        for (let i = 1; i < s.histories.length; i++) {
            assert.deepStrictEqual(s.histories[i].slice(0, s.histories[i - 1].length), s.histories[i - 1], `update ${i} rewrote history`);
        }
        // The stored inputs are the planned part of the outputs, exactly.
        assert.deepStrictEqual(plannedState(s.outputs.state), s.inputs.state);
        assert.deepStrictEqual(s.inputs.state.history.at(-1), { event: "advance", from: "1.0.0", to: "1.1.0", step: 2, weight: 50, analysis: { verdict: "pass", onFailure: "refuse" } });
    });

    it("an analysis abort is planned as the verdict; its values are recorded at apply", async () => {
        const s = new Stored();
        await move(s, news("1.0.0", 0, { onFailure: "abort" }));
        await move(s, news("1.1.0", 0, { onFailure: "abort" }));
        prom.successRate = "0.5";
        const plan = await s.preview(news("1.1.0", 1, { onFailure: "abort" }));
        assert.strictEqual(plan.status, "aborted 1.1.0 by analysis at step 1 (fail) · stable 1.0.0 · to retry set goship:release.step 0; to give up set goship:version 1.0.0");
        prom.successRate = "0.6";
        const outs = await s.up(news("1.1.0", 1, { onFailure: "abort" }), plan);
        assert.strictEqual(outs.state.autoAbort.analysis.values.successRate, 0.6);
        assert.match(outs.lastTransition, /^abort 1\.1\.0 by analysis at step 1: analysis of 1\.1\.0 over 5m: success rate below the minimum: success rate 0\.600/);
        assert.strictEqual(outs.status, plan.status, "the status stays the planned one");
    });

    it("a verdict that flips between the plan and apply fails the update with both verdicts, the values and what to do; nothing is stored", async () => {
        const s = new Stored();
        await move(s, news("1.0.0", 0));
        await move(s, news("1.1.0", 0));
        prom.successRate = "0.999";
        const plan = await s.preview(news("1.1.0", 1));
        const before = JSON.stringify(s.outputs);
        // The engine's check at up measured the same verdict (so the plan held); the update's own measurement differs.
        prom.successRate = "0.5";
        await assert.rejects(engineReleaseProvider.update!("release", s.outputs, plan), (e: Error) => {
            assert.strictEqual(e.message,
                "goship:release: the analysis answered differently at apply than in the reviewed preview: preview verdict pass "
                + "(planned: canary 1.1.0 step 2/4: 20% · stable 1.0.0), apply verdict fail (analysis of 1.1.0 over 5m: success rate below the minimum: "
                + "success rate 0.500 (min 0.990), p99 0.050s (max 0.500s), 500 requests (min 100)). Traffic was not moved: canary 1.1.0 step 1/4: 5% · stable 1.0.0. "
                + "Next: run the preview again (pulumi preview --save-plan plan.json) so that the new measurement is reviewed, "
                + "or, if the candidate recovers, run the same deploy again: the move to 20% is applied only while the analysis says pass");
            assert.strictEqual(String(e), "goship refused the release move (the goship-release error says why and what to edit)", "no stack trace in the engine's log");
            return true;
        });
        assert.strictEqual(JSON.stringify(s.outputs), before);
        // The candidate recovers: the same plan applies.
        prom.successRate = "0.999";
        assert.strictEqual((await s.up(news("1.1.0", 1), plan)).state.weight, 20);
    });

    it("the up's own check (the program says `applying`) plans the same inputs, and a failing measurement there says what to do", async () => {
        const s = new Stored();
        await move(s, news("1.0.0", 0));
        await move(s, news("1.1.0", 0));
        prom.successRate = "0.999";
        const plan = await s.preview(news("1.1.0", 1));
        const applying = await releaseProvider.check!(s.inputs, { ...news("1.1.0", 1), applying: true });
        assert.deepStrictEqual(applying.inputs, plan, "applying is dropped: the plan still holds");
        prom.successRate = "0.5";
        const refused = await releaseProvider.check!(s.inputs, { ...news("1.1.0", 1), applying: true });
        assert.strictEqual(refused.failures![0].reason, "goship:release: release 1.1.0 is at step 0/4 (5%); analysis failed: analysis of 1.1.0 over 5m: "
            + "success rate below the minimum: success rate 0.500 (min 0.990), p99 0.050s (max 0.500s), 500 requests (min 100); next allowed: step 1 (20%), or abort: true. "
            + "Measured at apply: no traffic moved. If the reviewed preview passed, the candidate changed since: run the same up (the deploy) again once it recovers, "
            + "or preview again (pulumi preview --save-plan) and review this refusal");
        const inPreview = await releaseProvider.check!(s.inputs, news("1.1.0", 1));
        assert.doesNotMatch(inPreview.failures![0].reason, /Measured at apply/, "a preview's refusal is the plain sentence");
    });

    it("the scale-down delay is checked against the stored switch time: refused by diff in the preview, applied once it passed", async () => {
        const s = new Stored();
        prom.successRate = "0.999";
        const bg = (step: number, now: number) => ({ ...news("1.1.0", step, { strategy: "blueGreen", delay: 600 }), now: at(now) });
        for (const n of [{ ...news("1.0.0", 0, { strategy: "blueGreen", delay: 600 }), now: at(0) }, bg(0, 10), bg(1, 20)]) await s.up(n, await s.preview(n));
        assert.strictEqual(s.outputs.state.switchedAt, at(20));
        // check alone cannot know the switch time (the plan holds none): diff, which gets the outputs, refuses.
        const early = await releaseProvider.check!(s.inputs, bg(2, 30));
        assert.ok(!early.failures?.length);
        await assert.rejects(engineReleaseProvider.diff!("release", s.outputs, early.inputs),
            { message: /^goship:release: release 1\.1\.0 is switched, 1\.0\.0 kept warm \(step 1\); scaleDownDelay: 1\.0\.0 stays warm until 2026-11-24T10:10:20\.000Z \(590 s remaining\); next allowed: step 2 \(scale down 1\.0\.0, from 2026-11-24T10:10:20\.000Z\)/ });
        await assert.rejects(releaseProvider.update!("release", s.outputs, early.inputs), /590 s remaining/);
        const late = bg(2, 620);
        assert.strictEqual((await s.up(late, await s.preview(late))).state.phase, "Promoted");
    });

    it("a planned state that apply would not reach is refused, naming both", async () => {
        const s = new Stored();
        await move(s, news("1.0.0", 0));
        await move(s, news("1.1.0", 0));
        const plan = await s.preview(news("1.1.0", 1));
        const forged = { ...plan, state: { ...plan.state, weight: 50 } };
        await assert.rejects(releaseProvider.update!("release", s.outputs, forged),
            { message: /^goship:release: at apply the release would become "canary 1\.1\.0 step 2\/4: 20% · stable 1\.0\.0", not the planned "canary 1\.1\.0 step 2\/4: 50%/ });
    });
});

describe("release provider: update plans under the mock runtime", function () {
    this.timeout(120_000);

    /**
     * The program once as `pulumi preview` runs it (the release resource echoes its checked
     * inputs) and once as the update (the release resource returns update's outputs, with
     * times): every other resource's inputs and every stack output must be the same, or
     * `pulumi up --plan` fails on them.
     */
    async function previewThenUp(e: MockEngine, edits: Record<string, unknown>) {
        const provider = releaseProvider;
        const now = new Date((e as any).clock).toISOString();
        const preview = await runProgram({
            stack: e.stack, overrides: { ...e.config, ...edits }, preview: true, skipProviderSerialization: true,
            onNewResource: async (args) => {
                if (args.id && args.type.includes("Deployment")) {
                    const name = String(args.id).split("/").pop()!;
                    return { id: args.id, state: { metadata: { name }, spec: { replicas: e.deployments.get(name) } } };
                }
                if (args.type !== RELEASE_TYPE) return undefined;
                const { __provider, ...n } = args.inputs;
                const c = await provider.check!(e.stored, { ...n, now: n.now ?? now });
                return { id: "release", state: c.inputs };
            },
        });
        const up = await e.up(edits);
        const others = (r: { resources: typeof up.resources }) => r.resources.filter((x) => x.type !== RELEASE_TYPE).map((x) => [x.type, x.name, x.inputs]);
        assert.deepStrictEqual(others(up), others(preview), "a volatile fact leaked into another resource's inputs");
        assert.deepStrictEqual(up.outputs, preview.outputs, "a volatile fact leaked into a stack output");
        return up;
    }

    it("canary steps, promotion, abort and blue/green switch: the update sends every other resource exactly what the preview showed", async () => {
        const e = new MockEngine("dev");
        await e.up();
        for (const edits of [{ "goship:version": "1.1.0", "goship:release.step": 0 }, { "goship:release.step": 1 }, { "goship:release.step": 2 }, { "goship:release.step": 3 },
            { "goship:version": "1.2.0", "goship:release.step": 0 }, { "goship:release.abort": true }]) {
            e.tick(60);
            await previewThenUp(e, edits);
        }
        assert.ok(e.stored.state.history.every((h: any) => h.at), "the stored outputs carry the times");
        const bg = new MockEngine("dev", { "goship:release.strategy": "blueGreen", "goship:release.match": undefined, "goship:release.scaleDownDelaySeconds": 0 });
        await bg.up();
        for (const edits of [{ "goship:version": "1.1.0", "goship:release.step": 0 }, { "goship:release.step": 1 }, { "goship:release.step": 2 }]) {
            bg.tick(60);
            await previewThenUp(bg, edits);
        }
        assert.strictEqual(bg.stored.state.phase, "Promoted");
    });
});
