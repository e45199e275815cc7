// What the commands print: the status report and a preview's release lines and diff summary,
// built from plain values (the release view, the moves, engine events). Pure.
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { trackRoles, Track } from "../components/release/strategy";
import type { AnalysisOutcome } from "../components/release/strategy";
import { editCommand, Proposal } from "./moves";
import { HistoryRow, isReleaseType, ReleaseView } from "./record";

/** Left-aligned columns, two spaces apart; trailing blanks trimmed. */
export function table(rows: string[][]): string[] {
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
    return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd());
}

/** `2026-11-25T07:10:01.123Z` → `2026-11-25 07:10:01Z`; absent → `-`. */
export function time(at: string | undefined): string {
    if (!at) return "-";
    const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)/.exec(at);
    return m ? `${m[1]} ${m[2]}Z` : at;
}

const num = (v: number | null | undefined, digits: number, unit = "") => (v === null || v === undefined ? "no data" : `${v.toFixed(digits)}${unit}`);

/** `pass · success 0.998 · p99 0.120s · 523 req`: a verdict and its values. */
export function analysisCell(a: AnalysisOutcome | undefined): string {
    if (!a) return "";
    const v = a.values ?? {};
    return `${a.verdict} · success ${num(v.successRate, 3)} · p99 ${num(v.p99Seconds, 3, "s")} · ${num(v.requests, 0)} req`;
}

export function historyTable(rows: HistoryRow[]): string[] {
    return table([
        ["time", "event", "from → to", "weight", "analysis"],
        ...rows.map((h) => [time(h.at), h.event, `${h.from || "·"} → ${h.to}`, `${h.weight}%`, analysisCell(h.analysis)]),
    ]);
}

export interface Measurement {
    role: "candidate" | "stable";
    version: string;
    outcome: AnalysisOutcome;
}

export interface StatusReport {
    stack: string;
    view: ReleaseView;
    /** Null when the stack's config does not parse (then its problems). */
    moves: Proposal[] | null;
    configProblems?: string[];
    pending?: { kind: "none" } | { kind: "change"; description: string } | { kind: "refused"; reason: string };
    analysis?: { prometheusUrl: string; window: string; measurements: Measurement[] };
}

export function tracks(view: ReleaseView): Array<{ track: Track; role: string; version: string | undefined; image: string | undefined }> {
    const roles = trackRoles(view.state);
    return (["blue", "green"] as Track[]).map((t) => ({ track: t, role: roles[t], version: view.state.trackVersions[t], image: view.trackImages[t] }));
}

export function statusText(r: StatusReport): string {
    const s = r.view.state;
    const out: string[] = [`${r.stack}: ${r.view.status}`, ""];
    const steps = s.strategy === "canary" ? `steps ${s.steps.join(" → ")}` : "steps 0 preview, 1 switch, 2 scale down";
    out.push(...table([
        ["  phase", `${s.phase} (${s.strategy}, ${steps})`],
        ["  step", s.step === -1 ? "- (no rollout in progress)" : `${s.step} (release.step)`],
        ["  weight", `${s.weight}% to the candidate`],
        ["  stable", `${s.stableVersion} on ${s.stableTrack}${s.previousStableVersion ? ` (previous ${s.previousStableVersion})` : ""}`],
    ]));
    out.push("", "tracks", ...table([["  track", "role", "version", "image"], ...tracks(r.view).map((t) => [`  ${t.track}`, t.role, t.version ?? "-", t.image ?? "-"])]));
    const n = r.view.history.length;
    out.push("", `history (${n} event${n === 1 ? "" : "s"})`, ...historyTable(r.view.history).map((l) => `  ${l}`));
    if (r.view.lastTransition) out.push("", `last up: ${r.view.lastTransition}`);
    if (r.pending?.kind === "change") out.push(`config not applied yet (Pulumi.${r.stack}.yaml): ${r.pending.description}; run the reviewed \`pulumi up\``);
    if (r.pending?.kind === "refused") out.push(`config not applied yet and refused: ${r.pending.reason}`);
    out.push("", "next allowed moves");
    if (!r.moves) {
        out.push(`  none computed: the stack's config is invalid:`, ...(r.configProblems ?? []).map((p) => `    - ${p}`));
    } else {
        const ok = r.moves.filter((m): m is Extract<Proposal, { ok: true }> => m.ok);
        if (ok.length === 0) out.push("  none of next, abort, retry, rollback");
        for (const { move } of ok) {
            out.push(`  goship ${move.name} -s ${r.stack}: ${move.description}`);
            if (move.edits.length === 0) out.push(`      (already in Pulumi.${r.stack}.yaml: run \`pulumi up\`)`);
            for (const e of move.edits) out.push(`      ${editCommand(e, r.stack)}`);
        }
        if (s.phase === "Stable" || s.phase === "Promoted" || s.phase === "Aborted") {
            out.push(`  a new release: pulumi config set version <new version> -s ${r.stack}; pulumi config set --path release.step 0 -s ${r.stack}`);
        }
    }
    if (r.analysis) {
        out.push("", `analysis now (${r.analysis.prometheusUrl}, window ${r.analysis.window})`);
        out.push(...table(r.analysis.measurements.map((m) => [`  ${m.role}`, m.version, analysisCell(m.outcome) || "-"])));
        for (const m of r.analysis.measurements) if (m.outcome.verdict !== "pass") out.push(`  ${m.role}: ${m.outcome.summary}`);
    }
    return out.join("\n");
}

