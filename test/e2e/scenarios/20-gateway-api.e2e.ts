// Scenario 20: the Gateway API router on the real engine. The Gateway API CRDs
// (../shared/e2e/gateway-api-crds.yaml) are installed into the cluster, so the API server runs
// their OpenAPI and CEL validation on every HTTPRoute goship writes; a stand-in plays the
// Gateway controller (it marks each route Accepted/ResolvedRefs, which the provider waits for,
// as the tier's ingress stand-in does for Ingresses). A canary 5 → 20 → 50 → 100, an abort and
// a blue/green switch run with `router: gatewayApi`, each step's route read back from the API
// server; then the one-`up` migration of a live nginx stack: the route exists before the
// Ingresses go, and a router change mid-rollout is refused with the reason.
import * as k8s from "@kubernetes/client-node";
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { tier } from "../hooks";
import { Obj } from "../kube";
import { errors, Run, TestStack } from "../stack";
import { ROOT } from "../toolchain";

const GROUP = "gateway.networking.k8s.io";
const CRDS = path.resolve(ROOT, "../shared/e2e/gateway-api-crds.yaml");
const GATEWAY = { "release.gatewayApi.parentRefs[0].name": "eg", "release.gatewayApi.parentRefs[0].namespace": "gateway-system" };

/** Installs the Gateway API CRDs once per tier and waits until the API server serves them. */
let installed: Promise<void> | undefined;
function installCrds(): Promise<void> {
    installed ??= (async () => {
        const kube = tier().kube;
        for (const doc of YAML.parseAllDocuments(fs.readFileSync(CRDS, "utf8"))) {
            const crd = doc.toJS();
            if (!crd) continue;
            await kube.objects.create(crd).catch((e: any) => {
                if (!/409|AlreadyExists/.test(String(e?.code ?? e?.message ?? e))) throw e;
            });
        }
        await kube.waitFor("the HTTPRoute CRD to be Established", async () => {
            const crd = await kube.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", `httproutes.${GROUP}`);
            return crd?.status?.conditions?.some((c: any) => c.type === "Established" && c.status === "True");
        });
    })();
    return installed;
}

/**
 * Plays the Gateway controller: every HTTPRoute whose status does not report its current
 * generation gets Accepted and ResolvedRefs for its first parent. Polls until stopped.
 */
function publishRouteStatus(kc: k8s.KubeConfig, intervalMs = 250): { stop(): Promise<void> } {
    const api = kc.makeApiClient(k8s.CustomObjectsApi);
    let running = true;
    const loop = (async () => {
        while (running) {
            try {
                const list: any = await api.listCustomObjectForAllNamespaces({ group: GROUP, version: "v1", plural: "httproutes" });
                for (const r of list.items ?? []) {
                    const gen = r.metadata.generation;
                    const parent = r.spec.parentRefs?.[0];
                    if (!parent || r.status?.parents?.[0]?.conditions?.every((c: any) => c.observedGeneration === gen)) continue;
                    const cond = (type: string) => ({ type, status: "True", reason: type, message: "e2e stand-in", observedGeneration: gen, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, "Z") });
                    r.status = { parents: [{ parentRef: parent, controllerName: "goship.dev/e2e-gateway", conditions: [cond("Accepted"), cond("ResolvedRefs")] }] };
                    await api.replaceNamespacedCustomObjectStatus({ group: GROUP, version: "v1", plural: "httproutes", namespace: r.metadata.namespace, name: r.metadata.name, body: r })
                        .catch(() => undefined); // a conflict or a deleted route: next round
                }
            } catch {
                // CRDs not installed yet, or the API server is stopping: next round
            }
            await new Promise((res) => setTimeout(res, intervalMs));
        }
    })();
    return { stop: async () => { running = false; await loop; } };
}

async function route(stack: TestStack): Promise<Obj | undefined> {
    return tier().kube.get(`${GROUP}/v1`, "HTTPRoute", "goship", stack.namespace);
}

/** The route's rules in one line, as the API server returned them: `testers → goship-green=1 · split → goship-blue=95 goship-green=5`. */
function rules(r: Obj | undefined): string {
    return (r?.spec?.rules ?? []).map((x: any) => `${x.name} → ${x.backendRefs.map((b: any) => `${b.name}=${b.weight}`).join(" ")}`).join(" · ");
}

