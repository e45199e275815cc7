// goship:observability without a cluster: config parsing, the OTLP variables, the
// dashboard (typed against Grafana's own schema package), the alert rules, the objects
// the program registers (validated against prometheus-operator's CRD schemas) and the
// observability policies over them. The PromQL itself runs against a real Prometheus in
// observability.prometheus.test.ts.
import * as assert from "assert";
import type { Dashboard } from "@grafana/schema";
import { parseConfig } from "../components/config/schema";
import { dashboard, DashboardArgs } from "../components/observability/dashboard";
import { alertRules } from "../components/observability/promql";
import { inProgressCandidate, otelEnv, trackViews } from "../components/observability";
import { labelSelectorMatches } from "../policy/lib/k8s";
import { alertRulesActionable, grafanaDashboardComplete, serviceMonitorTargets } from "../policy/observability";
import { Res } from "../policy/lib/k8s";
import { policyResources } from "../offline/policy-report";
import { MockEngine } from "../offline/engine";
import { runProgram } from "../offline/mock-runtime";
import { T } from "../offline/results";
import { run } from "./policy/fixtures";
import { validateObject } from "./support/k8s-schema";

const base = { version: "1.0.0", ingress: { host: "a.example.com" } };
const parse = (observability?: unknown) => parseConfig(observability === undefined ? base : { ...base, observability }, "dev").observability;
const problems = (observability: unknown): string[] => {
    try {
        parse(observability);
    } catch (e) {
        return (e as { problems: string[] }).problems;
    }
    return [];
};

describe("goship:observability config", () => {
    it("absent: nothing beyond the pods' prometheus.io annotations, tracing off", () => {
        const o = parse();
        assert.strictEqual(o.enabled, false);
        assert.strictEqual(o.scrape, "annotations");
        assert.strictEqual(o.dashboard.enabled, false);
        assert.strictEqual(o.alerts.enabled, false);
        assert.strictEqual(o.tracing, undefined);
        assert.deepStrictEqual(otelEnv("goship", o), {});
    });

    it("every piece is opt-in: {} (Pulumi.yaml's default) changes nothing; the dashboard is labelled for Grafana's sidecar", () => {
        assert.deepStrictEqual(parse({}), parse());
        const o = parse({ dashboard: { enabled: true } });
        assert.strictEqual(o.enabled, true);
        assert.deepStrictEqual(o.dashboard.labels, { grafana_dashboard: "1" });
        assert.strictEqual(o.alerts.enabled, false);
        assert.strictEqual(parse({ scrape: "serviceMonitor" }).enabled, true);
        assert.strictEqual(parse({ alerts: { enabled: true } }).enabled, true);
        assert.strictEqual(parse({ tracing: { endpoint: "http://c.o:4318" } }).enabled, false, "tracing alone needs no component");
    });

    it("tracing: the endpoint feeds the app's OTEL_* variables and exposes host and port (for egress rules)", () => {
        const o = parse({ tracing: { endpoint: "http://otel-collector.observability:4318/", sampler: "parentbased_traceidratio", samplerArg: 0.1 } });
        assert.deepStrictEqual(o.tracing, {
            endpoint: "http://otel-collector.observability:4318", host: "otel-collector.observability", port: 4318,
            sampler: "parentbased_traceidratio", samplerArg: 0.1,
        });
        assert.deepStrictEqual(otelEnv("shop", o), {
            OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector.observability:4318", OTEL_SERVICE_NAME: "shop",
            OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "0.1",
        });
        assert.strictEqual(parseConfig({ ...base, egress: { enabled: false }, observability: { tracing: { endpoint: "https://collector.example.com" } } }, "dev").observability.tracing!.port, 443);
    });

    it("refuses bad values, naming the key and what is allowed", () => {
        const cases: [unknown, RegExp][] = [
            [{ scrape: "pull" }, /goship:observability\.scrape must be one of "annotations", "serviceMonitor", got "pull"/],
            [{ serviceMonitor: { interval: "often" } }, /goship:observability\.serviceMonitor\.interval must be a Prometheus duration such as 15s/],
            [{ serviceMonitor: { labels: { release: 3 } } }, /goship:observability\.serviceMonitor\.labels\.release must be a label name with a string value/],
            [{ dashboard: { labels: {} } }, /goship:observability\.dashboard\.labels must hold at least one label/],
            [{ alerts: { errorRateMargin: 2 } }, /goship:observability\.alerts\.errorRateMargin must be a number in \[0, 1\], got 2/],
            [{ alerts: { p99Ratio: 0.5 } }, /goship:observability\.alerts\.p99Ratio must be a number in \[1, 100\]/],
            [{ tracing: {} }, /goship:observability\.tracing\.endpoint is required when tracing is set/],
            [{ tracing: { endpoint: "otel-collector:4318" } }, /goship:observability\.tracing\.endpoint must be an http\(s\) base URL/],
            [{ tracing: { endpoint: "http://c:4318/v1/traces" } }, /no path: the app adds \/v1\/traces/],
            [{ tracing: { endpoint: "http://c:4318", samplerArg: 0.5 } }, /goship:observability\.tracing\.samplerArg applies only to the traceidratio samplers/],
            [{ tracing: { endpoint: "http://c:4318", sampler: "sometimes" } }, /goship:observability\.tracing\.sampler must be one of/],
            [{ tracing: { endpoint: "https://collector.example.com" } }, /goship:observability\.tracing\.endpoint collector\.example\.com is not a cluster Service name/],
            [{ grafana: true }, /goship:observability\.grafana is not a known key/],
            ["yes", /goship:observability must be an object, got "yes"/],
        ];
        for (const [value, want] of cases) {
            const p = problems(value);
            assert.ok(p.some((m) => want.test(m)), `${JSON.stringify(value)}: ${JSON.stringify(p)}`);
        }
    });
});

