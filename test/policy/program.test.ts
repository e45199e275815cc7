// The pack over what the program really registers (mock runtime), with each stack's
// shipped policy config.
import * as assert from "assert";
import { policyConfig, policyResources } from "../../offline/policy-report";
import { runPolicies, Violation } from "../../offline/policy-runner";
import { MockEngine } from "../../offline/engine";
import { runProgram } from "../../offline/mock-runtime";

const mandatory = (v: Violation[]) => v.filter((x) => x.level === "mandatory").map((x) => `[${x.policy}] ${x.message}`);

describe("policy pack over the program's resources", function () {
    this.timeout(60_000);

    it("prod as shipped: 0 mandatory violations under policy/config/prod.json", async () => {
        const r = await runProgram({ stack: "prod" });
        assert.deepStrictEqual(mandatory(runPolicies(policyResources(r.resources), policyConfig("prod"))), []);
    });

    it("dev as shipped: 0 mandatory violations under policy/config/dev.json", async () => {
        const r = await runProgram({ stack: "dev" });
        assert.deepStrictEqual(mandatory(runPolicies(policyResources(r.resources), policyConfig("dev"))), []);
    });

    it("dev mid-canary: the canary track passes the prod-level container checks, prod mid-canary passes prod", async () => {
        for (const stack of ["dev", "prod"]) {
            const e = new MockEngine(stack);
            await e.up();
            const r = await e.up({ "goship:version": "1.1.0", "goship:release.step": 0 });
            const resources = policyResources(r.resources);
            assert.ok(resources.some((x) => x.props.metadata?.labels?.["goship.dev/role"] === "candidate"), "a candidate track exists");
            const v = runPolicies(resources, policyConfig(stack));
            assert.deepStrictEqual(v.filter((x) => x.policy === "canary-track-prod-checks"), [], `${stack}: canary track`);
            assert.deepStrictEqual(mandatory(v), [], stack);
        }
    });

    it("a deliberately broken prod stack reports each expected violation", async () => {
        const r = await runProgram({ stack: "prod" });
        const resources = JSON.parse(JSON.stringify(policyResources(r.resources)));
        const blue = resources.find((x: any) => x.props.kind === "Deployment" && x.props.metadata.name === "goship-blue");
        const c = blue.props.spec.template.spec.containers[0];
        delete c.resources.limits;
        delete c.readinessProbe;
        delete c.livenessProbe;
        c.image = "registry.example.com/acme/goship:latest";
        const canary = resources.find((x: any) => x.props.metadata.name === "goship-canary");
        const second = JSON.parse(JSON.stringify(canary));
        second.name = "goship-canary-2";
        second.urn += "-2";
        second.props.metadata.name = "goship-canary-2";
        resources.push(second);
        const found = mandatory(runPolicies(resources, policyConfig("prod")));
        const expected = [
            /\[container-resources\] Deployment goship-blue container app has no memory limit/,
            /\[container-probes\] Deployment goship-blue container app has no readinessProbe/,
            /\[container-probes\] Deployment goship-blue container app has no livenessProbe/,
            /\[image-reference\] Deployment goship-blue container app image .*:latest uses the latest tag/,
            /\[image-reference\] .* is not pinned by digest/,
            /\[one-canary-per-host\] 2 canary Ingresses \(goship-canary, goship-canary-2\)/,
        ];
        for (const e of expected) assert.ok(found.some((f) => e.test(f)), `expected ${e} in:\n  ${found.join("\n  ")}`);
    });
});
