// The GitHub workflows: linted with actionlint, and checked against the repository
// (every stack and policy config they name exists, previews run the policy pack).
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { ROOT } from "../offline/stack-config";

const dir = path.join(ROOT, ".github/workflows");
const files = fs.readdirSync(dir).filter((f) => f.endsWith(".yml"));
const load = (f: string) => YAML.parse(fs.readFileSync(path.join(dir, f), "utf8"));
const stacks = fs.readdirSync(ROOT).map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1]).filter(Boolean) as string[];

function actionlint(): string {
    const candidates = [process.env.ACTIONLINT, path.join(os.homedir(), ".cache/goship/bin/actionlint")].filter(Boolean) as string[];
    const found = candidates.find((c) => fs.existsSync(c));
    if (!found) throw new Error(`actionlint not found (looked in ${candidates.join(", ")}); .ci/run installs it with go install`);
    return found;
}

/** Every `uses: pulumi/actions@…` step across the workflows. */
function pulumiSteps(): Array<{ file: string; job: string; with: any }> {
    const out: Array<{ file: string; job: string; with: any }> = [];
    for (const f of files) {
        for (const [job, spec] of Object.entries<any>(load(f).jobs ?? {})) {
            for (const step of spec.steps ?? []) if (String(step.uses ?? "").startsWith("pulumi/actions@")) out.push({ file: f, job, with: step.with });
        }
    }
    return out;
}

