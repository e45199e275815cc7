// goship as a package, the way another program gets it: `npm pack` here, `npm install` of the
// tarball in a fresh project outside this repository, the README's example program type-checked
// by that project's own tsc (pulumi new's tsconfig) and run under the mock runtime of that
// project's own @pulumi/pulumi, then the release provider the SDK stored in the state loaded by
// the real dynamic-provider host started in that project (the host the engine starts there).
import * as assert from "assert";
import { ChildProcess, execFileSync, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as readline from "readline";
import * as YAML from "yaml";
import { Consumer, CONSUMER_PROJECT, createConsumer, Packed, packRepo, readmeConsumer, ROOT } from "./support/consumer";

const grpc = require("@grpc/grpc-js");
const providerGrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const providerPb = require("@pulumi/pulumi/proto/provider_pb");
const { Struct } = require("google-protobuf/google/protobuf/struct_pb");

interface MockRun {
    resources: Array<{ type: string; name: string; inputs: any }>;
    outputs: Record<string, any>;
    release: { provider: string; outputs: any; changed?: boolean };
}

const K = {
    Namespace: "kubernetes:core/v1:Namespace",
    Deployment: "kubernetes:apps/v1:Deployment",
    Ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    HPA: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
};

describe("goship as an installed package (npm pack → npm install → a program of its own)", function () {
    this.timeout(240_000);
    let work: string;
    let packed: Packed;
    let consumer: Consumer;
    /** The consumer's stack config: its own `shop:` keys, from the README's Pulumi.dev.yaml. */
    let config: Record<string, string>;

    before(() => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "goship-pack-"));
        packed = packRepo(work);
        consumer = createConsumer(packed.tarball);
        config = Object.fromEntries(Object.entries(YAML.parse(readmeConsumer().yaml).config).map(([k, v]) => [k, String(v)]));
    });
    after(() => {
        for (const d of [work, consumer?.dir]) if (d) fs.rmSync(d, { recursive: true, force: true });
    });

    /** Runs the consumer's compiled program once under its own SDK's mocks (a child process). */
    function mockRun(overrides: Record<string, string>, stored?: any): MockRun {
        const out = path.join(consumer.dir, `run-${Date.now()}.json`);
        const r = spawnSync(process.execPath, [
            "-r", require.resolve("ts-node/register/transpile-only"), path.join(ROOT, "test/support/consumer-mock-run.ts"),
        ], {
            cwd: consumer.dir, encoding: "utf8", timeout: 60_000,
            env: {
                ...process.env, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json"),
                GOSHIP_CONSUMER_RUN: JSON.stringify({ project: CONSUMER_PROJECT, stack: "dev", config: { ...config, ...overrides }, stored, out }),
            },
        });
        assert.strictEqual(r.status, 0, `the consumer's program failed under mocks:\n${r.stderr}`);
        return JSON.parse(fs.readFileSync(out, "utf8"));
    }
    const one = (run: MockRun, type: string, name: string) => {
        const found = run.resources.filter((r) => r.type === type && r.inputs?.metadata?.name === name);
        assert.strictEqual(found.length, 1, `one ${type} ${name} (have ${run.resources.filter((r) => r.type === type).map((r) => r.inputs?.metadata?.name)})`);
        return found[0].inputs;
    };

    it("packs only what a consumer needs: built JS and .d.ts of every component module, package.json, README", () => {
        const paths = packed.files.map((f) => f.path).sort();
        // dist/cli: the `goship` command (package.json bin), compiled like the components.
        const unexpected = paths.filter((p) => !/^(package\.json|README\.md|dist\/(components|cli)\/.+\.(js|d\.ts)|node_modules\/@pulumi\/kubernetesx\/.+)$/.test(p));
        assert.deepStrictEqual(unexpected, [], "no sources, tests, stacks, Go service or policy pack in the tarball");
        // Every module under components/ and cli/ (wherever it moves) ships as JS with its declarations.
        const modules = (dir: string): string[] => !fs.existsSync(path.join(ROOT, dir)) ? [] : fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
            e.isDirectory() ? modules(path.join(dir, e.name)) : e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [path.join(dir, e.name)] : []);
        for (const m of [...modules("components"), ...modules("cli")]) {
            for (const ext of [".js", ".d.ts"]) {
                const built = path.join("dist", m.replace(/\.ts$/, ext));
                assert.ok(paths.includes(built), `${built} is in the tarball`);
            }
        }
        assert.deepStrictEqual(packed.bundled, ["@pulumi/kubernetesx"], "kubernetesx travels inside (its peer range predates @pulumi/kubernetes 4)");
    });

    it("states its packed size and file count in the README (within 25%)", () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        const m = /npm pack --dry-run` lists (\d+) files: ([\d.]+) kB packed, ([\d.]+) kB unpacked/.exec(readme);
        assert.ok(m, "the README states the tarball's file count and sizes");
        const near = (stated: number, actual: number, what: string) =>
            assert.ok(Math.abs(stated - actual) <= 0.25 * actual, `README says ${stated} ${what}, npm pack says ${actual}`);
        const listed = execFileSync("tar", ["tzf", packed.tarball], { encoding: "utf8" }).split("\n").filter((l) => l && !l.endsWith("/"));
        near(Number(m![1]), listed.length, "files");
        near(Number(m![2]), packed.size / 1000, "kB packed");
        near(Number(m![3]), packed.unpackedSize / 1000, "kB unpacked");
    });

    it("declares peers, not copies, of the Pulumi SDKs (one SDK instance per program)", () => {
        const installed = JSON.parse(fs.readFileSync(path.join(consumer.dir, "node_modules/goship/package.json"), "utf8"));
        assert.deepStrictEqual(Object.keys(installed.peerDependencies).sort(), ["@pulumi/docker", "@pulumi/kubernetes", "@pulumi/pulumi"]);
        assert.strictEqual(installed.peerDependenciesMeta["@pulumi/docker"].optional, true);
        assert.ok(!fs.existsSync(path.join(consumer.dir, "node_modules/goship/node_modules/@pulumi/pulumi")), "no nested @pulumi/pulumi");
        assert.ok(!fs.existsSync(path.join(consumer.dir, "node_modules/@pulumi/docker")), "docker is optional: not installed for a prebuilt image");
    });

    it("type-checks the README's program against the installed declarations (pulumi new's tsconfig: strict, no skipLibCheck)", () => {
        const r = spawnSync(process.execPath, [path.join(consumer.dir, "node_modules/typescript/bin/tsc"), "-p", "."], { cwd: consumer.dir, encoding: "utf8" });
        assert.strictEqual(r.status, 0, r.stdout + r.stderr);
        assert.ok(fs.existsSync(path.join(consumer.dir, "bin/index.js")));
    });

    it("imports by name from an ES module program too (the CommonJS build's named exports are detected)", () => {
        const r = spawnSync(process.execPath, ["--input-type=module", "-e",
            "import { AppNamespace, Autoscaler, GoWorkload, Release } from 'goship/components'; " +
            "console.log([AppNamespace, Autoscaler, GoWorkload, Release].map((c) => c.name).join(' '));"], { cwd: consumer.dir, encoding: "utf8" });
        assert.strictEqual(r.status, 0, r.stderr);
        assert.strictEqual(r.stdout.trim(), "AppNamespace Autoscaler GoWorkload Release");
    });

    it("installs a working `goship` command (package.json bin → dist/cli, compiled like the components)", () => {
        const bin = path.join(consumer.dir, "node_modules/.bin/goship");
        assert.ok(fs.existsSync(bin), "npm linked the bin");
        const r = spawnSync(bin, ["--help"], { cwd: consumer.dir, encoding: "utf8" });
        assert.strictEqual(r.status, 0, r.stderr);
        assert.match(r.stdout, /^Usage: goship <command>/m);
    });

    let first: MockRun;
    it("runs under the mock runtime from its own node_modules: AppNamespace, Release, GoWorkload, Autoscaler with its own names", () => {
        first = mockRun({});
        const types = new Set(first.resources.map((r) => r.type));
        for (const t of ["goship:index:AppNamespace", "goship:index:Release", "goship:index:GoWorkload", "goship:index:Autoscaler"]) {
            assert.ok(types.has(t), `${t} registered`);
        }
        assert.strictEqual(one(first, K.Namespace, "shop-dev").metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
        const blue = one(first, K.Deployment, "storefront-blue");
        assert.strictEqual(blue.metadata.namespace, "shop-dev");
        assert.strictEqual(blue.spec.replicas, 2);
        assert.strictEqual(blue.spec.template.spec.containers[0].image, `${config["shop:image"]}:${config["shop:version"]}`);
        assert.strictEqual(one(first, K.Deployment, "storefront-green").spec.replicas, 0);
        const worker = one(first, K.Deployment, "worker-main");
        assert.ok(!("replicas" in worker.spec), "the worker's replicas are the HPA's");
        assert.strictEqual(one(first, K.HPA, "worker").spec.scaleTargetRef.name, "worker-main");
        assert.strictEqual(first.outputs.release, `stable ${config["shop:version"]}`);
        assert.strictEqual(first.release.outputs.state.phase, "Stable");
    });

    it("runs one canary step through its own config: a new shop:version, then shop:canaryStep", () => {
        const started = mockRun({ "shop:version": "1.1.0" }, first.release.outputs);
        assert.strictEqual(started.outputs.release, "canary 1.1.0 step 1/3: 10% · stable 1.0.0");
        const canary = one(started, K.Ingress, "storefront-canary").metadata.annotations;
        assert.strictEqual(canary["nginx.ingress.kubernetes.io/canary-weight"], "10");
        const green = one(started, K.Deployment, "storefront-green");
        assert.strictEqual(green.spec.template.spec.containers[0].image, `${config["shop:image"]}:1.1.0`);
        assert.strictEqual(green.spec.replicas, 1);

        const advanced = mockRun({ "shop:version": "1.1.0", "shop:canaryStep": "1" }, started.release.outputs);
        assert.strictEqual(advanced.release.changed, true);
        assert.strictEqual(advanced.outputs.release, "canary 1.1.0 step 2/3: 50% · stable 1.0.0");
        assert.strictEqual(one(advanced, K.Ingress, "storefront-canary").metadata.annotations["nginx.ingress.kubernetes.io/canary-weight"], "50");
    });

    describe("the release provider stored in the consumer's state", () => {
        const hosts: ChildProcess[] = [];
        after(() => { for (const h of hosts) h.kill("SIGKILL"); });

        /** The engine's dynamic-provider host from the consumer's @pulumi/pulumi, started in `cwd`. */
        async function startHost(cwd: string): Promise<any> {
            const bin = path.join(consumer.dir, "node_modules/@pulumi/pulumi/cmd/dynamic-provider");
            const host = spawn(process.execPath, [bin, "127.0.0.1:1"], { cwd, stdio: ["ignore", "pipe", "pipe"] });
            hosts.push(host);
            const port = await new Promise<string>((resolve, reject) => {
                const timer = setTimeout(() => reject(new Error("the provider host did not print its port")), 30_000);
                readline.createInterface({ input: host.stdout! }).once("line", (l) => { clearTimeout(timer); resolve(l.trim()); });
            });
            return new providerGrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        }
        function check(client: any, olds: any, news: any): Promise<{ inputs?: any; failures: string[] }> {
            const req = new providerPb.CheckRequest();
            req.setUrn(`urn:pulumi:dev::${CONSUMER_PROJECT}::goship:index:Release$pulumi-nodejs:dynamic/goship:Release::storefront-release`);
            req.setOlds(Struct.fromJavaScript(olds));
            req.setNews(Struct.fromJavaScript(news));
            return new Promise((resolve, reject) => client.check(req, (err: Error | null, res: any) => (err ? reject(err) : resolve({
                inputs: res.getInputs()?.toJavaScript(), failures: res.getFailuresList().map((f: any) => f.getReason()),
            }))));
        }
        const news = () => {
            const { state, trackImages, roles, status, lastTransition, ...inputs } = first.release.outputs;
            return { ...inputs, desired: { ...inputs.desired, version: "1.1.0" }, imageRef: "goship:1.1.0", __provider: first.release.provider };
        };

        it("refers to goship by package name (not by value), through an exported path", () => {
            const requires = [...first.release.provider.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
            assert.ok(requires.length > 0 && requires.every((r) => r === "@pulumi/pulumi" || r.startsWith("goship/components/")), requires.join(", "));
            for (const r of requires.filter((x) => x.startsWith("goship/"))) {
                assert.doesNotThrow(() => require.resolve(r, { paths: [consumer.dir] }), `${r} resolves in the consumer`);
            }
        });

        it("loads and runs in the real provider host started in the consumer's directory", async () => {
            const client = await startHost(consumer.dir);
            try {
                const r = await check(client, first.release.outputs, news());
                assert.deepStrictEqual(r.failures, []);
                assert.strictEqual(r.inputs.status, "canary 1.1.0 step 1/3: 10% · stable 1.0.0");
            } finally {
                client.close();
            }
        });

        it("needs goship in the consumer's node_modules: a host started elsewhere cannot load it", async () => {
            const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "goship-nowhere-"));
            const client = await startHost(elsewhere);
            try {
                await assert.rejects(check(client, first.release.outputs, news()), /Cannot find module 'goship\/components\//);
            } finally {
                client.close();
                fs.rmSync(elsewhere, { recursive: true, force: true });
            }
        });
    });
});
