// The release's dynamic provider as the engine sees it: serialized with
// pulumi.runtime.serializeFunction, loaded from text in a fresh module context, and driven
// through check/diff/create/update. This catches closure-capture bugs mocks never see.
import * as assert from "assert";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { releaseProvider } from "../components/release/provider";
import { trackReplicas } from "../components/release/replicas";
import { canaryAnnotations } from "../components/release/routers/nginx";
import { routerFor } from "../components/release/routers";

const desired = (version: string, step = 0, extra: Record<string, unknown> = {}) => ({
    desired: { version, strategy: "canary", steps: [5, 20, 50, 100], step, abort: false, scaleDownDelaySeconds: 600, ...extra },
    imageRef: `goship:${version}`,
    now: "2026-11-24T10:00:00.000Z",
});

/** Serializes the provider like pulumi.dynamic.Resource does and loads it like the provider host. */
async function loadSerialized(): Promise<pulumi.dynamic.ResourceProvider> {
    const sf = await pulumi.runtime.serializeFunction(() => releaseProvider, { allowSecrets: true });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "goship-provider-"));
    const file = path.join(dir, "provider.js");
    fs.writeFileSync(file, sf.text);
    // A fresh module (nothing of this test's module graph is shared with it); the host
    // calls the exported factory: requireFromString(text).handler().
    const mod = require(file);
    return mod[sf.exportName]();
}

describe("release provider", function () {
    this.timeout(60_000);

    it("round-trips through closure serialization and still runs check/diff/create/update", async () => {
        const p = await loadSerialized();
        const first = await p.check!({}, desired("1.0.0"));
        assert.ok(!first.failures?.length, JSON.stringify(first.failures));
        assert.strictEqual(first.inputs.status, "stable 1.0.0");
        const created = await p.create!(first.inputs);
        // create adds the volatile facts (the time of the deploy) to what check planned.
        const { at, ...planned } = created.outs.state.history[0];
        assert.deepStrictEqual({ ...created.outs, state: { ...created.outs.state, history: [planned] } }, first.inputs);
        assert.strictEqual(at, "2026-11-24T10:00:00.000Z");

        const second = await p.check!(created.outs, desired("1.1.0", 0));
        assert.strictEqual(second.inputs.state.weight, 5);
        assert.deepStrictEqual(second.inputs.trackImages, { blue: "goship:1.0.0", green: "goship:1.1.0" });
        const d = await p.diff!("id", created.outs, second.inputs);
        assert.strictEqual(d.changes, true);
        const updated = await p.update!("id", created.outs, second.inputs);
        assert.strictEqual(updated.outs!.state.candidateVersion, "1.1.0");

        const jump = await p.check!(updated.outs, desired("1.1.0", 2));
        assert.strictEqual(jump.failures?.length, 1);
        assert.match(jump.failures![0].reason, /release 1\.1\.0 is at step/);

        const same = await p.check!(updated.outs, desired("1.1.0", 0));
        const noop = await p.diff!("id", updated.outs, same.inputs);
        assert.strictEqual(noop.changes, false, "unchanged config must be a no-op");
    });

    it("diff reports exactly the changed fields of an advance", async () => {
        const { changedFields } = require("../components/release/provider");
        const p = releaseProvider;
        const a = (await p.check!({}, desired("1.0.0"))).inputs;
        const b = (await p.check!(a, desired("1.1.0", 0))).inputs;
        const c = (await p.check!(b, desired("1.1.0", 1))).inputs;
        const fields: string[] = changedFields(b, c);
        // Arrays are leaves: the history shows as one changed field, holding one new entry.
        assert.deepStrictEqual(fields, ["desired.step", "state.history", "state.step", "state.weight", "status"]);
        assert.deepStrictEqual(c.state.history.slice(0, -1), b.state.history, "history is appended to, never rewritten");
        // check plans the entry; its time is added by update (see the plan tests below).
        assert.deepStrictEqual(c.state.history.at(-1), { event: "advance", from: "1.0.0", to: "1.1.0", step: 1, weight: 20 });
        assert.deepStrictEqual(changedFields(c, { ...c, now: "later" }), [], "the clock alone is no change");
    });

    it("keeps a track's image until that track gets a new version", async () => {
        const p = releaseProvider;
        const a = (await p.check!({}, desired("1.0.0"))).inputs;
        const b = (await p.check!(a, { ...desired("1.1.0", 0), imageRef: "registry/app@sha256:bbb" })).inputs;
        assert.strictEqual(b.trackImages.blue, "goship:1.0.0");
        assert.strictEqual(b.trackImages.green, "registry/app@sha256:bbb");
        // A rebuilt candidate image (same version, new digest) rolls only the candidate.
        const c = (await p.check!(b, { ...desired("1.1.0", 1), imageRef: "registry/app@sha256:ccc" })).inputs;
        assert.deepStrictEqual(c.trackImages, { blue: "goship:1.0.0", green: "registry/app@sha256:ccc" });
    });
});

