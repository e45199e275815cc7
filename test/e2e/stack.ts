// goship stacks on the real engine, driven by the Automation API (LocalWorkspace): the way the
// ecosystem scripts Pulumi. Each test stack starts from Pulumi.dev.yaml or Pulumi.prod.yaml as
// shipped, with only the two changes this offline tier needs (a prebuilt image instead of a
// Docker build, and `ingressNginx.install: false` instead of a chart download); scenarios then
// edit config exactly as a user does with `pulumi config set --path`.
import { CommandError, EngineEvent, LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { Tier } from "./tier";
import { ROOT } from "./toolchain";

/** What a scenario sees of one engine run. */
export interface Run {
    ok: boolean;
    /** The CLI's standard output and error, as a user reads them. */
    stdout: string;
    stderr: string;
    /** Engine events in sequence order, each with the time this process received it. */
    events: Array<EngineEvent & { receivedAt: number }>;
    ms: number;
}

/** Copies what a Pulumi run needs into the tier's work dir: the repo's own files stay untouched. */
export function projectCopy(work: string): string {
    const dir = path.join(work, "project");
    if (fs.existsSync(dir)) return dir;
    fs.mkdirSync(dir, { recursive: true });
    for (const f of ["index.ts", "Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml", "package.json", "tsconfig.json", "engine", "components", "policy"]) {
        fs.cpSync(path.join(ROOT, f), path.join(dir, f), { recursive: true });
    }
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    return dir;
}

/**
 * The image of version `v`: `goship:<v>` on fake nodes (nothing is pulled there), the images
 * test/e2e/kind/images.sh pushed on kind (GOSHIP_E2E_IMAGE_REPO).
 */
export function imageFor(v: string): string {
    return `${process.env.GOSHIP_E2E_IMAGE_REPO ?? "goship"}:${v}`;
}

export class TestStack {
    private constructor(readonly tier: Tier, readonly name: string, readonly stack: Stack, readonly dir: string) {}

    /**
     * Creates stack `name` whose Pulumi.<name>.yaml is Pulumi.<from>.yaml as shipped; `offline`
     * applies the tier's two changes (default on).
     */
    static async create(tier: Tier, name: string, from: "dev" | "prod", opts: { offline?: boolean } = {}): Promise<TestStack> {
        const dir = projectCopy(tier.work);
        // As shipped, minus a secrets-provider salt a developer's own `stack init` may have left:
        // the tier's stacks get their own passphrase.
        const shipped = fs.readFileSync(path.join(ROOT, `Pulumi.${from}.yaml`), "utf8");
        fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), shipped.replace(/^(encryptionsalt|secretsprovider|encryptedkey):.*\n/gm, ""));
        const pulumiCommand = await PulumiCommand.get({ root: tier.pulumiRoot, skipVersionCheck: false });
        const stack = await LocalWorkspace.createStack({ stackName: name, workDir: dir }, {
            pulumiCommand, envVars: tier.env, pulumiHome: tier.env.PULUMI_HOME,
        });
        const s = new TestStack(tier, name, stack, dir);
        if (opts.offline !== false) {
            const version = YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${from}.yaml`), "utf8")).config["goship:version"];
            await s.set({ "image.ref": imageFor(version), "ingressNginx.install": "false" });
        }
        return s;
    }

    /** `pulumi config set --path k v` for each entry (strings as the CLI takes them). */
    async set(values: Record<string, string | number | boolean>): Promise<void> {
        for (const [k, v] of Object.entries(values)) await this.stack.setConfig(`goship:${k}`, { value: String(v) }, true);
    }

    async setSecret(key: string, value: string): Promise<void> {
        await this.stack.setConfig(`goship:${key}`, { value, secret: true }, true);
    }

    async remove(key: string): Promise<void> {
        await this.stack.removeConfig(`goship:${key}`, true);
    }

    /** Starts a release of `version`: the version and its prebuilt image, in one edit. */
    async release(version: string, extra: Record<string, string | number | boolean> = {}): Promise<void> {
        await this.set({ version, "image.ref": imageFor(version), ...extra });
    }

    /** The namespace the program derives for this stack. */
    get namespace(): string {
        return `goship-${this.name}`;
    }

    /** `plan`: a file to save the update plan to (`--save-plan`). */
    async preview(opts: { refresh?: boolean; policy?: "dev" | "prod"; plan?: string } = {}): Promise<Run> {
        return this.run((onEvent) => this.stack.preview({ onEvent, refresh: opts.refresh, diff: true, plan: opts.plan, ...this.policyOpts(opts.policy) }));
    }

    /** `plan`: apply only this saved update plan (`--plan`). */
    async up(opts: { refresh?: boolean; policy?: "dev" | "prod"; signal?: AbortSignal; onEvent?: (e: EngineEvent) => void; plan?: string } = {}): Promise<Run> {
        return this.run((onEvent) => this.stack.up({
            onEvent: (e) => { onEvent(e); opts.onEvent?.(e); },
            refresh: opts.refresh, diff: true, signal: opts.signal, plan: opts.plan, ...this.policyOpts(opts.policy),
        }));
    }

    async destroy(): Promise<Run> {
        return this.run((onEvent) => this.stack.destroy({ onEvent }));
    }

    async outputs(): Promise<Record<string, any>> {
        const o = await this.stack.outputs();
        return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.value]));
    }

    /**
     * `pulumi stack export` as text, exactly what a user would store or share (the Automation
     * API's exportStack adds --show-secrets, so the CLI is run as a user runs it).
     */
    async exportText(): Promise<string> {
        return execFileSync(path.join(this.tier.pulumiRoot, "bin", "pulumi"), ["stack", "export", "--stack", this.name],
            { cwd: this.dir, env: { ...process.env, ...this.tier.env }, encoding: "utf8" });
    }

    /** Runs the CLI as a user would in the project (e.g. `pulumi cancel`, `pulumi refresh`). */
    cli(args: string[]): { status: number | null; out: string } {
        const r = spawnSync(path.join(this.tier.pulumiRoot, "bin", "pulumi"), [...args, "--stack", this.name, "--non-interactive"],
            { cwd: this.dir, env: { ...process.env, ...this.tier.env }, encoding: "utf8" });
        return { status: r.status, out: `${r.stdout}${r.stderr}` };
    }

    /** The release resource's stored outputs (the state machine's state and what it decided). */
    async releaseRecord(): Promise<any> {
        const d: any = await this.stack.exportStack();
        const r = d.deployment.resources?.find((x: any) => x.type.startsWith("pulumi-nodejs:dynamic") && /goship-release$/.test(x.urn));
        return r?.outputs;
    }

    private policyOpts(policy?: "dev" | "prod") {
        if (!policy) return {};
        return { policyPacks: [path.join(this.dir, "policy")], policyPackConfigs: [path.join(this.dir, "policy", "config", `${policy}.json`)] };
    }

    private async run(op: (onEvent: (e: EngineEvent) => void) => Promise<{ stdout: string; stderr: string }>): Promise<Run> {
        const events: Run["events"] = [];
        const t0 = Date.now();
        try {
            const r = await op((e) => events.push({ ...e, receivedAt: Date.now() }));
            return { ok: true, stdout: r.stdout, stderr: r.stderr, events: sortEvents(events), ms: Date.now() - t0 };
        } catch (e) {
            if (!(e instanceof CommandError)) throw e;
            const cr = (e as any).commandResult ?? {};
            return { ok: false, stdout: cr.stdout ?? "", stderr: cr.stderr ?? String(e), events: sortEvents(events), ms: Date.now() - t0 };
        }
    }
}

function sortEvents(events: Run["events"]): Run["events"] {
    return events.sort((a, b) => a.sequence - b.sequence);
}

/** The error lines a user reads first: the engine's diagnostics of severity error, in order. */
export function errors(run: Run): string[] {
    return run.events.filter((e) => e.diagnosticEvent?.severity === "error").map((e) => e.diagnosticEvent!.message.trim());
}
