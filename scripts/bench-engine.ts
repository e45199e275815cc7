// Benchmark: a release step's `pulumi up` against the engine's own floor, on the real-engine tier
// (test/e2e: a fresh fake-node control plane, the real CLI, language host and Kubernetes
// provider). Prints medians and the ratios of issue #16; asserts nothing.
//   npm run bench:engine -- [rounds]        (default 3; .ci/run runs 1)
// Each round runs, side by side so machine noise hits all alike:
//   - the floor: `pulumi preview` and `pulumi up` of an empty TypeScript program
//     (`export const x = 1`, as `pulumi new typescript` would give it, on the same node_modules);
//   - goship's dev stack: `pulumi preview` with nothing to change (one program run plus the
//     engine around it), a canary start's `up` (a new version at step 0: the candidate's pods
//     must turn Ready), a weight-only `up` (step 0 → 1: one annotation changes), then an
//     untimed abort so that the next round can start another version.
// Every `up` is the Automation API's (`pulumi up --yes --skip-preview`), as pulumi/actions runs a
// release step in the deploy workflow: one program run plus the update. The fake node's share of
// a canary start is read from the engine's events: from the candidate Deployment's step start to
// its outputs (the provider's create/update and readiness wait).
// Then, with the tier stopped, the two offline ratios, whole processes side by side, the
// same number of rounds: the render of prod vs a bare require('@pulumi/kubernetes'), warm and
// cold (scripts/bench-render.ts), and bench:policy vs kube-score over the same 10,000 objects
// (scripts/bench-kube-score.ts; without kube-score, bench:policy's resources/s).
//   npm run bench:engine -- [rounds] --offline-only    only those two (no tier: seconds, not minutes)
import { EngineEvent, LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { TestStack } from "../test/e2e/stack";
import { goal, median, row, sec } from "./bench-process";
import { benchPolicy, policyReport } from "./bench-kube-score";
import { benchRender, renderReport } from "./bench-render";
import { startTier, Tier } from "../test/e2e/tier";
import { ROOT } from "../test/e2e/toolchain";

const args = process.argv.slice(2);
const offlineOnly = args.includes("--offline-only");
const roundsArg = args.find((a) => !a.startsWith("--"));
const rounds = Number(roundsArg ?? 3);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`rounds must be a positive integer (got ${roundsArg})`);
/** bench:policy's size, as the goal states it (a process of ~1.5 s: CI's one round keeps it). */
const POLICY_OBJECTS = 10_000;

/** The empty program: what `pulumi new typescript` gives, with its one export. */
async function emptyStack(tier: Tier) {
    const dir = path.join(tier.work, "empty");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: empty\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n");
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "empty", main: "index.ts", devDependencies: { typescript: "*" }, dependencies: { "@pulumi/pulumi": "*" } }));
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({
        compilerOptions: { strict: true, outDir: "bin", target: "es2020", module: "commonjs", moduleResolution: "node", sourceMap: true, skipLibCheck: true },
        files: ["index.ts"],
    }));
    fs.writeFileSync(path.join(dir, "index.ts"), "export const x = 1;\n");
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    const pulumiCommand = await PulumiCommand.get({ root: tier.pulumiRoot, skipVersionCheck: false });
    return LocalWorkspace.createStack({ stackName: "empty", workDir: dir }, { pulumiCommand, envVars: tier.env, pulumiHome: tier.env.PULUMI_HOME });
}

async function timed<T>(what: string, f: () => Promise<T>): Promise<{ ms: number; value: T }> {
    const t0 = process.hrtime.bigint();
    const value = await f();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (process.env.GOSHIP_BENCH_VERBOSE) console.log(`  ${what}: ${ms.toFixed(0)} ms`);
    return { ms, value };
}

async function must<R extends { ok: boolean; stdout: string; stderr: string }>(what: string, run: Promise<R>): Promise<R> {
    const r = await run;
    if (!r.ok) throw new Error(`${what} failed:\n${r.stderr}\n${r.stdout}`);
    return r;
}

/** The longest Deployment step of a run (pre event → outputs event), in ms. */
function deploymentWaitMs(events: Array<EngineEvent & { receivedAt: number }>): number {
    let longest = 0;
    for (const pre of events) {
        const m = pre.resourcePreEvent?.metadata;
        if (!m || m.type !== "kubernetes:apps/v1:Deployment" || (m.op !== "create" && m.op !== "update")) continue;
        const done = events.find((e) => e.resOutputsEvent?.metadata.urn === m.urn);
        if (done) longest = Math.max(longest, done.receivedAt - pre.receivedAt);
    }
    return longest;
}

