// Spread, ephemeral storage, egress and pull policy: the config that drives them (defaults
// and refusals) and the pure builders that turn it into Kubernetes fields.
import * as assert from "assert";
import { parseConfig } from "../components/config/schema";
import { collectorEgress, withCollector } from "../components/config/placement";
import { egressPolicies } from "../components/egress";
import { imagePullPolicy } from "../components/pod-spec";
import { quantities, resourceRequirements } from "../components/resources";
import { topologySpread } from "../components/spread";
import { selects } from "../policy/lib/k8s";

import { minimal, problems } from "./support/config";

describe("config: spread, ephemeral storage, egress", () => {
    it("defaults: hard spread over nodes, soft over zones, bounded disk, default-deny egress with DNS", () => {
        const c = parseConfig(minimal(), "prod");
        assert.deepStrictEqual(c.spread, { nodes: "DoNotSchedule", zones: "ScheduleAnyway", maxSkew: 1 });
        assert.strictEqual(c.resources.requests.ephemeralStorage, "64Mi");
        assert.strictEqual(c.resources.limits.ephemeralStorage, "256Mi");
        assert.deepStrictEqual([c.quota.requestsEphemeralStorage, c.quota.limitsEphemeralStorage], ["4Gi", "16Gi"]);
        assert.deepStrictEqual(c.egress, { enabled: true, dns: { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } }, allow: [] });
    });

    it("reads egress destinations by IP range or by namespace and pod labels", () => {
        const c = parseConfig({
            ...minimal(),
            spread: { nodes: "ScheduleAnyway", zones: "off", maxSkew: "2" },
            egress: {
                dns: { cidr: "169.254.20.10/32" },
                allow: [
                    { name: "payments", cidr: "10.40.0.0/16", except: ["10.40.9.0/24"], ports: [443] },
                    { name: "postgres", namespace: "db", podLabels: { "app.kubernetes.io/name": "postgres" }, ports: [5432] },
                    { name: "statsd", podLabels: { app: "statsd" }, ports: [8125], protocol: "UDP" },
                ],
            },
        }, "prod");
        assert.deepStrictEqual(c.spread, { nodes: "ScheduleAnyway", zones: "off", maxSkew: 2 });
        assert.deepStrictEqual(c.egress.dns.cidr, "169.254.20.10/32");
        assert.deepStrictEqual(c.egress.allow.map((a) => [a.name, a.cidr ?? a.namespace ?? "", a.ports, a.protocol]),
            [["payments", "10.40.0.0/16", [443], "TCP"], ["postgres", "db", [5432], "TCP"], ["statsd", "", [8125], "UDP"]]);
    });

    const bad: Array<[string, Record<string, unknown>, RegExp]> = [
        ["an unknown spread mode", { spread: { nodes: "Always" } }, /goship:spread\.nodes must be one of "DoNotSchedule", "ScheduleAnyway", "off", got "Always"/],
        ["maxSkew 0", { spread: { maxSkew: 0 } }, /goship:spread\.maxSkew must be an integer in \[1, 100\], got 0/],
        ["an ephemeral limit below the request", { resources: { requests: { ephemeralStorage: "1Gi" }, limits: { ephemeralStorage: "256Mi" } } },
            /goship:resources\.limits\.ephemeralStorage must be ≥ requests\.ephemeralStorage \(1Gi\), got 256Mi/],
        ["a malformed storage quantity", { quota: { limitsEphemeralStorage: "lots" } }, /goship:quota\.limitsEphemeralStorage must be a storage quantity, got "lots"/],
        ["an allow without ports", { egress: { allow: [{ name: "db", cidr: "10.0.0.0/8" }] } }, /goship:egress\.allow\[0\]\.ports is required: .*would open every port/],
        ["an allow without destination", { egress: { allow: [{ name: "db", ports: [5432] }] } }, /goship:egress\.allow\[0\]\.cidr or namespace\/podLabels is required, not both/],
        ["an allow with both kinds", { egress: { allow: [{ name: "db", cidr: "10.0.0.0/8", namespace: "db", ports: [5432] }] } }, /goship:egress\.allow\[0\]\.cidr or namespace\/podLabels is required, not both/],
        ["a bad CIDR", { egress: { allow: [{ name: "db", cidr: "10.0.0.0", ports: [1] }] } }, /goship:egress\.allow\[0\]\.cidr must be an IP range such as 10\.20\.0\.0\/16, got "10\.0\.0\.0"/],
        ["except without cidr", { egress: { allow: [{ name: "db", namespace: "db", except: ["10.0.0.0/8"], ports: [1] }] } }, /goship:egress\.allow\[0\]\.except needs cidr/],
        ["a duplicate name", { egress: { allow: [{ name: "db", cidr: "10.0.0.0/8", ports: [1] }, { name: "db", cidr: "10.1.0.0/16", ports: [2] }] } }, /goship:egress\.allow\[1\]\.name must be unique, got "db" twice/],
        ["a bad port", { egress: { allow: [{ name: "db", cidr: "10.0.0.0/8", ports: [70000] }] } }, /goship:egress\.allow\[0\]\.ports entries must be integers in \[1, 65535\], got 70000/],
        ["bad pod labels", { egress: { allow: [{ name: "db", podLabels: { app: "has space" }, ports: [1] }] } }, /goship:egress\.allow\[0\]\.podLabels value of app must be a label value/],
        ["allow that is not a list", { egress: { allow: { name: "db" } } }, /goship:egress\.allow must be a list of destinations/],
        ["an unknown key in an allow", { egress: { allow: [{ name: "db", cidr: "10.0.0.0/8", ports: [1], port: 2 }] } }, /goship:egress\.allow\[0\]\.port is not a known key/],
        ["an unknown key in dns", { egress: { dns: { cidr: "10.0.0.10/32", ip: "x" } } }, /goship:egress\.dns\.ip is not a known key/],
    ];
    for (const [title, extra, message] of bad) {
        it(`refuses ${title}`, () => {
            const found = problems({ ...minimal(), ...extra });
            assert.ok(found.some((p) => message.test(p)), `expected ${message}, got:\n  ${found.join("\n  ")}`);
        });
    }
});

