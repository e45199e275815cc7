// The offline renderer: its pure helpers, then the real command end to end as a
// process (exit codes, files, redaction, a rehearsed 4-step canary through --state),
// with every rendered object validated against the Kubernetes OpenAPI schema.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { ROOT } from "../offline/stack-config";
import {
    diffObjects, objectFileName, parseArgs, parseValue, redact, stableOrder, UsageError,
} from "../offline/render-lib";
import { validateObject } from "./support/k8s-schema";

describe("render: helpers", () => {
    it("parses arguments and --set values like `pulumi config set --path`", () => {
        const a = parseArgs(["--stack", "dev", "--set", "release.step=2", "--set", "goship:release.abort=true", "--set", "app.greeting=hi there", "--out", "o"], ["dev", "prod"]);
        assert.deepStrictEqual(a.sets, { "goship:release.step": 2, "goship:release.abort": true, "goship:app.greeting": "hi there" });
        assert.strictEqual(a.out, "o");
        assert.deepStrictEqual(parseValue("[5,50,100]"), [5, 50, 100]);
        assert.strictEqual(parseValue("1.4.0"), "1.4.0");
    });

    it("refuses bad arguments with a usage message", () => {
        assert.throws(() => parseArgs([], ["dev"]), (e: Error) => e instanceof UsageError && /--stack is required/.test(e.message));
        assert.throws(() => parseArgs(["--stack", "qa"], ["dev", "prod"]), /unknown stack "qa"; stacks: dev, prod/);
        assert.throws(() => parseArgs(["--stack", "dev", "--set", "novalue"], ["dev"]), /--set takes key=value/);
        assert.throws(() => parseArgs(["--stack", "dev", "--bogus"], ["dev"]), /unknown argument --bogus/);
    });

    it("redacts the values at secret paths, not the fields, and orders keys stably", () => {
        const obj = { kind: "Secret", apiVersion: "v1", stringData: { API_TOKEN: "t0ken", B: "b" }, metadata: { name: "s" } };
        const r = stableOrder(redact(obj, ["stringData"]));
        assert.deepStrictEqual(Object.keys(r), ["apiVersion", "kind", "metadata", "stringData"]);
        assert.deepStrictEqual(r.stringData, { API_TOKEN: "[secret]", B: "[secret]" });
        assert.strictEqual(objectFileName(r), "secret-s.yaml");
        assert.deepStrictEqual(redact({ a: { list: ["x", { y: 1 }], s: "v" }, keep: "k" }, ["a"]), { a: { list: ["[secret]", { y: "[secret]" }], s: "[secret]" }, keep: "k" });
        assert.deepStrictEqual(redact({ a: { b: "v", c: "w" } }, ["a.b"]), { a: { b: "[secret]", c: "w" } });
        assert.strictEqual(redact("whole", [""]), "[secret]");
        // The redacted Secret is still a valid Secret (a map of strings).
        assert.deepStrictEqual(validateObject(r), []);
        assert.notDeepStrictEqual(validateObject({ ...r, stringData: "[secret]" }), []);
    });

    it("diffs objects leaf by leaf", () => {
        const d = diffObjects({ a: { w: "5", x: 1 } }, { a: { w: "20", x: 1 } });
        assert.deepStrictEqual(d, [{ path: "a.w", before: "5", after: "20" }]);
    });
});

