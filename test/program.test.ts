// The whole program (index.ts) under the mock runtime with each stack's real config file.
import * as assert from "assert";
import { runProgram } from "../offline/mock-runtime";
import { T } from "../offline/results";
import { secretPlaceholder } from "../offline/stack-config";

function kinds(r: Awaited<ReturnType<typeof runProgram>>): Record<string, number> {
    const out: Record<string, number> = {};
    for (const x of r.resources) out[x.type] = (out[x.type] ?? 0) + 1;
    return out;
}

describe("program (index.ts) under the mock runtime", function () {
    this.timeout(60_000);

    it("dev: renders the whole service from Pulumi.dev.yaml", async () => {
        const r = await runProgram({ stack: "dev" });
        assert.deepStrictEqual(kinds(r), {
            "goship:index:IngressNginx": 1,
            "goship:index:AppNamespace": 1,
            "goship:index:GoImage": 1,
            "goship:index:AppConfig": 1,
            "goship:index:Release": 1,
            "goship:index:GoWorkload": 2,
            "pulumi-nodejs:dynamic/goship:Release": 1,
            [T.Namespace]: 2,
            [T.ResourceQuota]: 1,
            [T.LimitRange]: 1,
            [T.NetworkPolicy]: 4,
            [T.ConfigMap]: 1,
            [T.Secret]: 1,
            [T.Image]: 1,
            [T.Chart]: 1,
            [T.Deployment]: 2,
            [T.Service]: 3,
            [T.PDB]: 2,
            [T.Ingress]: 2,
        });
        assert.strictEqual(r.outputs.namespace, "goship-dev");
        assert.strictEqual(r.outputs.imageRef, "goship:1.0.0");
        assert.strictEqual(r.outputs.url, "http://goship.localtest.me/");
        assert.strictEqual(r.outputs.releaseStatus, "stable 1.0.0");
        assert.strictEqual(r.get(T.Image, "goship-image").inputs.skipPush, true);
        assert.strictEqual(r.get(T.Deployment, "goship-blue").inputs.spec.replicas, 1);
        // kind/minikube load the unpushed image: IfNotPresent, and a spread that never leaves a pod Pending.
        const pod = r.get(T.Deployment, "goship-blue").inputs.spec.template.spec;
        assert.strictEqual(pod.containers[0].imagePullPolicy, "IfNotPresent");
        assert.deepStrictEqual(pod.topologySpreadConstraints.map((c: any) => c.whenUnsatisfiable), ["ScheduleAnyway", "ScheduleAnyway"]);
        assert.strictEqual(r.get(T.Chart, "ingress-nginx-chart").inputs.values.controller.replicaCount, 1);
        const ns = r.get(T.Namespace, "goship-dev").inputs;
        assert.strictEqual(ns.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
        // Every namespaced goship object lands in the app namespace.
        for (const x of r.resources.filter((o) => o.type.startsWith("kubernetes:") && o.type !== T.Namespace && o.type !== T.Chart)) {
            assert.strictEqual(x.inputs.metadata.namespace, "goship-dev", `${x.type} ${x.name}`);
        }
    });

    it("prod: 3+ replicas under an HPA, TLS, restricted PSA, pushed image by digest", async () => {
        const r = await runProgram({ stack: "prod" });
        const hpa = r.ofType(T.HPA);
        assert.strictEqual(hpa.length, 1);
        assert.deepStrictEqual([hpa[0].inputs.spec.minReplicas, hpa[0].inputs.spec.maxReplicas], [3, 10]);
        assert.strictEqual(hpa[0].inputs.spec.scaleTargetRef.name, "goship-blue");
        assert.ok(!("replicas" in r.get(T.Deployment, "goship-blue").inputs.spec), "HPA-managed Deployment must not pin replicas");
        const main = r.get(T.Ingress, "goship").inputs.spec;
        assert.deepStrictEqual(main.tls, [{ hosts: ["goship.example.com"], secretName: "goship-tls" }]);
        assert.strictEqual(r.outputs.url, "https://goship.example.com/");
        assert.strictEqual(r.get(T.Namespace, "goship-prod").inputs.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
        assert.match(r.outputs.imageRef as string, /^registry\.example\.com\/acme\/goship@sha256:[0-9a-f]{64}$/);
        assert.strictEqual(r.get(T.Image, "goship-image").inputs.skipPush, false);
        const chart = r.get(T.Chart, "ingress-nginx-chart").inputs;
        assert.strictEqual(chart.values.controller.replicaCount, 2);
        assert.strictEqual(chart.values.controller.minAvailable, 1);
    });

    it("prod: each track spreads over nodes and zones, pulls Always, bounds ephemeral storage, denies egress but DNS", async () => {
        const r = await runProgram({ stack: "prod" });
        for (const track of ["blue", "green"]) {
            const d = r.get(T.Deployment, `goship-${track}`).inputs;
            const pod = d.spec.template.spec;
            assert.deepStrictEqual(pod.topologySpreadConstraints.map((c: any) => [c.topologyKey, c.whenUnsatisfiable]),
                [["kubernetes.io/hostname", "DoNotSchedule"], ["topology.kubernetes.io/zone", "ScheduleAnyway"]]);
            // Each track spreads its own pods: the canary's few pods too.
            for (const c of pod.topologySpreadConstraints) assert.deepStrictEqual(c.labelSelector.matchLabels, d.spec.selector.matchLabels);
            const c = pod.containers[0];
            assert.strictEqual(c.imagePullPolicy, "Always");
            assert.match(c.image, /@sha256:/);
            assert.deepStrictEqual([c.resources.requests["ephemeral-storage"], c.resources.limits["ephemeral-storage"]], ["64Mi", "256Mi"]);
        }
        const lr = r.get(T.LimitRange, "defaults").inputs.spec.limits[0];
        assert.deepStrictEqual([lr.defaultRequest["ephemeral-storage"], lr.default["ephemeral-storage"]], ["64Mi", "256Mi"]);
        const hard = r.get(T.ResourceQuota, "compute").inputs.spec.hard;
        assert.deepStrictEqual([hard["requests.ephemeral-storage"], hard["limits.ephemeral-storage"]], ["4Gi", "16Gi"]);
        const policies = r.ofType(T.NetworkPolicy).map((p) => p.inputs);
        const egress = policies.filter((p) => p.spec.policyTypes.includes("Egress"));
        assert.deepStrictEqual(egress.map((p) => p.metadata.name).sort(), ["allow-egress-dns", "default-deny-egress"]);
        const deny = egress.find((p) => p.metadata.name === "default-deny-egress")!;
        assert.deepStrictEqual(deny.spec, { podSelector: {}, policyTypes: ["Egress"] });
        const dns = egress.find((p) => p.metadata.name === "allow-egress-dns")!;
        for (const track of ["blue", "green"]) {
            const labels = r.get(T.Deployment, `goship-${track}`).inputs.spec.template.metadata.labels;
            assert.ok(Object.entries(dns.spec.podSelector.matchLabels).every(([k, v]) => labels[k] === v), `DNS allow selects ${track}'s pods`);
        }
    });

    it("adds an egress allow per goship:egress.allow entry, and none at all with egress.enabled false", async () => {
        const r = await runProgram({ stack: "prod", overrides: { "goship:egress": { allow: [{ name: "postgres", namespace: "db", ports: [5432] }] } } });
        const pg = r.get(T.NetworkPolicy, "allow-egress-postgres").inputs.spec;
        assert.deepStrictEqual(pg.egress, [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "db" } } }], ports: [{ protocol: "TCP", port: 5432 }] }]);
        const off = await runProgram({ stack: "prod", overrides: { "goship:egress.enabled": false } });
        assert.deepStrictEqual(off.ofType(T.NetworkPolicy).map((p) => p.inputs.metadata.name).sort(), ["allow-ingress-controller", "default-deny-ingress"]);
    });

    it("prod: secrets stay secret from config to state", async () => {
        const r = await runProgram({ stack: "prod" });
        const secret = r.get(T.Secret, "goship-secret");
        assert.deepStrictEqual(secret.secretPaths, ["stringData"]);
        assert.strictEqual(secret.inputs.stringData.API_TOKEN, secretPlaceholder("goship:apiToken"));
        assert.ok(r.get(T.Image, "goship-image").secretPaths.includes("registry"));
        // No other object carries the token.
        const token = secretPlaceholder("goship:apiToken");
        for (const x of r.resources.filter((o) => o.type !== T.Secret)) {
            assert.ok(!JSON.stringify(x.inputs).includes(token), `${x.type} ${x.name} must not contain the token`);
        }
    });

    it("rolls the pods when a ConfigMap value changes (checksum on the pod template)", async () => {
        const sum = async (greeting?: string) => {
            const r = await runProgram({ stack: "dev", overrides: greeting ? { "goship:app.greeting": greeting } : {} });
            return r.get(T.Deployment, "goship-blue").inputs.spec.template.metadata.annotations["goship.dev/config-checksum"];
        };
        const a = await sum();
        const b = await sum("bonjour");
        assert.match(a, /^[0-9a-f]{16}$/);
        assert.notStrictEqual(a, b);
        assert.strictEqual(await sum(), a, "same config, same checksum");
    });

    it("uses an existing controller when ingressNginx.install is false", async () => {
        const r = await runProgram({ stack: "dev", overrides: { "goship:ingressNginx.install": false } });
        assert.strictEqual(r.ofType(T.Chart).length, 0);
        assert.strictEqual(r.outputs.ingressController, "existing controller");
        const allow = r.get(T.NetworkPolicy, "allow-ingress-controller").inputs.spec.ingress[0].from[0];
        assert.strictEqual(allow.namespaceSelector.matchLabels["kubernetes.io/metadata.name"], "ingress-nginx");
    });

    const bad: Array<[string, Record<string, unknown>, RegExp]> = [
        ["maxReplicas < minReplicas", { "goship:autoscaling.maxReplicas": 1, "goship:autoscaling.minReplicas": 2 }, /goship:autoscaling\.maxReplicas must be ≥ minReplicas \(2\), got 1/],
        ["an unknown key", { "goship:replcas": 2 }, /goship:replcas is not a known key/],
        ["a wrong type", { "goship:replicas": "many" }, /goship:replicas must be an integer in \[1, 100\], got "many"/],
        ["an unknown nested key", { "goship:release.stpe": 1 }, /goship:release\.stpe is not a known key/],
    ];
    for (const [title, overrides, message] of bad) {
        it(`rejects ${title} before registering any resource`, async () => {
            let registered = 0;
            await assert.rejects(
                runProgram({ stack: "dev", overrides, onNewResource: () => { registered++; return undefined; } }),
                message);
            assert.strictEqual(registered, 0);
        });
    }
});
