// Scenario 15: the `goship` command (cli/) on the real engine, run as a user runs it (from
// source, as `npm run goship` does) in the project folder, with the tier's environment (backend, PULUMI_HOME, passphrase,
// its pulumi on PATH). Its own dev stack: status after the first deploy and mid-canary,
// with release.analysis the candidate's and stable's values now and a gate refusal at preview
// that puts the file back, `next` making the edit (comments kept) and previewing 5% → 20% without applying it,
// `next --up` applying it, a refused move leaving the file byte for byte, `abort --json`,
// `retry`, `next` up to the promotion and `rollback` with --up, a blue/green switch saved as
// a plan by `next --save-plan` and applied by `up --plan`, and its switch back by `rollback`,
// and bad input (unknown stack, a stack without a release) as one line with exit 2.
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { tier } from "../hooks";
import { TestStack } from "../stack";
import { canaryWeight, mainSelectorTrack } from "../story";
import { ROOT } from "../toolchain";
import { load, startGoship, startPrometheus, stopAll } from "../../support/processes";

const BIN = path.join(ROOT, "cli", "goship.ts");
const SUCRASE = require.resolve("sucrase/register/ts");

interface Result { code: number | null; stdout: string; stderr: string; ms: number }

/** Runs the bin asynchronously: the harness's ingress-status stand-in runs in this process. */
function goship(stack: TestStack, args: string[]): Promise<Result> {
    const t0 = Date.now();
    return new Promise((resolve, reject) => {
        const p = spawn(process.execPath, ["-r", SUCRASE, BIN, ...args], { cwd: stack.dir, env: { ...process.env, ...tier().env } });
        let stdout = "";
        let stderr = "";
        p.stdout.on("data", (d) => (stdout += d));
        p.stderr.on("data", (d) => (stderr += d));
        p.on("error", reject);
        p.on("close", (code) => resolve({ code, stdout, stderr, ms: Date.now() - t0 }));
    });
}

/** GOSHIP_E2E_RECORD=<dir> saves the stack's export there: how test/fixtures/cli-*.export.json were made. */
async function record(stack: TestStack, name: string): Promise<void> {
    const dir = process.env.GOSHIP_E2E_RECORD;
    if (dir) fs.writeFileSync(path.join(dir, `cli-${name}.export.json`), await stack.exportText());
}