describe("GitHub workflows", () => {
    it("has test, preview and deploy workflows", () => {
        assert.deepStrictEqual(files.sort(), ["deploy.yml", "preview.yml", "test.yml"]);
    });

    it("passes actionlint", () => {
        try {
            execFileSync(actionlint(), files.map((f) => path.join(dir, f)), { encoding: "utf8", stdio: "pipe" });
        } catch (e: any) {
            assert.fail(`actionlint found problems:\n${e.stdout ?? ""}${e.stderr ?? ""}${e.stdout || e.stderr ? "" : e.message}`);
        }
    });

    it("the test workflow runs the same entry point as CI", () => {
        const steps = load("test.yml").jobs.test.steps.map((s: any) => s.run).filter(Boolean);
        assert.deepStrictEqual(steps, ["bash .ci/run"]);
    });

    it("previews every stack on pull requests with the pack and that stack's policy config, commenting the diff", () => {
        const wf = load("preview.yml");
        assert.ok("pull_request" in wf.on);
        assert.deepStrictEqual([...wf.jobs.preview.strategy.matrix.stack].sort(), [...stacks].sort());
        const [step] = pulumiSteps().filter((s) => s.file === "preview.yml");
        assert.strictEqual(step.with.command, "preview");
        assert.strictEqual(step.with["comment-on-pr"], true);
        assert.strictEqual(step.with.diff, true);
        assert.strictEqual(step.with.policyPacks, "policy");
        assert.strictEqual(step.with.policyPackConfigs, "policy/config/${{ matrix.stack }}.json");
        for (const s of stacks) assert.ok(fs.existsSync(path.join(ROOT, `policy/config/${s}.json`)), `policy/config/${s}.json must exist`);
        assert.ok(String(wf.jobs.preview.concurrency.group).includes("matrix.stack"), "one preview per stack at a time");
    });

    it("deploys dev on push to main and prod only behind a reviewed environment", () => {
        const wf = load("deploy.yml");
        assert.deepStrictEqual(wf.on.push.branches, ["main"]);
        assert.strictEqual(wf.jobs.prod.environment, "production");
        assert.strictEqual(wf.jobs["plan-prod"].needs, "dev");
        assert.strictEqual(wf.jobs.prod.needs, "plan-prod");
        for (const s of pulumiSteps().filter((x) => x.file === "deploy.yml")) {
            assert.ok(stacks.includes(s.with["stack-name"]), `stack ${s.with["stack-name"]} must exist`);
            assert.ok(fs.existsSync(path.join(ROOT, s.with.policyPackConfigs)), `${s.with.policyPackConfigs} must exist`);
            assert.strictEqual(s.with.policyPacks, "policy");
        }
    });

    it("type-checks before every pulumi step (the engine itself runs the program transpile-only)", () => {
        let jobs = 0;
        for (const f of files) {
            for (const [job, spec] of Object.entries<any>(load(f).jobs ?? {})) {
                const steps: any[] = spec.steps ?? [];
                const pulumi = steps.findIndex((st) => String(st.uses ?? "").startsWith("pulumi/actions@"));
                if (pulumi < 0 || f === "test.yml") continue; // test.yml's e2e job runs npm run test:e2e, after .ci/run's typecheck
                jobs++;
                const typecheck = steps.findIndex((st) => st.run === "npm run typecheck");
                const install = steps.findIndex((st) => String(st.run ?? "").startsWith("npm ci"));
                assert.ok(typecheck > install && typecheck < pulumi, `${f} ${job}: \`npm run typecheck\` must run after npm ci and before the pulumi step`);
            }
        }
        assert.strictEqual(jobs, 4, "preview, deploy dev, plan prod and deploy prod");
    });

    it("prod applies only the plan previewed from the merged commit: preview --save-plan, artifact, up --plan behind the environment", () => {
        const wf = load("deploy.yml");
        const steps = (job: string) => pulumiSteps().filter((x) => x.file === "deploy.yml" && x.job === job);
        const [preview] = steps("plan-prod");
        assert.deepStrictEqual([preview.with.command, preview.with["stack-name"], preview.with.plan], ["preview", "prod", "plan-prod.json"]);
        assert.strictEqual(wf.jobs["plan-prod"].environment, undefined, "making the plan needs no approval");
        const upload = wf.jobs["plan-prod"].steps.find((s: any) => String(s.uses).startsWith("actions/upload-artifact@"));
        assert.deepStrictEqual([upload.with.name, upload.with.path], ["plan-prod-${{ github.sha }}", "plan-prod.json"]);
        assert.ok(wf.jobs["plan-prod"].steps.some((s: any) => /GITHUB_STEP_SUMMARY/.test(s.run ?? "") && /steps\.preview\.outputs\.output/.test(JSON.stringify(s.env))),
            "the plan's preview is shown to the reviewers in the run summary");
        const prod = wf.jobs.prod.steps;
        const download = prod.findIndex((s: any) => String(s.uses).startsWith("actions/download-artifact@"));
        assert.ok(download >= 0 && prod[download].with.name === upload.with.name, "prod downloads the artifact of this commit's plan");
        const [up] = steps("prod");
        assert.deepStrictEqual([up.with.command, up.with["stack-name"], up.with.plan], ["up", "prod", "plan-prod.json"]);
        assert.ok(download < prod.findIndex((s: any) => String(s.uses).startsWith("pulumi/actions@")), "the plan is there before the up");
        assert.strictEqual(wf.jobs["plan-prod"].concurrency.group, wf.jobs.prod.concurrency.group, "a plan is made against the state the previous apply left");
        // dev deploys on its own (no reviewers): a plain up.
        assert.deepStrictEqual(steps("dev").map((s) => [s.with.command, s.with.plan]), [["up", undefined]]);
    });

    it("the pull request's comment says that the deploy applies only the plan made after the merge", () => {
        const step = load("preview.yml").jobs.preview.steps.find((s: any) => String(s.uses).startsWith("actions/github-script@"));
        assert.ok(step, "a step comments what the deploy applies");
        assert.strictEqual(step.if, "matrix.stack == 'prod'", "one note per pull request, not one per stack");
        const script: string = step.with.script;
        assert.match(script, /applies only that plan \(`pulumi up --plan`\)/);
        assert.match(script, /pulumi preview --save-plan/);
        assert.match(script, /updateComment/, "the note is edited in place on later pushes, not repeated");
    });

    it("takes credentials from repository secrets only", () => {
        for (const f of files) {
            const text = fs.readFileSync(path.join(dir, f), "utf8");
            for (const m of text.matchAll(/(PULUMI_ACCESS_TOKEN|PULUMI_CONFIG_PASSPHRASE|KUBECONFIG_DATA):\s*(.+)/g)) {
                assert.match(m[2], /^\$\{\{ secrets[.[]/, `${f}: ${m[1]} must come from secrets`);
            }
        }
    });
});
