// Scenario 6: the engine is interrupted (SIGINT, what Ctrl-C or a cancelled CI job sends) while
// the candidate Deployment rolls out. The engine finishes what is in flight, records it and stops;
// re-running the same `pulumi up` completes the step. No step is skipped or repeated.
import * as assert from "assert";
import { canaryWeight, deployedDev } from "../story";

describe("e2e 6: an interrupted up", () => {
    it("SIGINT mid-update, then the same up again: the step happens exactly once", async () => {
        const { stack } = await deployedDev();
        await stack.release("2.1.0", { "release.step": 0, "release.abort": false });
        const record = await stack.releaseRecord();
        const candidate = record.state.stableTrack === "blue" ? "green" : "blue";
        const controller = new AbortController();
        const interrupted = stack.up({
            signal: controller.signal,
            onEvent: (e) => {
                if (e.resourcePreEvent?.metadata.urn.endsWith(`goship-${candidate}-deployment`)) controller.abort();
            },
        });
        const run = await interrupted;
        assert.ok(!run.ok, "the interrupted up reports failure");
        assert.ok(controller.signal.aborted, "the signal was sent mid-update");
        const weightAfterInterrupt = await canaryWeight(stack);
        assert.strictEqual(weightAfterInterrupt, "0", "the engine stopped before the weight moved");

        const again = await stack.up();
        assert.ok(again.ok, again.stderr + again.stdout);
        assert.strictEqual(await canaryWeight(stack), "5");
        const history = (await stack.releaseRecord()).state.history;
        const starts = history.filter((h: any) => h.to === "2.1.0" && h.event === "start");
        assert.strictEqual(starts.length, 1, JSON.stringify(history));
        assert.strictEqual(history.filter((h: any) => h.to === "2.1.0").length, 1, "no step repeated or skipped");
    });
});
