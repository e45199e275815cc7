// Scenario 4: a step jump of two fails the preview with the state machine's sentence as its
// first error line, and nothing changes (API server and release state); `abort: true` at 50%
// sets the weight to 0 in one up.
import * as assert from "assert";
import { errors } from "../stack";
import { canaryWeight, deployedDev, deployment } from "../story";

describe("e2e 4: refused jump, then abort at 50%", () => {
    it("a jump from 5% to 50% fails the preview and the up, changing nothing", async () => {
        const { stack } = await deployedDev();
        await stack.release("1.2.0", { "release.step": 0 });
        const start = await stack.up();
        assert.ok(start.ok, start.stderr + start.stdout);
        assert.strictEqual(await canaryWeight(stack), "5");
        const recordBefore = JSON.stringify(await stack.releaseRecord());

        await stack.set({ "release.step": 2 });
        const preview = await stack.preview();
        assert.ok(!preview.ok, "the jump must fail the preview");
        const sentence = "goship:release: release 1.2.0 is at step 0/4 (5%); step 2 would skip 1 step(s); next allowed: step 1 (20%), or abort: true";
        assert.strictEqual(errors(preview)[0], sentence);
        const cli = stack.cli(["preview"]);
        assert.notStrictEqual(cli.status, 0);
        // The progress view prefixes each line with its resource; the Diagnostics block that a
        // pull-request comment shows starts with the sentence itself.
        const lines = cli.out.split("\n");
        assert.ok(lines.find((l) => /error:/.test(l))!.endsWith(`goship-release  error: ${sentence}`), cli.out);
        const diagnostics = lines.slice(lines.findIndex((l) => l.startsWith("Diagnostics:")));
        assert.strictEqual(diagnostics.find((l) => /error:/.test(l))!.trim(), `error: ${sentence}`, cli.out);
        assert.doesNotMatch(cli.out, /\{map\[|^\s+at .*:\d+:\d+\)?$/m, "no map dump, no stack trace");
        if (process.env.GOSHIP_E2E_VERBOSE) console.log(cli.out);

        const up = await stack.up();
        assert.ok(!up.ok, "the jump must fail the up too");
        assert.strictEqual(await canaryWeight(stack), "5", "the API server is unchanged");
        assert.strictEqual(JSON.stringify(await stack.releaseRecord()), recordBefore, "the release state is unchanged");
    });

    it("abort: true at 50% sets the weight to 0 and scales the candidate down in one up", async () => {
        const { stack } = await deployedDev();
        for (const step of [1, 2]) {
            await stack.set({ "release.step": step });
            const up = await stack.up();
            assert.ok(up.ok, up.stderr + up.stdout);
        }
        assert.strictEqual(await canaryWeight(stack), "50");
        await stack.set({ "release.abort": true });
        const up = await stack.up();
        assert.ok(up.ok, up.stderr + up.stdout);
        assert.strictEqual(await canaryWeight(stack), "0");
        const record = await stack.releaseRecord();
        assert.strictEqual(record.state.phase, "Aborted");
        const candidate = record.state.stableTrack === "blue" ? "green" : "blue";
        assert.strictEqual((await deployment(stack, candidate)).spec.replicas, 0);
    });
});
