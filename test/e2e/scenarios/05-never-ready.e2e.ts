// Scenario 5: a candidate whose pods never turn Ready (kwok skips NEVER_READY_IMAGE). The up fails
// on the Deployment's wait (a short rolloutTimeoutSeconds), the canary weight does not move, Pulumi's
// state agrees with the API server, the same config retries the wait, and `abort: true` recovers.
import * as assert from "assert";
import { NEVER_READY_IMAGE } from "../cluster";
import { tier } from "../hooks";
import { errors, Run } from "../stack";
import { canaryWeight, deployedDev, deployment } from "../story";

function stateOf(exported: any, suffix: string): any {
    return exported.deployment.resources.find((r: any) => r.urn.endsWith(suffix))?.outputs;
}

describe("e2e 5: a candidate that never becomes Ready", () => {
    let candidate: "blue" | "green";

    it("the up fails on the Deployment wait and the canary weight stays where it was", async () => {
        const { stack } = await deployedDev();
        const weightBefore = await canaryWeight(stack);
        await stack.set({ version: "2.0.0", "image.ref": NEVER_READY_IMAGE, "release.step": 0, "release.abort": false, "release.rolloutTimeoutSeconds": 10 });
        const up = await stack.up();
        assert.ok(!up.ok, "an up whose candidate never turns Ready must fail");
        const record = await stack.releaseRecord();
        candidate = record.state.stableTrack === "blue" ? "green" : "blue";
        assert.ok(errors(up).some((e) => /goship-(blue|green)/.test(e) && /timed out|Ready|available/i.test(e)), errors(up).join("\n"));
        assert.strictEqual(await canaryWeight(stack), weightBefore, "traffic did not move");

        // Pulumi's state agrees with the API server: the candidate's new spec was recorded
        // (the engine marks it for another wait), the canary Ingress was never touched.
        const exported = JSON.parse(await stack.exportText());
        const dep = await deployment(stack, candidate);
        assert.strictEqual(dep.spec.template.spec.containers[0].image, NEVER_READY_IMAGE);
        assert.strictEqual(stateOf(exported, `goship-${candidate}-deployment`).spec.template.spec.containers[0].image, NEVER_READY_IMAGE);
        assert.strictEqual(stateOf(exported, "goship-canary").metadata.annotations["nginx.ingress.kubernetes.io/canary-weight"], weightBefore);
    });

    it("the same config retries the wait (and fails the same way); abort: true recovers in one up", async () => {
        const { stack } = await deployedDev();
        const retry: Run = await stack.up();
        assert.ok(!retry.ok);
        const waited = retry.events.find((e) => e.resourcePreEvent?.metadata.urn.endsWith(`goship-${candidate}-deployment`));
        assert.ok(waited, "the retry waited on the candidate Deployment again");
        await stack.set({ "release.abort": true });
        const up = await stack.up();
        assert.ok(up.ok, up.stderr + up.stdout);
        assert.strictEqual(await canaryWeight(stack), "0");
        assert.strictEqual((await deployment(stack, candidate)).spec.replicas, 0);
        assert.strictEqual((await stack.releaseRecord()).state.phase, "Aborted");
        await tier().kube.waitFor("the candidate's pods to go", async () =>
            (await tier().kube.list("v1", "Pod", stack.namespace, `goship.dev/track=${candidate}`)).length === 0 || undefined, 30_000);
    });
});