/** The real-engine part: prints its medians and three ratios, then stops its tier. */
async function engineBench(): Promise<void> {
    const t0 = Date.now();
    const tier = await startTier();
    const stop = async () => { await tier.stop().catch(() => undefined); };
    process.once("SIGINT", () => void stop().then(() => process.exit(130)));
    process.once("SIGTERM", () => void stop().then(() => process.exit(143)));
    try {
        console.log(`tier up in ${sec(Date.now() - t0)} (${tier.cluster}); ${rounds} round(s)`);
        const empty = await emptyStack(tier);
        const goship = await TestStack.create(tier, "bench", "dev");
        // As the e2e story's stack: with no secret at all, the provider replaces the empty Secret
        // (and with it both Deployments) on every up, which is a defect of its own, not speed.
        await goship.setSecret("apiToken", "bench-api-token");
        // Twenty 5% steps: one weight-only step per round, on the same release machinery.
        const file = path.join(goship.dir, "Pulumi.bench.yaml");
        const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"));
        doc.setIn(["config", "goship:release", "steps"], Array.from({ length: 20 }, (_, i) => 5 * (i + 1)));
        fs.writeFileSync(file, doc.toString());
        await empty.up();
        const first = await timed("goship first deploy", () => must("goship first deploy", goship.up()));
        console.log(`goship first deploy: ${sec(first.ms)} (not in the ratios)`);

        const t = { emptyPreview: [] as number[], emptyUp: [] as number[], preview: [] as number[], start: [] as number[], ready: [] as number[], weight: [] as number[] };
        for (let i = 0; i < rounds; i++) {
            t.emptyPreview.push((await timed("empty preview", () => empty.preview())).ms);
            t.preview.push((await timed("goship preview", () => must("goship preview", goship.preview()))).ms);
            t.emptyUp.push((await timed("empty up", () => empty.up())).ms);
            await goship.release(`1.${i + 1}.0`, { "release.step": 0, "release.abort": false });
            const start = await timed("canary start up", () => must("canary start up", goship.up()));
            t.start.push(start.ms);
            t.ready.push(deploymentWaitMs(start.value.events));
            await goship.set({ "release.step": 1 });
            const weight = await timed("weight-only up", () => must("weight-only up", goship.up()));
            t.weight.push(weight.ms);
            const changed = weight.value.events.filter((e) => ["create", "update", "replace", "delete"].includes(e.resourcePreEvent?.metadata.op ?? ""));
            if (i === 0) console.log(`weight-only up changes: ${changed.map((e) => e.resourcePreEvent!.metadata.urn.split("::").pop()).join(", ")}`);
            await goship.set({ "release.abort": true });
            await must("abort up", goship.up());
        }

        const m = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, median(v)])) as Record<keyof typeof t, number>;
        console.log("");
        console.log(row("empty program: pulumi preview", t.emptyPreview));
        console.log(row("empty program: pulumi up (no change)", t.emptyUp));
        console.log(row("goship dev: pulumi preview (no change)", t.preview));
        console.log(row("goship dev: weight-only up (step 0 → 1)", t.weight));
        console.log(row("goship dev: canary start up (new version)", t.start));
        console.log(row("  of which the candidate Deployment's step", t.ready));
        console.log("");
        console.log(goal("goship preview / empty preview", m.preview / m.emptyPreview, 1.5));
        console.log(goal("weight-only up / empty up", m.weight / m.emptyUp, 2));
        const budget = m.ready + 2 * m.preview;
        console.log(goal("canary start up / (Deployment step + 2 goship previews)", m.start / budget, 1));
        console.log(`  canary start ${sec(m.start)} vs budget ${sec(budget)} = ${sec(m.ready)} + 2 × ${sec(m.preview)}`);
    } finally {
        await stop();
    }
}

async function main(): Promise<void> {
    const t0 = Date.now();
    if (!offlineOnly) await engineBench();
    // After the tier has stopped, so that its control plane's CPU does not weigh on one side.
    console.log("");
    console.log(`offline render vs a bare require('@pulumi/kubernetes'), whole processes, ${rounds} round(s)`);
    for (const line of renderReport(benchRender(rounds))) console.log(line);
    console.log("");
    console.log(`bench:policy vs kube-score, whole processes, ${POLICY_OBJECTS} objects, ${rounds} round(s)`);
    for (const line of policyReport(benchPolicy(rounds, POLICY_OBJECTS))) console.log(line);
    console.log(`total ${sec(Date.now() - t0)}`);
}

main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
});
