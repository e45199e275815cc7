// Scenario 13: a canary under an HPA at load. The stable track runs 10 pods because the HPA
// scaled it (a scale-subresource update standing in for the HPA, as `kubectl scale` does),
// not the HPA's minReplicas of 3. Each step's candidate is sized from those 10, the preview
// shows that size, and at promotion the candidate is Ready at 10 before the main Service
// moves; the old track scales down only after. Checked in the API server and in the
// engine's event order.
import * as assert from "assert";
import * as k8s from "@kubernetes/client-node";
import { tier } from "../hooks";
import { retryOnConflict } from "../kube";
import { Run, TestStack } from "../stack";

const seq = (run: Run, suffix: string) => {
    const pre = run.events.find((e) => e.resourcePreEvent?.metadata.urn.endsWith(suffix));
    const done = run.events.find((e) => e.resOutputsEvent?.metadata.urn.endsWith(suffix));
    return { pre: pre?.sequence, done: done?.sequence, op: pre?.resourcePreEvent?.metadata.op };
};
/** The replicas a run's step gives a track's Deployment (the preview's number). */
const plannedReplicas = (run: Run, track: string): number | undefined => {
    const e = run.events.find((x) => x.resourcePreEvent?.metadata.urn.endsWith(`goship-${track}-deployment`))?.resourcePreEvent?.metadata;
    return (e?.new?.inputs as any)?.spec?.replicas;
};

describe("e2e 13: canary and promotion sized for the live load under an HPA", () => {
    let stack: TestStack;
    const dep = (t: string) => tier().kube.must("apps/v1", "Deployment", `goship-${t}`, stack.namespace);

    /** What `kubectl scale --replicas=n` does: an update of the scale subresource. */
    async function scale(track: string, replicas: number): Promise<void> {
        const apps = tier().kube.config.makeApiClient(k8s.AppsV1Api);
        const name = `goship-${track}`;
        await retryOnConflict(async () => {
            const s = await apps.readNamespacedDeploymentScale({ name, namespace: stack.namespace });
            s.spec = { replicas };
            await apps.replaceNamespacedDeploymentScale({ name, namespace: stack.namespace, body: s, fieldManager: "kubectl" });
        });
        await tier().kube.waitFor(`${name} at ${replicas} available`, async () => (await dep(track)).status?.availableReplicas === replicas, 120_000);
    }

    async function up(edits: Record<string, string | number | boolean>, version?: string): Promise<{ preview: Run; up: Run }> {
        if (version) await stack.release(version, edits);
        else await stack.set(edits);
        const preview = await stack.preview();
        assert.ok(preview.ok, preview.stderr + preview.stdout);
        const run = await stack.up();
        assert.ok(run.ok, run.stderr + run.stdout);
        return { preview, up: run };
    }

    before(async function () {
        this.timeout(600_000);
        stack = await TestStack.create(tier(), "hpa", "dev");
        await stack.set({
            "autoscaling.enabled": true, "autoscaling.minReplicas": 3, "autoscaling.maxReplicas": 12,
            "quota.pods": 40, "quota.requestsCpu": "4", "quota.limitsCpu": "8", "quota.requestsMemory": "4Gi", "quota.limitsMemory": "8Gi",
            "quota.requestsEphemeralStorage": "8Gi", "quota.limitsEphemeralStorage": "16Gi",
        });
        await stack.setSecret("apiToken", "e2e-hpa-token");
        const first = await stack.up();
        assert.ok(first.ok, first.stderr + first.stdout);
        await scale("blue", 10); // the load: the HPA scaled stable to 10
    });

    it("each canary step sizes the candidate from the live 10 (1, 2, 5), shown in the preview", async () => {
        const sizes: Array<[number | undefined, number | undefined, number]> = [];
        for (const step of [0, 1, 2]) {
            const { preview } = await up({ "release.step": step }, step === 0 ? "1.1.0" : undefined);
            const green = await dep("green");
            sizes.push([plannedReplicas(preview, "green"), green.spec.replicas, green.status?.availableReplicas ?? 0]);
            assert.strictEqual((await dep("blue")).spec.replicas, 10, "stable keeps the HPA's count");
        }
        assert.deepStrictEqual(sizes, [[1, 1, 1], [2, 2, 2], [5, 5, 5]]);
    });

    it("promotion: green is Ready at 10 before the main Service moves; blue scales down after", async () => {
        const { preview, up: run } = await up({ "release.step": 3 });
        assert.strictEqual(plannedReplicas(preview, "green"), 10, "the preview shows the full size");
        const green = await dep("green");
        assert.deepStrictEqual([green.spec.replicas, green.status?.availableReplicas], [10, 10]);
        assert.strictEqual((await dep("blue")).spec.replicas, 0);
        const svc = await tier().kube.must("v1", "Service", "goship", stack.namespace);
        assert.strictEqual(svc.spec.selector["goship.dev/track"], "green");
        const g = seq(run, "goship-green-deployment");
        const main = seq(run, "goship-main");
        const b = seq(run, "goship-blue-deployment");
        console.log(`      event order: green scaled (seq ${g.pre} → ${g.done}), main Service (seq ${main.pre} → ${main.done}), blue scaled down (seq ${b.pre} → ${b.done})`);
        assert.ok(g.done !== undefined && main.pre !== undefined && g.done < main.pre, "the main Service moved before green was Ready at 10");
        assert.ok(main.done !== undefined && b.pre !== undefined && main.done < b.pre, "blue scaled down before the main Service moved");
        const hpa = await tier().kube.must("autoscaling/v2", "HorizontalPodAutoscaler", "goship", stack.namespace);
        assert.strictEqual(hpa.spec.scaleTargetRef.name, "goship-green");
    });

    it("after promotion the HPA's count is what the next up writes (no fight, no SSA conflict)", async () => {
        await scale("green", 7);
        const { up: run } = await up({});
        assert.strictEqual((await dep("green")).spec.replicas, 7, "pulumi up kept the HPA's 7");
        assert.strictEqual(seq(run, "goship-release").op, "same", "the release did not move");
    });
});
