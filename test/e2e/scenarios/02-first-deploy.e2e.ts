// Scenario 2: the first deploy. Every object reads back from the API server as configured, and
// the Secret's value reaches the cluster but never appears in `pulumi stack export` in plain text.
import * as assert from "assert";
import { imageFor } from "../stack";
import { tier } from "../hooks";
import { API_TOKEN, deployedDev } from "../story";

describe("e2e 2: first deploy", () => {
    it("creates every object, waits for real readiness, and keeps the secret out of state", async () => {
        const { stack, firstUp } = await deployedDev();
        const kube = tier().kube;
        const ns = stack.namespace;
        const summary = firstUp.events.find((e) => e.summaryEvent)?.summaryEvent;
        assert.ok((summary?.resourceChanges?.create ?? 0) >= 15, JSON.stringify(summary?.resourceChanges));

        const nsObj = await kube.must("v1", "Namespace", ns);
        assert.strictEqual(nsObj.metadata?.labels?.["pod-security.kubernetes.io/enforce"], "restricted");

        const blue = await kube.must("apps/v1", "Deployment", "goship-blue", ns);
        assert.strictEqual(blue.spec.replicas, 1);
        assert.strictEqual(blue.status?.availableReplicas, 1, "kwok made the pod Ready and the provider waited for it");
        const pod = blue.spec.template.spec;
        const c = pod.containers[0];
        assert.strictEqual(c.image, imageFor("1.0.0"));
        assert.strictEqual(c.readinessProbe?.httpGet?.path, "/readyz");
        assert.strictEqual(c.livenessProbe?.httpGet?.path, "/healthz");
        assert.deepStrictEqual(JSON.parse(JSON.stringify(c.resources)), {
            requests: { cpu: "50m", memory: "64Mi", "ephemeral-storage": "64Mi" }, limits: { cpu: "250m", memory: "128Mi", "ephemeral-storage": "256Mi" },
        });
        assert.strictEqual(c.securityContext?.readOnlyRootFilesystem, true);
        assert.strictEqual(c.securityContext?.allowPrivilegeEscalation, false);
        assert.deepStrictEqual(c.securityContext?.capabilities?.drop, ["ALL"]);
        assert.strictEqual(pod.securityContext?.runAsNonRoot, true);
        assert.ok(c.lifecycle?.preStop, "graceful shutdown: a preStop hook");
        assert.strictEqual(pod.terminationGracePeriodSeconds, 3 + 2 + 5 + 5);
        const green = await kube.must("apps/v1", "Deployment", "goship-green", ns);
        assert.strictEqual(green.spec.replicas, 0, "the idle track runs nothing");

        for (const t of ["blue", "green"]) await kube.must("policy/v1", "PodDisruptionBudget", `goship-${t}`, ns);
        const policies = (await kube.list("networking.k8s.io/v1", "NetworkPolicy", ns)).map((p) => p.metadata!.name).sort();
        assert.ok(policies.includes("default-deny-ingress"), policies.join(","));
        const cm = await kube.must("v1", "ConfigMap", "goship-config", ns);
        assert.strictEqual(cm.data?.GREETING, "hello from dev");
        const secret = await kube.must("v1", "Secret", "goship-secret", ns);
        assert.strictEqual(Buffer.from(secret.data?.API_TOKEN ?? "", "base64").toString(), API_TOKEN);
        const ing = await kube.must("networking.k8s.io/v1", "Ingress", "goship", ns);
        assert.strictEqual(ing.spec.rules[0].host, "goship.localtest.me");
        const svc = await kube.must("v1", "Service", "goship", ns);
        assert.strictEqual(svc.spec.selector["goship.dev/track"], "blue");

        const exported = await stack.exportText();
        assert.ok(!exported.includes(API_TOKEN), "the API token appears in plain text in `pulumi stack export`");
        assert.ok(!exported.includes(Buffer.from(API_TOKEN).toString("base64")), "nor base64-encoded");
        assert.match(exported, /4dabf18193072939515e22adb298388d/, "the Secret's data is stored as a Pulumi secret");
    });
});
