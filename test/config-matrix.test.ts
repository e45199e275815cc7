// Every config key × wrong type, out of range and unknown sibling: each refusal names the
// full key and the value received. The table is the schema's leaf keys.
import * as assert from "assert";
import { parseConfig } from "../components/config/schema";
import { ConfigError } from "../components/config/validate";
import { setPath } from "../offline/stack-config";
import { projectConfig } from "./support/config";

type Kind = "string" | "quantity" | "int" | "number" | "bool" | "enum" | "list";
// [dotted key, kind, an out-of-range / malformed value (undefined: no range to test)]
const KEYS: Array<[string, Kind, unknown?]> = [
    ["version", "string", "has space"], ["commit", "string", "no/slash"], ["appName", "string", "Bad_Name"],
    ["namespace", "string", "Bad_NS"], ["replicas", "int", 101], ["podSecurityLevel", "enum", "strict"],
    ["image.repository", "string", "UPPER/case"], ["image.push", "bool"], ["image.registryServer", "string"],
    ["image.registryUsername", "string"], ["image.context", "string"], ["image.ref", "string", "Goship:1.0"], ["image.platform", "string", "amd64"],
    ["resources.requests.cpu", "quantity", "1 core"], ["resources.requests.memory", "quantity", "64MB"],
    ["resources.limits.cpu", "quantity", "two"], ["resources.limits.memory", "quantity", "lots"],
    ["resources.requests.ephemeralStorage", "quantity", "64MB"], ["resources.limits.ephemeralStorage", "quantity", "lots"],
    ["autoscaling.enabled", "bool"], ["autoscaling.minReplicas", "int", 0], ["autoscaling.maxReplicas", "int", 1001],
    ["autoscaling.cpuUtilization", "int", 101], ["autoscaling.memoryUtilization", "int", 0],
    ["autoscaling.scaleDownStabilizationSeconds", "int", 3601],
    ["app.port", "int", 70000], ["app.shutdownTimeoutSeconds", "int", 0], ["app.drainDelaySeconds", "int", -1],
    ["app.preStopSleepSeconds", "int", 121], ["app.greeting", "string", "two\nlines"], ["app.logLevel", "enum", "trace"],
    ["ingress.host", "string", "*.example.com"], ["ingress.path", "string", "no-slash"], ["ingress.className", "string", "Nginx!"],
    ["ingress.tlsSecretName", "string", "Bad Secret"],
    ["ingressNginx.install", "bool"], ["ingressNginx.namespace", "string", "Bad_NS"], ["ingressNginx.chartVersion", "string", "~4.14"],
    ["ingressNginx.replicas", "int", 0],
    ["quota.requestsCpu", "quantity", "x"], ["quota.requestsMemory", "quantity", "x"], ["quota.limitsCpu", "quantity", "x"],
    ["quota.limitsMemory", "quantity", "x"], ["quota.pods", "int", 0],
    ["quota.requestsEphemeralStorage", "quantity", "x"], ["quota.limitsEphemeralStorage", "quantity", "x"],
    ["spread.nodes", "enum", "Always"], ["spread.zones", "enum", "Never"], ["spread.maxSkew", "int", 0],
    ["egress.enabled", "bool"], ["egress.dns.cidr", "string", "10.0.0.10"], ["egress.dns.namespace", "string", "Kube_System"],
    ["release.strategy", "enum", "linear"], ["release.steps", "list", [0, 100]], ["release.step", "int", -1], ["release.abort", "bool"],
    ["release.scaleDownDelaySeconds", "int", -5], ["release.rolloutTimeoutSeconds", "int", 5],
    ["release.match.header", "string", "bad header"], ["release.match.headerValue", "string", "a\nb"],
    ["release.match.headerPattern", "string", "("], ["release.match.cookie", "string", "bad cookie"], ["release.match.steps", "list", [9]],
    ["release.analysis.prometheusUrl", "string", "ftp://x"], ["release.analysis.window", "string", "5 minutes"],
    ["release.analysis.minSuccessRate", "number", 2], ["release.analysis.maxP99Seconds", "number", -1],
    ["release.analysis.minRequests", "int", -1], ["release.analysis.noData", "enum", "ignore"], ["release.analysis.onFailure", "enum", "panic"],
    ["release.analysis.queries.successRate", "string"], ["release.analysis.queries.p99", "string"], ["release.analysis.queries.requests", "string"],
    ["observability.scrape", "enum", "pull"], ["observability.serviceMonitor.interval", "string", "often"],
    ["observability.dashboard.enabled", "bool"], ["observability.dashboard.folder", "string", "a\nb"],
    ["observability.dashboard.prometheusDatasource", "string", "bad uid!"], ["observability.dashboard.lokiDatasource", "string", "bad uid!"],
    ["observability.alerts.enabled", "bool"], ["observability.alerts.window", "string", "5 minutes"], ["observability.alerts.for", "string", "soon"],
    ["observability.alerts.errorRateMargin", "number", 2], ["observability.alerts.p99Ratio", "number", 0.5],
    ["observability.alerts.p99MinSeconds", "number", -1], ["observability.alerts.severity", "string", "Very Bad"],
    ["observability.tracing.endpoint", "string", "collector:4318"], ["observability.tracing.sampler", "enum", "sometimes"],
    ["observability.tracing.samplerArg", "number", 2],
];