const show = (r: Result) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
const comments = (text: string) => text.split("\n").filter((l) => /^\s*#/.test(l));

describe("e2e 15: the goship command", () => {
    let stack: TestStack;
    let file: string;
    const timings: Record<string, number> = {};
    const run = async (label: string, args: string[]) => {
        const r = await goship(stack, args);
        timings[label] = r.ms;
        if (process.env.GOSHIP_E2E_VERBOSE) console.log(`$ goship ${args.join(" ")}\n${r.stdout}${r.stderr}`);
        return r;
    };

    before(async function () {
        this.timeout(600_000);
        stack = await TestStack.create(tier(), "cli", "dev");
        file = path.join(stack.dir, "Pulumi.cli.yaml");
        const up = await stack.up();
        assert.ok(up.ok, up.stderr + up.stdout);
    });

    after(() => {
        console.log(`    goship wall times (ms): ${JSON.stringify(timings)}`);
    });

    it("status after the first deploy: stable 1.0.0, one deploy event, no rollout move allowed", async () => {
        const r = await run("status stable", ["status", "-s", "cli"]);
        assert.strictEqual(r.code, 0, show(r));
        const lines = r.stdout.split("\n");
        assert.strictEqual(lines[0], "cli: stable 1.0.0");
        assert.match(r.stdout, /phase\s+Stable \(canary, steps 5 → 20 → 50 → 100\)/);
        assert.match(r.stdout, /^\s+blue\s+stable\s+1\.0\.0\s+goship:1\.0\.0$/m);
        assert.match(r.stdout, /^\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+deploy\s+· → 1\.0\.0\s+0%$/m);
        assert.match(r.stdout, /none of next, abort, retry, rollback/);
        assert.match(r.stdout, /a new release: pulumi config set version <new version> -s cli/);
        assert.match(r.stderr, /goship: reading stack cli/, "progress goes to stderr");
    });

    it("next with nothing in progress is refused: exit 2, one line, the file unchanged", async () => {
        const before = fs.readFileSync(file, "utf8");
        const r = await run("next refused", ["next", "-s", "cli"]);
        assert.strictEqual(r.code, 2, show(r));
        assert.strictEqual(r.stdout, "");
        const errLines = r.stderr.split("\n").filter((l) => l && !l.startsWith("goship: reading"));
        assert.deepStrictEqual(errLines, ["goship: goship next: nothing is in progress (stable 1.0.0): start a release with `pulumi config set version <new version>` and `pulumi config set --path release.step 0`"]);
        assert.strictEqual(fs.readFileSync(file, "utf8"), before);
    });

    it("mid-canary: status shows the status line, tracks, images, history and the moves with their edits", async () => {
        await stack.release("1.1.0", { "release.step": 0 });
        const up = await stack.up();
        assert.ok(up.ok, up.stderr + up.stdout);
        await record(stack, "canary");
        const r = await run("status canary", ["status", "-s", "cli"]);
        assert.strictEqual(r.code, 0, show(r));
        if (!process.env.GOSHIP_E2E_VERBOSE) console.log(r.stdout.replace(/^/gm, "      "));
        assert.strictEqual(r.stdout.split("\n")[0], "cli: canary 1.1.0 step 1/4: 5% · stable 1.0.0");
        assert.match(r.stdout, /^\s+green\s+candidate\s+1\.1\.0\s+goship:1\.1\.0$/m);
        assert.match(r.stdout, /^\s+\S+ \S+\s+start\s+1\.0\.0 → 1\.1\.0\s+5%$/m);
        assert.match(r.stdout, /goship next -s cli: advance 1\.1\.0: weight 5% → 20%\n\s+pulumi config set --path release\.step 1 -s cli/);
        assert.match(r.stdout, /goship abort -s cli: abort 1\.1\.0: weight 5% → 0%, green scaled down\n\s+pulumi config set --path release\.abort true -s cli/);
        assert.doesNotMatch(r.stdout, /goship (retry|rollback) -s cli/, "retry and rollback are not allowed mid-canary");
    });

    it("a refused move (rollback mid-canary) changes no file and says what the release says", async () => {
        const before = fs.readFileSync(file, "utf8");
        const r = await run("rollback refused", ["rollback", "-s", "cli"]);
        assert.strictEqual(r.code, 2, show(r));
        assert.match(r.stderr, /^goship: goship:release: release 1\.1\.0 is at step 0\/4 \(5%\); goship:version 1\.0\.0 cannot start while 1\.1\.0 is in progress; next allowed: step 1 \(20%\), or abort: true$/m);
        assert.strictEqual(fs.readFileSync(file, "utf8"), before, "byte for byte");
    });

    it("with release.analysis: status measures candidate and stable now; a move the gate refuses at preview puts the file back, exit 2", async () => {
        // Two real instances of the app (versions 1.0.0 and 1.1.0) scraped by a real Prometheus on 127.0.0.1.
        try {
            const apps = await Promise.all([startGoship({ VERSION: "1.0.0" }), startGoship({ VERSION: "1.1.0" })]);
            const prometheusUrl = await startPrometheus(apps.map((a) => a.addr));
            await Promise.all(apps.map((a) => load(`http://${a.addr}/`, 8, 4, 0.2)));
            await new Promise((r) => setTimeout(r, 2500));
            await Promise.all(apps.map((a) => load(`http://${a.addr}/`, 200, 4, 2)));
            await new Promise((r) => setTimeout(r, 2500));
            // Every p99 is above 0 s: the gate fails whatever the machine's speed (and however few requests a busy one sent).
            await stack.set({
                "release.analysis.prometheusUrl": prometheusUrl, "release.analysis.window": "30s",
                "release.analysis.maxP99Seconds": 0, "release.analysis.minRequests": 0,
            });

            const st = await run("status analysis", ["status", "-s", "cli"]);
            assert.strictEqual(st.code, 0, show(st));
            assert.match(st.stdout, new RegExp(`^analysis now \\(${prometheusUrl.replace(/\./g, "\\.")}, window 30s\\)$`, "m"));
            assert.match(st.stdout, /^  candidate  1\.1\.0  fail · success 1\.000 · p99 0\.\d{3}s · \d+ req$/m, st.stdout);
            assert.match(st.stdout, /^  stable     1\.0\.0  fail · success 1\.000 · p99 0\.\d{3}s · \d+ req$/m, st.stdout);
            assert.match(st.stdout, /^  candidate: analysis of 1\.1\.0 over 30s: p99 latency above the maximum: /m);

            const before = fs.readFileSync(file, "utf8");
            const r = await run("next gated", ["next", "-s", "cli"]);
            assert.strictEqual(r.code, 2, show(r));
            assert.match(r.stderr.trim().split("\n").pop()!, /^goship: goship:release: release 1\.1\.0 is at step 0\/4 \(5%\); analysis failed: analysis of 1\.1\.0 over 30s: p99 latency above the maximum: .*; next allowed: step 1 \(20%\), or abort: true$/);
            assert.match(r.stdout, /Pulumi\.cli\.yaml restored: the preview failed, nothing to review/);
            assert.match(r.stdout, /^preview failed: nothing was applied$/m);
            assert.strictEqual(fs.readFileSync(file, "utf8"), before, "byte for byte");
        } finally {
            stopAll();
            await stack.remove("release.analysis");
        }
    });

    it("next edits release.step (comments and the rest of the file kept) and previews 5% → 20% without applying it", async () => {
        const before = fs.readFileSync(file, "utf8");
        const record = JSON.stringify(await stack.releaseRecord());
        const r = await run("next preview", ["next", "-s", "cli"]);
        assert.strictEqual(r.code, 0, show(r));
        const after = fs.readFileSync(file, "utf8");
        assert.deepStrictEqual(comments(after), comments(before), "every comment survives");
        assert.ok(comments(before).length >= 2);
        const changed = before.split("\n").map((l, i) => [l, after.split("\n")[i]]).filter(([a, b]) => a !== b);
        assert.deepStrictEqual(changed, [["    step: 0", "    step: 1"]], "one line changed");
        assert.match(r.stdout, /^goship next -s cli: advance 1\.1\.0: weight 5% → 20%$/m);
        assert.match(r.stdout, /^release: advance 1\.1\.0: weight 5% → 20%$/m);
        assert.match(r.stdout, /^status:  canary 1\.1\.0 step 1\/4: 5% · stable 1\.0\.0 → canary 1\.1\.0 step 2\/4: 20% · stable 1\.0\.0$/m);
        assert.match(r.stdout, /^preview: (\d+ to (create|update|replace|delete), )*\d+ unchanged$/m);
        assert.match(r.stdout, /^preview: .*\b2 to update\b/m, "the release and its canary Ingress");
        assert.match(r.stdout, /^\s+update\s+goship-canary \(kubernetes:networking\.k8s\.io\/v1:Ingress\)/m);
        assert.match(r.stderr, /goship: pulumi preview --stack cli/);
        assert.strictEqual(JSON.stringify(await stack.releaseRecord()), record, "a preview applies nothing");
        assert.strictEqual(await canaryWeight(stack), "5");
    });

    it("next --up on dev: the edit is already there, the up moves the API server to 20%", async () => {
        const r = await run("next --up", ["next", "-s", "cli", "--up"]);
        assert.strictEqual(r.code, 0, show(r));
        assert.match(r.stdout, /^applied: canary 1\.1\.0 step 2\/4: 20% · stable 1\.0\.0$/m);
        assert.strictEqual(await canaryWeight(stack), "20");
        assert.strictEqual((await stack.releaseRecord()).state.weight, 20);
    });

    it("abort --json --up: one JSON document on stdout; the release is aborted and status says so", async () => {
        const r = await run("abort --json --up", ["abort", "-s", "cli", "--json", "--up"]);
        assert.strictEqual(r.code, 0, show(r));
        const doc = JSON.parse(r.stdout);
        assert.strictEqual(doc.ok, true);
        assert.deepStrictEqual(doc.move.edits, [{ key: "release.abort", value: "true", from: "false", command: "pulumi config set --path release.abort true -s cli" }]);
        assert.strictEqual(doc.run.kind, "up");
        assert.strictEqual(doc.run.release.weightBefore, 20);
        assert.strictEqual(doc.run.release.weightAfter, 0);
        assert.strictEqual(await canaryWeight(stack), "0");
        await record(stack, "aborted");
        const s = await run("status --json", ["status", "-s", "cli", "--json"]);
        assert.strictEqual(s.code, 0, show(s));
        const st = JSON.parse(s.stdout);
        assert.strictEqual(st.phase, "Aborted");
        assert.deepStrictEqual(st.history.map((h: any) => h.event), ["deploy", "start", "advance", "abort"]);
        assert.ok(st.history.every((h: any) => /^\d{4}-/.test(h.at)), "every event has its time");
        const retry = st.moves.find((m: any) => m.name === "retry");
        assert.deepStrictEqual(retry.edits.map((e: any) => e.command), ["pulumi config set --path release.step 0 -s cli", "pulumi config set --path release.abort false -s cli"]);
    });

    it("retry, next up to the promotion, then rollback: each move through goship --up moves the API server", async () => {
        const applied = async (move: string, status: RegExp) => {
            const r = await run(`${move} --up`, [move, "-s", "cli", "--up"]);
            assert.strictEqual(r.code, 0, show(r));
            assert.match(r.stdout, status);
        };
        await applied("retry", /^applied: canary 1\.1\.0 step 1\/4: 5% · stable 1\.0\.0$/m);
        assert.strictEqual(await canaryWeight(stack), "5");
        await applied("next", /^applied: canary 1\.1\.0 step 2\/4: 20% · stable 1\.0\.0$/m);
        await applied("next", /^applied: canary 1\.1\.0 step 3\/4: 50% · stable 1\.0\.0$/m);
        assert.strictEqual(await canaryWeight(stack), "50");
        await applied("next", /^applied: stable 1\.1\.0$/m);
        assert.strictEqual(await mainSelectorTrack(stack), "green", "the promoted track serves");
        await applied("rollback", /^applied: stable 1\.0\.0$/m);
        assert.strictEqual(await mainSelectorTrack(stack), "blue", "the rollback serves 1.0.0 from the track that still has it");
        const st = (await stack.releaseRecord()).state;
        assert.deepStrictEqual([st.phase, st.stableVersion], ["Stable", "1.0.0"]);
        assert.deepStrictEqual(st.history.map((h: any) => h.event).slice(-5), ["retry", "advance", "advance", "promote", "rollback"]);
    });

    it("blue/green through goship: next --save-plan, then up --plan switches; rollback switches back at once", async () => {
        await stack.remove("release.match"); // header routing is a canary's
        await stack.set({ "release.strategy": "blueGreen" });
        await stack.release("1.2.0", { "release.step": 0 });
        const up = await stack.up();
        assert.ok(up.ok, up.stderr + up.stdout);
        const preview = await run("status blueGreen", ["status", "-s", "cli"]);
        assert.strictEqual(preview.stdout.split("\n")[0], "cli: blueGreen 1.2.0 preview · stable 1.0.0");
        // The reviewed way: goship saves the preview as a plan, and the up applies exactly it.
        const plan = path.join(stack.dir, "switch.plan.json");
        const next = await run("next --save-plan (switch)", ["next", "-s", "cli", "--save-plan", plan]);
        assert.strictEqual(next.code, 0, show(next));
        assert.match(next.stdout, new RegExp(`^plan saved: ${plan.replace(/[.]/g, "\\.")}$`, "m"));
        assert.match(next.stdout, /`pulumi up -s cli --plan .*switch\.plan\.json` applies exactly it$/m);
        assert.strictEqual(await mainSelectorTrack(stack), "blue", "a saved plan applies nothing");
        const applied = await stack.up({ plan });
        assert.ok(applied.ok, applied.stderr + applied.stdout);
        assert.strictEqual((await stack.releaseRecord()).state.phase, "Switched");
        assert.strictEqual(await mainSelectorTrack(stack), "green");
        const back = await run("rollback --up (switch back)", ["rollback", "-s", "cli", "--up"]);
        assert.strictEqual(back.code, 0, show(back));
        assert.match(back.stdout, /^applied: stable 1\.0\.0$/m);
        assert.strictEqual(await mainSelectorTrack(stack), "blue", "the warm colour serves again");
    });

    it("bad input: an unknown stack and a stack without a release are one line, exit 2", async () => {
        const unknown = await run("unknown stack", ["status", "-s", "nope"]);
        assert.strictEqual(unknown.code, 2, show(unknown));
        const last = unknown.stderr.trim().split("\n").pop();
        assert.match(last!, /^goship: stack "nope" not found in this project's backend \(stacks: .*\bcli\b.*\): pass one of them with -s$/);
        assert.doesNotMatch(unknown.stderr, /^\s+at /m, "no stack trace");

        const empty = await TestStack.create(tier(), "cli-empty", "dev");
        const before = fs.readFileSync(path.join(empty.dir, "Pulumi.cli-empty.yaml"), "utf8");
        const none = await run("no release", ["abort", "-s", "cli-empty", "--json"]);
        assert.strictEqual(none.code, 2, show(none));
        assert.deepStrictEqual(JSON.parse(none.stdout), {
            ok: false, exitCode: 2,
            error: "stack cli-empty has no goship release (it has never been deployed): deploy it once with `pulumi up --stack cli-empty`, or pick another stack with -s",
        });
        assert.strictEqual(fs.readFileSync(path.join(empty.dir, "Pulumi.cli-empty.yaml"), "utf8"), before);
    });
});