const args = (extra: Partial<DashboardArgs> = {}): DashboardArgs => ({
    appName: "goship", namespace: "goship-prod", stableVersion: "1.3.2", candidateVersion: "1.4.0", weight: 20,
    tracks: [{ track: "blue", version: "1.3.2", role: "stable" }, { track: "green", version: "1.4.0", role: "candidate" }],
    prometheusDatasource: "prometheus", lokiDatasource: "loki", ...extra,
});

describe("the Grafana dashboard", () => {
    it("is a Dashboard by Grafana's own schema types (@grafana/schema), and JSON round-trips", () => {
        const d: Dashboard = dashboard(args()); // the compile-time schema check
        assert.deepStrictEqual(JSON.parse(JSON.stringify(d)), d);
        assert.ok(d.uid!.length <= 40 && d.uid!.startsWith("goship-"));
        assert.strictEqual(d.schemaVersion, 39);
        assert.strictEqual(d.title, "goship (goship-prod): candidate vs stable");
        assert.deepStrictEqual(d.tags, ["goship"]);
    });

    it("has the panels by version, the observed vs configured share and the live pods", () => {
        const d = dashboard(args());
        assert.deepStrictEqual(d.panels.map((p) => p.title), [
            "Request rate by version", "Success rate by version", "p99 latency by version",
            "Candidate traffic share: observed vs configured", "Live pods by version",
        ]);
        assert.deepStrictEqual(d.panels.map((p) => p.id), [1, 2, 3, 4, 5]);
        for (const p of d.panels) {
            assert.strictEqual(p.datasource.uid, "prometheus");
            for (const t of p.targets) assert.match(t.expr, /namespace="\$namespace"|\$weight/);
        }
        assert.match(d.panels[3].targets[0].expr, /version="\$candidate"/);
        assert.strictEqual(d.panels[3].targets[1].expr, "vector($weight / 100)");
        const vars = Object.fromEntries(d.templating.list.map((v) => [v.name, v.current.value]));
        assert.deepStrictEqual(vars, { namespace: "goship-prod", candidate: "1.4.0", weight: "20" });
    });

    it("links the logs of each version's pods in Loki", () => {
        const d = dashboard(args());
        assert.deepStrictEqual(d.links.map((l) => l.title), ["Logs of 1.3.2 (stable, track blue)", "Logs of 1.4.0 (candidate, track green)"]);
        const left = JSON.parse(decodeURIComponent(d.links[1].url.split("left=")[1]));
        assert.deepStrictEqual(left.queries[0].expr, '{namespace="goship-prod", pod=~"goship-green-.*"}');
        assert.strictEqual(left.datasource, "loki");
    });

    it("without a release in progress, the share panel shows stable (share 1, configured 0)", () => {
        const d = dashboard(args({ candidateVersion: undefined, weight: 0, tracks: [{ track: "blue", version: "1.3.2", role: "stable" }] }));
        const vars = Object.fromEntries(d.templating.list.map((v) => [v.name, v.current.value]));
        assert.deepStrictEqual(vars, { namespace: "goship-prod", candidate: "1.3.2", weight: "0" });
        assert.strictEqual(d.links.length, 1);
    });
});

