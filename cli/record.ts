// Finds goship's release in a `pulumi stack export` and checks its shape, so every command
// reads one validated view of the release (never raw state JSON) and a damaged state is a
// one-line error instead of a crash deep in a formatter. Pure: no engine, no files.
import { AnalysisOutcome, assertInvariants, HistoryEntry, ReleaseState, statusLine, Track } from "../components/release/strategy";
import { RELEASE_RECORD_TYPES } from "../components/release/token";
import { CliError, EXIT } from "./errors";

/**
 * Whether a resource type is goship's release record: the dynamic resource of a Node.js
 * program, or the component provider's own (a program in another language).
 */
export function isReleaseType(type: unknown): boolean {
    return RELEASE_RECORD_TYPES.includes(type as string);
}

/** One history row as the CLI shows it: the time and the apply-time analysis may live in the outputs. */
export interface HistoryRow extends Omit<HistoryEntry, "at"> {
    at?: string;
}

export interface ReleaseView {
    urn: string;
    state: ReleaseState;
    status: string;
    trackImages: Record<Track, string | undefined>;
    lastTransition?: string;
    history: HistoryRow[];
}

const PHASES = ["Stable", "Progressing", "Promoted", "Aborted", "Preview", "Switched"];

/** Parses `pulumi stack export` output; `stack` names the stack in errors. */
export function parseExport(text: string, stack: string): any {
    try {
        const doc = JSON.parse(text);
        if (!doc || typeof doc !== "object" || typeof doc.deployment !== "object") throw new Error("no deployment");
        return doc;
    } catch (e) {
        throw corrupt(stack, `\`pulumi stack export\` is not a stack state (${(e as Error).message})`);
    }
}

function corrupt(stack: string, why: string): CliError {
    return new CliError(EXIT.refused, `stack ${stack}: the goship release state is corrupt: ${why}; inspect it with \`pulumi stack export --stack ${stack}\` (nothing was changed)`);
}

/** The release resource of an exported stack, validated; throws a CliError naming what is wrong. */
export function releaseFromExport(doc: any, stack: string): ReleaseView {
    const resources: any[] = Array.isArray(doc?.deployment?.resources) ? doc.deployment.resources : [];
    const found = resources.filter((r) => isReleaseType(r?.type));
    if (found.length === 0) {
        const why = resources.length === 0 ? "it has never been deployed" : `none of its ${resources.length} resources is a ${RELEASE_RECORD_TYPES.join(" or a ")}`;
        throw new CliError(EXIT.refused, `stack ${stack} has no goship release (${why}): deploy it once with \`pulumi up --stack ${stack}\`, or pick another stack with -s`);
    }
    if (found.length > 1) throw corrupt(stack, `it holds ${found.length} goship releases (${found.map((r) => r.urn).join(", ")})`);
    const r = found[0];
    if (r.pendingReplacement || r.delete) throw corrupt(stack, "the release resource is marked for deletion");
    return releaseFromOutputs(r.outputs, stack, r.urn);
}

/** Validates a release resource's outputs (also used on a preview's new outputs). */
export function releaseFromOutputs(outputs: any, stack: string, urn = ""): ReleaseView {
    const s = outputs?.state;
    const bad = (why: string) => corrupt(stack, why);
    if (!s || typeof s !== "object") throw bad("the release resource has no `state` output");
    if (!["canary", "blueGreen"].includes(s.strategy)) throw bad(`state.strategy is ${JSON.stringify(s.strategy)} (canary or blueGreen expected)`);
    if (!PHASES.includes(s.phase)) throw bad(`state.phase is ${JSON.stringify(s.phase)} (one of ${PHASES.join(", ")} expected)`);
    if (typeof s.stableVersion !== "string" || !s.stableVersion) throw bad("state.stableVersion is missing");
    if (!["blue", "green"].includes(s.stableTrack)) throw bad(`state.stableTrack is ${JSON.stringify(s.stableTrack)} (blue or green expected)`);
    if (!Array.isArray(s.steps) || !s.steps.every((n: unknown) => typeof n === "number")) throw bad("state.steps is not a list of numbers");
    if (typeof s.step !== "number" || typeof s.weight !== "number") throw bad("state.step or state.weight is not a number");
    if (!s.trackVersions || typeof s.trackVersions !== "object") throw bad("state.trackVersions is missing");
    if (!Array.isArray(s.history) || !s.history.every((h: any) => h && typeof h.event === "string")) throw bad("state.history is not a list of events");
    const state: ReleaseState = { ...s, trackVersions: { blue: s.trackVersions.blue ?? undefined, green: s.trackVersions.green ?? undefined } };
    try {
        assertInvariants(undefined, state);
    } catch (e) {
        // The invariant's message ends with the whole state as JSON: keep the sentence.
        throw bad((e as Error).message.replace(/ in \{[\s\S]*$/, "").replace(/^release invariant broken: /, ""));
    }
    return {
        urn,
        state,
        status: typeof outputs.status === "string" ? outputs.status : statusLine(state),
        trackImages: { blue: outputs.trackImages?.blue ?? undefined, green: outputs.trackImages?.green ?? undefined },
        lastTransition: typeof outputs.lastTransition === "string" ? outputs.lastTransition : undefined,
        history: historyRows(state.history, outputs),
    };
}

/**
 * The history with each entry's time and apply-time analysis. Today both live in the state's
 * entries; issue #14's determinism work may move these volatile facts into the resource's
 * outputs (a list parallel to state.history): either place is read, the entry's own first.
 */
export function historyRows(history: any[], outputs: any): HistoryRow[] {
    const facts: any[] = [outputs?.history, outputs?.historyFacts, outputs?.facts?.history].find(Array.isArray) ?? [];
    return history.map((h, i) => {
        const f = facts[i] ?? {};
        const row: HistoryRow = { event: h.event, from: h.from ?? "", to: h.to ?? "", step: h.step, weight: h.weight };
        const at = h.at ?? f.at;
        if (typeof at === "string") row.at = at;
        const analysis: AnalysisOutcome | undefined = h.analysis ?? f.analysis;
        if (analysis) row.analysis = analysis;
        return row;
    });
}
