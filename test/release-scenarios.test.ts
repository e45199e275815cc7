// Full release scenarios through the program: each `up` is one reviewed config change,
// the release state carried between runs like the engine carries Pulumi state, and the
// rendered objects asserted after every step (and the routing invariants of
// support/release-view.ts checked after every update).
import * as assert from "assert";
import { trafficView } from "../offline/results";
import { T } from "../offline/results";
import { CheckedEngine as MockEngine } from "./support/release-view";
import { policyReport } from "../offline/policy-report";

const STABLE = "goship:1.0.0";
const CANDIDATE = "goship:1.1.0";

describe("release scenarios (multi-update, dev stack)", function () {
    this.timeout(120_000);

    it("canary 5 → 20 → 50 → 100 with header routing, then rollback after promotion", async () => {
        const e = new MockEngine("dev");
        let r = await e.up();
        let v = trafficView(r);
        assert.strictEqual(r.outputs.releaseStatus, "stable 1.0.0");
        assert.strictEqual(v.mainSelectorTrack, "blue");
        assert.deepStrictEqual(v.replicas, { blue: 1, green: 0 });
        assert.deepStrictEqual(v.roles, { blue: "stable", green: "idle" });
        assert.strictEqual(v.images.blue, STABLE);
        // The canary Ingress is parked: weight 0, no header routing, so it routes nothing.
        assert.deepStrictEqual(v.canary, { backend: "goship-green", weight: "0", header: undefined, headerValue: undefined });

        r = await e.up({ "goship:version": "1.1.0", "goship:release.step": 0 });
        v = trafficView(r);
        assert.match(r.outputs.releaseStatus as string, /1\.1\.0.*5%.*stable 1\.0\.0/);
        assert.strictEqual(v.mainSelectorTrack, "blue", "stable keeps the main Service");
        assert.deepStrictEqual(v.canary, { backend: "goship-green", weight: "5", header: "X-Canary", headerValue: "always" });
        assert.deepStrictEqual(v.replicas, { blue: 1, green: 1 });
        assert.deepStrictEqual(v.images, { blue: STABLE, green: CANDIDATE }, "stable pods untouched");
        assert.deepStrictEqual(v.roles, { blue: "stable", green: "candidate" });

        for (const [step, weight] of [[1, "20"], [2, "50"]] as const) {
            r = await e.up({ "goship:release.step": step });
            v = trafficView(r);
            assert.strictEqual(v.canary!.weight, weight);
            assert.strictEqual(v.mainSelectorTrack, "blue");
            assert.deepStrictEqual(v.images, { blue: STABLE, green: CANDIDATE });
        }

        r = await e.up({ "goship:release.step": 3 });
        v = trafficView(r);
        assert.strictEqual(r.outputs.releaseStatus, "stable 1.1.0");
        assert.strictEqual(v.mainSelectorTrack, "green", "promotion moves the main Service to the candidate");
        assert.strictEqual(v.canary!.weight, "0");
        assert.strictEqual(v.canary!.header, undefined);
        assert.deepStrictEqual(v.roles, { blue: "idle", green: "stable" });
        assert.deepStrictEqual(v.replicas, { blue: 0, green: 1 });
        const history = (r.outputs.releaseState as any).history.map((h: any) => h.event);
        assert.deepStrictEqual(history, ["deploy", "start", "advance", "advance", "promote"]);

        // Rollback to the previous stable is one step.
        r = await e.up({ "goship:version": "1.0.0" });
        v = trafficView(r);
        assert.strictEqual(r.outputs.releaseStatus, "stable 1.0.0");
        assert.strictEqual(v.mainSelectorTrack, "blue");
        assert.deepStrictEqual(v.replicas, { blue: 1, green: 0 });
        assert.strictEqual(v.images.blue, STABLE);
        assert.strictEqual((r.outputs.releaseState as any).history.at(-1).event, "rollback");
    });

    it("abort at 50% sends all traffic back to stable at once; retry starts again at step 0", async () => {
        const e = new MockEngine("dev");
        await e.up();
        await e.up({ "goship:version": "1.1.0", "goship:release.step": 0 });
        await e.up({ "goship:release.step": 1 });
        let r = await e.up({ "goship:release.step": 2 });
        assert.strictEqual(trafficView(r).canary!.weight, "50");

        r = await e.up({ "goship:release.abort": true });
        let v = trafficView(r);
        assert.deepStrictEqual(v.canary, { backend: "goship-green", weight: "0", header: undefined, headerValue: undefined });
        assert.strictEqual(v.mainSelectorTrack, "blue");
        assert.deepStrictEqual(v.replicas, { blue: 1, green: 0 });
        assert.match(r.outputs.releaseStatus as string, /aborted 1\.1\.0.*stable 1\.0\.0/);

        // Unchanged config after an abort is a no-op.
        r = await e.up();
        assert.strictEqual(r.changed, false);

        r = await e.up({ "goship:release.abort": false, "goship:release.step": 0 });
        v = trafficView(r);
        assert.strictEqual(v.canary!.weight, "5");
        assert.deepStrictEqual(v.roles, { blue: "stable", green: "candidate" });
        assert.strictEqual((r.outputs.releaseState as any).history.at(-1).event, "retry");
    });

    it("refuses a jump and leaves the state and every object unchanged; a retry of the same config is a no-op", async () => {
        const e = new MockEngine("dev");
        await e.up();
        const before = await e.up({ "goship:version": "1.1.0", "goship:release.step": 0 });
        const stored = JSON.stringify(e.stored);
        await assert.rejects(e.up({ "goship:release.step": 2 }), (err: Error) => {
            assert.match(err.message, /release 1\.1\.0 is at step/);
            assert.match(err.message, /next allowed: step 1 \(20%\)/);
            return true;
        });
        assert.strictEqual(JSON.stringify(e.stored), stored, "a refused update must not touch the stored state");
        // The same config as before the refused edit renders exactly the same objects.
        const again = await e.up({ "goship:release.step": 0 });
        assert.strictEqual(again.changed, false);
        const objects = (x: typeof before) => JSON.stringify(x.resources.filter((o) => o.type.startsWith("kubernetes:")).map((o) => [o.name, o.inputs]));
        assert.strictEqual(objects(again), objects(before));
    });

    it("refuses a new version mid-rollout, naming the allowed moves", async () => {
        const e = new MockEngine("dev");
        await e.up();
        await e.up({ "goship:version": "1.1.0", "goship:release.step": 0 });
        await assert.rejects(e.up({ "goship:version": "1.2.0" }), /1\.1\.0.*abort: true/);
    });

    it("blue/green: preview, switch, rollback to the still-warm colour", async () => {
        const e = new MockEngine("dev", { "goship:release.strategy": "blueGreen", "goship:release.match": undefined });
        let r = await e.up();
        let v = trafficView(r);
        assert.strictEqual(v.canary, undefined, "blue/green has no canary Ingress");
        assert.strictEqual(v.mainSelectorTrack, "blue");

        r = await e.up({ "goship:version": "1.1.0", "goship:release.step": 0 });
        v = trafficView(r);
        assert.strictEqual(v.mainSelectorTrack, "blue", "main selector unchanged in preview");
        assert.strictEqual(v.previewSelectorTrack, "green");
        assert.deepStrictEqual(v.replicas, { blue: 1, green: 1 });
        assert.deepStrictEqual(v.images, { blue: STABLE, green: CANDIDATE });

        r = await e.up({ "goship:release.step": 1 });
        v = trafficView(r);
        assert.strictEqual(v.mainSelectorTrack, "green", "the switch moves the main selector");
        assert.deepStrictEqual(v.replicas, { blue: 1, green: 1 }, "the old colour stays warm");
        assert.strictEqual(v.roles.blue, "warm");

        r = await e.up({ "goship:version": "1.0.0" });
        v = trafficView(r);
        assert.strictEqual(v.mainSelectorTrack, "blue", "rollback switches back to the warm colour");
        assert.strictEqual(v.images.blue, STABLE);
        assert.strictEqual(r.outputs.releaseStatus, "stable 1.0.0");
    });

    it("blue/green: scale the old colour down only after scaleDownDelay", async () => {
        const e = new MockEngine("dev", { "goship:release.strategy": "blueGreen", "goship:release.scaleDownDelaySeconds": 600 });
        await e.up();
        await e.up({ "goship:version": "1.1.0", "goship:release.step": 0 });
        await e.up({ "goship:release.step": 1 });
        e.tick(60);
        await assert.rejects(e.up({ "goship:release.step": 2 }), /scaleDownDelay|remaining|wait/i);
        e.tick(600);
        const r = await e.up({ "goship:release.step": 2 });
        const v = trafficView(r);
        assert.deepStrictEqual(v.replicas, { blue: 0, green: 1 });
        assert.strictEqual(v.mainSelectorTrack, "green");
    });

    it("prod under an HPA at 10 pods: the canary is sized from the live count, the promotion runs the full count before the switch", async () => {
        const e = new MockEngine("prod");
        let r = await e.up();
        let v = trafficView(r);
        assert.strictEqual(v.hpaTarget, "goship-blue");
        assert.strictEqual(v.replicas.blue, undefined, "first deploy: the HPA owns the stable track's replicas");
        assert.strictEqual(r.reads.length, 0, "nothing to read before the tracks exist");
        assert.strictEqual(e.deployments.get("goship-blue"), 3, "the HPA starts at minReplicas");
        e.scale("goship-blue", 10); // load: the HPA scales stable to 10

        const sizes: Array<[string, number | undefined, number | undefined]> = [];
        r = await e.up({ "goship:version": "1.1.0", "goship:release.step": 0 });
        v = trafficView(r);
        assert.match(v.images.green, /@sha256:/, "prod deploys by digest");
        assert.deepStrictEqual(r.reads.map((x) => [x.id, x.outputs.spec.replicas]), [["goship-prod/goship-blue", 10], ["goship-prod/goship-green", 0]], "the live counts are read");
        sizes.push(["5%", v.replicas.blue, v.replicas.green]);
        for (const step of [1, 2]) {
            r = await e.up({ "goship:release.step": step });
            v = trafficView(r);
            sizes.push([`${[5, 20, 50][step]}%`, v.replicas.blue, v.replicas.green]);
        }
        // Stable keeps the HPA's 10 (written back as read: no fight); the candidate gets its share of 10, not of minReplicas 3.
        assert.deepStrictEqual(sizes, [["5%", 10, 1], ["20%", 10, 2], ["50%", 10, 5]]);
        assert.strictEqual(r.get(T.Deployment, "goship-blue").inputs.metadata.annotations["goship.dev/replicas-source"], "live");
        const policies = policyReport(r.resources, "prod");
        assert.strictEqual(policies.mandatory, 0, policies.text);

        r = await e.up({ "goship:release.step": 3 });
        v = trafficView(r);
        assert.strictEqual(r.outputs.releaseStatus, "stable 1.1.0");
        assert.deepStrictEqual(v.replicas, { blue: 0, green: 10 }, "the promoted track runs the live count, not the 50% share (5) nor minReplicas (3)");
        assert.strictEqual(v.hpaTarget, "goship-green");
        const main = r.get(T.Service, "goship");
        const green = r.get(T.Deployment, "goship-green");
        const blue = r.get(T.Deployment, "goship-blue");
        assert.ok(r.waitsFor(main, green), "the main Service moves only after green is Ready at 10");
        assert.ok(r.waitsFor(blue, main), "blue scales down only after the main Service moved");
        assert.ok(r.ofType(T.Ingress).every((i) => i.inputs.spec.tls?.[0]?.secretName === "goship-tls"), "canary Ingress copies the TLS of the main one");

        // Re-run: a no-op for the release; later the HPA scales green and the next up follows it.
        r = await e.up();
        assert.strictEqual(r.changed, false);
        assert.deepStrictEqual(trafficView(r).replicas, { blue: 0, green: 10 });
        e.scale("goship-green", 7);
        r = await e.up();
        assert.deepStrictEqual(trafficView(r).replicas, { blue: 0, green: 7 }, "pulumi up writes what the HPA chose, never its own number");
        e.scale("goship-green", 2);
        r = await e.up();
        assert.strictEqual(trafficView(r).replicas.green, 3, "never below minReplicas");
    });

    it("prod under an HPA: a rollback to the idle track brings it up at the live count before the switch", async () => {
        const e = new MockEngine("prod");
        await e.up();
        await e.up({ "goship:version": "1.1.0", "goship:release.step": 0 });
        for (const step of [1, 2, 3]) await e.up({ "goship:release.step": step });
        e.scale("goship-green", 8);
        const r = await e.up({ "goship:version": "1.0.0" });
        const v = trafficView(r);
        assert.strictEqual(v.mainSelectorTrack, "blue");
        assert.deepStrictEqual(v.replicas, { blue: 8, green: 0 });
        assert.ok(r.waitsFor(r.get(T.Service, "goship"), r.get(T.Deployment, "goship-blue")));
    });

    it("prod blue/green under an HPA: preview and warm colour at the live count", async () => {
        const e = new MockEngine("prod", { "goship:release.strategy": "blueGreen" });
        await e.up();
        e.scale("goship-blue", 9);
        let r = await e.up({ "goship:version": "1.1.0", "goship:release.step": 0 });
        assert.deepStrictEqual(trafficView(r).replicas, { blue: 9, green: 9 });
        r = await e.up({ "goship:release.step": 1 });
        assert.deepStrictEqual(trafficView(r).replicas, { blue: 9, green: 9 }, "switched: green at 9, blue warm at 9");
        assert.strictEqual(trafficView(r).mainSelectorTrack, "green");
    });
});

