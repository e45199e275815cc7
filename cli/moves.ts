// The release moves a person running a release asks for (next, abort, retry, rollback), as
// config edits. Each move is checked with the release's own state machine
// (components/release/strategy.ts) before any file changes: what it refuses, this refuses
// with the same sentence. Pure: the state, the config and the clock come in as values.
import { next, ReleaseConfig, ReleaseState, Track } from "../components/release/strategy";

export const MOVES = ["next", "abort", "retry", "rollback"] as const;
export type MoveName = (typeof MOVES)[number];

/** The part of a stack's config that a move reads or edits. */
export interface MoveConfig {
    release: ReleaseConfig;
    /** `goship:image.ref` when the stack deploys a prebuilt image (then a version change needs its image too). */
    imageRef?: string;
}

/** One `pulumi config set`: `key` without the `goship:` prefix. */
export interface Edit {
    key: "version" | "release.step" | "release.abort" | "image.ref";
    value: string;
    /** The value in the stack's config now. */
    from: string | undefined;
}

export interface Move {
    name: MoveName;
    /** What the release does on the next `up` (the state machine's own description). */
    description: string;
    /** Only the keys whose value changes; empty when the config already asks for this move. */
    edits: Edit[];
}

export type Proposal = { ok: true; move: Move } | { ok: false; name: MoveName; reason: string };

/** The `pulumi config set` line of an edit, exactly as a user would type it. */
export function editCommand(e: Edit, stack?: string): string {
    const path = e.key === "version" ? "" : "--path ";
    return `pulumi config set ${path}${e.key} ${e.value}${stack ? ` -s ${stack}` : ""}`;
}

const current = (cfg: MoveConfig, key: Edit["key"]): string | undefined => {
    switch (key) {
        case "version": return cfg.release.version;
        case "release.step": return String(cfg.release.step);
        case "release.abort": return String(cfg.release.abort);
        default: return cfg.imageRef;
    }
};

/** The image a track recorded for `version` (a rollback or retry redeploys exactly that image). */
function imageOf(state: ReleaseState, images: Record<Track, string | undefined>, version: string): string | undefined {
    return (["blue", "green"] as Track[]).map((t) => (state.trackVersions[t] === version ? images[t] : undefined)).find((x) => x);
}

/** What each move asks for in a phase, or why it has no meaning there. */
function wanted(name: MoveName, s: ReleaseState): { version?: string; step?: number; abort?: boolean } | string {
    const settled = `nothing is in progress (${s.phase === "Aborted" ? `${s.candidateVersion} was aborted, ` : ""}stable ${s.stableVersion})`;
    switch (name) {
        case "next":
            if (s.phase === "Progressing" || s.phase === "Preview" || s.phase === "Switched") {
                const version = s.phase === "Switched" ? s.stableVersion : s.candidateVersion!;
                return { version, step: s.step + 1, abort: false };
            }
            if (s.phase === "Aborted") return `${settled}: \`goship retry\` starts ${s.candidateVersion} again from step 0, \`goship rollback\` gives it up`;
            return `${settled}: start a release with \`pulumi config set version <new version>\` and \`pulumi config set --path release.step 0\``;
        case "abort":
            if (s.phase === "Progressing" || s.phase === "Preview" || s.phase === "Switched") return { abort: true };
            return `${settled}: there is nothing to abort`;
        case "retry":
            if (s.phase === "Aborted") return { version: s.candidateVersion!, step: 0, abort: false };
            return `only an aborted release can be retried, and ${s.phase === "Stable" || s.phase === "Promoted" ? settled : `${s.candidateVersion ?? s.stableVersion} is in progress`}`;
        case "rollback":
            // In progress, setting the version back is what the state machine judges
            // (it switches a blue/green release back; it refuses it mid-canary and names abort).
            if (s.phase === "Aborted") return { version: s.stableVersion, abort: false };
            if (s.phase === "Progressing" || s.phase === "Preview") return { version: s.stableVersion, abort: false };
            if (!s.previousStableVersion) return `${s.stableVersion} is the only version this stack has run: there is nothing to roll back to`;
            return { version: s.previousStableVersion, abort: false };
    }
}

/**
 * The edits of move `name` from the stored `state` and the stack's config now, checked by the
 * state machine at `now`. The analysis gate is not run here: the preview runs it.
 */
export function propose(name: MoveName, state: ReleaseState, images: Record<Track, string | undefined>, cfg: MoveConfig, now: string): Proposal {
    const w = wanted(name, state);
    if (typeof w === "string") return { ok: false, name, reason: `goship ${name}: ${w}` };
    const target: ReleaseConfig = { ...cfg.release, ...w };
    const values: Array<[Edit["key"], string]> = [];
    if (w.version !== undefined) values.push(["version", w.version]);
    if (w.step !== undefined) values.push(["release.step", String(w.step)]);
    if (w.abort !== undefined) values.push(["release.abort", String(w.abort)]);
    if (cfg.imageRef !== undefined && target.version !== cfg.release.version) {
        const image = imageOf(state, images, target.version);
        if (!image) return { ok: false, name, reason: `goship ${name}: the stack deploys a prebuilt image (image.ref) and no track recorded one for ${target.version}: set version and image.ref yourself` };
        values.push(["image.ref", image]);
    }
    const t = next(state, target, { now });
    if (!t.ok) return { ok: false, name, reason: t.reason };
    const edits = values.map(([key, value]) => ({ key, value, from: current(cfg, key) })).filter((e) => e.value !== e.from);
    return { ok: true, move: { name, description: t.description, edits } };
}

/** Every move with its verdict, in the order a release goes (what `goship status` lists). */
export function allMoves(state: ReleaseState, images: Record<Track, string | undefined>, cfg: MoveConfig, now: string): Proposal[] {
    return MOVES.map((m) => propose(m, state, images, cfg, now));
}

/** What the stack's config asks for now compared with the stored state (an edit not applied yet). */
export function pending(state: ReleaseState, cfg: MoveConfig, now: string): { kind: "none" } | { kind: "change"; description: string } | { kind: "refused"; reason: string } {
    const t = next(state, cfg.release, { now });
    if (!t.ok) return { kind: "refused", reason: t.reason };
    return t.changed ? { kind: "change", description: t.description } : { kind: "none" };
}
