// `goship`: reads a stack's release through the Automation API, shows where it stands, and
// makes the next move as a config edit followed by a preview. Output for people on stdout
// (or one JSON document with --json), progress on stderr, exit codes in errors.ts.
import * as fs from "fs";
import * as path from "path";
import { runAnalysis } from "../components/release/analysis";
import { Command, HELP, parse } from "./args";
import { stackConfig, StackConfig } from "./config";
import { findProjectDir, requirePulumi } from "./where";
import { CliError, EXIT } from "./errors";
import { Measurement, runText, StatusReport, statusText, summarize, tracks } from "./format";
import { lineChanges } from "./lines";
import { allMoves, editCommand, pending, propose } from "./moves";
import { parseExport, ReleaseView, releaseFromExport } from "./record";

export interface Io {
    out(text: string): void;
    err(text: string): void;
    cwd: string;
    now(): string;
}

const defaultIo: Io = {
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
    cwd: process.cwd(),
    now: () => new Date().toISOString(),
};

async function load(cmd: Exclude<Command, { kind: "help" }>, io: Io) {
    const progress = (m: string) => io.err(`goship: ${m}`);
    const dir = findProjectDir(io.cwd);
    requirePulumi();
    // Loaded only now: the Automation API takes a while to load, --help and usage errors don't wait for it.
    const { Engine }: typeof import("./engine") = require("./engine");
    const engine = await Engine.open(dir, cmd.stack, progress);
    progress(`reading stack ${engine.shortName}: state and config`);
    const [text, json] = await Promise.all([engine.exportText(), engine.configJson()]);
    const view = releaseFromExport(parseExport(text, engine.shortName), engine.shortName);
    return { engine, view, config: stackConfig(json, engine.shortName), progress };
}

/** The candidate's and stable's success rate and p99 now, with the release's own queries. */
async function measure(view: ReleaseView, cfg: StackConfig): Promise<Measurement[]> {
    const s = view.state;
    const who: Array<[Measurement["role"], string]> = [];
    if (s.candidateVersion && (s.phase === "Progressing" || s.phase === "Preview")) who.push(["candidate", s.candidateVersion]);
    who.push(["stable", s.stableVersion]);
    return Promise.all(who.map(async ([role, version]) => ({ role, version, outcome: await runAnalysis(cfg.analysis!, version, { timeoutMs: 5000 }) })));
}

async function status(cmd: Extract<Command, { kind: "status" }>, io: Io): Promise<number> {
    const { engine, view, config, progress } = await load(cmd, io);
    const now = io.now();
    const report: StatusReport = { stack: engine.shortName, view, moves: null };
    if (config.ok) {
        report.moves = allMoves(view.state, view.trackImages, config.config, now);
        report.pending = pending(view.state, config.config, now);
        if (config.config.analysis) {
            progress(`querying Prometheus at ${config.config.analysis.prometheusUrl}`);
            const a = config.config.analysis;
            report.analysis = { prometheusUrl: a.prometheusUrl, window: a.window, measurements: await measure(view, config.config) };
        }
    } else {
        report.configProblems = config.problems;
    }
    if (!cmd.json) {
        io.out(statusText(report));
        return EXIT.ok;
    }
    const s = view.state;
    io.out(JSON.stringify({
        ok: true, command: "status", stack: engine.shortName, status: view.status,
        phase: s.phase, strategy: s.strategy, steps: s.steps, step: s.step, weight: s.weight,
        stableVersion: s.stableVersion, candidateVersion: s.candidateVersion ?? null, previousStableVersion: s.previousStableVersion ?? null,
        tracks: tracks(view), history: view.history, lastTransition: view.lastTransition ?? null,
        pending: report.pending ?? null, configProblems: report.configProblems ?? null,
        moves: (report.moves ?? []).map((p) => p.ok
            ? { name: p.move.name, allowed: true, description: p.move.description, edits: p.move.edits.map((e) => ({ ...e, command: editCommand(e, engine.shortName) })) }
            : { name: p.name, allowed: false, reason: p.reason }),
        analysis: report.analysis ?? null,
    }, null, 2));
    return EXIT.ok;
}