function ok(run: Run, what: string): void {
    assert.ok(run.ok, `${what} failed:\n${errors(run).join("\n")}\n${run.stderr}\n${run.stdout.slice(-3000)}`);
}

/** Sequence of the first event of `kind` ("pre" = step started, "done" = outputs) for a URN suffix and op. */
function seq(run: Run, suffix: string, kind: "pre" | "done", op?: string): number | undefined {
    return run.events.find((e) => {
        const m = kind === "pre" ? e.resourcePreEvent?.metadata : e.resOutputsEvent?.metadata;
        return m?.urn.endsWith(suffix) && (!op || m.op === op);
    })?.sequence;
}

describe("e2e 20: Gateway API router", function () {
    let publisher: { stop(): Promise<void> };
    before(async () => {
        await installCrds();
        publisher = publishRouteStatus(tier().kube.config);
    });
    after(async () => publisher?.stop());

    describe("canary, abort and blue/green through one HTTPRoute", () => {
        let stack: TestStack;
        before(async () => {
            stack = await TestStack.create(tier(), "gw", "dev");
            await stack.set({ "release.router": "gatewayApi", ...GATEWAY });
        });

        it("first deploy: the route sends everything to the stable track, and no Ingress exists", async () => {
            ok(await stack.up(), "first up");
            const r = await route(stack);
            assert.strictEqual(rules(r), "split → goship-blue=100");
            assert.deepStrictEqual(r?.spec.hostnames, ["goship.localtest.me"]);
            assert.deepStrictEqual(r?.spec.parentRefs, [{ group: GROUP, kind: "Gateway", name: "eg", namespace: "gateway-system" }]);
            assert.deepStrictEqual(await tier().kube.list("networking.k8s.io/v1", "Ingress", stack.namespace), []);
        });

        const steps: Array<[number, string]> = [
            [0, "testers → goship-green=1 · split → goship-blue=95 goship-green=5"],
            [1, "testers → goship-green=1 · split → goship-blue=80 goship-green=20"],
            [2, "testers → goship-green=1 · split → goship-blue=50 goship-green=50"],
            [3, "split → goship-green=100"],
        ];
        for (const [step, expected] of steps) {
            it(`canary step ${step}: the API server's route is ${expected}`, async () => {
                if (step === 0) await stack.release("1.1.0", { "release.step": 0 });
                else await stack.set({ "release.step": step });
                const up = await stack.up();
                ok(up, `step ${step}`);
                const r = await route(stack);
                assert.strictEqual(rules(r), expected);
                if (step === 1) {
                    const testers = r!.spec.rules[0];
                    assert.deepStrictEqual(testers.matches, [{ path: { type: "PathPrefix", value: "/" }, headers: [{ type: "Exact", name: "X-Canary", value: "always" }] }]);
                    fs.writeFileSync(path.join(tier().work, "httproute-step1.json"), JSON.stringify(r, null, 2));
                    if (process.env.GOSHIP_E2E_SHOW_ROUTE) console.log(YAML.stringify({ apiVersion: r!.apiVersion, kind: r!.kind, metadata: { name: r!.metadata?.name, namespace: r!.metadata?.namespace, generation: r!.metadata?.generation }, spec: r!.spec, status: r!.status }));
                }
                // the weight moved only once the candidate was available
                const cand = seq(up, "goship-green-deployment", "done");
                const moved = seq(up, "goship-route", "pre", "update");
                assert.ok(moved !== undefined, "the route was updated");
                if (step === 0) assert.ok(cand !== undefined && cand < moved!, `route updated (seq ${moved}) before the candidate was available (seq ${cand})`);
            });
        }

        it("abort: the testers rule and the candidate's weight go at once", async () => {
            await stack.release("1.2.0", { "release.step": 0 });
            ok(await stack.up(), "start 1.2.0");
            assert.strictEqual(rules(await route(stack)), "testers → goship-blue=1 · split → goship-green=95 goship-blue=5");
            await stack.set({ "release.abort": true });
            ok(await stack.up(), "abort");
            assert.strictEqual(rules(await route(stack)), "split → goship-green=100");
            assert.match((await stack.outputs()).releaseStatus, /^aborted 1\.2\.0 · stable 1\.1\.0$/);
        });

        it("blue/green: the split rule's one backendRef moves from one colour to the other at the switch", async () => {
            await stack.release("1.3.0", { "release.strategy": "blueGreen", "release.abort": false, "release.step": 0 });
            ok(await stack.up(), "preview 1.3.0");
            assert.strictEqual(rules(await route(stack)), "split → goship-green=100", "preview: the live colour keeps the route");
            const preview = await tier().kube.must("v1", "Service", "goship-preview", stack.namespace);
            assert.strictEqual(preview.spec.selector["goship.dev/track"], "blue");
            await stack.set({ "release.step": 1 });
            const up = await stack.up();
            ok(up, "switch");
            assert.strictEqual(rules(await route(stack)), "split → goship-blue=100");
            const ready = seq(up, "goship-blue-deployment", "done");
            const switched = seq(up, "goship-route", "pre", "update");
            if (ready !== undefined) assert.ok(ready < switched!, "the route switched only after the new colour was ready");
        });

        it("the API server refuses what the CRD forbids (its validation runs on this tier)", async () => {
            const r = (await route(stack))!;
            const api = tier().kube.config.makeApiClient(k8s.CustomObjectsApi);
            const bad = JSON.parse(JSON.stringify(r));
            bad.spec.rules[0].backendRefs[0].weight = -1;
            await assert.rejects(api.replaceNamespacedCustomObject({ group: GROUP, version: "v1", plural: "httproutes", namespace: stack.namespace, name: "goship", body: bad }), /weight|Invalid/);
        });
    });

    describe("migration nginx → gatewayApi on a live stack", () => {
        let stack: TestStack;
        before(async () => {
            stack = await TestStack.create(tier(), "mig", "dev");
        });

        it("is refused mid-rollout with the reason", async () => {
            ok(await stack.up(), "first up (nginx)");
            assert.strictEqual((await tier().kube.list("networking.k8s.io/v1", "Ingress", stack.namespace)).length, 2);
            await stack.release("1.1.0", { "release.step": 0 });
            ok(await stack.up(), "canary step 0 (nginx)");
            await stack.set({ "release.router": "gatewayApi", ...GATEWAY });
            const preview = await stack.preview();
            assert.ok(!preview.ok, "a router change mid-rollout must fail the preview");
            assert.match(errors(preview).join("\n") + preview.stderr, /release\.router cannot change from nginx to gatewayApi while the release is in progress \(canary 1\.1\.0 step 1\/4: 5%/);
            await stack.set({ "release.router": "nginx" });
            await stack.remove("release.gatewayApi");
            await stack.set({ "release.abort": true });
            ok(await stack.up(), "abort (nginx)");
        });

        it("one up: the preview shows both, the route is created and ready before the Ingresses are deleted", async () => {
            await stack.set({ "release.router": "gatewayApi", ...GATEWAY });
            const preview = await stack.preview();
            ok(preview, "migration preview");
            const planned = (suffix: string) => preview.events.find((e) => e.resourcePreEvent?.metadata.urn.endsWith(suffix))?.resourcePreEvent?.metadata.op;
            assert.strictEqual(planned("goship-route"), "create");
            assert.strictEqual(planned("goship-primary"), "delete");
            assert.strictEqual(planned("goship-canary"), "delete");

            const up = await stack.up();
            ok(up, "migration up");
            const created = seq(up, "goship-route", "done");
            const deleted = [seq(up, "goship-primary", "pre", "delete"), seq(up, "goship-canary", "pre", "delete")];
            assert.ok(created !== undefined && deleted.every((d) => d !== undefined), JSON.stringify({ created, deleted }));
            for (const d of deleted) assert.ok(created! < d!, `an Ingress was deleted (seq ${d}) before the HTTPRoute was ready (seq ${created})`);
            console.log(`      route created and ready at event ${created}; Ingress deletes start at events ${deleted.join(", ")}`);
            assert.deepStrictEqual(await tier().kube.list("networking.k8s.io/v1", "Ingress", stack.namespace), []);
            const r = await route(stack);
            assert.strictEqual(rules(r), "split → goship-blue=100");
            assert.ok(r?.status?.parents?.[0]?.conditions?.some((c: any) => c.type === "Accepted" && c.status === "True"), "the route the provider waited for is Accepted");
        });
    });
});