describe("release provider: pulumi up runs check twice (preview, then update)", function () {
    this.timeout(60_000);
    // A stand-in Prometheus on 127.0.0.1 whose answers change between the two checks, as
    // a real one may between a preview and its update.
    let server: http.Server;
    let successRate = "1";
    before(async () => {
        server = http.createServer((req, res) => {
            const q = new URL(req.url!, "http://x").searchParams.get("query") ?? "";
            const value = q.startsWith("histogram_quantile") ? "0.05" : q.startsWith("sum(increase") ? "500" : successRate;
            res.setHeader("content-type", "application/json");
            res.end(JSON.stringify({ status: "success", data: { resultType: "vector", result: [{ metric: {}, value: [0, value] }] } }));
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    });
    after(() => new Promise<void>((r) => server.close(() => r())));

    it("each check measures anew; the update's answer is the one stored (preview passed, update aborts)", async () => {
        const p = releaseProvider;
        const analysis = {
            prometheusUrl: `http://127.0.0.1:${(server.address() as any).port}`, window: "5m", minSuccessRate: 0.99, maxP99Seconds: 0.5,
            minRequests: 100, noData: "fail", onFailure: "abort", queries: {},
        };
        const a = (await p.check!({}, desired("1.0.0"))).inputs;
        const b = (await p.check!(a, desired("1.1.0", 0))).inputs;
        const news = { ...desired("1.1.0", 1), analysis };
        successRate = "0.999";
        const preview = await p.check!(b, news);
        assert.strictEqual(preview.inputs.state.weight, 20, "the preview shows the advance");
        successRate = "0.5";
        const update = await p.check!(b, news);
        assert.strictEqual(update.inputs.state.phase, "Aborted", "the update measured again and aborted");
        const stored = (await p.update!("id", b, update.inputs)).outs;
        assert.strictEqual(stored.state.phase, "Aborted");
        assert.strictEqual(stored.state.history.at(-1).analysis.values.successRate, 0.5, "the update's measurement is recorded");
        // And the stored result is a fixpoint: the same config again does not measure or move.
        successRate = "0.999";
        const again = await p.check!(stored, news);
        assert.strictEqual((await p.diff!("id", stored, again.inputs)).changes, false);
    });
});

describe("release replica math", () => {
    const cases: Array<[Parameters<typeof trackReplicas>, number | undefined]> = [
        [["stable", "canary", 0, 3, true], undefined],
        [["stable", "canary", 0, 3, false], 3],
        [["candidate", "canary", 5, 3, true], 1],
        [["candidate", "canary", 20, 3, true], 1],
        [["candidate", "canary", 50, 3, true], 2],
        [["candidate", "canary", 50, 10, false], 5],
        [["candidate", "canary", 51, 10, false], 6],
        [["candidate", "blueGreen", 0, 4, false], 4],
        [["warm", "blueGreen", 100, 4, false], 4],
        [["idle", "canary", 0, 4, false], 0],
        // Under an HPA with the live count read: sized for the load, never below minReplicas.
        [["stable", "canary", 0, 3, true, 10], 10],
        [["stable", "canary", 0, 3, true, 2], 3],
        [["candidate", "canary", 5, 3, true, 10], 1],
        [["candidate", "canary", 20, 3, true, 10], 2],
        [["candidate", "canary", 50, 3, true, 10], 5],
        [["candidate", "blueGreen", 0, 3, true, 9], 9],
        [["warm", "blueGreen", 0, 3, true, 9], 9],
        [["idle", "canary", 0, 3, true, 10], 0],
        // Without an HPA the configured count rules; a live count is ignored.
        [["candidate", "canary", 50, 4, false, 10], 2],
        [["stable", "canary", 0, 4, false, 10], 4],
    ];
    for (const [args, expected] of cases) {
        it(`${args[0]} ${args[1]} at ${args[2]}% of ${args[3]}${args[4] ? " (HPA)" : ""}${args[5] !== undefined ? `, live ${args[5]}` : ""} → ${expected}`, () => {
            assert.strictEqual(trackReplicas(...args), expected);
        });
    }
});

describe("nginx router", () => {
    it("builds canary annotations: weight, header (value or pattern), cookie", () => {
        assert.deepStrictEqual(canaryAnnotations(20), {
            "nginx.ingress.kubernetes.io/canary": "true", "nginx.ingress.kubernetes.io/canary-weight": "20",
        });
        assert.deepStrictEqual(canaryAnnotations(5, { header: "X-Canary", headerValue: "always", cookie: "canary" }), {
            "nginx.ingress.kubernetes.io/canary": "true",
            "nginx.ingress.kubernetes.io/canary-weight": "5",
            "nginx.ingress.kubernetes.io/canary-by-header": "X-Canary",
            "nginx.ingress.kubernetes.io/canary-by-header-value": "always",
            "nginx.ingress.kubernetes.io/canary-by-cookie": "canary",
        });
        assert.strictEqual(canaryAnnotations(5, { header: "X-Canary", headerPattern: "^(qa|dev)$" })["nginx.ingress.kubernetes.io/canary-by-header-pattern"], "^(qa|dev)$");
        assert.throws(() => canaryAnnotations(101), /canary weight must be an integer in \[0, 100\], got 101/);
        assert.throws(() => canaryAnnotations(2.5), /got 2.5/);
    });

    it("refuses an unknown router instead of falling back", () => {
        assert.throws(() => routerFor({ kind: "traefik" } as any), /unknown router "traefik"; known routers: nginx, gatewayApi/);
    });
});
