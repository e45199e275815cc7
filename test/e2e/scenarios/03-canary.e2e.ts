// Scenario 3: a canary 5 → 20 → 50 → 100 by config edits. Each preview shows the weight before
// → after, each up changes the API server's objects, and the ordering is measured from the
// engine's events: the weight moves only after the candidate Deployment is available, and the
// old track scales down only after the main Service has moved.
import * as assert from "assert";
import { imageFor, Run } from "../stack";
import { canaryWeight, deployedDev, deployment, mainSelectorTrack, weightChange } from "../story";

/** Sequence numbers of a resource's step start and its outputs (its operation done). */
function seq(run: Run, suffix: string): { pre?: number; done?: number; op?: string } {
    const pre = run.events.find((e) => e.resourcePreEvent?.metadata.urn.endsWith(suffix));
    const done = run.events.find((e) => e.resOutputsEvent?.metadata.urn.endsWith(suffix));
    return { pre: pre?.sequence, done: done?.sequence, op: pre?.resourcePreEvent?.metadata.op };
}

describe("e2e 3: canary 5 → 20 → 50 → 100", () => {
    const steps: Array<[number, number, number]> = [[0, 0, 5], [1, 5, 20], [2, 20, 50]];
    for (const [step, before, after] of steps) {
        it(`step ${step}: the preview shows weight ${before} → ${after}; the up moves it after the candidate is available`, async () => {
            const { stack } = await deployedDev();
            if (step === 0) await stack.release("1.1.0", { "release.step": 0 });
            else await stack.set({ "release.step": step });
            const preview = await stack.preview();
            assert.ok(preview.ok, preview.stderr + preview.stdout);
            assert.deepStrictEqual(weightChange(preview), { before, after });
            assert.match(preview.stdout, new RegExp(`weight\\s*:\\s*${before}\\s*=>\\s*${after}`), "the diff a reviewer reads shows the weight");

            const up = await stack.up();
            assert.ok(up.ok, up.stderr + up.stdout);
            assert.strictEqual(await canaryWeight(stack), String(after));
            const green = await deployment(stack, "green");
            assert.strictEqual(green.spec.template.spec.containers[0].image, imageFor("1.1.0"));
            assert.ok(green.status?.availableReplicas >= 1);
            assert.strictEqual(await mainSelectorTrack(stack), "blue", "stable keeps the main Service");
            const cand = seq(up, "goship-green-deployment");
            const weight = seq(up, "goship-canary");
            if (step === 0) assert.ok(cand.done !== undefined, "the candidate Deployment was rolled out");
            assert.strictEqual(weight.op, "update");
            if (cand.done !== undefined) {
                assert.ok(cand.done < weight.pre!, `canary weight changed (seq ${weight.pre}) before the candidate was available (seq ${cand.done})`);
            }
        });
    }

    it("step 3 promotes: the main Service moves to the new track, then the old one scales to 0, weight 0", async () => {
        const { stack } = await deployedDev();
        await stack.set({ "release.step": 3 });
        const up = await stack.up();
        assert.ok(up.ok, up.stderr + up.stdout);
        assert.strictEqual(await mainSelectorTrack(stack), "green");
        assert.strictEqual((await deployment(stack, "blue")).spec.replicas, 0);
        assert.strictEqual(await canaryWeight(stack), "0");
        const svc = seq(up, "goship-main");
        const old = seq(up, "goship-blue-deployment");
        assert.ok(svc.done !== undefined && old.pre !== undefined, "both the Service and the old track changed");
        assert.ok(svc.done < old.pre!, `old track scaled down (seq ${old.pre}) before the Service moved (seq ${svc.done})`);
        const record = await stack.releaseRecord();
        assert.strictEqual(record.state.phase, "Promoted");
        assert.strictEqual(record.state.stableVersion, "1.1.0");
    });
});
