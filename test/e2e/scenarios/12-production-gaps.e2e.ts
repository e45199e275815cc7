// Scenario 12: the production hardening, against a real API server. Every file the offline
// render writes (secrets redacted) passes a server-side dry run with kubectl, exactly as a
// reviewer would check a rendered manifest. Deployed, prod's hard node spread still schedules
// its three replicas on a one-node cluster, and its egress NetworkPolicies select them.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { tier } from "../hooks";
import { TestStack } from "../stack";
import { ROOT } from "../toolchain";

function kubectl(args: string[], input?: string): { code: number | null; out: string } {
    const r = spawnSync("kubectl", args, { env: { ...process.env, KUBECONFIG: tier().kubeconfig }, input, encoding: "utf8", timeout: 60_000 });
    if (r.error) throw new Error(`kubectl could not run (${r.error.message}): it is part of this machine's toolchain and of any real use`);
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** The offline render of a stack into the tier's work dir: the files a reviewer reads. */
function render(stack: string): string {
    const out = path.join(tier().work, "render");
    const r = spawnSync(process.execPath, ["-r", "sucrase/register/ts", path.join(ROOT, "scripts/render.ts"), "--stack", stack, "--out", out, "--no-policy"],
        { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    assert.strictEqual(r.status, 0, r.stdout + r.stderr);
    return path.join(out, stack);
}

/** The client's model objects as plain JSON, as kubectl prints them. */
const plain = (o: unknown): any => JSON.parse(JSON.stringify(o));

const matches = (selector: Record<string, string>, labels: Record<string, string> | undefined) =>
    Object.entries(selector).every(([k, v]) => labels?.[k] === v);

describe("e2e 12: production gaps against a real API server", () => {
    for (const stack of ["dev", "prod"]) {
        it(`${stack}: kubectl --dry-run=server accepts every rendered file, the redacted Secret included`, () => {
            const dir = render(stack);
            const files = fs.readdirSync(dir).filter((f) => f.endsWith(".yaml") && f !== "_summary.yaml").sort();
            assert.ok(files.length >= 18, files.join(", "));
            assert.ok(files.includes("secret-goship-secret.yaml"));
            // Namespaced objects are validated inside an existing namespace: a scratch one of
            // this scenario's own, so no stack's namespace (nor the user's cluster's) is touched.
            const scratch = `goship-render-${stack}`;
            const created = kubectl(["create", "namespace", scratch]);
            assert.strictEqual(created.code, 0, created.out);
            try {
                const refused = files.map((f) => {
                    const obj = YAML.parse(fs.readFileSync(path.join(dir, f), "utf8"));
                    if (obj.metadata?.namespace) obj.metadata.namespace = scratch;
                    return { f, r: kubectl(["apply", "--dry-run=server", "-f", "-"], YAML.stringify(obj)) };
                }).filter(({ r }) => r.code !== 0 || !/\(server dry run\)/.test(r.out)).map(({ f, r }) => `${f}: ${r.out.trim()}`);
                assert.deepStrictEqual(refused, [], "files the API server refuses");
            } finally {
                kubectl(["delete", "namespace", scratch, "--wait=false"]);
            }
        });
    }

    it("the dry run really validates: the old redaction (stringData as a string) is refused", () => {
        const dir = path.join(tier().work, "render", "prod");
        const secret = YAML.parse(fs.readFileSync(path.join(dir, "secret-goship-secret.yaml"), "utf8"));
        const r = kubectl(["apply", "--dry-run=server", "-f", "-"], YAML.stringify({ ...secret, metadata: { ...secret.metadata, namespace: "default" }, stringData: "[secret]" }));
        assert.notStrictEqual(r.code, 0);
        assert.match(r.out, /cannot unmarshal string into Go struct field Secret\.stringData/);
    });

    it("prod deployed: three replicas under a hard node spread schedule (on the tier's one fake node too), pull Always, count against the ephemeral-storage quota; the egress policies select them", async function () {
        this.timeout(600_000);
        const prod = await TestStack.create(tier(), "gaps", "prod");
        await prod.setSecret("apiToken", "e2e-api-token-gaps");
        await prod.setSecret("registryPassword", "e2e-registry-token");
        const up = await prod.up();
        assert.ok(up.ok, up.stderr + up.stdout);
        const kube = tier().kube;
        const ns = prod.namespace;
        const blue = await kube.must("apps/v1", "Deployment", "goship-blue", ns);
        assert.deepStrictEqual(plain(blue.spec.template.spec.topologySpreadConstraints).map((c: any) => [c.topologyKey, c.whenUnsatisfiable]),
            [["kubernetes.io/hostname", "DoNotSchedule"], ["topology.kubernetes.io/zone", "ScheduleAnyway"]]);
        // On one node (the fake-node tier) that node is the only topology domain, so there is no
        // skew and the hard spread leaves no pod Pending; the HPA raises the Deployment to its
        // minimum (3) even without metrics.
        const pods: any[] = await kube.waitFor("three scheduled stable pods", async () => {
            const ps = await kube.list("v1", "Pod", ns, "goship.dev/track=blue");
            return ps.length >= 3 && ps.every((p: any) => p.spec.nodeName) ? ps : undefined;
        }, 120_000);
        for (const p of pods) {
            const c = p.spec.containers[0];
            assert.strictEqual(c.imagePullPolicy, "Always", "prod pushes and deploys by digest");
            assert.deepStrictEqual([c.resources.requests["ephemeral-storage"], c.resources.limits["ephemeral-storage"]], ["64Mi", "256Mi"]);
        }
        const quota = await kube.waitFor("the quota to count the pods' ephemeral storage", async () => {
            const q = await kube.must("v1", "ResourceQuota", "compute", ns);
            return q.status?.used?.["requests.ephemeral-storage"] && q.status.used["requests.ephemeral-storage"] !== "0" ? q : undefined;
        });
        assert.strictEqual(quota.spec.hard["limits.ephemeral-storage"], "16Gi");

        const names = (await kube.list("networking.k8s.io/v1", "NetworkPolicy", ns)).map((p) => p.metadata!.name).sort();
        assert.deepStrictEqual(names, ["allow-egress-dns", "allow-ingress-controller", "default-deny-egress", "default-deny-ingress"]);
        const deny = await kube.must("networking.k8s.io/v1", "NetworkPolicy", "default-deny-egress", ns);
        assert.deepStrictEqual(plain(deny.spec), { podSelector: {}, policyTypes: ["Egress"] });
        const dns = await kube.must("networking.k8s.io/v1", "NetworkPolicy", "allow-egress-dns", ns);
        assert.deepStrictEqual(plain(dns.spec.egress[0].ports), [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }]);
        for (const p of pods) assert.ok(matches(dns.spec.podSelector.matchLabels, p.metadata?.labels), `allow-egress-dns selects pod ${p.metadata?.name}`);

        const destroyed = await prod.destroy();
        assert.ok(destroyed.ok, destroyed.stderr);
    });
});
