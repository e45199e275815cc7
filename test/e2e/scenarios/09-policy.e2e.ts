// Scenario 9: the policy pack through the engine. Prod as shipped, deployed by digest through the
// prebuilt-image option, passes the prod pack config and its HPA reads back from the API server;
// a broken config fails the preview with the mandatory violations named. (The config cannot
// remove a memory limit: the parser always sets one. It can break the HPA floor and the digest.)
import * as assert from "assert";
import { tier } from "../hooks";
import { TestStack } from "../stack";

// On kind, test/e2e/kind/images.sh pushes a real image and passes its digest.
const DIGEST = process.env.GOSHIP_E2E_PROD_IMAGE ?? `registry.example.com/acme/goship@sha256:${"4f".repeat(32)}`;

describe("e2e 9: the policy pack through the engine", () => {
    let prod: TestStack;

    it("dev as shipped previews under the dev pack config", async () => {
        const dev = await TestStack.create(tier(), "policy-dev", "dev");
        const run = await dev.preview({ policy: "dev" });
        assert.ok(run.ok, run.stderr + run.stdout);
        assert.match(run.stdout, /Policy Packs run:\s*\n.*\n\s*goship\|local/, "the pack ran");
        assert.deepStrictEqual(run.events.filter((e) => e.policyEvent?.enforcementLevel === "mandatory"), []);
    });

    it("prod as shipped, by digest, deploys under the prod pack config; its HPA is live", async () => {
        prod = await TestStack.create(tier(), "prod", "prod");
        await prod.set({ "image.ref": DIGEST });
        await prod.setSecret("apiToken", "e2e-prod-token");
        await prod.setSecret("registryPassword", "e2e-prod-registry");
        const run = await prod.up({ policy: "prod" });
        assert.ok(run.ok, run.stderr + run.stdout);
        const mandatory = run.events.filter((e) => e.policyEvent?.enforcementLevel === "mandatory");
        assert.deepStrictEqual(mandatory.map((e) => e.policyEvent!.policyName), []);
        const hpa = await tier().kube.must("autoscaling/v2", "HorizontalPodAutoscaler", "goship", prod.namespace);
        assert.strictEqual(hpa.spec.minReplicas, 3);
        assert.strictEqual(hpa.spec.maxReplicas, 10);
        assert.strictEqual(hpa.spec.scaleTargetRef.name, "goship-blue");
        const blue = await tier().kube.must("apps/v1", "Deployment", "goship-blue", prod.namespace);
        assert.strictEqual(blue.spec.template.spec.containers[0].image, DIGEST);
        assert.strictEqual(blue.status.availableReplicas, 3);
    });

    it("a broken prod config fails the preview with the mandatory violations named", async () => {
        await prod.set({ "autoscaling.minReplicas": 1, "image.ref": "registry.example.com/acme/goship:1.0.0" });
        const run = await prod.preview({ policy: "prod" });
        assert.ok(!run.ok, "mandatory violations must fail the preview");
        const named = [...new Set(run.events.filter((e) => e.policyEvent?.enforcementLevel === "mandatory").map((e) => e.policyEvent!.policyName))].sort();
        assert.deepStrictEqual(named, ["hpa-replica-range", "image-reference"]);
        assert.match(run.stdout + run.stderr, /mandatory/);
    });
});
