// Scenario 23: settings edits on a running stack. A no-change preview right after the first up
// changes nothing, even without goship:apiToken (an empty Secret once showed as changed at every
// run). Editing a plain setting or setting the token updates the ConfigMap or Secret in place and
// rolls the pods through their checksum annotations: the Deployments are updated, never
// recreated (the provider's default, replacing a ConfigMap or Secret whose data changes, would
// delete and recreate both Deployments: an outage at every edit).
import * as assert from "assert";
import { tier } from "../hooks";
import { Run, TestStack } from "../stack";

const MUTATING = new Set(["create", "update", "replace", "create-replacement", "delete-replaced", "delete"]);

/** The steps a run would take that change something: "<op> <resource name>". */
function changes(run: Run): string[] {
    return run.events
        .map((e) => e.resourcePreEvent?.metadata)
        .filter((m): m is NonNullable<typeof m> => !!m && MUTATING.has(m.op))
        .map((m) => `${m.op} ${m.urn.split("::").pop()}`);
}

describe("e2e 23: settings edits update in place", () => {
    let stack: TestStack;
    const uid = async (kind: string, name: string) =>
        (await tier().kube.must(kind === "Deployment" ? "apps/v1" : "v1", kind, name, stack.namespace)).metadata?.uid;

    before(async function () {
        this.timeout(600_000);
        stack = await TestStack.create(tier(), "settings", "dev"); // no apiToken: the dev stack as shipped
        const first = await stack.up();
        assert.ok(first.ok, first.stderr + first.stdout);
    });

    it("a preview right after the first up changes nothing, without an apiToken too", async function () {
        this.timeout(300_000);
        const preview = await stack.preview();
        assert.ok(preview.ok, preview.stderr + preview.stdout);
        assert.deepStrictEqual(changes(preview), []);
    });

    it("an edited setting updates the ConfigMap in place and rolls the pods; the Deployments keep their identity", async function () {
        this.timeout(300_000);
        const before = await uid("Deployment", "goship-blue");
        const cm = await uid("ConfigMap", "goship-config");
        await stack.set({ "app.greeting": "hello from e2e 23" });
        const preview = await stack.preview();
        assert.ok(preview.ok, preview.stderr + preview.stdout);
        const planned = changes(preview);
        assert.ok(planned.includes("update goship-config"), planned.join("\n"));
        assert.ok(planned.includes("update goship-blue-deployment"), planned.join("\n"));
        assert.deepStrictEqual(planned.filter((c) => !c.startsWith("update ")), [], "nothing replaced or deleted");
        const up = await stack.up();
        assert.ok(up.ok, up.stderr + up.stdout);
        const live = await tier().kube.must("v1", "ConfigMap", "goship-config", stack.namespace);
        assert.strictEqual(live.data?.GREETING, "hello from e2e 23");
        assert.strictEqual(live.metadata?.uid, cm, "the ConfigMap was updated, not recreated");
        assert.strictEqual(await uid("Deployment", "goship-blue"), before, "the Deployment was updated, not recreated");
    });

    it("setting the apiToken updates the Secret in place and never prints it", async function () {
        this.timeout(300_000);
        const before = await uid("Deployment", "goship-blue");
        const secret = await uid("Secret", "goship-secret");
        await stack.setSecret("apiToken", "e2e-23-token-value");
        const up = await stack.up();
        assert.ok(up.ok, up.stderr + up.stdout);
        const planned = changes(up);
        assert.ok(planned.includes("update goship-secret"), planned.join("\n"));
        assert.deepStrictEqual(planned.filter((c) => !c.startsWith("update ")), [], "nothing replaced or deleted");
        assert.ok(!(up.stdout + up.stderr).includes("e2e-23-token-value"), "the token is never printed");
        const live = await tier().kube.must("v1", "Secret", "goship-secret", stack.namespace);
        assert.strictEqual(Buffer.from(live.data!.API_TOKEN, "base64").toString(), "e2e-23-token-value");
        assert.strictEqual(live.metadata?.uid, secret, "the Secret was updated, not recreated");
        assert.strictEqual(await uid("Deployment", "goship-blue"), before, "the Deployment was updated, not recreated");
    });
});
