// Scenario 10: drift. A hand edit of the canary weight and a hand scale of the stable Deployment
// show in `pulumi preview --refresh`, and `pulumi up --refresh` puts both back.
import * as assert from "assert";
import { tier } from "../hooks";
import { canaryWeight, deployedDev, deployment } from "../story";

describe("e2e 10: drift", () => {
    it("preview --refresh shows the hand edits; up --refresh restores them", async () => {
        const { stack } = await deployedDev();
        const kube = tier().kube;
        const record = await stack.releaseRecord();
        const stable = record.state.stableTrack as "blue" | "green";
        const weight = await canaryWeight(stack);
        const replicas = (await deployment(stack, stable)).spec.replicas;
        await kube.mergePatch("networking.k8s.io/v1", "Ingress", "goship-canary", stack.namespace,
            { metadata: { annotations: { "nginx.ingress.kubernetes.io/canary-weight": "30" } } });
        await kube.mergePatch("apps/v1", "Deployment", `goship-${stable}`, stack.namespace, { spec: { replicas: 3 } });

        const preview = await stack.preview({ refresh: true });
        assert.ok(preview.ok, preview.stderr + preview.stdout);
        const updates = preview.events.filter((e) => e.resourcePreEvent?.metadata.op === "update").map((e) => e.resourcePreEvent!.metadata.urn);
        assert.ok(updates.some((u) => u.endsWith("goship-canary")), `the weight drift shows: ${updates.join(", ")}`);
        assert.ok(updates.some((u) => u.endsWith(`goship-${stable}-deployment`)), `the scale drift shows: ${updates.join(", ")}`);
        assert.match(preview.stdout, /canary-weight"?\s*:\s*"30"\s*=>\s*"?0/);

        const up = await stack.up({ refresh: true });
        assert.ok(up.ok, up.stderr + up.stdout);
        assert.strictEqual(await canaryWeight(stack), weight);
        assert.strictEqual((await deployment(stack, stable)).spec.replicas, replicas);
    });
});