describe("what the dashboard and rules take from the release state", () => {
    const state = (phase: string, extra = {}) => ({
        stableVersion: "1.0.0", candidateVersion: "1.1.0", stableTrack: "blue" as const,
        trackVersions: { blue: "1.0.0", green: "1.1.0" }, phase: phase as any, weight: 20, ...extra,
    });
    it("a candidate only while a canary progresses or a blue/green preview runs", () => {
        assert.deepStrictEqual(["Stable", "Progressing", "Preview", "Switched", "Promoted", "Aborted"].map((p) => inProgressCandidate(state(p))),
            [undefined, "1.1.0", "1.1.0", undefined, undefined, undefined]);
    });
    it("log links for the stable and the candidate track, not for warm or idle ones", () => {
        assert.deepStrictEqual(trackViews(state("Progressing")), [
            { track: "blue", version: "1.0.0", role: "stable" }, { track: "green", version: "1.1.0", role: "candidate" }]);
        assert.deepStrictEqual(trackViews(state("Switched", { stableTrack: "green", stableVersion: "1.1.0" })), [
            { track: "green", version: "1.1.0", role: "stable" }]);
        assert.deepStrictEqual(trackViews(state("Stable", { candidateVersion: undefined, trackVersions: { blue: "1.0.0", green: undefined } })), [
            { track: "blue", version: "1.0.0", role: "stable" }]);
    });
});

describe("the canary alert rules", () => {
    const settings = { window: "5m", for: "5m", errorRateMargin: 0.01, p99Ratio: 1.5, p99MinSeconds: 0.05, severity: "warning", labels: { team: "web" } };
    it("exist only while a release is in progress", () => {
        assert.deepStrictEqual(alertRules({ appName: "goship", namespace: "ns", stable: "1.0.0", settings }), []);
        assert.deepStrictEqual(alertRules({ appName: "goship", namespace: "ns", stable: "1.0.0", candidate: "1.0.0", settings }), []);
    });
    it("compare the candidate with stable by version, in the app's namespace", () => {
        const [g] = alertRules({ appName: "goship", namespace: "ns", stable: "1.0.0", candidate: "1.1.0", settings });
        assert.deepStrictEqual(g.rules.map((r) => r.alert), ["GoshipCandidateErrorRate", "GoshipCandidateLatency"]);
        for (const r of g.rules) {
            assert.match(r.expr, /version="1\.1\.0"/);
            assert.match(r.expr, /version="1\.0\.0"/);
            assert.match(r.expr, /namespace="ns"/);
            assert.deepStrictEqual(r.labels, { severity: "warning", app: "goship", namespace: "ns", team: "web", version: "1.1.0" });
            assert.strictEqual(r.for, "5m");
        }
        assert.match(g.rules[0].expr, /> 0\.01$/);
        assert.match(g.rules[1].expr, /> 1\.5 \* histogram_quantile/);
    });
});

