// Every policy: a passing and a failing fixture, asserting the message; knobs honoured.
import * as assert from "assert";
import * as P from "../../policy/policies";
import * as N from "../../policy/network";
import * as R from "../../policy/release";
import * as S from "../../policy/stack";
import * as W from "../../policy/workload";
import * as PR from "../../policy/production";
import { parseImage } from "../../policy/lib/k8s";
import { TYPES as T } from "../../policy/lib/k8s";
import { withDefaults } from "../../policy/lib/define";
import { levelOf } from "../../offline/policy-runner";
import { assertHasViolation, assertNoViolations, container, goodStack, mutate, run, without } from "./fixtures";

const D = T.Deployment;
const blue = (f: (p: any) => void) => mutate(D, "shop-blue", f);
const blueC = (f: (c: any) => void) => blue((p) => f(container(p)));

describe("policies", () => {
    it("every policy has a kebab-case name, a 'Checks …' description, severity and remediation steps", () => {
        const names = P.policies.map((p) => p.name);
        assert.strictEqual(new Set(names).size, names.length, "unique names");
        for (const p of P.policies) {
            assert.match(p.name, /^[a-z]+(-[a-z0-9]+)*$/);
            assert.match(p.description, /^Checks /, p.name);
            assert.ok(p.severity && p.remediationSteps, p.name);
        }
    });

    it("the good stack passes every policy under prod-like knobs", () => {
        const prodKnobs: Record<string, Record<string, unknown>> = {
            "image-reference": { requireDigest: true }, "hpa-replica-range": { minReplicas: 2 },
            "workload-spread": { requireDoNotSchedule: true }, "image-pull-policy": { required: "Always" },
        };
        for (const p of P.resourcePolicies) assertNoViolations(p, goodStack(), prodKnobs[p.name] ?? {});
        for (const p of P.stackPolicies) assertNoViolations(p, goodStack());
    });

    describe("container-probes", () => {
        it("fails without readiness or liveness", () => {
            assertHasViolation(W.containerProbes, blueC((c) => delete c.readinessProbe), /container app has no readinessProbe/);
            assertHasViolation(W.containerProbes, blueC((c) => delete c.livenessProbe), /container app has no livenessProbe/);
        });
        it("fails when liveness equals readiness", () => {
            assertHasViolation(W.containerProbes, blueC((c) => { c.livenessProbe.httpGet.path = "/readyz"; }), /same check for liveness and readiness/);
        });
        it("wants a startup probe when liveness starts late (knob)", () => {
            const late = blueC((c) => { delete c.startupProbe; c.livenessProbe.initialDelaySeconds = 60; });
            assertHasViolation(W.containerProbes, late, /delays its livenessProbe 60s without a startupProbe/);
            assertNoViolations(W.containerProbes, late, { maxLivenessDelayWithoutStartupProbe: 90 });
        });
    });

    describe("probe-ports-exist", () => {
        it("fails when a probe targets an undeclared port", () => {
            assertHasViolation(W.probePortsExist, blueC((c) => { c.readinessProbe.httpGet.port = "metrics"; }), /readinessProbe targets port metrics, which the container does not declare/);
            assertNoViolations(W.probePortsExist, blueC((c) => { c.readinessProbe.httpGet.port = 8080; }));
        });
    });

    describe("container-resources", () => {
        it("fails without requests or memory limit", () => {
            assertHasViolation(W.containerResources, blueC((c) => delete c.resources.requests.cpu), /has no CPU request/);
            assertHasViolation(W.containerResources, blueC((c) => delete c.resources.requests.memory), /has no memory request/);
            assertHasViolation(W.containerResources, blueC((c) => delete c.resources.limits), /has no memory limit/);
        });
        it("requires a CPU limit only when configured", () => {
            const noCpu = blueC((c) => delete c.resources.limits.cpu);
            assertNoViolations(W.containerResources, noCpu);
            assertHasViolation(W.containerResources, noCpu, /has no CPU limit/, { requireCpuLimit: true });
        });
    });

    describe("image-reference", () => {
        it("parses references properly", () => {
            assert.deepStrictEqual(parseImage("registry:5000/app"), { registry: "registry:5000", repository: "app", tag: undefined, digest: undefined });
            assert.deepStrictEqual(parseImage("registry:5000/app:1.2"), { registry: "registry:5000", repository: "app", tag: "1.2", digest: undefined });
            assert.strictEqual(parseImage("app@sha256:abc").digest, "sha256:abc");
            assert.strictEqual(parseImage("docker.io/library/nginx:latest").tag, "latest");
        });
        it("fails on no tag, latest, and a missing digest when required", () => {
            assertHasViolation(W.imageReference, blueC((c) => { c.image = "registry:5000/app"; }), /image registry:5000\/app has no tag/);
            assertHasViolation(W.imageReference, blueC((c) => { c.image = "app:latest"; }), /uses the latest tag/);
            const tagged = blueC((c) => { c.image = "registry.example.com/shop:1.0.0"; });
            assertNoViolations(W.imageReference, tagged);
            assertHasViolation(W.imageReference, tagged, /is not pinned by digest/, { requireDigest: true });
        });
    });

    describe("container-security-context", () => {
        const cases: Array<[string, (c: any, p: any) => void, RegExp]> = [
            ["root user", (c) => { c.securityContext.runAsUser = 0; }, /runs as user 0/],
            ["may run as root", (c, p) => { delete c.securityContext.runAsNonRoot; delete c.securityContext.runAsUser; delete p.spec.template.spec.securityContext.runAsNonRoot; delete p.spec.template.spec.securityContext.runAsUser; }, /may run as root/],
            ["privilege escalation", (c) => { delete c.securityContext.allowPrivilegeEscalation; }, /allows privilege escalation/],
            ["capabilities", (c) => { c.securityContext.capabilities.drop = ["NET_RAW"]; }, /keeps Linux capabilities: drop ALL/],
            ["seccomp", (_c, p) => { delete p.spec.template.spec.securityContext.seccompProfile; }, /has no seccomp profile/],
            ["writable root", (c) => { c.securityContext.readOnlyRootFilesystem = false; }, /writable root filesystem/],
        ];
        for (const [title, change, message] of cases) {
            it(`fails on ${title}`, () => assertHasViolation(W.containerSecurityContext, blue((p) => change(container(p), p)), message));
        }
    });

    describe("no-host-access", () => {
        it("fails on host namespaces, hostPath, hostPort and privileged", () => {
            assertHasViolation(W.noHostAccess, blue((p) => { p.spec.template.spec.hostNetwork = true; }), /sets hostNetwork/);
            assertHasViolation(W.noHostAccess, blue((p) => { p.spec.template.spec.volumes.push({ name: "h", hostPath: { path: "/var" } }); }), /mounts hostPath \/var/);
            assertHasViolation(W.noHostAccess, blueC((c) => { c.ports[0].hostPort = 80; }), /binds hostPort 80/);
            assertHasViolation(W.noHostAccess, blueC((c) => { c.securityContext.privileged = true; }), /is privileged/);
        });
    });

    describe("no-secret-literal-env", () => {
        it("fails on a secret-looking literal, passes on a reference", () => {
            assertHasViolation(W.noSecretLiteralEnv, blueC((c) => c.env.push({ name: "API_TOKEN", value: "abc" })), /sets API_TOKEN to a literal value that looks secret/);
            assertHasViolation(W.noSecretLiteralEnv, blueC((c) => c.env.push({ name: "X", value: "AKIAABCDEFGHIJKLMNOP" })), /sets X to a literal/);
            assertNoViolations(W.noSecretLiteralEnv, blueC((c) => c.env.push({ name: "API_TOKEN", valueFrom: { secretKeyRef: { name: "s", key: "k" } } })));
        });
    });

    describe("no-service-account-token", () => {
        it("fails when the token is mounted", () => {
            assertHasViolation(W.noServiceAccountToken, blue((p) => delete p.spec.template.spec.automountServiceAccountToken), /mounts a service account token/);
        });
    });

    describe("graceful-termination", () => {
        it("fails when the grace period does not cover preStop + margin (sleep action or exec sleep)", () => {
            assertHasViolation(W.gracefulTermination, blue((p) => { p.spec.template.spec.terminationGracePeriodSeconds = 8; }), /terminationGracePeriodSeconds 8 < preStop 5s \+ 5s margin; raise it to ≥ 10/);
            assertHasViolation(W.gracefulTermination, blue((p) => { p.spec.template.spec.terminationGracePeriodSeconds = 12; container(p).lifecycle.preStop = { exec: { command: ["sleep", "10"] } }; }), /preStop 10s/);
            assertNoViolations(W.gracefulTermination, blue((p) => { p.spec.template.spec.terminationGracePeriodSeconds = 12; }), { marginSeconds: 7 });
        });
    });

    describe("deployment-rolling-update", () => {
        it("fails on Recreate, a stuck rollout and all pods down at once", () => {
            assertHasViolation(W.deploymentRollingUpdate, blue((p) => { p.spec.strategy = { type: "Recreate" }; }), /uses the Recreate strategy/);
            assertHasViolation(W.deploymentRollingUpdate, blue((p) => { p.spec.strategy.rollingUpdate = { maxSurge: 0, maxUnavailable: 0 }; }), /maxSurge and maxUnavailable both 0/);
            assertHasViolation(W.deploymentRollingUpdate, blue((p) => { p.spec.replicas = 3; p.spec.strategy.rollingUpdate.maxUnavailable = "100%"; }), /may take all 3 pods down at once/);
        });
    });

    describe("deployment-replicas", () => {
        it("fails below the minimum unless an HPA manages it or the release sizes the track", () => {
            const one = blue((p) => { p.spec.replicas = 1; container(p); p.metadata.labels["goship.dev/role"] = "stable"; });
            assertHasViolation(W.deploymentReplicas, one, /runs 1 replica\(s\): run at least 2/, { minReplicas: 2 });
            assertNoViolations(W.deploymentReplicas, goodStack(), { minReplicas: 2 }); // blue omits replicas, green is a candidate
        });
    });

    describe("deployment-selector-matches", () => {
        it("fails when the selector does not match the template", () => {
            assertHasViolation(W.deploymentSelectorMatches, blue((p) => { p.spec.selector.matchLabels["goship.dev/track"] = "green"; }), /does not match its pod template labels/);
        });
    });

    describe("hpa-replica-range", () => {
        it("fails on a low minimum or max ≤ min", () => {
            const hpa = (f: (s: any) => void) => mutate(T.HPA, "shop", (p) => f(p.spec));
            assertHasViolation(W.hpaReplicaRange, hpa((s) => { s.minReplicas = 1; }), /minReplicas 1 < 2/, { minReplicas: 2 });
            assertHasViolation(W.hpaReplicaRange, hpa((s) => { s.maxReplicas = 3; }), /maxReplicas 3 is not greater than minReplicas 3/);
        });
    });

    describe("pdb-allows-disruption", () => {
        it("fails when no pod can ever be evicted", () => {
            assertHasViolation(W.pdbAllowsDisruption, mutate(T.PDB, "shop-blue", (p) => { p.spec.maxUnavailable = 0; }), /maxUnavailable 0/);
            assertHasViolation(W.pdbAllowsDisruption, mutate(T.PDB, "shop-blue", (p) => { delete p.spec.maxUnavailable; p.spec.minAvailable = "100%"; }), /minAvailable 100%/);
        });
    });

    describe("configmap-no-secrets", () => {
        it("fails on secret-looking keys or values", () => {
            assertHasViolation(W.configMapNoSecrets, mutate(T.ConfigMap, "shop-config", (p) => { p.data.DB_PASSWORD = "x"; }), /key DB_PASSWORD looks secret/);
            assertHasViolation(W.configMapNoSecrets, mutate(T.ConfigMap, "shop-config", (p) => { p.data.CERT = "-----BEGIN RSA PRIVATE KEY-----\nabc"; }), /key CERT looks secret/);
        });
    });

    describe("ingress policies", () => {
        const ing = (f: (p: any) => void) => mutate(T.Ingress, "shop", f);
        it("ingress-class", () => assertHasViolation(N.ingressClass, ing((p) => delete p.spec.ingressClassName), /has no ingressClassName/));
        it("ingress-hosts", () => {
            assertHasViolation(N.ingressHosts, ing((p) => { p.spec.rules[0].host = "*.example.com"; }), /uses wildcard host \*\.example\.com/);
            assertHasViolation(N.ingressHosts, ing((p) => { delete p.spec.rules[0].host; }), /has a rule without host/);
        });
        it("ingress-tls", () => {
            assertHasViolation(N.ingressTls, ing((p) => delete p.spec.tls), /serves shop\.example\.com without TLS/);
            assertHasViolation(N.ingressTls, ing((p) => { p.spec.tls[0].hosts = ["other.example.com"]; }), /without TLS/);
        });
        it("ingress-no-snippets", () => {
            assertHasViolation(N.ingressNoSnippets, ing((p) => { p.metadata.annotations = { "nginx.ingress.kubernetes.io/configuration-snippet": "x" }; }), /configuration-snippet: remove it/);
        });
    });

    describe("service-type", () => {
        it("honours the allowed types", () => {
            const lb = mutate(T.Service, "shop", (p) => { p.spec.type = "LoadBalancer"; });
            assertNoViolations(N.serviceType, lb);
            assertHasViolation(N.serviceType, lb, /is type LoadBalancer: use one of ClusterIP/, { allowedTypes: ["ClusterIP"] });
        });
    });

    describe("namespace-pod-security", () => {
        it("requires the configured level, with exempt namespaces held to baseline", () => {
            const baseline = mutate(T.Namespace, "shop", (p) => { p.metadata.labels["pod-security.kubernetes.io/enforce"] = "baseline"; });
            assertNoViolations(N.namespacePodSecurity, baseline);
            assertHasViolation(N.namespacePodSecurity, baseline, /Namespace shop enforces baseline: enforce restricted/, { level: "restricted" });
            assertHasViolation(N.namespacePodSecurity, mutate(T.Namespace, "shop", (p) => { p.metadata.labels = {}; }), /has no pod-security\.kubernetes\.io\/enforce label/);
            assertNoViolations(N.namespacePodSecurity, baseline, { level: "restricted", exemptNamespaces: ["shop"] });
        });
    });

    describe("canary-annotations", () => {
        const canary = (a: Record<string, string | undefined>) => mutate(T.Ingress, "shop-canary", (p) => {
            for (const [k, v] of Object.entries(a)) {
                if (v === undefined) delete p.metadata.annotations[`nginx.ingress.kubernetes.io/${k}`];
                else p.metadata.annotations[`nginx.ingress.kubernetes.io/${k}`] = v;
            }
        });
        it("fails without canary \"true\"", () => assertHasViolation(R.canaryAnnotations, canary({ canary: undefined }), /canary is missing: set nginx\.ingress\.kubernetes\.io\/canary "true"/));
        it("fails on a weight out of range or not an integer", () => {
            assertHasViolation(R.canaryAnnotations, canary({ "canary-weight": "150" }), /canary-weight "150" must be an integer in \[0, 100\]/);
            assertHasViolation(R.canaryAnnotations, canary({ "canary-weight": "2.5" }), /canary-weight "2\.5"/);
            assertNoViolations(R.canaryAnnotations, canary({ "canary-weight": "150", "canary-weight-total": "1000" }));
        });
        it("fails on a header value without a header", () => {
            assertHasViolation(R.canaryAnnotations, canary({ "canary-by-header-value": "always" }), /sets canary-by-header-value without canary-by-header/);
            assertNoViolations(R.canaryAnnotations, canary({ "canary-by-header": "X-Canary", "canary-by-header-value": "always" }));
        });
        it("canary-routes-something flags a parked canary", () => {
            assertHasViolation(R.canaryRoutesSomething, canary({ "canary-weight": "0" }), /canary at weight 0 with no header or cookie/);
            assertNoViolations(R.canaryRoutesSomething, canary({ "canary-weight": "0", "canary-by-cookie": "canary" }));
        });
    });

    describe("stack: hpa-target", () => {
        it("fails on a missing target, two HPAs, pinned replicas and a missing request", () => {
            assertHasViolation(S.hpaTarget, mutate(T.HPA, "shop", (p) => { p.spec.scaleTargetRef.name = "nope"; }), /targets Deployment nope, which is not in the stack/);
            const two = [...goodStack(), { ...goodStack().find((r) => r.type === T.HPA)!, name: "shop2", urn: "u2", props: { ...goodStack().find((r) => r.type === T.HPA)!.props, metadata: { name: "shop2", namespace: "shop" } } }];
            assertHasViolation(S.hpaTarget, two, /HPA shop2 and HPA shop both scale Deployment shop-blue/);
            assertHasViolation(S.hpaTarget, blue((p) => { p.spec.replicas = 3; }), /pins replicas 3 although HPA shop scales it/);
            // The release may pin the count it read live (the HPA's own), and says so.
            assertNoViolations(S.hpaTarget, blue((p) => { p.spec.replicas = 10; p.metadata.annotations = { "goship.dev/replicas-source": "live" }; }));
            assertHasViolation(S.hpaTarget, blue((p) => { p.spec.replicas = 10; p.metadata.annotations = { "goship.dev/replicas-source": "config" }; }), /pins replicas 10/);
            assertHasViolation(S.hpaTarget, blueC((c) => delete c.resources.requests.cpu), /scales on cpu but Deployment shop-blue container app has no cpu request/);
        });
    });

    describe("stack: service-selects-pods", () => {
        it("fails on a selector that matches nothing or a missing targetPort", () => {
            assertHasViolation(S.serviceSelectsPods, mutate(T.Service, "shop", (p) => { p.spec.selector["goship.dev/track"] = "red"; }), /matches no Deployment's pods/);
            assertHasViolation(S.serviceSelectsPods, mutate(T.Service, "shop", (p) => { p.spec.ports[0].targetPort = "grpc"; }), /targets grpc, which Deployment shop-blue does not expose/);
        });
    });

    describe("stack: ingress-backends", () => {
        it("fails on a missing Service, a missing port and a probe on another port", () => {
            assertHasViolation(S.ingressBackends, without(T.Service, "shop"), /routes to Service shop, which is not in the stack/);
            assertHasViolation(S.ingressBackends, mutate(T.Ingress, "shop", (p) => { p.spec.rules[0].http.paths[0].backend.service.port = { name: "https" }; }), /routes to port https of Service shop, which does not declare it/);
            const probeElsewhere = blueC((c) => { c.ports.push({ name: "admin", containerPort: 9090 }); c.readinessProbe.httpGet.port = "admin"; });
            assertHasViolation(S.ingressBackends, probeElsewhere, /traffic reaches port http of Deployment shop-blue, but its readiness probe checks admin/);
        });
    });

    describe("stack: one-canary-per-host", () => {
        it("fails on a second canary, a canary without primary and a canary to the primary's Service", () => {
            const stack = goodStack();
            const second = JSON.parse(JSON.stringify(stack.find((r) => r.name === "shop-canary")));
            second.name = second.props.metadata.name = "shop-canary-2";
            second.urn += "-2";
            assertHasViolation(R.oneCanaryPerHost, [...stack, second], /2 canary Ingresses \(shop-canary, shop-canary-2\) serve shop shop\.example\.com\//);
            assertHasViolation(R.oneCanaryPerHost, without(T.Ingress, "shop"), /but no primary Ingress does/);
            assertHasViolation(R.oneCanaryPerHost, mutate(T.Ingress, "shop-canary", (p) => { p.spec.rules[0].http.paths[0].backend.service.name = "shop"; }), /the same Service as the primary/);
        });
    });

    describe("stack: pdb-disruption-at-min", () => {
        it("does the arithmetic at the HPA minimum (percentages round up)", () => {
            const pdb = (spec: any, hpaMin = 3) => mutate(T.HPA, "shop", (p) => { p.spec.minReplicas = hpaMin; }, mutate(T.PDB, "shop-blue", (p) => { p.spec = { ...spec, selector: p.spec.selector }; }));
            assertHasViolation(S.pdbDisruptionAtMin, pdb({ minAvailable: 3 }), /allows 0 disruptions at 3 replica\(s\) of Deployment shop-blue/);
            assertHasViolation(S.pdbDisruptionAtMin, pdb({ minAvailable: "70%" }), /allows 0 disruptions at 3/); // ceil(2.1) = 3
            assertNoViolations(S.pdbDisruptionAtMin, pdb({ minAvailable: "60%" })); // ceil(1.8) = 2 → 1 allowed
            assertNoViolations(S.pdbDisruptionAtMin, pdb({ maxUnavailable: "10%" })); // ceil(0.3) = 1
        });
    });

    describe("stack: config-references", () => {
        it("fails when a referenced ConfigMap or Secret is missing", () => {
            assertHasViolation(S.configReferences, without(T.ConfigMap, "shop-config"), /references ConfigMap shop-config, which is not in the stack/);
            assertHasViolation(S.configReferences, without(T.Secret, "shop-secret"), /references Secret shop-secret/);
            assertNoViolations(S.configReferences, mutate(D, "shop-blue", (p) => { container(p).envFrom[0].configMapRef.optional = true; }, without(T.ConfigMap, "shop-config")).filter((r) => r.name !== "shop-green"));
        });
    });

    describe("stack: namespace-guardrails", () => {
        it("fails without quota, limit range or a NetworkPolicy selecting the pods", () => {
            assertHasViolation(S.namespaceGuardrails, without(T.ResourceQuota, "compute"), /namespace shop of Deployment shop-blue has no ResourceQuota/);
            assertHasViolation(S.namespaceGuardrails, without(T.LimitRange, "defaults"), /has no LimitRange/);
            const elsewhere = goodStack().map((r) => (r.type === T.NetworkPolicy ? { ...r, props: { ...r.props, spec: { ...r.props.spec, podSelector: { matchLabels: { app: "other" } } } } } : r));
            assertHasViolation(S.namespaceGuardrails, elsewhere, /no NetworkPolicy selects the pods of Deployment shop-blue/);
        });

        it("never counts another namespace's objects (the checks index the stack by namespace)", () => {
            // The same stack again in namespace "other", minus its quota and its Deployments.
            const other = goodStack().map((r) => ({ ...r, urn: `${r.urn}-other`, props: JSON.parse(JSON.stringify(r.props).replace(/"namespace":"shop"/g, '"namespace":"other"')) }));
            const noQuota = [...goodStack(), ...other.filter((r) => r.type !== T.ResourceQuota)];
            assertHasViolation(S.namespaceGuardrails, noQuota, /namespace other of Deployment shop-blue has no ResourceQuota/);
            const noPods = [...goodStack(), ...other.filter((r) => r.type !== D)];
            assertHasViolation(S.serviceSelectsPods, noPods, /Service shop-blue selector .* matches no Deployment/);
            assertNoViolations(S.namespaceGuardrails, [...goodStack(), ...other]);
        });
    });

    describe("release: canary-track-prod-checks", () => {
        it("holds the candidate track to prod container checks, whatever the stack's config", () => {
            const weak = mutate(D, "shop-green", (p) => { delete container(p).resources.limits; container(p).image = "shop:latest"; });
            assertHasViolation(R.canaryTrackProdChecks, weak, /\[container-resources\] candidate track: Deployment shop-green container app has no memory limit/);
            assertHasViolation(R.canaryTrackProdChecks, weak, /\[image-reference\] candidate track: .*uses the latest tag/);
            // The same weakness on the stable track is not this policy's business.
            assertNoViolations(R.canaryTrackProdChecks, mutate(D, "shop-blue", (p) => { delete container(p).resources.limits; }));
        });

        it("uses policy/config/prod.json's container knobs except requireDigest, which a never-pushed dev candidate cannot meet", () => {
            const prod = require("../../policy/config/prod.json");
            // Each check's own knobs (withDefaults passes the other keys through).
            const own = (p: any, config: any) => Object.fromEntries(Object.keys(p.knobs ?? {}).map((k) => [k, withDefaults(p.knobs, config)[k]]));
            for (const p of [...W.CONTAINER_CHECKS, PR.containerEphemeralStorage]) {
                const inProd = own(p, levelOf(prod, p.name, "advisory").knobs);
                const expected = p.name === "image-reference" ? { ...inProd, requireDigest: false } : inProd;
                assert.deepStrictEqual(own(p, R.CANDIDATE_CONTAINER_KNOBS), expected, p.name);
            }
            assert.strictEqual(levelOf(prod, "image-reference", "advisory").knobs.requireDigest, true);
            // The difference, seen from outside: a candidate by tag passes this policy; prod's image-reference flags it.
            const tagged = mutate(D, "shop-green", (p) => { container(p).image = "registry.example.com/shop:1.1.0"; });
            assertNoViolations(R.canaryTrackProdChecks, tagged);
            assertHasViolation(W.imageReference, tagged, /is not pinned by digest/, { requireDigest: true });
        });
    });

    describe("workload-spread", () => {
        const spread = (f: (c: any, pod: any) => void) => blue((p) => f(p.spec.template.spec.topologySpreadConstraints[0], p.spec.template.spec));
        it("fails when an autoscaled or multi-replica Deployment does not spread its own pods over nodes", () => {
            assertHasViolation(PR.workloadSpread, blue((p) => delete p.spec.template.spec.topologySpreadConstraints), /Deployment shop-blue is autoscaled but does not spread its pods across nodes/);
            assertHasViolation(PR.workloadSpread, spread((c) => { c.topologyKey = "topology.kubernetes.io/zone"; }), /does not spread its pods across nodes/);
            // A selector that matches other pods spreads nothing of its own.
            assertHasViolation(PR.workloadSpread, spread((c) => { c.labelSelector.matchLabels["goship.dev/track"] = "green"; }), /does not spread its pods across nodes/);
            assertHasViolation(PR.workloadSpread, blue((p) => { p.spec.replicas = 3; delete p.spec.template.spec.topologySpreadConstraints; }), /runs 3 replicas but does not spread/);
        });
        it("passes a track too small to spread (knob minReplicas), and a required anti-affinity", () => {
            const one = blue((p) => { p.spec.replicas = 1; delete p.spec.template.spec.topologySpreadConstraints; });
            assertNoViolations(PR.workloadSpread, one);
            assertHasViolation(PR.workloadSpread, one, /runs 1 replicas but does not spread/, { minReplicas: 1 });
            const anti = spread((_c, pod) => {
                delete pod.topologySpreadConstraints;
                pod.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "kubernetes.io/hostname", labelSelector: { matchExpressions: [{ key: "goship.dev/track", operator: "In", values: ["blue"] }] } }] } };
            });
            assertNoViolations(PR.workloadSpread, anti, { requireDoNotSchedule: true });
        });
        it("wants a hard spread when configured (prod)", () => {
            const soft = spread((c) => { c.whenUnsatisfiable = "ScheduleAnyway"; });
            assertNoViolations(PR.workloadSpread, soft);
            assertHasViolation(PR.workloadSpread, soft, /only prefers to spread across nodes \(ScheduleAnyway\): use whenUnsatisfiable DoNotSchedule/, { requireDoNotSchedule: true });
            const preferred = spread((_c, pod) => {
                delete pod.topologySpreadConstraints;
                pod.affinity = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { "goship.dev/track": "blue" } } } }] } };
            });
            assertNoViolations(PR.workloadSpread, preferred);
            assertHasViolation(PR.workloadSpread, preferred, /only prefers to spread/, { requireDoNotSchedule: true });
        });
    });

    describe("container-ephemeral-storage", () => {
        it("fails without an ephemeral-storage request or limit, or an unbounded emptyDir", () => {
            assertHasViolation(PR.containerEphemeralStorage, blueC((c) => delete c.resources.requests["ephemeral-storage"]), /container app has no ephemeral-storage request/);
            const noLimit = blueC((c) => delete c.resources.limits["ephemeral-storage"]);
            assertHasViolation(PR.containerEphemeralStorage, noLimit, /container app has no ephemeral-storage limit/);
            assertNoViolations(PR.containerEphemeralStorage, noLimit, { requireLimit: false });
            assertHasViolation(PR.containerEphemeralStorage, blue((p) => { p.spec.template.spec.volumes[0].emptyDir = {}; }), /emptyDir volume tmp has no sizeLimit/);
        });
        it("holds the candidate track to it in every stack", () => {
            assertHasViolation(R.canaryTrackProdChecks, mutate(D, "shop-green", (p) => delete container(p).resources.limits["ephemeral-storage"]),
                /\[container-ephemeral-storage\] candidate track: Deployment shop-green container app has no ephemeral-storage limit/);
        });
    });

    describe("image-pull-policy", () => {
        it("fails when the policy is left to the tag-dependent default, or differs from the required one", () => {
            assertHasViolation(PR.imagePullPolicy, blueC((c) => delete c.imagePullPolicy), /container app does not set imagePullPolicy/);
            const ifNotPresent = blueC((c) => { c.imagePullPolicy = "IfNotPresent"; });
            assertNoViolations(PR.imagePullPolicy, ifNotPresent);
            assertHasViolation(PR.imagePullPolicy, ifNotPresent, /uses imagePullPolicy IfNotPresent: use Always/, { required: "Always" });
        });
    });

    describe("stack: egress-controlled", () => {
        const withoutPolicy = (name: string, stack = goodStack()) => without(T.NetworkPolicy, name, stack);
        it("fails when no NetworkPolicy restricts the pods' egress", () => {
            assertHasViolation(PR.egressControlled, withoutPolicy("allow-egress-dns", withoutPolicy("default-deny-egress")),
                /Deployment shop-blue: no NetworkPolicy restricts the egress of its pods in namespace shop/);
            // A policy for other pods does not count.
            assertHasViolation(PR.egressControlled, mutate(T.NetworkPolicy, "default-deny-egress", (p) => { p.spec.podSelector = { matchLabels: { app: "other" } }; }, withoutPolicy("allow-egress-dns")),
                /no NetworkPolicy restricts the egress/);
        });
        it("fails when an allow reopens all egress (knob allowOpenEgress)", () => {
            const open = mutate(T.NetworkPolicy, "allow-egress-dns", (p) => { p.spec.egress.push({}); });
            assertHasViolation(PR.egressControlled, open, /NetworkPolicy allow-egress-dns allows every destination on every port for the pods of Deployment shop-blue/);
            assertNoViolations(PR.egressControlled, open, { allowOpenEgress: true });
            const world = mutate(T.NetworkPolicy, "allow-egress-dns", (p) => { p.spec.egress.push({ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }); });
            assertHasViolation(PR.egressControlled, world, /allows 0\.0\.0\.0\/0 on every port/);
            // The internet on one port, or everything but the cluster, is a named destination.
            assertNoViolations(PR.egressControlled, mutate(T.NetworkPolicy, "allow-egress-dns", (p) => { p.spec.egress.push({ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }] }); }));
            assertNoViolations(PR.egressControlled, mutate(T.NetworkPolicy, "allow-egress-dns", (p) => { p.spec.egress.push({ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 443 }] }); }));
        });
        it("fails when egress is denied but DNS is not allowed (knob requireDnsAllow)", () => {
            const noDns = withoutPolicy("allow-egress-dns");
            assertHasViolation(PR.egressControlled, noDns, /Deployment shop-blue: egress is restricted but no NetworkPolicy allows DNS \(port 53\)/);
            assertNoViolations(PR.egressControlled, noDns, { requireDnsAllow: false });
            const dbOnly = mutate(T.NetworkPolicy, "allow-egress-dns", (p) => { p.spec.egress = [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "db" } } }], ports: [{ protocol: "TCP", port: 5432 }] }]; });
            assertHasViolation(PR.egressControlled, dbOnly, /egress is restricted but no NetworkPolicy allows DNS/);
            assertNoViolations(PR.egressControlled, mutate(T.NetworkPolicy, "allow-egress-dns", (p) => { p.spec.egress[0].ports = [{ protocol: "UDP", port: 1, endPort: 1024 }]; }));
            // An egress rule in a policy without policyTypes still restricts egress (the API infers Egress).
            assertNoViolations(PR.egressControlled, mutate(T.NetworkPolicy, "allow-egress-dns", (p) => { delete p.spec.policyTypes; }, withoutPolicy("default-deny-egress")));
        });
    });

    describe("the runner", () => {
        it("honours levels from the config file: all, per policy, disabled", () => {
            const broken = blueC((c) => delete c.readinessProbe);
            const levels = (config: any) => [...new Set(require("../../offline/policy-runner").runPolicies(broken, config)
                .filter((v: any) => v.policy === "container-probes").map((v: any) => v.level))];
            assert.deepStrictEqual(levels({ all: "advisory" }), ["advisory"]);
            assert.deepStrictEqual(levels({ all: "advisory", "container-probes": "mandatory" }), ["mandatory"]);
            assert.deepStrictEqual(levels({ all: "mandatory", "container-probes": "disabled" }), []);
            assert.deepStrictEqual(levels({ "container-probes": { enforcementLevel: "mandatory" } }), ["mandatory"]);
        });

        it("passes engine-like args: notApplicable and stackTags exist", () => {
            let seen: any;
            const probe = { ...W.containerProbes, validateResource: [(args: any) => { seen = args; args.notApplicable("not mine"); }] };
            assert.deepStrictEqual(run(probe as any, goodStack()), []);
            assert.ok(seen.stackTags instanceof Map);
            assert.strictEqual(typeof seen.notApplicable, "function");
            assert.strictEqual(typeof seen.getConfig().maxLivenessDelayWithoutStartupProbe, "number");
        });
    });
});

describe("policy README", () => {
    it("lists every policy with its dev and prod level", () => {
        const fs = require("fs");
        const path = require("path");
        const { levelOf } = require("../../offline/policy-runner");
        const readme: string = fs.readFileSync(path.join(__dirname, "../../policy/README.md"), "utf8");
        const dev = require("../../policy/config/dev.json");
        const prod = require("../../policy/config/prod.json");
        for (const p of P.policies) {
            const row = readme.split("\n").find((l) => l.startsWith(`| \`${p.name}\` |`));
            assert.ok(row, `README lacks a row for ${p.name}`);
            const cells = row!.split(" | ");
            assert.ok(cells[3].startsWith(levelOf(dev, p.name, p.enforcementLevel).level), `${p.name} dev level in README`);
            assert.ok(cells[4].startsWith(levelOf(prod, p.name, p.enforcementLevel).level), `${p.name} prod level in README`);
        }
    });
});
