// The component provider (provider/): the schema other languages' SDKs are generated from,
// inferred by the Node SDK from the wrappers' Args exactly as the plugin serves it, and the
// wrappers themselves under the mock runtime. (e2e 21 runs the plugin on the real engine.)
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import * as pulumi from "@pulumi/pulumi";
import { parseConfig } from "../components/config/schema";
import { releaseProvider } from "../components/release/provider";
import { servePluginReleaseRecords } from "../components/release/record";
import type { ReleaseConfig } from "../components/release/strategy";
import { AppNamespace, Autoscaler, DEFAULTS, GoWorkload, Release } from "../provider/components";
import { COMPONENTS, componentOutputs, completeSchema, GoshipProvider, Schema, urnType } from "../provider/provider";
import { T } from "../offline/results";
import { settle } from "../offline/settle";
import { ROOT } from "../offline/stack-config";

type Created = { type: string; name: string; inputs: any };

/**
 * Runs wrappers under the mock runtime. Not the shared harness (runProgram): its URNs leave out
 * the parent, as the mock monitor's do, so a wrapper and the real component it delegates to
 * (same type, same name, one inside the other) would look like one resource registered twice.
 * On the engine their URNs differ (the parent's type is part of the child's).
 */
async function underMocks(program: () => Record<string, pulumi.Output<unknown>> | void): Promise<{ created: Created[]; get(type: string, name: string): Created }> {
    const created: Created[] = [];
    await pulumi.runtime.setMocks({
        newResource: async (args) => {
            let state = args.inputs;
            if (args.type === T.Release) {
                const { __provider, ...news } = args.inputs;
                const checked = await releaseProvider.check!(undefined, news);
                if (checked.failures?.length) throw new Error(checked.failures.map((f) => f.reason).join("; "));
                state = checked.inputs;
            }
            if (args.type === PLUGIN_RECORD) {
                // What the engine does with the plugin's record: the plugin's own check (its URN first).
                state = (await new GoshipProvider(path.join(ROOT, "provider")).check(`urn:pulumi:dev::shop::${PLUGIN_RECORD}::${args.name}`, {}, args.inputs)).inputs;
            }
            created.push({ type: args.type, name: args.name, inputs: args.inputs });
            return { id: `${args.name}-id`, state };
        },
        call: (args) => args.inputs,
    }, "shop", "dev", false);
    const outputs = program() ?? {};
    for (const o of Object.values(outputs)) await settle(o);
    const settings = require("@pulumi/pulumi/runtime/settings");
    for (let n = -1; n !== created.length;) {
        n = created.length;
        await settings.waitForRPCs();
        await new Promise((r) => setTimeout(r, 5));
    }
    return {
        created,
        get(type, name) {
            const found = created.filter((c) => c.type === type && (c.inputs?.metadata?.name ?? c.name) === name);
            assert.strictEqual(found.length, 1, `one ${type} named ${name}`);
            return found[0];
        },
    };
}

const PLUGIN_RECORD = "goship:index:ReleaseRecord";
const TOKENS = ["goship:index:AppNamespace", "goship:index:Autoscaler", "goship:index:GoWorkload", "goship:index:Release"];

