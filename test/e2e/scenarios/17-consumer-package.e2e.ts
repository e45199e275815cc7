// Scenario 17: goship as a package on the real engine. The README's "shop" program, a project of
// its own with goship installed from `npm pack`'s tarball (test/support/consumer.ts), previews and
// deploys with its own config, runs one canary step by editing that config, and its release state
// reads back from the stack. The engine's dynamic-provider host runs in the consumer's directory,
// so the release provider stored in the state loads goship from the consumer's node_modules.
import { CommandError, LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import * as assert from "assert";
import { tier } from "../hooks";
import { imageFor } from "../stack";
import { Consumer, createConsumer, packRepo } from "../../support/consumer";

/** The image repository of the tier: imageFor(v) is `<repo>:<v>`. */
const IMAGE_REPO = imageFor("0").replace(/:0$/, "");

describe("e2e 17: a program of its own installs goship from the tarball", function () {
    let consumer: Consumer;
    let stack: Stack;
    const ns = "shop-dev";

    /** A CLI run as a user sees it: ok, and the text it printed. */
    async function run(op: () => Promise<{ stdout: string; stderr: string }>): Promise<{ ok: boolean; out: string }> {
        try {
            const r = await op();
            return { ok: true, out: r.stdout + r.stderr };
        } catch (e) {
            if (!(e instanceof CommandError)) throw e;
            const cr = (e as any).commandResult ?? {};
            return { ok: false, out: `${cr.stdout ?? ""}${cr.stderr ?? String(e)}` };
        }
    }
    const show = (title: string, text: string) => { if (process.env.GOSHIP_E2E_SHOW) console.log(`\n----- ${title}\n${text}`); };

    before(async function () {
        this.timeout(300_000);
        const t = tier();
        const packed = packRepo(t.work);
        consumer = createConsumer(packed.tarball, { parent: t.work });
        const pulumiCommand = await PulumiCommand.get({ root: t.pulumiRoot, skipVersionCheck: false });
        stack = await LocalWorkspace.createStack({ stackName: "dev", workDir: consumer.dir }, {
            pulumiCommand, envVars: t.env, pulumiHome: t.env.PULUMI_HOME,
        });
        // The README's stack file names a registry; the tier's images are IMAGE_REPO:<version>.
        await stack.setConfig("shop:image", { value: IMAGE_REPO });
    });

    it("previews, then deploys 1.0.0: the namespace, the release's tracks, the worker and its HPA", async () => {
        const preview = await run(() => stack.preview({ diff: true }));
        assert.ok(preview.ok, preview.out);
        show("pulumi preview (first deploy)", preview.out);
        for (const t of ["goship:index:AppNamespace", "goship:index:Release", "goship:index:GoWorkload", "goship:index:Autoscaler", "pulumi-nodejs:dynamic/goship:Release"]) {
            assert.match(preview.out, new RegExp(`\\+ ${t.replace(/[/.]/g, "\\$&")}`), `the preview creates a ${t}`);
        }

        const up = await run(() => stack.up({ diff: true }));
        assert.ok(up.ok, up.out);
        const kube = tier().kube;
        const blue = await kube.must("apps/v1", "Deployment", "storefront-blue", ns);
        assert.strictEqual(blue.spec.template.spec.containers[0].image, imageFor("1.0.0"));
        assert.strictEqual(blue.status?.availableReplicas, 2, "the provider waited for both pods to be Ready");
        assert.strictEqual((await kube.must("apps/v1", "Deployment", "storefront-green", ns)).spec.replicas, 0);
        assert.strictEqual((await kube.must("autoscaling/v2", "HorizontalPodAutoscaler", "worker", ns)).spec.scaleTargetRef.name, "worker-main");
        assert.strictEqual((await kube.must("v1", "Service", "storefront", ns)).spec.selector["goship.dev/track"], "blue");
        assert.strictEqual((await stack.outputs()).release.value, "stable 1.0.0");
    });

    it("runs one canary step through its own config (shop:version 1.1.0): preview 0 → 10%, up, state read back", async () => {
        await stack.setConfig("shop:version", { value: "1.1.0" });
        const preview = await run(() => stack.preview({ diff: true }));
        assert.ok(preview.ok, preview.out);
        show("pulumi preview (canary step)", preview.out);
        assert.match(preview.out, /weight\s*:\s*0\s*=>\s*10/, "the reviewer sees the weight move");

        const up = await run(() => stack.up({ diff: true }));
        assert.ok(up.ok, up.out);
        const kube = tier().kube;
        const canary = await kube.must("networking.k8s.io/v1", "Ingress", "storefront-canary", ns);
        assert.strictEqual(canary.metadata?.annotations?.["nginx.ingress.kubernetes.io/canary-weight"], "10");
        const green = await kube.must("apps/v1", "Deployment", "storefront-green", ns);
        assert.strictEqual(green.spec.template.spec.containers[0].image, imageFor("1.1.0"));
        assert.strictEqual(green.status?.availableReplicas, 1);
        assert.strictEqual((await kube.must("v1", "Service", "storefront", ns)).spec.selector["goship.dev/track"], "blue", "stable keeps the main Service");

        // The release state as the stack stores it, and the provider it stores: goship by name.
        const exported: any = await stack.exportStack();
        const record = exported.deployment.resources.find((r: any) => r.type === "pulumi-nodejs:dynamic/goship:Release");
        assert.strictEqual(record.outputs.status, "canary 1.1.0 step 1/3: 10% · stable 1.0.0");
        assert.strictEqual(record.outputs.state.candidateVersion, "1.1.0");
        assert.strictEqual(record.outputs.state.weight, 10);
        assert.match(record.outputs.__provider, /require\("goship\/components\/[\w/-]+"\)/, "the stored provider loads goship by package name");
        assert.strictEqual((await stack.outputs()).release.value, "canary 1.1.0 step 1/3: 10% · stable 1.0.0");
    });
});
