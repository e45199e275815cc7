import * as assert from "assert";
import { parseConfig } from "../components/config/schema";
import { ConfigError, parseQuantity } from "../components/config/validate";
import { minimal, problems, projectConfig } from "./support/config";

describe("config: parseConfig", () => {
    it("fills safe production defaults from a minimal config", () => {
        const c = parseConfig(minimal(), "prod");
        assert.strictEqual(c.appName, "goship");
        assert.strictEqual(c.namespace, "goship-prod");
        assert.strictEqual(c.replicas, 3);
        assert.deepStrictEqual(c.resources, {
            requests: { cpu: "100m", memory: "64Mi", ephemeralStorage: "64Mi" },
            limits: { cpu: "500m", memory: "128Mi", ephemeralStorage: "256Mi" },
        });
        assert.deepStrictEqual(
            [c.autoscaling.enabled, c.autoscaling.minReplicas, c.autoscaling.maxReplicas, c.autoscaling.cpuUtilization],
            [true, 2, 10, 50]);
        assert.strictEqual(c.podSecurityLevel, "restricted");
        assert.deepStrictEqual(c.release.steps, [5, 20, 50, 100]);
        assert.strictEqual(c.release.strategy, "canary");
        assert.strictEqual(c.ingress.className, "nginx");
        assert.strictEqual(c.image.push, false);
    });

    it("accepts string forms that `pulumi config set` stores", () => {
        const c = parseConfig({ ...minimal(), replicas: "4", release: { step: "2", abort: "true" } }, "dev");
        assert.strictEqual(c.replicas, 4);
        assert.strictEqual(c.release.step, 2);
        assert.strictEqual(c.release.abort, true);
    });

    it("accepts numbers where Kubernetes accepts quantities (`pulumi config set --path quota.requestsCpu 4`)", () => {
        const c = parseConfig({ ...minimal(), quota: { requestsCpu: 4, limitsCpu: 8.5, requestsMemory: 1073741824 }, resources: { requests: { cpu: 0.5 } } }, "dev");
        assert.strictEqual(c.quota.requestsCpu, "4");
        assert.strictEqual(c.quota.limitsCpu, "8.5");
        assert.strictEqual(c.quota.requestsMemory, "1073741824");
        assert.strictEqual(c.resources.requests.cpu, "0.5");
        assert.ok(problems({ ...minimal(), quota: { requestsCpu: -1 } }).some((p) => p.startsWith("goship:quota.requestsCpu must be a CPU quantity (a string or a number), got -1")));
    });

    it("deploys a prebuilt image reference without registry credentials", () => {
        const digest = `registry.example.com/acme/goship@sha256:${"a".repeat(64)}`;
        const c = parseConfig({ ...minimal(), image: { ref: digest, push: true, repository: "registry.example.com/acme/goship" } }, "prod");
        assert.strictEqual(c.image.ref, digest);
        assert.strictEqual(parseConfig({ ...minimal(), image: { ref: "goship:1.0.0" } }, "dev").image.ref, "goship:1.0.0");
        assert.ok(problems({ ...minimal(), image: { ref: "goship" } }).some((p) => p.startsWith(`goship:image.ref must name a tag or a digest`)));
        // Building and pushing still needs the login.
        assert.ok(problems({ ...minimal(), image: { push: true, repository: "registry.example.com/acme/goship" } })
            .some((p) => p.includes("goship:registryPassword (secret) are required when goship:image.push is true")));
    });

    it("refuses a shipped placeholder secret, naming the command that sets it", () => {
        const found = problems({ ...minimal(), apiToken: "[placeholder]" });
        assert.deepStrictEqual(found, [
            "goship:apiToken is still the placeholder from Pulumi.test.yaml: set the real value with `pulumi config set --secret -s test apiToken <value>`",
        ]);
    });

    it("omits the CPU limit when limits are given without cpu", () => {
        const c = parseConfig({ ...minimal(), resources: { limits: { memory: "256Mi" } } }, "dev");
        assert.strictEqual(c.resources.limits.cpu, undefined);
        assert.strictEqual(c.resources.limits.memory, "256Mi");
    });

    // Each bad value: [config, expected message fragment]. The fragment names the key,
    // shows the received value and says what is allowed.
    const cases: Array<[string, Record<string, unknown>, string]> = [
        ["missing version", { ingress: { host: "a.example.com" } }, "goship:version is required"],
        ["version latest", { ...minimal(), version: "latest" }, `goship:version must name a real version, got "latest"`],
        ["version wrong type", { ...minimal(), version: 3 }, "goship:version must be a string, got 3"],
        ["version bad chars", { ...minimal(), version: "1.0 beta" }, `goship:version must be an image tag such as 1.4.0`],
        ["appName uppercase", { ...minimal(), appName: "GoShip" }, `goship:appName must be a DNS label of at most 40 characters starting with a letter (it prefixes every object name), got "GoShip"`],
        ["namespace bad", { ...minimal(), namespace: "Bad_NS" }, `goship:namespace must be a DNS label, got "Bad_NS"`],
        ["replicas zero", { ...minimal(), replicas: 0 }, "goship:replicas must be an integer in [1, 100], got 0"],
        ["replicas float", { ...minimal(), replicas: 1.5 }, "goship:replicas must be an integer in [1, 100], got 1.5"],
        ["replicas string", { ...minimal(), replicas: "three" }, `goship:replicas must be an integer in [1, 100], got "three"`],
        ["cpu request", { ...minimal(), resources: { requests: { cpu: "lots" } } }, `goship:resources.requests.cpu must be a CPU quantity such as 100m or 0.5, got "lots"`],
        ["memory request", { ...minimal(), resources: { requests: { memory: "64MB" } } }, `goship:resources.requests.memory must be a memory quantity such as 64Mi, got "64MB"`],
        ["limit below request", { ...minimal(), resources: { requests: { memory: "256Mi" }, limits: { memory: "128Mi", cpu: "1" } } }, "goship:resources.limits.memory must be ≥ requests.memory (256Mi), got 128Mi"],
        ["cpu limit below request", { ...minimal(), resources: { requests: { cpu: "500m" }, limits: { memory: "128Mi", cpu: "100m" } } }, "goship:resources.limits.cpu must be ≥ requests.cpu (500m), got 100m"],
        ["hpa max < min", { ...minimal(), autoscaling: { minReplicas: 2, maxReplicas: 1 } }, "goship:autoscaling.maxReplicas must be ≥ minReplicas (2), got 1"],
        ["hpa cpu 0", { ...minimal(), autoscaling: { cpuUtilization: 0 } }, "goship:autoscaling.cpuUtilization must be an integer in [1, 100], got 0"],
        ["hpa enabled not bool", { ...minimal(), autoscaling: { enabled: "yes" } }, `goship:autoscaling.enabled must be true or false, got "yes"`],
        ["port privileged", { ...minimal(), app: { port: 80 } }, "goship:app.port must be an integer in [1024, 65535], got 80"],
        ["log level", { ...minimal(), app: { logLevel: "trace" } }, `goship:app.logLevel must be one of "debug", "info", "warn", "error", got "trace"`],
        ["shutdown 0", { ...minimal(), app: { shutdownTimeoutSeconds: 0 } }, "goship:app.shutdownTimeoutSeconds must be an integer in [1, 300], got 0"],
        ["missing host", { version: "1.0.0" }, "goship:ingress.host is required"],
        ["wildcard host", { ...minimal(), ingress: { host: "*.example.com" } }, `goship:ingress.host must be a DNS name without wildcard, e.g. goship.example.com, got "*.example.com"`],
        ["ingress not object", { ...minimal(), ingress: "goship.example.com" }, `goship:ingress must be an object, got "goship.example.com"`],
        ["chart range", { ...minimal(), ingressNginx: { chartVersion: "^4.14.0" } }, `goship:ingressNginx.chartVersion must be an exact chart version such as 4.14.3`],
        ["psa level", { ...minimal(), podSecurityLevel: "strict" }, `goship:podSecurityLevel must be one of "restricted", "baseline", "privileged", got "strict"`],
        ["push without registry", { ...minimal(), image: { repository: "goship", push: true } }, "goship:image.repository must include a registry host when push is true"],
        ["push without credentials", { ...minimal(), image: { repository: "registry.example.com/acme/goship", push: true } }, "goship:image.registryUsername and goship:registryPassword (secret) are required when goship:image.push is true"],
        ["strategy", { ...minimal(), release: { strategy: "linear" } }, `goship:release.strategy must be one of "canary", "blueGreen", got "linear"`],
        ["steps not increasing", { ...minimal(), release: { steps: [5, 50, 20, 100] } }, "goship:release.steps must be strictly increasing, got [5,50,20,100]"],
        ["steps not ending at 100", { ...minimal(), release: { steps: [5, 20, 50] } }, "goship:release.steps must end with 100 (the promotion), got [5,20,50]"],
        ["steps out of range", { ...minimal(), release: { steps: [0, 100] } }, "goship:release.steps entries must be integers in [1, 100], got 0 in [0,100]"],
        ["step negative", { ...minimal(), release: { step: -1 } }, "goship:release.step must be an integer in [0, 99], got -1"],
        ["abort not bool", { ...minimal(), release: { abort: 1 } }, "goship:release.abort must be true or false, got 1"],
        ["match without header", { ...minimal(), release: { match: { headerValue: "x" } } }, "goship:release.match.header or match.cookie is required when match is set"],
        ["match value and pattern", { ...minimal(), release: { match: { header: "X-Canary", headerValue: "a", headerPattern: "b" } } }, "goship:release.match.headerPattern cannot be combined with match.headerValue"],
        ["match bad regex", { ...minimal(), release: { match: { header: "X-Canary", headerPattern: "(" } } }, `goship:release.match.headerPattern must be a valid regular expression, got "("`],
        ["analysis without url", { ...minimal(), release: { analysis: { minSuccessRate: 0.9 } } }, "goship:release.analysis.prometheusUrl is required when analysis is set"],
        ["analysis rate > 1", { ...minimal(), release: { analysis: { prometheusUrl: "http://127.0.0.1:9090", minSuccessRate: 1.5 } } }, "goship:release.analysis.minSuccessRate must be a number in [0, 1], got 1.5"],
        ["analysis noData", { ...minimal(), release: { analysis: { prometheusUrl: "http://127.0.0.1:9090", noData: "ignore" } } }, `goship:release.analysis.noData must be one of "fail", "pass", "hold", got "ignore"`],
        ["unknown top-level key", { ...minimal(), replica: 3 }, "goship:replica is not a known key"],
        ["unknown nested key", { ...minimal(), autoscaling: { maxReplica: 3 } }, "goship:autoscaling.maxReplica is not a known key (known keys: "],
        ["unknown release key", { ...minimal(), release: { stepz: 1 } }, "goship:release.stepz is not a known key"],
        ["secret given as object", { ...minimal(), apiToken: { plain: "x" } }, "goship:apiToken must be a secret string"],
    ];
    for (const [title, raw, expected] of cases) {
        it(`refuses ${title}`, () => {
            const found = problems(raw);
            assert.ok(found.some((p) => p.includes(expected)), `expected a problem containing\n  ${expected}\ngot\n  ${found.join("\n  ")}`);
        });
    }

    it("reports every problem at once", () => {
        const found = problems({ replicas: 0, release: { strategy: "x" }, ingress: { host: "*" } });
        assert.strictEqual(found.length, 4, found.join("\n"));
    });

    it("never echoes a secret value", () => {
        const found = problems({ ...minimal(), apiToken: 12345678, replicas: 0 });
        assert.ok(!found.join("\n").includes("12345678"));
    });

    it("parses quantities", () => {
        assert.strictEqual(parseQuantity("100m"), 0.1);
        assert.strictEqual(parseQuantity("64Mi"), 64 * 1024 * 1024);
        assert.strictEqual(parseQuantity("1G"), 1e9);
        assert.ok(Number.isNaN(parseQuantity("x")));
    });
});