describe("render: the command end to end", function () {
    this.timeout(180_000);
    let out: string;

    function render(...args: string[]) {
        // Exactly what `npm run render` runs.
        const r = spawnSync(process.execPath, ["-r", "sucrase/register/ts", path.join(ROOT, "scripts/render.ts"), ...args],
            { cwd: ROOT, encoding: "utf8" });
        return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    }

    before(() => {
        out = fs.mkdtempSync(path.join(os.tmpdir(), "goship-render-"));
    });
    after(() => fs.rmSync(out, { recursive: true, force: true }));

    it("renders the dev stack: one valid YAML file per object, a summary, a plan and the policy report", () => {
        const r = render("--stack", "dev", "--out", out);
        assert.strictEqual(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /stack dev: \d+ Kubernetes objects/);
        assert.match(r.stdout, /release: stable 1\.0\.0/);
        assert.match(r.stdout, /helm chart ingress-nginx 4\.14\.3/);
        assert.match(r.stdout, /polic/i);
        assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
        const dir = path.join(out, "dev");
        const files = fs.readdirSync(dir).filter((f) => f.endsWith(".yaml") && f !== "_summary.yaml");
        assert.ok(files.includes("deployment-goship-blue.yaml"));
        assert.ok(files.includes("ingress-goship-canary.yaml"));
        assert.ok(files.includes("service-goship.yaml"));
        for (const f of files) {
            const obj = YAML.parse(fs.readFileSync(path.join(dir, f), "utf8"));
            assert.deepStrictEqual(Object.keys(obj).slice(0, 3), ["apiVersion", "kind", "metadata"], f);
            const problems = validateObject(obj);
            assert.deepStrictEqual(problems, [], `${f} must match the Kubernetes OpenAPI schema`);
        }
        const summary = YAML.parse(fs.readFileSync(path.join(dir, "_summary.yaml"), "utf8"));
        assert.strictEqual(summary.helmCharts[0].version, "4.14.3");
        assert.strictEqual(summary.images[0].push, false);
        // Rendering twice gives byte-identical files (stable names and key order).
        const first = fs.readFileSync(path.join(dir, "deployment-goship-blue.yaml"), "utf8");
        assert.strictEqual(render("--stack", "dev", "--out", out).code, 0);
        assert.strictEqual(fs.readFileSync(path.join(dir, "deployment-goship-blue.yaml"), "utf8"), first);
    });

    it("redacts secrets in prod and never prints them", () => {
        const r = render("--stack", "prod", "--out", out);
        assert.strictEqual(r.code, 0, r.stdout + r.stderr);
        const secret = YAML.parse(fs.readFileSync(path.join(out, "prod", "secret-goship-secret.yaml"), "utf8"));
        assert.deepStrictEqual(secret.stringData, { API_TOKEN: "[secret]" });
        // Every prod file, secrets redacted as written, matches the OpenAPI schema.
        for (const f of fs.readdirSync(path.join(out, "prod")).filter((x) => x.endsWith(".yaml") && x !== "_summary.yaml")) {
            assert.deepStrictEqual(validateObject(YAML.parse(fs.readFileSync(path.join(out, "prod", f), "utf8"))), [], `${f} must match the Kubernetes OpenAPI schema`);
        }
        const all = fs.readdirSync(path.join(out, "prod")).map((f) => fs.readFileSync(path.join(out, "prod", f), "utf8")).join("\n");
        assert.ok(!all.includes("test-secret-apiToken") && !all.includes("test-secret-registryPassword"));
        assert.ok(!(r.stdout + r.stderr).includes("test-secret-"));
    });

    it("prod: egress is denied by default and the allows select the app's pods; spread, pull policy and disk are set", () => {
        const dir = path.join(out, "prod");
        assert.ok(fs.existsSync(dir), "rendered by the previous test");
        const read = (f: string) => YAML.parse(fs.readFileSync(path.join(dir, f), "utf8"));
        const tracks = ["deployment-goship-blue.yaml", "deployment-goship-green.yaml"].map(read);
        const egress = fs.readdirSync(dir).filter((f) => f.startsWith("networkpolicy-")).map(read).filter((p) => p.spec.policyTypes.includes("Egress"));
        assert.deepStrictEqual(egress.map((p) => p.metadata.name).sort(), ["allow-egress-dns", "default-deny-egress"]);
        for (const p of egress) {
            for (const d of tracks) {
                const labels = d.spec.template.metadata.labels;
                assert.ok(Object.entries(p.spec.podSelector.matchLabels ?? {}).every(([k, v]) => labels[k] === v), `${p.metadata.name} selects the pods of ${d.metadata.name}`);
            }
            assert.ok(p.metadata.annotations["goship.dev/purpose"], `${p.metadata.name} says why it exists`);
        }
        for (const d of tracks) {
            const pod = d.spec.template.spec;
            assert.strictEqual(pod.containers[0].imagePullPolicy, "Always");
            assert.ok(pod.containers[0].resources.limits["ephemeral-storage"]);
            assert.deepStrictEqual(pod.topologySpreadConstraints.map((c: any) => c.whenUnsatisfiable), ["DoNotSchedule", "ScheduleAnyway"]);
        }
    });

    it("rehearses a 4-step canary through --state, then refuses a jump with exit 2", () => {
        const dir = path.join(out, "rehearsal");
        const state = path.join(dir, "dev", "state.json");
        assert.strictEqual(render("--stack", "dev", "--out", dir).code, 0);
        const steps: Array<[string[], RegExp]> = [
            [["--set", "version=1.1.0", "--set", "release.step=0"], /weight 0% → 5%/],
            [["--set", "version=1.1.0", "--set", "release.step=1"], /weight 5% → 20%/],
            [["--set", "version=1.1.0", "--set", "release.step=2"], /weight 20% → 50%/],
            [["--set", "version=1.1.0", "--set", "release.step=3"], /stable track blue → green/],
        ];
        for (const [sets, expected] of steps) {
            const r = render("--stack", "dev", "--out", dir, "--state", state, ...sets);
            assert.strictEqual(r.code, 0, r.stdout + r.stderr);
            assert.match(r.stdout, expected);
            assert.match(r.stdout, /objects that change:/);
        }
        const last = render("--stack", "dev", "--out", dir, "--state", state, "--set", "version=1.1.0", "--set", "release.step=3");
        assert.match(last.stdout, /transition: none/);
        // A new rollout, then a jump: refused, exit 2, message only.
        assert.strictEqual(render("--stack", "dev", "--out", dir, "--state", state, "--set", "version=1.2.0", "--set", "release.step=0").code, 0);
        const jump = render("--stack", "dev", "--out", dir, "--state", state, "--set", "version=1.2.0", "--set", "release.step=2");
        assert.strictEqual(jump.code, 2, jump.stdout + jump.stderr);
        assert.match(jump.stderr, /refused: .*release 1\.2\.0 is at step/);
        assert.doesNotMatch(jump.stderr, /\n\s+at /);
    });

    it("refuses a blue/green scale-down inside its delay with exit 2 and the sentence, no stack trace", () => {
        const dir = path.join(out, "blue-green");
        const state = path.join(dir, "prod", "state.json");
        const bg = ["--set", "release.strategy=blueGreen"];
        assert.strictEqual(render("--stack", "prod", "--out", dir, ...bg).code, 0);
        for (const step of [0, 1]) {
            const r = render("--stack", "prod", "--out", dir, "--state", state, ...bg, "--set", "version=1.1.0", "--set", `release.step=${step}`);
            assert.strictEqual(r.code, 0, r.stdout + r.stderr);
        }
        const early = render("--stack", "prod", "--out", dir, "--state", state, ...bg, "--set", "version=1.1.0", "--set", "release.step=2");
        assert.strictEqual(early.code, 2, early.stdout + early.stderr);
        assert.match(early.stderr, /^refused: .*scale/m);
        assert.doesNotMatch(early.stderr, /\n\s+at /);
    });

    it("deploys a prebuilt image (image.ref): no build in the summary, the ref in every track", () => {
        const dir = path.join(out, "prebuilt");
        const ref = `registry.example.com/acme/goship@sha256:${"3f".repeat(32)}`;
        const r = render("--stack", "prod", "--out", dir, "--set", `image.ref=${ref}`);
        assert.strictEqual(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, new RegExp(`image ${ref.replace(/[.]/g, "\\.")} \\(prebuilt: goship:image.ref, nothing built\\)`));
        assert.deepStrictEqual(YAML.parse(fs.readFileSync(path.join(dir, "prod", "_summary.yaml"), "utf8")).images ?? [], []);
        const blue = YAML.parse(fs.readFileSync(path.join(dir, "prod", "deployment-goship-blue.yaml"), "utf8"));
        assert.strictEqual(blue.spec.template.spec.containers[0].image, ref);
    });

    it("rehearses a prod (autoscaled) step through --state: the live read has no cluster and reads empty", () => {
        const dir = path.join(out, "prod-rehearsal");
        assert.strictEqual(render("--stack", "prod", "--out", dir).code, 0);
        const r = render("--stack", "prod", "--out", dir, "--state", path.join(dir, "prod", "state.json"), "--set", "version=1.1.0", "--set", "release.step=0");
        assert.strictEqual(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /weight 0% → 5%/);
    });

    it("exits 2 with the config error for bad config, and 1 for a mandatory policy violation", () => {
        const bad = render("--stack", "dev", "--out", out, "--set", "autoscaling.maxReplicas=0");
        assert.strictEqual(bad.code, 2);
        assert.match(bad.stderr, /goship:autoscaling\.maxReplicas must be an integer in \[1, 1000\], got 0/);
        assert.doesNotMatch(bad.stderr, /\n\s+at /);
        // `latest` as image repository tag is refused by config; pin replicas to 1 in prod instead,
        // which the prod policy config makes mandatory to fix.
        const pol = render("--stack", "prod", "--out", out, "--set", "autoscaling.enabled=false", "--set", "replicas=1");
        assert.strictEqual(pol.code, 1, pol.stdout + pol.stderr);
        assert.match(pol.stdout, /mandatory/i);
        // Each production gap, reintroduced through config, is a mandatory violation in prod.
        const gaps = render("--stack", "prod", "--out", out, "--set", "spread.nodes=off", "--set", "egress.enabled=false");
        assert.strictEqual(gaps.code, 1, gaps.stdout + gaps.stderr);
        assert.match(gaps.stdout, /mandatory:[\s\S]*\[workload-spread\] Deployment goship-blue is autoscaled but does not spread its pods across nodes/);
        assert.match(gaps.stdout, /\[egress-controlled\] Deployment goship-blue: no NetworkPolicy restricts the egress/);
    });
});
