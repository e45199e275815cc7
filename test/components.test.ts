// Each component on its own, under the mock runtime: the objects it creates and the
// fields a user relies on.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import {
    AppConfig, AppNamespace, Autoscaler, GoImage, GoWorkload, IngressNginx, Release, ReleaseArgs, terminationGracePeriodSeconds,
} from "../components";
import { releaseArgsProblems } from "../components/release/release";
import { runProgram } from "../offline/mock-runtime";
import { T } from "../offline/results";

const timings = { preStopSleepSeconds: 5, drainDelaySeconds: 5, shutdownTimeoutSeconds: 10 };
const resources = { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "500m", memory: "128Mi" } };

function track(track: string, extra: Partial<ConstructorParameters<typeof GoWorkload>[1]> = {}) {
    return new GoWorkload(`svc-${track}`, {
        appName: "svc", track, namespace: "ns", image: "registry.example.com/acme/my-svc:1.0.0", version: "1.0.0",
        port: 8080, resources, timings, terminationGracePeriodSeconds: terminationGracePeriodSeconds(timings),
        configMapName: "svc-config", secretName: "svc-secret", ...extra,
    });
}

describe("components", () => {
    describe("GoWorkload", () => {
        it("gives two tracks distinct names, labels and selectors, never derived from the image", async () => {
            const r = await runProgram({ stack: "dev", program: () => { track("blue", { replicas: 3 }); track("green", { replicas: 1 }); } });
            const blue = r.get(T.Deployment, "svc-blue").inputs;
            const green = r.get(T.Deployment, "svc-green").inputs;
            assert.deepStrictEqual(blue.spec.selector.matchLabels, { "app.kubernetes.io/name": "svc", "goship.dev/track": "blue" });
            assert.deepStrictEqual(green.spec.selector.matchLabels, { "app.kubernetes.io/name": "svc", "goship.dev/track": "green" });
            // kubernetesx alone would name the container "my" (from my-svc) and select {app: "my"}.
            for (const d of [blue, green]) {
                assert.strictEqual(d.spec.template.spec.containers[0].name, "app");
                assert.strictEqual(d.spec.selector.matchLabels.app, undefined);
            }
            const svcBlue = r.get(T.Service, "svc-blue").inputs;
            const svcGreen = r.get(T.Service, "svc-green").inputs;
            assert.notDeepStrictEqual(svcBlue.spec.selector, svcGreen.spec.selector);
            assert.deepStrictEqual(svcBlue.spec.selector, blue.spec.selector.matchLabels);
            // Each selector matches its own pods and not the other track's.
            const matches = (sel: Record<string, string>, labels: Record<string, string>) =>
                Object.entries(sel).every(([k, v]) => labels[k] === v);
            assert.ok(matches(svcBlue.spec.selector, blue.spec.template.metadata.labels));
            assert.ok(!matches(svcBlue.spec.selector, green.spec.template.metadata.labels));
            assert.ok(!matches(svcGreen.spec.selector, blue.spec.template.metadata.labels));
            const pdbBlue = r.get(T.PDB, "svc-blue").inputs;
            assert.deepStrictEqual(pdbBlue.spec.selector.matchLabels, blue.spec.selector.matchLabels);
            assert.strictEqual(pdbBlue.spec.maxUnavailable, 1);
        });

        it("runs a probed, limited, restricted container with graceful shutdown", async () => {
            const r = await runProgram({ stack: "dev", program: () => { track("blue", { replicas: 3 }); } });
            const d = r.get(T.Deployment, "svc-blue").inputs;
            const pod = d.spec.template.spec;
            const c = pod.containers[0];
            assert.deepStrictEqual(c.livenessProbe.httpGet, { path: "/healthz", port: "http" });
            assert.deepStrictEqual(c.readinessProbe.httpGet, { path: "/readyz", port: "http" });
            assert.deepStrictEqual(c.startupProbe.httpGet, { path: "/startupz", port: "http" });
            assert.deepStrictEqual([c.startupProbe.failureThreshold, c.startupProbe.periodSeconds], [30, 10]);
            assert.deepStrictEqual([c.livenessProbe.initialDelaySeconds, c.livenessProbe.periodSeconds], [15, 20]);
            assert.deepStrictEqual(c.ports, [{ name: "http", containerPort: 8080 }]);
            assert.deepStrictEqual(c.resources, resources);
            assert.deepStrictEqual(c.securityContext, {
                allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true,
                runAsUser: 65532, capabilities: { drop: ["ALL"] },
            });
            assert.strictEqual(pod.securityContext.seccompProfile.type, "RuntimeDefault");
            assert.strictEqual(pod.securityContext.runAsNonRoot, true);
            assert.strictEqual(pod.automountServiceAccountToken, false);
            assert.deepStrictEqual(c.lifecycle.preStop, { sleep: { seconds: 5 } });
            // Derived: preStop 5 + drain 5 + shutdown 10 + margin 5.
            assert.strictEqual(pod.terminationGracePeriodSeconds, 25);
            assert.deepStrictEqual(c.envFrom, [{ configMapRef: { name: "svc-config" } }, { secretRef: { name: "svc-secret" } }]);
            assert.deepStrictEqual(c.env.filter((e: any) => e.name !== "PORT"), [
                { name: "DRAIN_DELAY", value: "5s" }, { name: "SHUTDOWN_TIMEOUT", value: "10s" },
            ]);
            assert.deepStrictEqual(d.spec.strategy, { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 1 } });
            assert.deepStrictEqual(pod.volumes, [{ name: "tmp", emptyDir: { sizeLimit: "16Mi" } }]);
        });

        it("omits replicas when autoscaled and keeps one replica available when there is only one", async () => {
            const r = await runProgram({ stack: "dev", program: () => { track("blue"); track("green", { replicas: 1 }); } });
            const blue = r.get(T.Deployment, "svc-blue").inputs;
            assert.ok(!("replicas" in blue.spec), "an autoscaled Deployment must not pin replicas");
            assert.strictEqual(r.get(T.Deployment, "svc-green").inputs.spec.strategy.rollingUpdate.maxUnavailable, 0);
        });

        it("keeps the role off the pod template so a role change does not restart pods", async () => {
            const r = await runProgram({ stack: "dev", program: () => { track("blue", { role: "candidate" }); } });
            const d = r.get(T.Deployment, "svc-blue").inputs;
            assert.strictEqual(d.metadata.labels["goship.dev/role"], "candidate");
            assert.strictEqual(d.spec.template.metadata.labels["goship.dev/role"], undefined);
        });
    });

    describe("Autoscaler", () => {
        it("creates an autoscaling/v2 HPA on CPU with optional memory and scale-down stabilization", async () => {
            const r = await runProgram({ stack: "dev", program: () => {
                new Autoscaler("a", { namespace: "ns", deploymentName: "svc-blue" });
                new Autoscaler("b", { namespace: "ns", deploymentName: "svc-green", minReplicas: 3, maxReplicas: 7, memoryUtilization: 80, scaleDownStabilizationSeconds: 120 });
            } });
            const a = r.get(T.HPA, "a").inputs.spec;
            assert.deepStrictEqual(a.scaleTargetRef, { apiVersion: "apps/v1", kind: "Deployment", name: "svc-blue" });
            assert.deepStrictEqual([a.minReplicas, a.maxReplicas], [2, 10]);
            assert.deepStrictEqual(a.metrics, [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } }]);
            assert.strictEqual(a.behavior.scaleDown.stabilizationWindowSeconds, 300);
            const b = r.get(T.HPA, "b").inputs.spec;
            assert.deepStrictEqual([b.minReplicas, b.maxReplicas], [3, 7]);
            assert.deepStrictEqual(b.metrics.map((m: any) => m.resource.name), ["cpu", "memory"]);
            assert.strictEqual(b.behavior.scaleDown.stabilizationWindowSeconds, 120);
        });
    });

    describe("AppNamespace", () => {
        it("enforces Pod Security, bounds compute and denies ingress except from the controller", async () => {
            const r = await runProgram({ stack: "dev", program: () => {
                new AppNamespace("app", {
                    name: "app-prod", podSecurityLevel: "restricted", ingressControllerNamespace: "ingress-nginx", appPort: 8080,
                    quota: { requestsCpu: "4", requestsMemory: "4Gi", limitsCpu: "8", limitsMemory: "8Gi", pods: 30 },
                    allowFromNamespaces: ["monitoring"],
                });
            } });
            const ns = r.get(T.Namespace, "app-prod").inputs;
            assert.strictEqual(ns.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
            const quota = r.get(T.ResourceQuota, "compute").inputs;
            assert.deepStrictEqual(quota.spec.hard, { "requests.cpu": "4", "requests.memory": "4Gi", "limits.cpu": "8", "limits.memory": "8Gi", pods: "30" });
            assert.strictEqual(quota.metadata.namespace, "app-prod");
            assert.strictEqual(r.get(T.LimitRange, "defaults").inputs.spec.limits[0].type, "Container");
            const deny = r.get(T.NetworkPolicy, "default-deny-ingress").inputs.spec;
            assert.deepStrictEqual(deny, { podSelector: {}, policyTypes: ["Ingress"] });
            const allow = r.get(T.NetworkPolicy, "allow-ingress-controller").inputs.spec;
            assert.deepStrictEqual(allow.ingress[0].from.map((f: any) => f.namespaceSelector.matchLabels["kubernetes.io/metadata.name"]), ["ingress-nginx", "monitoring"]);
            assert.deepStrictEqual(allow.ingress[0].ports, [{ protocol: "TCP", port: 8080 }]);
        });
    });

    describe("AppNamespace: egress and ephemeral storage", () => {
        it("adds default-deny egress, DNS and named allows for the app's pods, and bounds ephemeral storage", async () => {
            const r = await runProgram({ stack: "dev", program: () => {
                new AppNamespace("app", {
                    name: "app-prod", ingressControllerNamespace: "ingress-nginx", appPort: 8080,
                    quota: { requestsCpu: "4", requestsMemory: "4Gi", limitsCpu: "8", limitsMemory: "8Gi", pods: 30, requestsEphemeralStorage: "2Gi", limitsEphemeralStorage: "8Gi" },
                    defaultRequests: { cpu: "100m", memory: "64Mi", ephemeralStorage: "64Mi" },
                    defaultLimits: { memory: "128Mi", ephemeralStorage: "256Mi" },
                    egress: { enabled: true, dns: { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } }, allow: [{ name: "postgres", namespace: "db", ports: [5432], protocol: "TCP" }] },
                    appPodLabels: { "app.kubernetes.io/name": "app" },
                });
            } });
            const hard = r.get(T.ResourceQuota, "compute").inputs.spec.hard;
            assert.deepStrictEqual([hard["requests.ephemeral-storage"], hard["limits.ephemeral-storage"]], ["2Gi", "8Gi"]);
            const lr = r.get(T.LimitRange, "defaults").inputs.spec.limits[0];
            assert.deepStrictEqual(lr.defaultRequest, { cpu: "100m", memory: "64Mi", "ephemeral-storage": "64Mi" });
            assert.deepStrictEqual(lr.default, { memory: "128Mi", "ephemeral-storage": "256Mi" });
            const names = r.ofType(T.NetworkPolicy).map((p) => p.inputs.metadata.name).sort();
            assert.deepStrictEqual(names, ["allow-egress-dns", "allow-egress-postgres", "allow-ingress-controller", "default-deny-egress", "default-deny-ingress"]);
            const pg = r.get(T.NetworkPolicy, "allow-egress-postgres").inputs;
            assert.deepStrictEqual(pg.spec.podSelector, { matchLabels: { "app.kubernetes.io/name": "app" } });
            assert.strictEqual(pg.metadata.namespace, "app-prod");
            assert.match(pg.metadata.annotations["goship.dev/purpose"], /postgres/);
        });

        it("creates no egress policy unless asked (a component user's app may talk to anything today)", async () => {
            const r = await runProgram({ stack: "dev", program: () => {
                new AppNamespace("app", { name: "app", ingressControllerNamespace: "ingress-nginx", appPort: 8080, quota: { requestsCpu: "1", requestsMemory: "1Gi", limitsCpu: "1", limitsMemory: "1Gi", pods: 5 } });
            } });
            assert.deepStrictEqual(r.ofType(T.NetworkPolicy).map((p) => p.inputs.metadata.name).sort(), ["allow-ingress-controller", "default-deny-ingress"]);
            assert.ok(!("requests.ephemeral-storage" in r.get(T.ResourceQuota, "compute").inputs.spec.hard));
        });
    });

    describe("AppConfig", () => {
        async function render(greeting: string, token: string) {
            let sums: pulumi.Output<string[]> | undefined;
            const r = await runProgram({ stack: "dev", program: () => {
                const c = new AppConfig("app", { namespace: "ns", name: "app", data: { GREETING: greeting }, secretData: { API_TOKEN: pulumi.secret(token) } });
                sums = pulumi.all([c.configChecksum, c.secretChecksum]);
                return { sums };
            } });
            return { r, sums: r.outputs.sums as string[] };
        }

        it("sends no stringData without secret settings (an empty map reads back as a change at every preview)", async () => {
            for (const secretData of [undefined, {}]) {
                const r = await runProgram({ stack: "dev", program: () => {
                    new AppConfig("app", { namespace: "ns", name: "app", data: { GREETING: "hi" }, secretData });
                } });
                assert.ok(!("stringData" in r.get(T.Secret, "app-secret").inputs), `secretData ${JSON.stringify(secretData)}`);
            }
        });

        it("keeps the secret a secret in state and the ConfigMap plain", async () => {
            const { r } = await render("hi", "s3cr3t-token");
            const secret = r.get(T.Secret, "app-secret");
            assert.deepStrictEqual(secret.secretPaths, ["stringData"]);
            assert.strictEqual(secret.inputs.stringData.API_TOKEN, "s3cr3t-token");
            const cm = r.get(T.ConfigMap, "app-config");
            assert.deepStrictEqual(cm.secretPaths, []);
            assert.deepStrictEqual(cm.inputs.data, { GREETING: "hi" });
        });

        it("changes the config checksum with a ConfigMap value and the secret checksum with a secret", async () => {
            const a = (await render("hi", "t1")).sums;
            const b = (await render("hello", "t1")).sums;
            const c = (await render("hi", "t2")).sums;
            assert.notStrictEqual(a[0], b[0]);
            assert.strictEqual(a[1], b[1]);
            assert.strictEqual(a[0], c[0]);
            assert.notStrictEqual(a[1], c[1]);
            assert.ok(!c[1].includes("t2"));
        });
    });

    describe("GoImage", () => {
        it("deploys the pushed digest, or the local tag when the push is skipped", async () => {
            const r = await runProgram({ stack: "dev", program: () => {
                const pushed = new GoImage("pushed", { repository: "registry.example.com/acme/goship", version: "1.2.3", push: true,
                    registry: { server: "registry.example.com", username: "ci", password: pulumi.secret("pw") } });
                const local = new GoImage("local", { repository: "goship", version: "1.2.3" });
                return { pushed: pushed.ref, local: local.ref };
            } });
            assert.match(r.outputs.pushed as string, /^registry\.example\.com\/acme\/goship@sha256:[0-9a-f]{64}$/);
            assert.strictEqual(r.outputs.local, "goship:1.2.3");
            const img = r.get(T.Image, "pushed-image");
            assert.strictEqual(img.inputs.imageName, "registry.example.com/acme/goship:1.2.3");
            assert.deepStrictEqual(img.inputs.build.args, { VERSION: "1.2.3", COMMIT: "unknown" });
            assert.strictEqual(img.inputs.build.dockerfile, "./app/Dockerfile");
            assert.strictEqual(img.inputs.skipPush, false);
            assert.ok(img.secretPaths.includes("registry"), "registry credentials must be secret");
            assert.strictEqual(r.get(T.Image, "local-image").inputs.skipPush, true);
        });
    });

    describe("IngressNginx", () => {
        it("installs a pinned chart with metrics, spread over nodes, without snippet annotations", async () => {
            const r = await runProgram({ stack: "dev", program: () => {
                new IngressNginx("nginx", { chartVersion: "4.14.3", replicas: 2 });
            } });
            const chart = r.get(T.Chart, "nginx-chart").inputs;
            assert.strictEqual(chart.chart, "ingress-nginx");
            assert.strictEqual(chart.version, "4.14.3");
            assert.strictEqual(chart.values.controller.replicaCount, 2);
            assert.strictEqual(chart.values.controller.metrics.enabled, true);
            assert.strictEqual(chart.values.controller.minAvailable, 1);
            assert.strictEqual(chart.values.controller.allowSnippetAnnotations, false);
            assert.ok(chart.values.controller.affinity.podAntiAffinity);
        });
    });

    describe("Release: bad input", () => {
        const good: ReleaseArgs = {
            appName: "shop", namespace: "shop", version: "1.0.0", imageRef: "registry.example.com/shop:1.0.0", imageRepository: "registry.example.com/shop",
            settings: { router: "nginx", strategy: "canary", steps: [5, 20, 50, 100], step: 0, abort: false, scaleDownDelaySeconds: 600, rolloutTimeoutSeconds: 600 },
            replicas: 2, route: { host: "shop.example.com", path: "/" },
            track: { port: 8080, resources, timings, terminationGracePeriodSeconds: terminationGracePeriodSeconds(timings) },
        };
        const bad: ReleaseArgs = { ...good, appName: "Shop", replicas: 0, route: { host: "", path: "api" }, autoscaling: {
            enabled: true, minReplicas: 3, maxReplicas: 2, cpuUtilization: 50, scaleDownStabilizationSeconds: 300,
        } };

        it("names every problem: which arg, what it got, what is allowed", () => {
            assert.deepStrictEqual(releaseArgsProblems(good), []);
            assert.deepStrictEqual(releaseArgsProblems(bad), [
                'appName must be a DNS label of at most 40 characters starting with a letter, got "Shop"',
                "replicas must be an integer ≥ 1, got 0",
                "autoscaling needs 1 ≤ minReplicas ≤ maxReplicas, got 3..2",
                "route.host is required",
                'route.path must start with "/", got "api"',
            ]);
            assert.match(releaseArgsProblems({ ...good, router: { kind: "traefik" } as any }).join(), /router.kind must be one of nginx, gatewayApi, got "traefik"/);
        });

        it("fails the update with a pulumi.ResourceError naming the component; the corrected args deploy", async () => {
            await assert.rejects(runProgram({ stack: "dev", program: () => { new Release("shop", bad); } }), (e: Error) => {
                assert.ok(e instanceof pulumi.ResourceError, `${e.constructor.name}: ${e.message}`);
                assert.match(e.message, /^Release shop: appName must be .*; route.path must start with "\/", got "api"$/);
                return true;
            });
            const r = await runProgram({ stack: "dev", program: () => { new Release("shop", good); } });
            assert.strictEqual(r.ofType(T.Deployment).length, 2, "the same args, corrected, create both tracks");
        });
    });

    describe("the harness", () => {
        it("fails on a duplicate URN like the engine does", async () => {
            await assert.rejects(runProgram({ stack: "dev", program: () => { track("blue"); track("blue"); } }), /duplicate resource URN/);
        });
    });
});