describe("component provider", () => {
    let schema: Schema;

    before(async function () {
        this.timeout(120_000);
        schema = JSON.parse(await new GoshipProvider(path.join(ROOT, "provider")).getSchema());
    });

    describe("the schema", () => {
        it("is the goship package with its four components, each described", () => {
            assert.strictEqual(schema.name, "goship");
            assert.match(String(schema.description), /as a Pulumi component provider/);
            assert.deepStrictEqual(Object.keys(schema.resources).sort(), TOKENS);
            // The custom resource the plugin also serves is the Release's internal state: no SDK class for it.
            assert.ok(!(PLUGIN_RECORD in schema.resources));
            for (const [token, r] of Object.entries(schema.resources)) {
                assert.ok((r as any).isComponent, `${token} is a component`);
                assert.ok(r.description && r.description.length > 40, `${token} has a description: ${r.description}`);
            }
            assert.match(schema.resources["goship:index:Release"].description!, /^A progressive release of a Go web service behind ingress-nginx/);
        });

        it("describes every input and output, every type and every field of its types, in a sentence", () => {
            const undocumented: string[] = [];
            const check = (where: string, props: Record<string, any>) => {
                for (const [k, p] of Object.entries(props)) {
                    if (!p.description || !/^[A-Z`].*[.)]$/s.test(p.description)) undocumented.push(`${where}.${k}: ${p.description}`);
                }
            };
            for (const [token, r] of Object.entries(schema.resources)) {
                check(`${token} input`, r.inputProperties);
                check(`${token} output`, r.properties);
            }
            for (const [token, t] of Object.entries(schema.types)) {
                check(token, t.properties ?? {});
                if (!t.description) undocumented.push(`type ${token}`);
            }
            assert.deepStrictEqual(undocumented, []);
            assert.strictEqual(schema.types["goship:index:ReleaseStrategy"].description, "How a new version is released.");
            assert.strictEqual(schema.types["goship:index:ContainerResources"].description, "A container's resource requests and limits.");
        });

        it("requires what has no default, and names inputs as the TypeScript components do", () => {
            const required = (c: string) => [...schema.resources[`goship:index:${c}`].requiredInputs].sort();
            assert.deepStrictEqual(required("AppNamespace"), ["name"]);
            assert.deepStrictEqual(required("GoWorkload"), ["appName", "image", "namespace", "track", "version"]);
            assert.deepStrictEqual(required("Autoscaler"), ["deploymentName", "namespace"]);
            assert.deepStrictEqual(required("Release"), ["appName", "host", "image", "namespace", "version"]);
            const rel = schema.resources["goship:index:Release"];
            assert.ok(rel.inputProperties.appName.plain, "appName names objects: a plain string, never an Output");
            assert.ok(!rel.inputProperties.namespace.plain, "namespace takes an Output (e.g. AppNamespace's namespaceName)");
            assert.deepStrictEqual(Object.keys(rel.properties).sort(), ["phase", "serviceName", "stableVersion", "status", "weight"]);
        });

        it("states goship's defaults: as `default` for scalars (SDKs fill them in) and in every description", () => {
            const input = (c: string, k: string) => schema.resources[`goship:index:${c}`].inputProperties[k];
            assert.strictEqual(input("Release", "step").default, 0);
            assert.strictEqual(input("Release", "strategy").default, "canary");
            assert.strictEqual(input("Release", "abort").default, false);
            assert.strictEqual(input("Release", "steps").default, undefined, "schema defaults are scalars only");
            assert.match(input("Release", "steps").description!, /^Canary traffic percentages, ascending, ending at 100\. Defaults to `\[5, 20, 50, 100\]`\.$/);
            assert.strictEqual(input("Autoscaler", "minReplicas").default, 2);
            assert.strictEqual(input("AppNamespace", "podSecurityLevel").default, "restricted");
            assert.match(input("AppNamespace", "quota").description!, /Defaults to `\{requestsCpu: "4", .*pods: 60\}`\.$/);
            assert.match(input("GoWorkload", "rolloutTimeoutSeconds").description!, /in seconds\. Defaults to `600`\.$/);
            // Every input with a default is optional and says so; none without one claims it.
            for (const [c, defaults] of Object.entries(DEFAULTS)) {
                for (const k of Object.keys(defaults)) assert.match(input(c, k).description!, /Defaults to `.+`\.$/, `${c}.${k}`);
            }
        });

        it("has the same defaults as goship's stack config", () => {
            const cfg = parseConfig({ version: "1.0.0", ingress: { host: "shop.example.test" } }, "dev");
            const r = DEFAULTS.Release;
            assert.deepStrictEqual([r.replicas, r.strategy, r.steps, r.step, r.abort, r.scaleDownDelaySeconds, r.rolloutTimeoutSeconds],
                [cfg.replicas, cfg.release.strategy, cfg.release.steps, cfg.release.step, cfg.release.abort, cfg.release.scaleDownDelaySeconds, cfg.release.rolloutTimeoutSeconds]);
            assert.deepStrictEqual([r.path, r.ingressClassName, r.port], [cfg.ingress.path, cfg.ingress.className, cfg.app.port]);
            assert.deepStrictEqual(DEFAULTS.AppNamespace.quota, cfg.quota);
            assert.strictEqual(DEFAULTS.AppNamespace.podSecurityLevel, cfg.podSecurityLevel);
            assert.strictEqual(DEFAULTS.AppNamespace.ingressControllerNamespace, cfg.ingressNginx.namespace);
            assert.deepStrictEqual(DEFAULTS.GoWorkload.resources, cfg.resources);
            const { preStopSleepSeconds, drainDelaySeconds, shutdownTimeoutSeconds } = cfg.app;
            assert.deepStrictEqual(
                [DEFAULTS.GoWorkload.preStopSleepSeconds, DEFAULTS.GoWorkload.drainDelaySeconds, DEFAULTS.GoWorkload.shutdownTimeoutSeconds],
                [preStopSleepSeconds, drainDelaySeconds, shutdownTimeoutSeconds]);
            const a = DEFAULTS.Autoscaler;
            assert.deepStrictEqual([a.minReplicas, a.maxReplicas, a.cpuUtilization, a.scaleDownStabilizationSeconds],
                [cfg.autoscaling.minReplicas, cfg.autoscaling.maxReplicas, cfg.autoscaling.cpuUtilization, cfg.autoscaling.scaleDownStabilizationSeconds]);
        });

        it("types whole numbers as integer and the string choices as enums", () => {
            const rel = schema.resources["goship:index:Release"];
            assert.strictEqual(rel.inputProperties.replicas.type, "integer");
            assert.strictEqual(rel.inputProperties.steps.items!.type, "integer");
            assert.strictEqual(rel.properties.weight.type, "integer");
            assert.strictEqual(schema.types["goship:index:NamespaceQuota"].properties!.pods.type, "integer");
            assert.ok(!JSON.stringify(schema).includes('"type":"number"'), "no number left");
            const members = (t: string) => (schema.types[`goship:index:${t}`].enum as any[]).map((m) => `${m.name}=${m.value}`);
            assert.deepStrictEqual(members("PodSecurityLevel"), ["Restricted=restricted", "Baseline=baseline", "Privileged=privileged"]);
            assert.deepStrictEqual(members("ReleaseStrategy"), ["Canary=canary", "BlueGreen=blueGreen"]);
            assert.strictEqual(rel.inputProperties.strategy.$ref, "#/types/goship:index:ReleaseStrategy");
        });

        it("has every input examples/yaml/Pulumi.yaml sets, and that program sets every required one", () => {
            const program = YAML.parse(fs.readFileSync(path.join(ROOT, "examples/yaml/Pulumi.yaml"), "utf8"));
            const used = Object.entries<any>(program.resources).filter(([, r]) => String(r.type).startsWith("goship:"));
            assert.deepStrictEqual([...new Set(used.map(([, r]) => r.type))].sort(), TOKENS);
            for (const [name, r] of used) {
                const schemaOf = schema.resources[r.type];
                for (const k of Object.keys(r.properties)) assert.ok(schemaOf.inputProperties[k], `${name}: ${r.type} has no input ${k}`);
                for (const k of schemaOf.requiredInputs) assert.ok(k in r.properties, `${name}: ${r.type} needs ${k}`);
            }
        });

        it("refuses a default for an input that is missing or required", () => {
            const s = () => JSON.parse(JSON.stringify(schema));
            assert.throws(() => completeSchema(s(), { Release: { replicaCount: 3 } }), /a default for Release\.replicaCount, which is not an input/);
            assert.throws(() => completeSchema(s(), { Release: { host: "x" } }), /a default for Release\.host, which is required/);
            assert.throws(() => completeSchema(s(), { Router: {} }), /defaults for Router, which the schema does not have/);
        });
    });

    describe("the components it serves", () => {
        it("returns each component's outputs exactly as the schema lists them", async () => {
            const seen: Record<string, string[]> = {};
            await underMocks(() => {
                const ns = new AppNamespace("shop", { name: "shop" });
                const w = new GoWorkload("worker", { appName: "shop-worker", track: "main", namespace: ns.namespaceName, image: "goship:1.0.0", version: "1.0.0" });
                const instances = [ns, w, new Autoscaler("shop-worker", { namespace: "shop", deploymentName: w.deploymentName }),
                    new Release("shop", { appName: "shop", namespace: "shop", version: "1.0.0", image: "goship:1.0.0", host: "shop.example.test" })];
                for (const i of instances) seen[(i.constructor as any).name] = Object.keys(componentOutputs(i)).sort();
            });
            for (const c of COMPONENTS) {
                assert.deepStrictEqual(seen[c.name], Object.keys(schema.resources[`goship:index:${c.name}`].properties).sort(), c.name);
            }
        });

        it("fill in goship's defaults before delegating to the real components", async () => {
            const r = await underMocks(() => {
                new AppNamespace("shop", { name: "shop" });
                new GoWorkload("worker", { appName: "shop-worker", track: "main", namespace: "shop", image: "goship:1.0.0", version: "1.0.0" });
                const release = new Release("shop", { appName: "shop", namespace: "shop", version: "1.0.0", image: "goship:1.0.0", host: "shop.example.test" });
                return { status: release.status };
            });
            // Each wrapper delegates to the real component of the same type and name.
            for (const t of ["AppNamespace", "GoWorkload", "Release"]) {
                assert.strictEqual(r.created.filter((c) => c.type === `goship:index:${t}`).length, t === "GoWorkload" ? 4 : 2, t);
            }
            assert.strictEqual(r.get(T.Namespace, "shop").inputs.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
            assert.strictEqual(r.get(T.ResourceQuota, "compute").inputs.spec.hard.pods, "60");
            const worker = r.get(T.Deployment, "shop-worker-main").inputs;
            assert.deepStrictEqual(worker.spec.template.spec.containers[0].resources,
                { requests: { cpu: "100m", memory: "64Mi", "ephemeral-storage": "64Mi" }, limits: { cpu: "500m", memory: "128Mi", "ephemeral-storage": "256Mi" } });
            assert.strictEqual(worker.spec.template.spec.terminationGracePeriodSeconds, 25);
            assert.strictEqual(r.get(T.Deployment, "shop-blue").inputs.spec.replicas, 3);
            const canary = r.get(T.Ingress, "shop-canary").inputs;
            assert.strictEqual(canary.spec.ingressClassName, "nginx");
            assert.strictEqual(canary.spec.rules[0].http.paths[0].path, "/");
        });

        it("inside the plugin a Release keeps its state in the plugin's own record, not a dynamic resource", async () => {
            const release = () => {
                const r = new Release("shop", { appName: "shop", namespace: "shop", version: "1.0.0", image: "goship:1.0.0", host: "shop.example.test" });
                return { status: r.status };
            };
            servePluginReleaseRecords();
            let plugin;
            try {
                plugin = await underMocks(release);
            } finally {
                servePluginReleaseRecords(false);
            }
            const record = plugin.get(PLUGIN_RECORD, "shop-release");
            assert.ok(!("__provider" in record.inputs), "no serialized provider: the plugin serves it");
            assert.strictEqual(plugin.created.filter((c) => c.type === T.Release).length, 0);
            assert.strictEqual(plugin.get(T.Deployment, "shop-blue").inputs.spec.template.spec.containers[0].image, "goship:1.0.0");
            // A Node.js program (no flag) keeps the dynamic resource, with the same inputs.
            const node = await underMocks(release);
            assert.strictEqual(node.created.filter((c) => c.type === PLUGIN_RECORD).length, 0);
            const { __provider, ...dynamicInputs } = node.get(T.Release, "shop-release").inputs;
            assert.ok(__provider);
            assert.deepStrictEqual(record.inputs, dynamicInputs);
        });

        it("a Release refuses bad inputs with goship's config checks, naming each input", () => {
            const release = (extra: object) => () => new Release("shop", {
                appName: "shop", namespace: "shop", version: "1.0.0", image: "goship:1.0.0", host: "shop.example.test", ...extra,
            });
            assert.throws(release({ steps: [50, 20], host: "Shop_Example", ingressClassName: "Nginx!" }), (e: any) => {
                assert.ok(e instanceof pulumi.ResourceError);
                assert.match(e.message, /^invalid Release inputs:\n/);
                assert.match(e.message, /\n {2}- steps must be strictly increasing, got \[50,20\]/);
                assert.match(e.message, /\n {2}- host must be a DNS name/);
                assert.match(e.message, /\n {2}- ingressClassName must be an IngressClass name/);
                assert.doesNotMatch(e.message, /goship:/, "config key names are rewritten to input names");
                return true;
            });
            assert.throws(release({ step: -1 }), /- step must be/);
            assert.throws(release({ version: "latest" }), /- version must name a real version/);
        });
    });

    describe("the release record it serves (goship:index:ReleaseRecord)", () => {
        const provider = new GoshipProvider(path.join(ROOT, "provider"));
        const URN = `urn:pulumi:dev::shop::goship:index:Release$goship:index:Release$${PLUGIN_RECORD}::shop-release`;
        const T0 = "2026-01-01T00:00:00.000Z";
        const desired = (version: string, step = 0): ReleaseConfig =>
            ({ version, strategy: "canary", steps: [5, 20, 50, 100], step, abort: false, scaleDownDelaySeconds: 600 });
        const secret = (value: unknown) => ({ [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value });

        it("reads the type from the URN and serves that one type", async () => {
            assert.strictEqual(urnType(URN), PLUGIN_RECORD);
            assert.strictEqual(urnType("urn:pulumi:dev::shop::goship:index:Release::shop"), "goship:index:Release");
            await assert.rejects(provider.check("urn:pulumi:dev::shop::goship:index:Release::shop", {}, {}),
                { message: "the goship plugin serves one custom resource, goship:index:ReleaseRecord, not goship:index:Release (urn:pulumi:dev::shop::goship:index:Release::shop)" });
            await assert.rejects(provider.create("urn:pulumi:dev::shop::goship:index:Other::x", {}), /serves one custom resource/);
        });

        it("check, create, diff and update are the dynamic provider's: the same planned state, the volatile facts at apply", async () => {
            const first = { desired: desired("1.0.0"), imageRef: "goship:1.0.0", now: T0 };
            const checked = await provider.check(URN, {}, first);
            assert.deepStrictEqual(checked, await releaseProvider.check!({}, first), "the same check as the dynamic provider");
            assert.strictEqual(checked.inputs.status, "stable 1.0.0");
            assert.ok(checked.inputs.state.history.every((h: any) => !("at" in h)), "check returns the planned state");
            const created = await provider.create(URN, checked.inputs);
            assert.strictEqual(created.id, `release-${T0}`);
            assert.strictEqual(created.outs.state.history[0].at, T0);

            // The engine sends this plugin secrets as the SDK's secret objects: the functions see the value.
            const second = { desired: desired("1.1.0"), imageRef: secret("goship:1.1.0"), now: "2026-01-01T00:05:00.000Z" };
            const moved = await provider.check(URN, checked.inputs, second);
            assert.strictEqual(moved.inputs.status, "canary 1.1.0 step 1/4: 5% · stable 1.0.0");
            // ... and what they return keeps it secret: this server's results are stored as they are.
            assert.deepStrictEqual(moved.inputs.imageRef, secret("goship:1.1.0"), "a secret input stays secret in the checked inputs");
            assert.deepStrictEqual(moved.inputs.trackImages, { blue: "goship:1.0.0", green: "goship:1.1.0" });
            assert.deepStrictEqual(await provider.diff(created.id, URN, created.outs, moved.inputs), { changes: true, replaces: [], deleteBeforeReplace: false });
            assert.deepStrictEqual(await provider.diff(created.id, URN, created.outs, checked.inputs), { changes: false, replaces: [], deleteBeforeReplace: false });
            const updated = await provider.update(created.id, URN, created.outs, moved.inputs);
            assert.deepStrictEqual(updated.outs.imageRef, secret("goship:1.1.0"), "a secret input stays secret in the stored outputs");
            assert.deepStrictEqual(updated.outs.state.history.map((h: any) => [h.event, h.at]), [["deploy", T0], ["start", "2026-01-01T00:05:00.000Z"]]);
            assert.deepStrictEqual(await provider.read(created.id, URN, updated.outs), { id: created.id, props: updated.outs });
        });

        it("refuses a move with goship's one-line sentence, as the engine prints it", async () => {
            const stable = (await provider.check(URN, {}, { desired: desired("1.0.0"), imageRef: "goship:1.0.0", now: T0 })).inputs;
            await assert.rejects(provider.check(URN, stable, { desired: desired("1.1.0", 2), imageRef: "goship:1.1.0", now: T0 }), (e: any) => {
                assert.strictEqual(e.message, "goship:release.step must be 0 to start 1.1.0 (got 2); release is stable at 1.0.0; set goship:release.step to 0");
                assert.strictEqual(String(e), "goship refused the release move (the goship-release error says why and what to edit)");
                assert.strictEqual(e.stack, "nothing was changed");
                return true;
            });
            // At apply: an update whose replay is not the planned state (the plan was made for another state).
            const planned = (await provider.check(URN, stable, { desired: desired("1.1.0"), imageRef: "goship:1.1.0", now: T0 })).inputs;
            const created = await provider.create(URN, stable);
            const tampered = { ...planned, state: { ...planned.state, weight: 20 } };
            await assert.rejects(provider.update(created.id, URN, created.outs, tampered), (e: any) => {
                assert.match(e.message, /^goship:release: at apply the release would become "canary 1.1.0 step 1\/4: 5% · stable 1.0.0"/);
                assert.strictEqual(e.stack, "nothing was changed");
                return true;
            });
        });
    });
});
