// Scenario 1: fresh `dev` and `prod` stacks from the shipped stack files preview cleanly, with
// only the tier's two offline changes; prod fails first with the placeholder-secret message that
// names the command, and previews once its secrets are set.
import * as assert from "assert";
import { tier } from "../hooks";
import { errors, TestStack } from "../stack";

describe("e2e 1: fresh stacks preview as shipped", () => {
    it("dev previews cleanly: the release starts at 1.0.0 and every object is to be created", async () => {
        const dev = await TestStack.create(tier(), "fresh-dev", "dev");
        const run = await dev.preview();
        assert.ok(run.ok, run.stderr + run.stdout);
        const summary = run.events.find((e) => e.summaryEvent)?.summaryEvent;
        assert.ok((summary?.resourceChanges?.create ?? 0) >= 15, JSON.stringify(summary));
        assert.match(run.stdout, /releaseStatus\s*: "stable 1\.0\.0"/);
    });

    it("prod stops at the placeholder secrets with the command to run, then previews once they are set", async () => {
        const prod = await TestStack.create(tier(), "fresh-prod", "prod");
        const refused = await prod.preview();
        assert.ok(!refused.ok, "prod with placeholder secrets must not preview");
        const first = errors(refused)[0] ?? "";
        assert.match(first, /goship:apiToken is still the placeholder from Pulumi\.fresh-prod\.yaml: set the real value with `pulumi config set --secret -s fresh-prod apiToken <value>`/);
        assert.match(first, /goship:registryPassword is still the placeholder/);
        assert.doesNotMatch(refused.stdout + refused.stderr, /at .*\.ts:\d+/, "no stack trace");
        await prod.setSecret("apiToken", "e2e-api-token-0123");
        await prod.setSecret("registryPassword", "e2e-registry-token");
        const run = await prod.preview();
        assert.ok(run.ok, run.stderr + run.stdout);
    });
});