describe("config: Pulumi.yaml schema", () => {
    it("declares exactly the keys the parser knows, each with a description", () => {
        const fs = require("fs");
        const path = require("path");
        const own = projectConfig().own;
        // Secrets and the derived namespace are optional, and the CLI treats a declared key
        // without a default as required, so Pulumi.yaml documents them in a comment instead.
        const optional = ["apiToken", "namespace", "registryPassword"];
        const text = fs.readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8");
        for (const k of optional) assert.match(text, new RegExp(`^#\\s+${k}: \\S`, "m"), `${k} is documented in Pulumi.yaml's comment`);
        const declared = [...Object.keys(own), ...optional].sort();
        const found = problems({ ...minimal(), zzz: 1 }).find((p) => p.startsWith("goship:zzz"))!;
        const known = /known keys: (.*)\)/.exec(found)![1].split(", ").sort();
        assert.deepStrictEqual(declared, known);
        for (const [k, v] of Object.entries<any>(own)) {
            assert.ok(v.description, `${k} needs a description`);
            // Without a default the CLI refuses any stack that does not set the key.
            if (k !== "version") assert.ok(v.default !== undefined, `${k} needs a default, or every stack must set it`);
        }
    });

    it("makes the Kubernetes provider update ConfigMaps and Secrets in place (a replace would recreate the Deployments)", () => {
        const { foreign } = projectConfig();
        assert.deepStrictEqual(foreign, {
            "kubernetes:enableConfigMapMutable": { value: true },
            "kubernetes:enableSecretMutable": { value: true },
        });
    });

    it("keeps scalar defaults in Pulumi.yaml equal to the parser's defaults", () => {
        const c = parseConfig(minimal(), "x") as any;
        for (const [k, v] of Object.entries<any>(projectConfig().own)) {
            if (v.default === undefined) continue;
            if (typeof v.default === "object") {
                // An object key's default ({}) must mean what no value means (for ingress, whose
                // host is required, both are the same refusal).
                const outcome = (raw: Record<string, unknown>) => {
                    try {
                        return parseConfig(raw, "x");
                    } catch (e) {
                        return (e as ConfigError).problems;
                    }
                };
                const { [k]: _omitted, ...without } = minimal() as Record<string, unknown>;
                assert.deepStrictEqual(outcome({ ...minimal(), [k]: v.default }), outcome(without), `default of ${k}`);
            } else {
                assert.deepStrictEqual(c[k], v.default, `default of ${k}`);
            }
        }
    });
});