describe("release ordering (resource dependencies, not timing)", function () {
    this.timeout(60_000);

    it("promotion: the main Service waits for the new track; the old track scales down after traffic moved", async () => {
        const e = new MockEngine("dev");
        await e.up();
        await e.up({ "goship:version": "1.1.0", "goship:release.step": 0 });
        await e.up({ "goship:release.step": 1 });
        await e.up({ "goship:release.step": 2 });
        const r = await e.up({ "goship:release.step": 3 });
        const main = r.get(T.Service, "goship");
        const green = r.get(T.Deployment, "goship-green");
        const blue = r.get(T.Deployment, "goship-blue");
        const canary = r.get(T.Ingress, "goship-canary");
        assert.ok(r.waitsFor(main, green), "main Service must wait for the new stable Deployment");
        assert.ok(r.waitsFor(blue, main), "the old track must scale down after the main Service switched");
        assert.ok(r.waitsFor(blue, canary), "the old track must scale down after the canary Ingress moved");
        assert.ok(!r.waitsFor(green, blue), "no cycle");
    });

    it("abort: the candidate scales down only after its weight went to 0", async () => {
        const e = new MockEngine("dev");
        await e.up();
        await e.up({ "goship:version": "1.1.0", "goship:release.step": 0 });
        const r = await e.up({ "goship:release.abort": true });
        assert.ok(r.waitsFor(r.get(T.Deployment, "goship-green"), r.get(T.Ingress, "goship-canary")));
    });

    it("a canary step: the canary Ingress waits for the candidate's pods", async () => {
        const e = new MockEngine("dev");
        await e.up();
        const r = await e.up({ "goship:version": "1.1.0", "goship:release.step": 0 });
        assert.ok(r.waitsFor(r.get(T.Ingress, "goship-canary"), r.get(T.Deployment, "goship-green")));
        assert.ok(!r.waitsFor(r.get(T.Deployment, "goship-blue"), r.get(T.Ingress, "goship-canary")), "stable is not reordered");
    });

    it("only the objects built from the release state depend on the release record directly: never a track's component, Service or PDB", async () => {
        // Readers of the record's state: the tracks' Deployments (image, replicas), the main
        // and preview Services (selector), the router's objects (weights), the HPA (target).
        const readers = new RegExp(`^(${[
            `${T.Deployment}::goship-(blue|green)-deployment`, `${T.Service}::goship-(main|preview)`,
            `${T.Ingress}::goship-(primary|canary)`, `${T.HPA}::goship-hpa`,
        ].join("|")})$`);
        const runs: Array<[string, Array<Record<string, unknown>>]> = [
            ["dev", [{}, { "goship:version": "1.1.0", "goship:release.step": 0 }, { "goship:release.step": 1 }, { "goship:release.abort": true }]],
            ["prod", [{ "goship:release.strategy": "blueGreen" }, { "goship:version": "1.1.0", "goship:release.step": 0 }, { "goship:release.step": 1 }]],
        ];
        let edges = 0;
        for (const [stack, steps] of runs) {
            const e = new MockEngine(stack);
            for (const edit of steps) {
                const r = await e.up(edit);
                const record = r.ofType(T.Release)[0];
                const key = `${record.type}::${record.name}`;
                const direct = r.resources.filter((x) => x.dependsOn!.includes(key)).map((x) => `${x.type}::${x.name}`);
                assert.deepStrictEqual(direct.filter((k) => !readers.test(k)), [], `${stack} ${JSON.stringify(edit)}: direct edges to the release record`);
                assert.ok(direct.includes(`${T.Deployment}::goship-green-deployment`), "the tracks' Deployments read the record");
                edges += direct.length;
            }
        }
        assert.ok(edges > 0);
    });
});