describe("spread, resources, pull policy: builders", () => {
    const sel = { "app.kubernetes.io/name": "shop", "goship.dev/track": "green" };

    it("spreads a track's own pods over nodes, then zones, per rollout, ignoring nodes the pods cannot use", () => {
        const c = topologySpread(sel, { nodes: "DoNotSchedule", zones: "ScheduleAnyway", maxSkew: 1 });
        assert.deepStrictEqual(c.map((x) => [x.topologyKey, x.whenUnsatisfiable]),
            [["kubernetes.io/hostname", "DoNotSchedule"], ["topology.kubernetes.io/zone", "ScheduleAnyway"]]);
        for (const x of c) {
            assert.deepStrictEqual(x.labelSelector, { matchLabels: sel });
            assert.deepStrictEqual(x.matchLabelKeys, ["pod-template-hash"]);
            assert.strictEqual(x.nodeTaintsPolicy, "Honor");
            assert.strictEqual(x.maxSkew, 1);
        }
        assert.deepStrictEqual(topologySpread(sel, { nodes: "off", zones: "off", maxSkew: 1 }), []);
        assert.deepStrictEqual(topologySpread(sel, { nodes: "ScheduleAnyway", zones: "off", maxSkew: 3 }).map((x) => [x.whenUnsatisfiable, x.maxSkew]), [["ScheduleAnyway", 3]]);
    });

    it("writes ephemeral storage in the Kubernetes spelling, and leaves out an unset CPU limit", () => {
        assert.deepStrictEqual(resourceRequirements({
            requests: { cpu: "100m", memory: "64Mi", ephemeralStorage: "64Mi" },
            limits: { memory: "128Mi", ephemeralStorage: "256Mi" },
        }), {
            requests: { cpu: "100m", memory: "64Mi", "ephemeral-storage": "64Mi" },
            limits: { memory: "128Mi", "ephemeral-storage": "256Mi" },
        });
        assert.deepStrictEqual(quantities({ cpu: "1", memory: "1Gi" }), { cpu: "1", memory: "1Gi" });
    });

    it("pulls Always when the stack pushes (deploys by digest), IfNotPresent when kind/minikube load the image", () => {
        assert.strictEqual(imagePullPolicy(true), "Always");
        assert.strictEqual(imagePullPolicy(false), "IfNotPresent");
    });
});

describe("egress policies: builder", () => {
    const app = { "app.kubernetes.io/name": "shop" };
    const pods = { "app.kubernetes.io/name": "shop", "goship.dev/track": "blue", "app.kubernetes.io/version": "1.0.0" };
    const base = { enabled: true, dns: { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } }, allow: [] };

    it("denies all egress of the namespace, then allows DNS to kube-dns for the app's pods", () => {
        const ps = egressPolicies(app, base);
        assert.deepStrictEqual(ps.map((p) => p.name), ["default-deny-egress", "allow-egress-dns"]);
        assert.deepStrictEqual(ps[0].spec, { podSelector: {}, policyTypes: ["Egress"] });
        const dns = ps[1].spec as any;
        assert.ok(selects(dns.podSelector.matchLabels, pods), "the DNS allow selects the app's pods");
        assert.deepStrictEqual(dns.egress, [{
            to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
            ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }],
        }]);
        for (const p of ps) assert.ok(p.purpose.length > 10, `${p.name} says why it exists`);
    });

    it("adds one allow per configured destination, only to its ports", () => {
        const ps = egressPolicies(app, {
            ...base,
            dns: { cidr: "169.254.20.10/32" },
            allow: [
                { name: "payments", cidr: "10.40.0.0/16", except: ["10.40.9.0/24"], ports: [443, 8443], protocol: "TCP" },
                { name: "postgres", namespace: "db", ports: [5432], protocol: "TCP" },
            ],
        });
        assert.deepStrictEqual(ps.map((p) => p.name), ["default-deny-egress", "allow-egress-dns", "allow-egress-payments", "allow-egress-postgres"]);
        assert.deepStrictEqual((ps[1].spec as any).egress[0].to, [{ ipBlock: { cidr: "169.254.20.10/32" } }]);
        assert.deepStrictEqual((ps[2].spec as any).egress, [{
            to: [{ ipBlock: { cidr: "10.40.0.0/16", except: ["10.40.9.0/24"] } }],
            ports: [{ protocol: "TCP", port: 443 }, { protocol: "TCP", port: 8443 }],
        }]);
        assert.deepStrictEqual((ps[3].spec as any).egress[0].to, [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "db" } } }]);
    });

    it("creates nothing when egress control is off", () => {
        assert.deepStrictEqual(egressPolicies(app, { ...base, enabled: false }), []);
    });
});

