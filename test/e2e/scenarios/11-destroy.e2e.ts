// Scenario 11: `pulumi destroy` removes everything, the namespace included.
import * as assert from "assert";
import { tier } from "../hooks";
import { deployedDev } from "../story";

describe("e2e 11: destroy", () => {
    it("removes every object, including the namespace", async () => {
        const { stack } = await deployedDev();
        const run = await stack.destroy();
        assert.ok(run.ok, run.stderr + run.stdout);
        await tier().kube.waitFor("the namespace to be gone", async () =>
            (await tier().kube.get("v1", "Namespace", stack.namespace)) === undefined || undefined, 90_000);
        const left = await stack.outputs();
        assert.deepStrictEqual(left, {});
    });
});