const base = () => {
    const raw: Record<string, unknown> = { "goship:version": "1.0.0", "goship:ingress": { host: "a.example.com" } };
    return raw;
};

function problemsFor(key: string, value: unknown): string[] {
    const raw = base();
    // Siblings a nested key needs to be read at all.
    if (key.startsWith("release.match.")) setPath(raw, "goship:release.match.header", "X-Canary");
    if (key.startsWith("release.analysis.")) setPath(raw, "goship:release.analysis.prometheusUrl", "http://127.0.0.1:9090");
    if (key.startsWith("observability.tracing.")) setPath(raw, "goship:observability.tracing.endpoint", "http://127.0.0.1:4318");
    setPath(raw, `goship:${key}`, value);
    const cfg: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(raw)) cfg[k.replace(/^goship:/, "")] = v;
    try {
        parseConfig(cfg, "dev");
        return [];
    } catch (e) {
        assert.ok(e instanceof ConfigError);
        return e.problems;
    }
}

const wrongType: Record<Kind, [unknown, RegExp]> = {
    string: [{ a: 1 }, /must be a string, got \{"a":1\}/],
    quantity: [{ a: 1 }, /must be a .*quantity.* \(a string or a number\), got \{"a":1\}/],
    int: [{ a: 1 }, /must be an integer in \[/],
    number: ["many", /must be a number in \[/],
    bool: ["maybe", /must be true or false, got "maybe"/],
    enum: [{ a: 1 }, /must be a string, got \{"a":1\}/],
    list: ["5,20", /must be a non-empty list of integers, got "5,20"/],
};

describe("config: every key × wrong type, out of range, unknown sibling", () => {
    for (const [key, kind, bad] of KEYS) {
        const full = `goship:${key}`;
        it(`${full}: wrong type`, () => {
            const [value, message] = wrongType[kind];
            const found = problemsFor(key, value);
            assert.ok(found.some((p) => p.startsWith(full) && message.test(p)), `expected ${full} … ${message}, got:\n  ${found.join("\n  ")}`);
        });
        if (bad !== undefined) {
            it(`${full}: out of range / malformed (${JSON.stringify(bad)})`, () => {
                const found = problemsFor(key, bad);
                const shown = JSON.stringify(bad);
                assert.ok(found.some((p) => p.startsWith(full) && (p.includes(shown) || p.includes(String(bad)))),
                    `expected a problem naming ${full} and ${shown}, got:\n  ${found.join("\n  ")}`);
            });
        }
    }
    for (const parent of ["image", "resources", "resources.requests", "resources.limits", "autoscaling", "app", "ingress", "ingressNginx", "quota", "release", "release.match", "release.analysis", "release.analysis.queries", "spread", "egress", "egress.dns",
        "observability", "observability.serviceMonitor", "observability.dashboard", "observability.alerts", "observability.tracing"]) {
        it(`goship:${parent}: an unknown key is refused`, () => {
            const found = problemsFor(`${parent}.typo`, 1);
            assert.ok(found.some((p) => p.startsWith(`goship:${parent}.typo is not a known key`)), found.join("\n"));
        });
    }
    it("covers every key declared in Pulumi.yaml", () => {
        const tops = new Set(KEYS.map(([k]) => k.split(".")[0]));
        for (const k of Object.keys(projectConfig().own)) if (!["apiToken", "registryPassword"].includes(k)) assert.ok(tops.has(k), `${k} has no matrix row`);
    });
});