const full = {
    "goship:observability": {
        scrape: "serviceMonitor", serviceMonitor: { labels: { release: "kube-prometheus-stack" } },
        dashboard: { enabled: true, folder: "Releases" }, alerts: { enabled: true }, tracing: { endpoint: "http://otel-collector.observability:4318" },
    },
};

/** Validates a custom resource against prometheus-operator's CRD schema (kubernetes-models). */
function validateMonitoring(obj: any): void {
    assert.deepStrictEqual(validateObject(obj), [], `${obj.kind} ${obj.metadata.name}`);
}

describe("the program with goship:observability (mock runtime)", function () {
    this.timeout(60_000);

    it("registers the ServiceMonitor, the dashboard ConfigMap and (mid-canary) the rules; the OTLP endpoint reaches the app", async () => {
        const e = new MockEngine("prod");
        await e.up(full);
        await e.up({ ...full, "goship:version": "1.1.0", "goship:release.step": 0 });
        const r = await e.up({ ...full, "goship:version": "1.1.0", "goship:release.step": 1 });
        const sm = r.get(T.ServiceMonitor, "goship").inputs;
        assert.deepStrictEqual(sm.metadata.labels.release, "kube-prometheus-stack");
        validateMonitoring({ apiVersion: sm.apiVersion, kind: sm.kind, metadata: sm.metadata, spec: sm.spec });
        const rule = r.get(T.PrometheusRule, "goship-canary").inputs;
        validateMonitoring({ apiVersion: rule.apiVersion, kind: rule.kind, metadata: rule.metadata, spec: rule.spec });
        assert.deepStrictEqual(rule.spec.groups[0].rules.map((x: any) => x.alert), ["GoshipCandidateErrorRate", "GoshipCandidateLatency"]);
        assert.match(rule.spec.groups[0].rules[0].expr, /version="1\.1\.0".*version="1\.0\.0"/s);

        const cm = r.get(T.ConfigMap, "goship-dashboard").inputs;
        assert.strictEqual(cm.metadata.labels.grafana_dashboard, "1");
        assert.strictEqual(cm.metadata.annotations.grafana_folder, "Releases");
        const d = JSON.parse(cm.data["goship.json"]);
        const vars = Object.fromEntries(d.templating.list.map((v: any) => [v.name, v.current.value]));
        assert.deepStrictEqual(vars, { namespace: "goship-prod", candidate: "1.1.0", weight: "20" });

        const appData = r.get(T.ConfigMap, "goship-config").inputs.data;
        assert.strictEqual(appData.OTEL_EXPORTER_OTLP_ENDPOINT, "http://otel-collector.observability:4318");
        assert.strictEqual(appData.OTEL_SERVICE_NAME, "goship");
        // Under default-deny egress, the collector gets its allow (components/config/placement.ts).
        const allow = r.get(T.NetworkPolicy, "allow-egress-otlp-collector").inputs.spec.egress[0];
        assert.deepStrictEqual(allow.ports, [{ port: 4318, protocol: "TCP" }]);
        assert.deepStrictEqual(allow.to[0].namespaceSelector.matchLabels, { "kubernetes.io/metadata.name": "observability" });

        // The policies pass on what the program registers ...
        const resources: Res[] = policyResources(r.resources);
        for (const p of [serviceMonitorTargets, alertRulesActionable, grafanaDashboardComplete]) assert.deepStrictEqual(run(p, resources), [], p.name);
        // ... and catch the broken variants.
        const broken = (type: string, name: string, change: (p: any) => void): Res[] => {
            const copy: Res[] = JSON.parse(JSON.stringify(resources));
            change(copy.find((x) => x.type === type && x.props.metadata.name === name)!.props);
            return copy;
        };
        const msgs = (p: typeof serviceMonitorTargets, rs: Res[]) => run(p, rs).map((v) => v.message).join("\n");
        assert.match(msgs(serviceMonitorTargets, broken(T.ServiceMonitor, "goship", (p) => { p.spec.selector.matchLabels["app.kubernetes.io/name"] = "shop"; })),
            /ServiceMonitor goship selector .* matches no Service in goship-prod: nothing would be scraped/);
        assert.match(msgs(serviceMonitorTargets, broken(T.ServiceMonitor, "goship", (p) => { p.spec.endpoints[0].port = "metrics"; })),
            /ServiceMonitor goship scrapes port metrics, which Service goship-blue does not name \(ports: http\)/);
        assert.match(msgs(serviceMonitorTargets, broken(T.ServiceMonitor, "goship", (p) => { p.spec.selector.matchExpressions = []; })),
            /matches Services goship-blue and goship, which select the same pods|matches Services goship and goship-blue, which select the same pods/);
        assert.match(msgs(alertRulesActionable, broken(T.PrometheusRule, "goship-canary", (p) => { delete p.spec.groups[0].rules[0].for; delete p.spec.groups[0].rules[1].labels.severity; })),
            /alert GoshipCandidateErrorRate has no valid for duration[\s\S]*alert GoshipCandidateLatency has no severity label/);
        assert.match(msgs(alertRulesActionable, broken(T.PrometheusRule, "goship-canary", (p) => { p.spec.groups[0].rules[0].expr = "up == 0"; })),
            /does not select namespace="goship-prod"/);
        assert.match(msgs(grafanaDashboardComplete, broken(T.ConfigMap, "goship-dashboard", (p) => { delete p.metadata.labels.grafana_dashboard; })),
            /ConfigMap goship-dashboard holds goship\.json but lacks the grafana_dashboard label/);
        assert.match(msgs(grafanaDashboardComplete, broken(T.ConfigMap, "goship-dashboard", (p) => { p.data["goship.json"] = "{"; })),
            /dashboard goship\.json in ConfigMap goship-dashboard is not valid JSON/);
        assert.match(msgs(grafanaDashboardComplete, broken(T.ConfigMap, "goship-dashboard", (p) => {
            const d = JSON.parse(p.data["goship.json"]);
            d.panels[1].id = 1;
            d.panels[2].targets[0].expr = "";
            p.data["goship.json"] = JSON.stringify(d);
        })), /two panels with id 1[\s\S]*panel "p99 latency by version" has a target without a query/);
    });

    it("without the key: no monitoring objects, no OTEL variables", async () => {
        const r = await runProgram({ stack: "dev" });
        assert.strictEqual(r.ofType(T.ServiceMonitor).length + r.ofType(T.PrometheusRule).length, 0);
        assert.ok(!r.resources.some((x) => x.type === T.ConfigMap && x.inputs.metadata.name.endsWith("-dashboard")));
        assert.ok(!Object.keys(r.get(T.ConfigMap, "goship-config").inputs.data).some((k) => k.startsWith("OTEL_")));
    });

    it("label selectors follow Kubernetes semantics", () => {
        const l = { a: "1", b: "2" };
        assert.ok(labelSelectorMatches({ matchLabels: { a: "1" }, matchExpressions: [{ key: "b", operator: "Exists" }] }, l));
        assert.ok(!labelSelectorMatches({ matchExpressions: [{ key: "c", operator: "Exists" }] }, l));
        assert.ok(labelSelectorMatches({ matchExpressions: [{ key: "c", operator: "DoesNotExist" }, { key: "a", operator: "In", values: ["1", "3"] }] }, l));
        assert.ok(!labelSelectorMatches({ matchExpressions: [{ key: "a", operator: "NotIn", values: ["1"] }] }, l));
        assert.ok(!labelSelectorMatches(undefined, l));
    });
});