describe("README egress example", () => {
    it("is config the schema accepts, and yields the NetworkPolicy it describes", () => {
        const fs = require("fs");
        const path = require("path");
        const YAML = require("yaml");
        const readme: string = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
        const block = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.includes("goship:egress"));
        assert.ok(block, "README has a goship:egress example");
        const c = parseConfig({ ...minimal(), egress: YAML.parse(block!)["goship:egress"] }, "prod");
        const names = egressPolicies({ "app.kubernetes.io/name": "goship" }, c.egress).map((p) => p.name);
        assert.deepStrictEqual(names, ["default-deny-egress", "allow-egress-dns", "allow-egress-postgres"]);
    });
});

describe("egress to the OTLP collector (tracing on)", () => {
    const port = 4318;
    it("allows a cluster Service by its namespace, an IP by its /32, and refuses an outside host name", () => {
        assert.deepStrictEqual(collectorEgress({ host: "otel-collector.observability", port }, "goship-prod"),
            { name: "otlp-collector", ports: [4318], protocol: "TCP", namespace: "observability" });
        assert.strictEqual((collectorEgress({ host: "otel-collector.observability.svc.cluster.local", port }, "x") as any).namespace, "observability");
        assert.strictEqual((collectorEgress({ host: "otel-collector.observability.svc", port }, "x") as any).namespace, "observability");
        assert.strictEqual((collectorEgress({ host: "otel-collector", port }, "goship-prod") as any).namespace, "goship-prod");
        assert.strictEqual((collectorEgress({ host: "10.1.2.3", port }, "x") as any).cidr, "10.1.2.3/32");
        assert.strictEqual((collectorEgress({ host: "[fd00::1]", port }, "x") as any).cidr, "fd00::1/128");
        assert.match(collectorEgress({ host: "api.honeycomb.io", port: 443 }, "x") as string,
            /api\.honeycomb\.io is not a cluster Service name, and a NetworkPolicy cannot allow a host name: add goship:egress\.allow \[\{name: otlp-collector, cidr: <its IP range>, ports: \[443\]\}\]/);
    });

    it("adds the allow once, leaves a user's own otlp-collector allow alone, and adds nothing with tracing or egress off", () => {
        const egress = parseConfig(minimal(), "prod").egress;
        const problems: string[] = [];
        const fail = (m: string) => problems.push(m);
        const c = { host: "otel-collector.observability", port };
        assert.deepStrictEqual(withCollector(egress, c, "ns", fail).allow.map((a) => a.name), ["otlp-collector"]);
        const own = { ...egress, allow: [{ name: "otlp-collector", cidr: "10.9.0.0/16", ports: [4318], protocol: "TCP" as const }] };
        assert.strictEqual(withCollector(own, c, "ns", fail), own);
        assert.strictEqual(withCollector(egress, undefined, "ns", fail), egress);
        assert.strictEqual(withCollector({ ...egress, enabled: false }, c, "ns", fail).allow.length, 0);
        assert.deepStrictEqual(problems, []);
        withCollector(egress, { host: "collector.example.com", port }, "ns", fail);
        assert.strictEqual(problems.length, 1);
    });
});

describe("shipped stacks: the quota holds a release's peak", () => {
    const { loadStackConfig } = require("../offline/stack-config");
    const { parseQuantity } = require("../components/config/validate");
    for (const stack of ["dev", "prod"]) {
        it(`${stack}: two full tracks (blue/green) plus a 25% surge fit the ephemeral-storage quota`, () => {
            const { config } = loadStackConfig(stack);
            const raw: Record<string, unknown> = {};
            for (const [k, v] of Object.entries<string>(config)) raw[k.replace(/^goship:/, "")] = /^[{[]/.test(v) ? JSON.parse(v) : v;
            const c = parseConfig(raw, stack);
            const track = c.autoscaling.enabled ? c.autoscaling.maxReplicas : c.replicas;
            const pods = Math.ceil(track * 2 * 1.25);
            assert.ok(pods <= c.quota.pods, `${pods} pods > quota ${c.quota.pods}`);
            assert.ok(pods * parseQuantity(c.resources.limits.ephemeralStorage) <= parseQuantity(c.quota.limitsEphemeralStorage),
                `${pods} × ${c.resources.limits.ephemeralStorage} > ${c.quota.limitsEphemeralStorage}`);
            assert.ok(pods * parseQuantity(c.resources.requests.ephemeralStorage) <= parseQuantity(c.quota.requestsEphemeralStorage));
        });
    }
});