// ---- engine runs -------------------------------------------------------------------

export interface RunSummary {
    /** The release resource in this run: what it would do and the status before → after. */
    release?: { op: string; description?: string; before?: string; after?: string; weightBefore?: number; weightAfter?: number };
    /** Resource counts by operation (the engine's summary). */
    changes: Record<string, number>;
    /** Resources that change, with the properties that differ. */
    resources: Array<{ op: string; name: string; type: string; diffs: string[] }>;
    errors: string[];
}

const name = (urn: string) => urn.split("::").pop() ?? urn;
const QUIET_OPS = ["same", "read", "create-replacement", "delete-replaced", "discard-replaced", "refresh"];
/** The engine's operations in the order a reviewer weighs them, with their summary words. */
const OP_WORDS: Array<[string, string]> = [["create", "to create"], ["update", "to update"], ["replace", "to replace"], ["delete", "to delete"], ["same", "unchanged"]];

export function summarize(events: EngineEvent[]): RunSummary {
    const s: RunSummary = { changes: {}, resources: [], errors: [] };
    for (const e of events) {
        const pre = e.resourcePreEvent?.metadata;
        // A replacement arrives as three steps (replace, create-replacement, delete-replaced): show it once.
        if (pre && !QUIET_OPS.includes(pre.op) && pre.type !== "pulumi:pulumi:Stack") {
            const diffs = pre.diffs ?? pre.keys ?? Object.keys(pre.detailedDiff ?? {});
            s.resources.push({ op: pre.op, name: name(pre.urn), type: pre.type, diffs });
        }
        if (pre && isReleaseType(pre.type)) {
            const after = (pre.new?.outputs?.state ? pre.new.outputs : pre.new?.inputs) as any;
            const before = pre.old?.outputs as any;
            s.release = {
                op: pre.op,
                description: pre.op === "same" ? "no change" : after?.lastTransition,
                before: before?.status, after: after?.status,
                weightBefore: before?.state?.weight, weightAfter: after?.state?.weight,
            };
        }
        if (e.diagnosticEvent?.severity === "error") s.errors.push(e.diagnosticEvent.message.trim());
        if (e.summaryEvent) s.changes = { ...(e.summaryEvent.resourceChanges ?? {}) } as Record<string, number>;
    }
    return s;
}

/** What a run printed for review; a failed run shows no plan (the engine stopped partway through). */
export function runText(kind: "preview" | "up", s: RunSummary, ok = true): string {
    if (!ok) return `${kind} failed: ${kind === "preview" ? "nothing was applied" : "see the error below; `goship status` shows what was applied"}`;
    const out: string[] = [];
    if (s.release) {
        out.push(`release: ${s.release.description ?? s.release.op}`);
        if (s.release.before !== s.release.after) out.push(`status:  ${s.release.before ?? "-"} → ${s.release.after ?? "-"}`);
        else if (s.release.after) out.push(`status:  ${s.release.after}`);
    }
    const known = OP_WORDS.map(([op]) => op);
    const counts = [...OP_WORDS, ...Object.keys(s.changes).filter((op) => !known.includes(op)).map((op): [string, string] => [op, op])]
        .filter(([op]) => (s.changes[op] ?? 0) > 0).map(([op, words]) => `${s.changes[op]} ${words}`);
    if (counts.length) out.push(`${kind}: ${counts.join(", ")}`);
    for (const r of s.resources) out.push(`  ${r.op.padEnd(7)} ${r.name} (${r.type})${r.diffs.length ? `: ${r.diffs.join(", ")}` : ""}`);
    return out.join("\n");
}
