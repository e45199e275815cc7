// Scenario 21: goship's components from another program through the component provider
// (provider/, PulumiPlugin.yaml). The "shop" program of examples/node-sdk runs
// `pulumi package add <repo>/provider` (the plugin infers the schema, the CLI generates and
// installs the Node SDK), then previews and deploys through the plugin on the real engine: a
// namespace, a release whose state machine runs in Pulumi state, a worker GoWorkload and its
// HPA, all read back from the API server; one canary step follows its own config. Before that,
// `pulumi package get-schema` shows the schema the SDK comes from. Last, a program from a
// directory without Node.js packages (as YAML, Python, Go, .NET and Java ones are): the
// release record is the plugin's own resource (goship:index:ReleaseRecord), so it needs no
// dynamic-provider host and no NODE_PATH.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { releaseFromExport } from "../../../cli/record";
import { tier } from "../hooks";
import { imageFor } from "../stack";
import { ROOT } from "../toolchain";

const EXAMPLE = path.join(ROOT, "examples", "node-sdk");

describe("e2e 21: the components from another program, through the component provider", () => {
    let dir: string;
    let env: Record<string, string>;
    let stack: Stack;

    const cli = (args: string[]) => {
        const r = spawnSync(path.join(tier().pulumiRoot, "bin", "pulumi"), [...args, "--non-interactive"],
            { cwd: dir, env: { ...process.env, ...env }, encoding: "utf8" });
        return { status: r.status, out: `${r.stdout}${r.stderr}` };
    };

    before(function () {
        this.timeout(240_000);
        dir = path.join(tier().work, "shop");
        for (const f of ["Pulumi.yaml", "package.json", "tsconfig.json", "index.ts"]) {
            fs.mkdirSync(dir, { recursive: true });
            fs.copyFileSync(path.join(EXAMPLE, f), path.join(dir, f));
        }
        // npm answers from its cache (the repo's own install filled it): the SDK's install stays local.
        env = { ...tier().env, npm_config_prefer_offline: "true", npm_config_audit: "false", npm_config_fund: "false" };
    });

    it("`pulumi package get-schema <repo>/provider` answers goship's schema, inferred by the plugin", function () {
        this.timeout(120_000);
        const t0 = Date.now();
        const r = spawnSync(path.join(tier().pulumiRoot, "bin", "pulumi"), ["package", "get-schema", path.join(ROOT, "provider")],
            { cwd: tier().work, env: { ...process.env, ...env }, encoding: "utf8", maxBuffer: 64 << 20 });
        console.log(`      get-schema: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        assert.strictEqual(r.status, 0, r.stderr);
        const schema = JSON.parse(r.stdout);
        assert.strictEqual(schema.name, "goship");
        assert.deepStrictEqual(Object.keys(schema.resources).sort(),
            ["goship:index:AppNamespace", "goship:index:Autoscaler", "goship:index:GoWorkload", "goship:index:Release"]);
        const step = schema.resources["goship:index:Release"].inputProperties.step;
        assert.deepStrictEqual(step, {
            type: "integer", plain: true, default: 0,
            description: "The canary step to be at (index into `steps`): raise it by one per `pulumi up`; blue/green: 1 switches traffic. Defaults to `0`.",
        });
    });

    it("`pulumi package add <repo>/provider` generates and installs the SDK from the inferred schema", function () {
        this.timeout(240_000);
        const t0 = Date.now();
        const r = cli(["package", "add", path.join(ROOT, "provider")]);
        console.log(`      package add: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        assert.strictEqual(r.status, 0, r.out);
        assert.match(r.out, /Added package goship/);
        const sdk = fs.readFileSync(path.join(dir, "sdks", "goship", "release.ts"), "utf8");
        assert.match(sdk, /export class Release extends pulumi\.ComponentResource/);
        assert.match(sdk, /resourceInputs\["step"\] = \(args\?\.step\) \?\? 0;/, "the schema's default reached the SDK");
        assert.match(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8"), /packages:\n\s+goship: .*provider/);
    });

    it("previews and deploys through the plugin: the objects are in the API server", async function () {
        this.timeout(300_000);
        // Stack "sdk": e2e 17's program is also a project named shop, with a stack "dev" in the same backend.
        const pulumiCommand = await PulumiCommand.get({ root: tier().pulumiRoot, skipVersionCheck: false });
        stack = await LocalWorkspace.createStack({ stackName: "sdk", workDir: dir }, { pulumiCommand, envVars: env, pulumiHome: env.PULUMI_HOME });
        await stack.setConfig("shop:version", { value: "1.0.0" });
        await stack.setConfig("shop:imageRepository", { value: imageFor("x").replace(/:x$/, "") });

        let t0 = Date.now();
        const preview = await stack.preview({ diff: true });
        console.log(`      preview: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        for (const t of ["goship:index:AppNamespace", "goship:index:Release", "goship:index:GoWorkload", "goship:index:Autoscaler"]) {
            assert.match(preview.stdout, new RegExp(`\\+ ${t}`), `${t} in the preview`);
        }
        assert.match(preview.stdout, /\+ kubernetes:apps\/v1:Deployment/, "the real components' children are previewed");

        t0 = Date.now();
        const up = await stack.up({ diff: true });
        // Most of it is goship's own ordering: three Service endpoint settles and the canary Ingress wait (~10 s each).
        console.log(`      up: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        assert.strictEqual(up.outputs.releaseStatus.value, "stable 1.0.0");

        const kube = tier().kube;
        const ns = await kube.must("v1", "Namespace", "goship-shop");
        assert.strictEqual(ns.metadata?.labels?.team, "storefront");
        assert.strictEqual(ns.metadata?.labels?.["pod-security.kubernetes.io/enforce"], "restricted");
        const quota = await kube.must("v1", "ResourceQuota", "compute", "goship-shop");
        assert.strictEqual(quota.spec.hard.pods, "30");
        const blue = await kube.must("apps/v1", "Deployment", "shop-blue", "goship-shop");
        assert.strictEqual(blue.spec.replicas, 2);
        assert.strictEqual(blue.spec.template.spec.containers[0].image, imageFor("1.0.0"));
        assert.ok(blue.status?.availableReplicas >= 2, "the stable track is available");
        const worker = await kube.must("apps/v1", "Deployment", "shop-worker-main", "goship-shop");
        assert.strictEqual(worker.spec.template.spec.containers[0].resources.requests.cpu, "50m");
        assert.strictEqual(worker.spec.template.spec.containers[0].resources.limits.memory, "64Mi");
        const hpa = await kube.must("autoscaling/v2", "HorizontalPodAutoscaler", "shop-worker", "goship-shop");
        assert.deepStrictEqual([hpa.spec.scaleTargetRef.name, hpa.spec.minReplicas, hpa.spec.maxReplicas], ["shop-worker-main", 1, 4]);
        const main = await kube.must("v1", "Service", "shop", "goship-shop");
        assert.strictEqual(main.spec.selector["goship.dev/track"], "blue");
    });

    it("a canary step through the consumer's own config: 1.1.0 at 10 %, read back from the Ingress and the release state", async function () {
        this.timeout(300_000);
        await stack.setConfig("shop:version", { value: "1.1.0" });
        const up = await stack.up({ diff: true });
        assert.strictEqual(up.outputs.releaseStatus.value, "canary 1.1.0 step 1/3: 10% · stable 1.0.0");
        assert.strictEqual(up.outputs.weight.value, 10);
        const canary = await tier().kube.must("networking.k8s.io/v1", "Ingress", "shop-canary", "goship-shop");
        assert.strictEqual(canary.metadata?.annotations?.["nginx.ingress.kubernetes.io/canary-weight"], "10");
        const green = await tier().kube.must("apps/v1", "Deployment", "shop-green", "goship-shop");
        assert.strictEqual(green.spec.template.spec.containers[0].image, imageFor("1.1.0"));
        const state: any = await stack.exportStack();
        // Through the plugin the record is the plugin's own resource (no dynamic provider), and the goship CLI finds it.
        const view = releaseFromExport(state, "sdk");
        assert.match(view.urn, /\$goship:index:ReleaseRecord::shop-release$/);
        assert.strictEqual(view.state.candidateVersion, "1.1.0");
        assert.strictEqual(view.state.weight, 10);
        assert.ok(!state.deployment.resources.some((r: any) => r.type.startsWith("pulumi-nodejs")), "no dynamic resource, no pulumi-nodejs provider");
    });
    it("a program in another language (no Node.js packages in its directory): preview, up and a canary step through a saved plan, no NODE_PATH", async function () {
        this.timeout(300_000);
        // What a YAML, Python, Go, .NET or Java program does: register the remote component
        // (as their SDKs do) from a project directory that holds no Node packages. A dynamic
        // resource's host (pulumi-resource-pulumi-nodejs) would start there and fail on
        // "Cannot find module '@pulumi/pulumi/cmd/dynamic-provider'"; the plugin serves the
        // release record itself, so the engine only ever starts the goship plugin.
        const other = path.join(tier().work, "polyglot");
        fs.mkdirSync(other);
        fs.writeFileSync(path.join(other, "Pulumi.yaml"), `name: polyglot\nruntime: nodejs\npackages:\n  goship: ${path.join(ROOT, "provider")}\n`);
        let version = "1.0.0";
        let step = 0;
        const program = async () => {
            const release = new pulumi.ComponentResource("goship:index:Release", "poly", {
                appName: "poly", namespace: "goship-shop", version, image: imageFor(version), host: "poly.example.test", replicas: 1, step, status: undefined,
            }, {}, true);
            return { status: (release as any).status };
        };
        const pulumiCommand = await PulumiCommand.get({ root: tier().pulumiRoot, skipVersionCheck: false });
        const envVars = { ...env };
        delete envVars.NODE_PATH;
        assert.ok(!process.env.NODE_PATH, "the test process itself has no NODE_PATH");
        const s = await LocalWorkspace.createOrSelectStack({ stackName: "polyglot", projectName: "polyglot", program },
            { workDir: other, pulumiCommand, envVars, pulumiHome: env.PULUMI_HOME });
        const lines = (out: string) => out.split("\n").filter((l) => /ReleaseRecord|error|Cannot find|plugin/i.test(l)).slice(0, 6).join("\n").replace(/^/gm, "        ");

        const preview = await s.preview({ diff: true });
        console.log(`      preview without NODE_PATH:\n${lines(preview.stdout + preview.stderr)}`);
        assert.match(preview.stdout, /\+ goship:index:ReleaseRecord/);
        let t0 = Date.now();
        const up = await s.up();
        console.log(`      up: ${((Date.now() - t0) / 1000).toFixed(1)} s, status ${up.outputs.status.value}`);
        assert.strictEqual(up.outputs.status.value, "stable 1.0.0");

        // The canary start, reviewed then applied: `pulumi preview --save-plan` and `pulumi up --plan`.
        version = "1.1.0";
        const plan = path.join(other, "plan.json");
        const planned = await s.preview({ diff: true, plan });
        assert.match(planned.stdout, /~ goship:index:ReleaseRecord/);
        t0 = Date.now();
        const moved = await s.up({ plan });
        console.log(`      up --plan: ${((Date.now() - t0) / 1000).toFixed(1)} s, status ${moved.outputs.status.value}`);
        assert.strictEqual(moved.outputs.status.value, "canary 1.1.0 step 1/4: 5% · stable 1.0.0");
        const canary = await tier().kube.must("networking.k8s.io/v1", "Ingress", "poly-canary", "goship-shop");
        assert.strictEqual(canary.metadata?.annotations?.["nginx.ingress.kubernetes.io/canary-weight"], "5");

        // A skipped step is refused by the plugin's check, in goship's one line.
        step = 2;
        const refused = await s.preview().then(() => "", (e) => String(e.message ?? e));
        console.log(`      refused:\n${refused.split("\n").filter((l) => /error/.test(l)).slice(0, 3).join("\n").replace(/^/gm, "        ")}`);
        assert.match(refused, /goship:index:ReleaseRecord \(poly-release\):\n\s+error: goship:release: release 1\.1\.0 is at step 0\/4 \(5%\); step 2 would skip 1 step\(s\); next allowed: step 1 \(20%\), or abort: true/);
        assert.doesNotMatch(refused, /has a problem|    at /, "no check-failure wrapper, no stack trace");

        // Read back by the goship CLI's reader: the record found by its type, times in the outputs.
        const state: any = await s.exportStack();
        const view = releaseFromExport(state, "polyglot");
        assert.match(view.urn, /goship:index:ReleaseRecord::poly-release$/);
        assert.deepStrictEqual([view.state.phase, view.state.candidateVersion, view.state.weight], ["Progressing", "1.1.0", 5]);
        assert.deepStrictEqual(view.history.map((h) => h.event), ["deploy", "start"]);
        assert.ok(view.history.every((h) => /^\d{4}-\d\d-\d\dT/.test(h.at ?? "")), "apply-time facts are in the outputs");
        assert.ok(!state.deployment.resources.some((r: any) => r.type.startsWith("pulumi-nodejs")), "no dynamic resource, no pulumi-nodejs provider");
    });
});
