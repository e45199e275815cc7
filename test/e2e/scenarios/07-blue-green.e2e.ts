// Scenario 7: blue/green on its own stack. The preview Service selects the new colour, the switch
// moves the main Service, switching back (abort) returns it at once, and after a retry and a second
// switch, the old colour scales down only once scaleDownDelaySeconds have passed.
import * as assert from "assert";
import { tier } from "../hooks";
import { errors, imageFor, TestStack } from "../stack";
import { deployment, mainSelectorTrack } from "../story";

/** Long enough that the refused early scale-down is checked well inside it on a loaded machine. */
const DELAY_S = 30;

describe("e2e 7: blue/green", () => {
    let stack: TestStack;
    const previewTrack = async () =>
        (await tier().kube.must("v1", "Service", "goship-preview", stack.namespace)).spec.selector["goship.dev/track"];
    const up = async (values: Record<string, string | number | boolean>) => {
        await stack.set(values);
        const run = await stack.up();
        assert.ok(run.ok, run.stderr + run.stdout);
        return run;
    };

    it("deploys 1.0.0, then previews 2.0.0 on the other colour behind goship-preview", async () => {
        stack = await TestStack.create(tier(), "bluegreen", "dev");
        await up({ "release.strategy": "blueGreen", "release.scaleDownDelaySeconds": DELAY_S });
        assert.strictEqual(await mainSelectorTrack(stack), "blue");
        await stack.release("2.0.0", { "release.step": 0 });
        await up({});
        assert.strictEqual(await previewTrack(), "green");
        assert.strictEqual(await mainSelectorTrack(stack), "blue");
        const green = await deployment(stack, "green");
        assert.strictEqual(green.spec.template.spec.containers[0].image, imageFor("2.0.0"));
        assert.ok(green.status.availableReplicas >= 1, "the new colour runs at full size before any switch");
    });

    it("switches, then switches back at once with abort: true", async () => {
        await up({ "release.step": 1 });
        assert.strictEqual(await mainSelectorTrack(stack), "green");
        assert.ok((await deployment(stack, "blue")).spec.replicas >= 1, "the old colour stays warm");
        await up({ "release.abort": true });
        assert.strictEqual(await mainSelectorTrack(stack), "blue");
    });

    it("after a retry and a second switch, scales the old colour down only after the delay", async () => {
        await up({ "release.abort": false, "release.step": 0 });
        await up({ "release.step": 1 });
        const switchedAt = Date.now();
        assert.strictEqual(await mainSelectorTrack(stack), "green");
        await stack.set({ "release.step": 2 });
        const early = await stack.preview();
        assert.ok(Date.now() - switchedAt < DELAY_S * 1000, "the early preview ran inside the delay");
        assert.ok(!early.ok, "a scale-down before the delay must be refused");
        assert.match(errors(early)[0] ?? "", /scale/i);
        assert.ok((await deployment(stack, "blue")).spec.replicas >= 1);
        const wait = DELAY_S * 1000 - (Date.now() - switchedAt);
        if (wait > 0) await new Promise((r) => setTimeout(r, wait + 500));
        await up({});
        assert.strictEqual((await deployment(stack, "blue")).spec.replicas, 0);
        assert.strictEqual(await mainSelectorTrack(stack), "green");
        assert.strictEqual((await stack.releaseRecord()).state.phase, "Promoted");
    });
});