async function move(cmd: Extract<Command, { kind: "move" }>, io: Io): Promise<number> {
    const { engine, view, config, progress } = await load(cmd, io);
    const stack = engine.shortName;
    if (!config.ok) throw new CliError(EXIT.refused, `stack ${stack}: the config is invalid, fix it first: ${config.problems.join("; ")}`);
    const p = propose(cmd.move, view.state, view.trackImages, config.config, io.now());
    if (!p.ok) throw new CliError(EXIT.refused, p.reason, { move: cmd.move });
    const file = engine.stackFile;
    const before = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
    if (p.move.edits.length) {
        progress(`editing ${file}: ${p.move.edits.map((e) => `${e.key} ${e.from ?? "(unset)"} → ${e.value}`).join(", ")}`);
        await engine.setConfig(p.move.edits);
    } else {
        progress(`Pulumi.${stack}.yaml already asks for this move (not applied yet): no edit`);
    }
    const after = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    const kind = cmd.up ? "up" : "preview";
    // A relative plan path is the user's, from where goship was started, not the project's.
    const plan = cmd.savePlan === undefined ? undefined : path.resolve(cmd.savePlan);
    const run = await engine.execute(kind, progress, { plan });
    const summary = summarize(run.events);
    let restored = false;
    let exitCode: number = EXIT.ok;
    let error: string | undefined;
    if (!run.ok) {
        // A refusal is a diagnostic on the release resource (the analysis gate at preview time).
        const refusal = run.events.find((e) => e.diagnosticEvent?.severity === "error" && e.diagnosticEvent.urn?.includes("goship:Release"));
        error = refusal?.diagnosticEvent?.message.trim() ?? summary.errors[0] ?? run.failure ?? `pulumi ${kind} failed`;
        exitCode = refusal ? EXIT.refused : EXIT.error;
        if (kind === "preview" && p.move.edits.length) {
            // Only a previewable edit goes to review: put the file back as it was.
            if (before === undefined) fs.rmSync(file, { force: true });
            else fs.writeFileSync(file, before);
            restored = true;
        }
    }
    const changes = restored ? [] : lineChanges(before ?? "", after);
    if (cmd.json) {
        io.out(JSON.stringify({
            ok: run.ok, command: cmd.move, stack, exitCode,
            move: { name: p.move.name, description: p.move.description, edits: p.move.edits.map((e) => ({ ...e, command: editCommand(e, stack) })) },
            file: { path: file, changed: changes, restored },
            run: { kind, ok: run.ok, ms: run.ms, ...(plan && run.ok ? { plan } : {}), ...summary },
            ...(error ? { error } : {}),
        }, null, 2));
        return exitCode;
    }
    const out: string[] = [`goship ${cmd.move} -s ${stack}: ${p.move.description}`];
    for (const e of p.move.edits) out.push(`  ${editCommand(e, stack)}`);
    if (restored) out.push(`  ${file} restored: the ${kind} failed, nothing to review`);
    else if (changes.length) out.push(`  ${file}:`, ...changes.map((c) => `    ${c.before !== undefined ? `- ${c.before}\n    ` : ""}${c.after !== undefined ? `+ ${c.after}` : ""}`.trimEnd()));
    out.push("", runText(kind, summary, run.ok));
    if (error) {
        io.out(out.join("\n"));
        throw new CliError(exitCode as 1 | 2, error);
    }
    out.push("", kind === "up"
        ? `applied: ${summary.release?.after ?? "see \`goship status\`"}`
        : plan
            ? `plan saved: ${plan}\nnext: commit Pulumi.${stack}.yaml, get this preview reviewed, then \`pulumi up -s ${stack} --plan ${plan}\` applies exactly it`
            : `next: commit Pulumi.${stack}.yaml, get the preview reviewed, then \`pulumi up -s ${stack}\``
    );
    io.out(out.join("\n"));
    return exitCode;
}

/** Runs one command; returns the exit code. Never throws. */
export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
    let json = argv.includes("--json");
    try {
        const cmd = parse(argv);
        if (cmd.kind === "help") {
            io.out(HELP.trimEnd());
            return EXIT.ok;
        }
        json = cmd.json;
        return cmd.kind === "status" ? await status(cmd, io) : await move(cmd, io);
    } catch (e) {
        const known = e instanceof CliError;
        const message = known ? e.message : `unexpected error: ${String((e as Error)?.message ?? e).split("\n")[0]}`;
        const code = known ? e.exitCode : EXIT.error;
        if (!known && process.env.GOSHIP_DEBUG) io.err(String((e as Error)?.stack));
        if (json) io.out(JSON.stringify({ ok: false, exitCode: code, error: message, ...(known ? e.details : {}) }, null, 2));
        else io.err(`goship: ${message}`);
        return code;
    }
}

export function cli(): void {
    main(process.argv.slice(2)).then((code) => {
        process.exitCode = code;
    });
}
