// The CLI's only link to Pulumi: the Automation API (LocalWorkspace) against the project's
// own stacks, with the Pulumi CLI found on PATH and the caller's environment (backend,
// PULUMI_HOME, passphrase, kube context) passed through as-is.
import { CommandError, EngineEvent, LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { execFile } from "child_process";
import * as path from "path";
import { CliError, EXIT } from "./errors";
import type { Edit } from "./moves";
import { requirePulumi } from "./where";

/** The first line of what a failed Pulumi CLI call said (its `error:` line when there is one). */
export function cliFailure(e: unknown): string {
    const r = (e as any)?.commandResult;
    const text = `${r?.stderr ?? ""}\n${r?.stdout ?? ""}`;
    const line = text.split("\n").map((l) => l.trim()).find((l) => /^error:/.test(l)) ?? text.split("\n").map((l) => l.trim()).find(Boolean);
    return (line ?? String((e as Error)?.message ?? e).split("\n")[0]).replace(/^error:\s*/, "");
}

export type Progress = (message: string) => void;

export class Engine {
    private constructor(readonly dir: string, readonly command: PulumiCommand, readonly ws: LocalWorkspace, readonly stackName: string, readonly stack: Stack) {}

    /** Opens `stackName` (or the selected stack) of the project in `dir`; refuses an unknown stack. */
    static async open(dir: string, stackName: string | undefined, progress: Progress): Promise<Engine> {
        requirePulumi();
        progress(`reading the stacks of ${dir}`);
        const command = await PulumiCommand.get({ skipVersionCheck: true }).catch((e) => {
            throw new CliError(EXIT.error, `the Pulumi CLI on PATH does not run: ${cliFailure(e)}`);
        });
        const ws = await LocalWorkspace.create({ workDir: dir, pulumiCommand: command });
        // Stack.select would run `pulumi stack select`, changing the user's selected stack as a
        // side effect; every call below names its stack (--stack) instead, like `pulumi -s`.
        ws.selectStack = async () => undefined;
        const stacks = await ws.listStacks().catch((e) => {
            throw new CliError(EXIT.error, `cannot list the stacks: ${cliFailure(e)}`);
        });
        const short = (n: string) => n.split("/").pop()!;
        const known = stacks.map((s) => s.name);
        let name = stackName;
        if (!name) {
            const cur = stacks.find((s) => s.current);
            if (!cur) throw new CliError(EXIT.refused, `no stack is selected: pass -s <stack> (stacks: ${known.map(short).join(", ") || "none"})`);
            name = cur.name;
        }
        const found = stacks.find((s) => s.name === name || short(s.name) === name);
        if (!found) {
            throw new CliError(EXIT.refused, `stack "${name}" not found in this project's backend (stacks: ${known.map(short).join(", ") || "none"}): pass one of them with -s`);
        }
        const stack = await Stack.select(found.name, ws);
        return new Engine(dir, command, ws, found.name, stack);
    }

    get shortName(): string {
        return this.stackName.split("/").pop()!;
    }

    /** Pulumi.<stack>.yaml, where config edits go. */
    get stackFile(): string {
        return path.join(this.dir, `Pulumi.${this.shortName}.yaml`);
    }

    /**
     * Runs the CLI the Automation API found, for the two reads whose Automation API calls
     * (exportStack, getAllConfig) add --show-secrets: status needs no passphrase and shows no secret.
     */
    private run(args: string[]): Promise<string> {
        return new Promise((resolve, reject) => {
            execFile(this.command.command, [...args, "--stack", this.stackName, "--non-interactive"],
                { cwd: this.dir, maxBuffer: 256 << 20, env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" } },
                (err, stdout, stderr) => {
                    if (!err) return resolve(stdout);
                    const why = cliFailure({ commandResult: { stdout, stderr } });
                    reject(new CliError(EXIT.error, `\`pulumi ${args.join(" ")} --stack ${this.shortName}\` failed: ${why}`));
                });
        });
    }

    /** `pulumi stack export` without --show-secrets: the release holds none, and no passphrase is needed. */
    exportText(): Promise<string> {
        return this.run(["stack", "export"]);
    }

    /** `pulumi config --json`: the effective config, secrets left encrypted. */
    async configJson(): Promise<Record<string, any>> {
        return JSON.parse(await this.run(["config", "--json"]));
    }

    /** The edits through the Automation API's config calls (`pulumi config set [--path]`). */
    async setConfig(edits: Edit[]): Promise<void> {
        for (const e of edits) {
            await this.stack.setConfig(`goship:${e.key}`, { value: e.value }, e.key !== "version").catch((err) => {
                throw new CliError(EXIT.error, `\`pulumi config set goship:${e.key}\` failed: ${cliFailure(err)}`);
            });
        }
    }

    /** A preview or an up; resolves with every engine event and whether the run succeeded. */
    async execute(kind: "preview" | "up", progress: Progress, opts: { plan?: string } = {}): Promise<{ ok: boolean; events: EngineEvent[]; failure?: string; ms: number }> {
        const events: EngineEvent[] = [];
        const t0 = Date.now();
        let seen = 0;
        const onEvent = (e: EngineEvent) => {
            events.push(e);
            if (e.resourcePreEvent) seen++;
        };
        const ticker = setInterval(() => progress(`${kind} running: ${seen} resource${seen === 1 ? "" : "s"} so far, ${((Date.now() - t0) / 1000).toFixed(0)} s`), 5000);
        progress(`pulumi ${kind} --stack ${this.shortName}${opts.plan ? ` --save-plan ${opts.plan}` : ""} (the engine runs the program; this takes a while)`);
        try {
            if (kind === "preview") await this.stack.preview({ onEvent, diff: true, ...(opts.plan ? { plan: opts.plan } : {}) });
            else await this.stack.up({ onEvent, diff: true });
            return { ok: true, events: sorted(events), ms: Date.now() - t0 };
        } catch (e) {
            if (!(e instanceof CommandError)) throw e;
            return { ok: false, events: sorted(events), failure: cliFailure(e), ms: Date.now() - t0 };
        } finally {
            clearInterval(ticker);
        }
    }
}

const sorted = (events: EngineEvent[]) => events.sort((a, b) => a.sequence - b.sequence);
