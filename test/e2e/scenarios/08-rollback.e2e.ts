// Scenario 8: a rollback after a promotion is one `up`: setting `version` back to the previous
// stable brings its track back up, moves the main Service to it once Ready, and only then scales
// the promoted track down.
import * as assert from "assert";
import { imageFor } from "../stack";
import { deployedDev, deployment, mainSelectorTrack } from "../story";

describe("e2e 8: rollback after a promotion", () => {
    it("version back to the previous stable: one up, traffic back on the old version", async () => {
        const { stack } = await deployedDev();
        const before = await stack.releaseRecord();
        assert.strictEqual(before.state.phase, "Promoted", "scenario 3 promoted 1.1.0");
        await stack.release("1.0.0");
        const up = await stack.up();
        assert.ok(up.ok, up.stderr + up.stdout);
        const after = await stack.releaseRecord();
        assert.strictEqual(after.state.stableVersion, "1.0.0");
        assert.strictEqual(after.state.history.at(-1).event, "rollback");
        const track = await mainSelectorTrack(stack);
        const live = await deployment(stack, track as "blue" | "green");
        assert.strictEqual(live.spec.template.spec.containers[0].image, imageFor("1.0.0"));
        assert.ok(live.status?.availableReplicas >= 1);
        const other = await deployment(stack, track === "blue" ? "green" : "blue");
        assert.strictEqual(other.spec.replicas, 0);
    });
});
