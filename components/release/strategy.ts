// The release state machine: pure TypeScript, no Pulumi imports.
//
//   next(previous state | undefined, desired config, ctx) → new state | refusal
//
// The provider's `check` calls it with the state stored by the previous update, so a
// preview shows the exact next state and an illegal config edit fails with a message
// that names the current state and the allowed moves. A refusal leaves the state as it
// was; unchanged config returns the same state (no history entry), so a failed
// `pulumi up` can be retried without skipping or repeating a step.
//
// The re-run rule: the config of the last *successful* update is a fixpoint. Applying it
// again, at any later time, is accepted and changes nothing, whatever moved outside the
// user's config in between. A refused update is not applied, so the fixpoint stays the
// config before it. For each state that something other than a config edit can cause:
// - analysis `onFailure: abort`: the update that asked for step N+1 succeeded and ended in
//   Aborted. The state records the requested step (`autoAbort`), and that same config is a
//   no-op (it does not demand `step: 0`), so unrelated edits apply. Retrying still takes
//   `step: 0`; giving up takes `version: <stable>`. The status says which, with the values.
// - analysis `hold` (and `fail` with `onFailure: refuse`): the advance is refused, nothing
//   is recorded; the previous config (step N) is still a no-op, and re-applying step N+1
//   is a retry of the advance that measures again.
// - a failed `up` halfway: if the release resource was updated, the config that caused it
//   is now the fixpoint (same step → no-op, the engine retries the other resources); if it
//   was not, the state is the old one and the same edit is simply tried again.
// - the blue/green scale-down delay: step 2 is refused before the delay; step 1 (the
//   applied config) stays a no-op however much time passes, and step 2 is accepted after.
//
// `pulumi up` runs `check` twice: once for its preview and once for the update, so the
// analysis runs twice and may answer differently. Only the update's `check` is stored: its
// measurement is recorded in history and wins (the preview's answer is a forecast). A
// preview that refuses stops the `up` before the update runs.
//
// Choices where the contract leaves room:
// - Refusal messages speak in `release.step` values (0-based: "is at step 1/4 (20%); next
//   allowed: step 2 (50%)"), since that is what the user edits; the status line counts
//   steps 1-based for humans ("canary 1.4.0 step 2/4: 20%").
// - A new rollout (new version, or a retry after an abort) must start at
//   `release.step: 0`: a stale step left over from the last release must not silently
//   jump the new one ahead.
// - blueGreen ignores `steps`; its step indices are 0 preview, 1 switch, 2 scale down the
//   old colour (allowed once `scaleDownDelaySeconds` have passed since the switch). After
//   the switch the new version *is* stable (weight 0: no canary share remains) and the old
//   colour is "warm"; `abort: true` or setting `version` back switches back instantly.
// - A rollback (version set back to `previousStableVersion` when nothing is in progress)
//   is one move: the previous version goes to the other track and becomes stable.
// - Header/cookie routing (`release.match`) is part of the state: `state.match` is the
//   routing in effect, set only while a canary progresses at one of the match's steps. An
//   edit of the match alone is a change without a history entry (like a strategy edit
//   while settled); a stack without a match never has the field.

import type { MatchRoute } from "./router";
import type { MatchConfig } from "./settings";

export type Strategy = "canary" | "blueGreen";
export type Track = "blue" | "green";

export type Phase =
    /** One version serves 100% (first deploy, or after a rollback); no candidate. */
    | "Stable"
    /** canary: the candidate receives `steps[step]`% of traffic. */
    | "Progressing"
    /** The candidate became stable; the old track is scaled down. */
    | "Promoted"
    /** The candidate was aborted: weight 0, candidate scaled down, stable serves 100%. */
    | "Aborted"
    /** blueGreen: the candidate runs at full size behind the preview Service; main selector unchanged. */
    | "Preview"
    /** blueGreen: the main selector moved to the new colour; the old colour stays warm. */
    | "Switched";

export interface ReleaseConfig {
    version: string;
    strategy: Strategy;
    steps: number[];
    step: number;
    abort: boolean;
    scaleDownDelaySeconds: number;
    /** Header/cookie routing for testers (`release.match`); absent when not configured. */
    match?: MatchConfig;
}

export interface AnalysisOutcome {
    verdict: "pass" | "fail" | "hold";
    onFailure: "refuse" | "abort";
    /** Measured at apply time: absent from the planned state (see plannedState). */
    values: Record<string, number | null>;
    summary: string;
}

export type ReleaseEvent = "deploy" | "start" | "advance" | "promote" | "abort" | "retry" | "rollback" | "switch" | "scaleDown";

export interface HistoryEntry {
    at: string;
    event: ReleaseEvent;
    from: string;
    to: string;
    step: number;
    weight: number;
    analysis?: AnalysisOutcome;
}

export interface ReleaseState {
    strategy: Strategy;
    stableVersion: string;
    previousStableVersion?: string;
    candidateVersion?: string;
    stableTrack: Track;
    trackVersions: Record<Track, string | undefined>;
    steps: number[];
    step: number;
    weight: number;
    phase: Phase;
    switchedAt?: string;
    /** Set when the analysis aborted the release: the step the config asked for, and why. */
    autoAbort?: { step: number; analysis: AnalysisOutcome };
    history: HistoryEntry[];
    /** Header/cookie routing in effect (see matchInEffect); absent when off. */
    match?: MatchRoute;
}

export type Transition =
    | { ok: true; state: ReleaseState; event?: ReleaseEvent; changed: boolean; description: string }
    | { ok: false; reason: string; state: ReleaseState | undefined };

export type TrackRole = "stable" | "candidate" | "warm" | "idle";

export interface Ctx {
    now: string;
    analysis?: AnalysisOutcome;
}

export function otherTrack(t: Track): Track {
    return t === "blue" ? "green" : "blue";
}

const inProgress = (s: ReleaseState) => s.phase === "Progressing" || s.phase === "Preview" || s.phase === "Switched";

/** One line for humans and stack outputs. */
export function statusLine(s: ReleaseState): string {
    const c = s.candidateVersion;
    switch (s.phase) {
        case "Progressing":
            return `canary ${c} step ${s.step + 1}/${s.steps.length}: ${s.weight}% · stable ${s.stableVersion}`;
        case "Preview":
            return `blueGreen ${c} preview · stable ${s.stableVersion}`;
        case "Switched":
            return `blueGreen ${s.stableVersion} switched · ${s.previousStableVersion} warm`;
        case "Aborted":
            if (s.autoAbort) {
                // The planned state (what a preview shows and a plan fixes) carries the verdict, not the values.
                const why = s.autoAbort.analysis.summary ? `: ${s.autoAbort.analysis.summary}` : ` (${s.autoAbort.analysis.verdict})`;
                return `aborted ${c} by analysis at step ${s.autoAbort.step}${why} · stable ${s.stableVersion} · ${giveUpOrRetry(s)}`;
            }
            return `aborted ${c} · stable ${s.stableVersion}`;
        default:
            return `stable ${s.stableVersion}`;
    }
}

/** What to edit after an abort. */
function giveUpOrRetry(s: ReleaseState): string {
    return `to retry set goship:release.step 0; to give up set goship:version ${s.stableVersion}`;
}

/** What each track does in a state. */
export function trackRoles(s: ReleaseState): Record<Track, TrackRole> {
    const other = otherTrack(s.stableTrack);
    const otherRole: TrackRole = s.phase === "Progressing" || s.phase === "Preview" ? "candidate" : s.phase === "Switched" ? "warm" : "idle";
    return { [s.stableTrack]: "stable", [other]: otherRole } as Record<Track, TrackRole>;
}

/** Header/cookie routing is on only while a canary progresses, at the match's steps (all when absent). */
export function matchInEffect(match: MatchConfig | undefined, s: Pick<ReleaseState, "phase" | "step">): MatchRoute | undefined {
    if (!match || s.phase !== "Progressing") return undefined;
    if (match.steps && !match.steps.includes(s.step)) return undefined;
    const { steps: _steps, ...route } = match;
    return route;
}

/** The match as a human reads it in a transition's description. */
function describeMatch(m: MatchRoute | undefined): string {
    if (!m) return "header/cookie routing off";
    const on = [
        ...(m.header ? [`header ${m.header}${m.headerValue ? `=${m.headerValue}` : m.headerPattern ? ` ~ ${m.headerPattern}` : ""}`] : []),
        ...(m.cookie ? [`cookie ${m.cookie}`] : []),
    ];
    return `header/cookie routing: ${on.join(", ")}`;
}

/** True when the move from `prev` under `cfg` would shift traffic toward the candidate. */
export function needsAnalysis(prev: ReleaseState | undefined, cfg: ReleaseConfig): boolean {
    if (!prev || cfg.abort || cfg.version !== prev.candidateVersion) return false;
    if (prev.phase === "Progressing") return cfg.step === prev.step + 1;
    if (prev.phase === "Preview") return cfg.step === 1;
    return false;
}

// ---- refusal messages --------------------------------------------------------------

function where(s: ReleaseState): string {
    if (s.phase === "Progressing") return `release ${s.candidateVersion} is at step ${s.step}/${s.steps.length} (${s.weight}%)`;
    if (s.phase === "Preview") return `release ${s.candidateVersion} is in blueGreen preview (step 0)`;
    if (s.phase === "Switched") return `release ${s.stableVersion} is switched, ${s.previousStableVersion} kept warm (step 1)`;
    if (s.phase === "Aborted") return `release ${s.candidateVersion} was aborted (stable ${s.stableVersion})`;
    return `release is stable at ${s.stableVersion}`;
}

function allowed(s: ReleaseState, cfg?: ReleaseConfig): string {
    if (s.phase === "Progressing") {
        const n = s.step + 1;
        return `next allowed: step ${n} (${s.steps[n]}%${n === s.steps.length - 1 ? ", promotion" : ""}), or abort: true`;
    }
    if (s.phase === "Preview") return "next allowed: step 1 (switch), or abort: true";
    if (s.phase === "Switched") {
        const from = cfg && s.switchedAt ? `, from ${new Date(Date.parse(s.switchedAt!) + cfg.scaleDownDelaySeconds * 1000).toISOString()}` : "";
        return `next allowed: step 2 (scale down ${s.previousStableVersion}${from}), or version ${s.previousStableVersion} / abort: true (switch back)`;
    }
    if (s.phase === "Aborted") return `next allowed: abort: false with step 0 (retry ${s.candidateVersion}), or a new version with step 0`;
    return "next allowed: a new version with step 0";
}

const refuse = (prev: ReleaseState | undefined, why: string): Transition => ({ ok: false, reason: why, state: prev });
const refuseAt = (prev: ReleaseState, why: string, cfg?: ReleaseConfig): Transition =>
    refuse(prev, `goship:release: ${where(prev)}; ${why}; ${allowed(prev, cfg)}`);

// ---- transitions ---------------------------------------------------------------------

function entry(s: ReleaseState, ctx: Ctx, event: ReleaseEvent, from: string, to: string, analysis?: AnalysisOutcome): HistoryEntry {
    const e: HistoryEntry = { at: ctx.now, event, from, to, step: s.step, weight: s.weight };
    if (analysis) e.analysis = analysis;
    return e;
}

function moved(prev: ReleaseState, next: Omit<ReleaseState, "history">, ctx: Ctx, event: ReleaseEvent, from: string, to: string, description: string, analysis?: AnalysisOutcome): Transition {
    const state: ReleaseState = { ...next, history: [] };
    state.history = [...prev.history, entry(state, ctx, event, from, to, analysis)];
    return { ok: true, state, event, changed: true, description };
}

const unchanged = (s: ReleaseState, description = "no change"): Transition => ({ ok: true, state: s, changed: false, description });

function firstDeploy(cfg: ReleaseConfig, ctx: Ctx): Transition {
    const state: ReleaseState = {
        strategy: cfg.strategy, stableVersion: cfg.version, stableTrack: "blue",
        trackVersions: { blue: cfg.version, green: undefined }, steps: [...cfg.steps], step: -1, weight: 0, phase: "Stable", history: [],
    };
    state.history = [entry(state, ctx, "deploy", "", cfg.version)];
    return { ok: true, state, event: "deploy", changed: true, description: `deploy ${cfg.version} as stable (100%)` };
}

/** Starts a rollout of cfg.version from a settled state (Stable, Promoted, Aborted). */
function start(prev: ReleaseState, cfg: ReleaseConfig, ctx: Ctx, event: "start" | "retry"): Transition {
    if (cfg.step !== 0) {
        return refuse(prev, `goship:release.step must be 0 to ${event === "retry" ? "retry" : "start"} ${cfg.version} (got ${cfg.step}); ${where(prev)}; set goship:release.step to 0`);
    }
    const track = otherTrack(prev.stableTrack);
    const base = { ...prev, strategy: cfg.strategy, steps: [...cfg.steps], candidateVersion: cfg.version, step: 0, switchedAt: undefined, autoAbort: undefined,
        trackVersions: { ...prev.trackVersions, [track]: cfg.version } as Record<Track, string | undefined> };
    if (cfg.strategy === "blueGreen") {
        return moved(prev, { ...base, weight: 0, phase: "Preview" }, ctx, event, prev.stableVersion, cfg.version,
            `${event} blueGreen ${cfg.version}: preview on ${track}, main Service stays on ${prev.stableTrack}`);
    }
    if (cfg.steps.length === 1) {
        // steps [100]: the first step is the promotion (a Progressing state at the last
        // step would have no next step and could never promote). Nothing to measure yet.
        return moved(prev, {
            ...base, stableVersion: cfg.version, previousStableVersion: prev.stableVersion, candidateVersion: undefined,
            stableTrack: track, step: -1, weight: 0, phase: "Promoted",
        }, ctx, "promote", prev.stableVersion, cfg.version, `promote ${cfg.version} at once (steps [100]): main Service → ${track}, ${prev.stableTrack} scaled down`);
    }
    return moved(prev, { ...base, weight: cfg.steps[0], phase: "Progressing" }, ctx, event, prev.stableVersion, cfg.version,
        `${event} canary ${cfg.version}: weight 0% → ${cfg.steps[0]}%`);
}

/** Version back to the previous stable, nothing in progress: one move to the other track. */
function rollback(prev: ReleaseState, cfg: ReleaseConfig, ctx: Ctx): Transition {
    const track = otherTrack(prev.stableTrack);
    return moved(prev, {
        ...prev, stableVersion: cfg.version, previousStableVersion: prev.stableVersion, candidateVersion: undefined,
        stableTrack: track, trackVersions: { ...prev.trackVersions, [track]: cfg.version } as Record<Track, string | undefined>,
        step: -1, weight: 0, phase: "Stable", switchedAt: undefined,
    }, ctx, "rollback", prev.stableVersion, cfg.version, `roll back ${prev.stableVersion} → ${cfg.version} on ${track}`);
}

/** `auto`: the analysis aborted the move to config step `auto.step` (onFailure: abort). */
function abortFrom(prev: ReleaseState, ctx: Ctx, auto?: { step: number; analysis: AnalysisOutcome }): Transition {
    if (prev.phase === "Switched") return switchBack(prev, ctx, "abort");
    const how = `weight ${prev.weight}% → 0%, ${otherTrack(prev.stableTrack)} scaled down`;
    const next = { ...prev, step: -1, weight: 0, phase: "Aborted" as Phase, autoAbort: auto };
    const description = auto
        ? `abort ${prev.candidateVersion} by analysis at step ${auto.step}${auto.analysis.summary ? `: ${auto.analysis.summary}` : ` (${auto.analysis.verdict})`}; ${how}; ${giveUpOrRetry(prev)}`
        : `abort ${prev.candidateVersion}: ${how}`;
    return moved(prev, next, ctx, "abort", prev.candidateVersion!, prev.stableVersion, description, auto?.analysis);
}

/** blueGreen, Switched: back to the warm colour at once. */
function switchBack(prev: ReleaseState, ctx: Ctx, event: "abort" | "rollback"): Transition {
    const back = otherTrack(prev.stableTrack);
    return moved(prev, {
        ...prev, stableVersion: prev.previousStableVersion!, previousStableVersion: prev.stableVersion, stableTrack: back,
        candidateVersion: event === "abort" ? prev.stableVersion : undefined,
        step: -1, weight: 0, phase: event === "abort" ? "Aborted" : "Stable", switchedAt: undefined,
    }, ctx, event, prev.stableVersion, prev.previousStableVersion!, `switch back to ${prev.previousStableVersion} on warm ${back}`);
}

/** Applies an analysis outcome to an advancing move. */
function gate(prev: ReleaseState, cfg: ReleaseConfig, ctx: Ctx, advance: (a?: AnalysisOutcome) => Transition): Transition {
    const a = ctx.analysis;
    if (!a || a.verdict === "pass") return advance(a);
    if (a.verdict === "hold") return refuseAt(prev, `held: ${a.summary}`, cfg);
    if (a.onFailure === "abort") return abortFrom(prev, ctx, { step: cfg.step, analysis: a });
    return refuseAt(prev, `analysis failed: ${a.summary}`, cfg);
}

function progressing(prev: ReleaseState, cfg: ReleaseConfig, ctx: Ctx): Transition {
    if (cfg.step === prev.step) return unchanged(prev);
    if (cfg.step < prev.step) return refuseAt(prev, `step ${cfg.step} would go back (steps only move forward)`, cfg);
    if (cfg.step >= prev.steps.length) return refuseAt(prev, `step ${cfg.step} is past the last step (${prev.steps.length - 1})`, cfg);
    if (cfg.step > prev.step + 1) return refuseAt(prev, `step ${cfg.step} would skip ${cfg.step - prev.step - 1} step(s)`, cfg);
    return gate(prev, cfg, ctx, (analysis) => {
        const weight = prev.steps[cfg.step];
        if (cfg.step < prev.steps.length - 1) {
            return moved(prev, { ...prev, step: cfg.step, weight }, ctx, "advance", prev.stableVersion, prev.candidateVersion!,
                `advance ${prev.candidateVersion}: weight ${prev.weight}% → ${weight}%`, analysis);
        }
        const track = otherTrack(prev.stableTrack);
        return moved(prev, {
            ...prev, stableVersion: prev.candidateVersion!, previousStableVersion: prev.stableVersion, candidateVersion: undefined,
            stableTrack: track, step: -1, weight: 0, phase: "Promoted",
        }, ctx, "promote", prev.stableVersion, prev.candidateVersion!,
        `promote ${prev.candidateVersion}: main Service → ${track}, canary weight ${prev.weight}% → 0%, ${prev.stableTrack} scaled down`, analysis);
    });
}

function preview(prev: ReleaseState, cfg: ReleaseConfig, ctx: Ctx): Transition {
    if (cfg.step === 0) return unchanged(prev);
    if (cfg.step !== 1) return refuseAt(prev, `step ${cfg.step} would skip the switch`, cfg);
    return gate(prev, cfg, ctx, (analysis) => {
        const track = otherTrack(prev.stableTrack);
        return moved(prev, {
            ...prev, stableVersion: prev.candidateVersion!, previousStableVersion: prev.stableVersion, candidateVersion: undefined,
            stableTrack: track, step: 1, weight: 0, phase: "Switched", switchedAt: ctx.now,
        }, ctx, "switch", prev.stableVersion, prev.candidateVersion!, `switch main Service ${prev.stableTrack} → ${track}; ${prev.stableTrack} kept warm`, analysis);
    });
}

function switched(prev: ReleaseState, cfg: ReleaseConfig, ctx: Ctx): Transition {
    if (cfg.step === 1) return unchanged(prev);
    if (cfg.step !== 2) return refuseAt(prev, `step ${cfg.step} is not a blueGreen step after a switch`, cfg);
    // A planned state has no switch time (a volatile fact): the provider checks the delay
    // against the stored outputs instead (diff at preview, update at apply).
    const readyAt = prev.switchedAt === undefined ? -Infinity : Date.parse(prev.switchedAt) + cfg.scaleDownDelaySeconds * 1000;
    const now = Date.parse(ctx.now);
    if (now < readyAt) {
        return refuseAt(prev, `scaleDownDelay: ${prev.previousStableVersion} stays warm until ${new Date(readyAt).toISOString()} (${Math.ceil((readyAt - now) / 1000)} s remaining)`, cfg);
    }
    return moved(prev, { ...prev, step: -1, phase: "Promoted", switchedAt: undefined }, ctx, "scaleDown", prev.previousStableVersion!, prev.stableVersion,
        `scale down ${prev.previousStableVersion} on ${otherTrack(prev.stableTrack)}`);
}

/**
 * The next state under `cfg`: the move the transition table picks, then the header/cookie
 * routing in effect in the resulting state. A match edit that moves nothing else is a
 * change of its own (no history entry), so the router follows it at once.
 */
export function next(prev: ReleaseState | undefined, cfg: ReleaseConfig, ctx: Ctx): Transition {
    const t = move(prev, cfg, ctx);
    if (!t.ok) return t;
    const { match: was, ...rest } = t.state;
    const match = matchInEffect(cfg.match, t.state);
    // Last key, and only when on: a state without a match serializes as it always did.
    const state: ReleaseState = match ? { ...rest, match } : rest;
    if (JSON.stringify(match) === JSON.stringify(was)) return t;
    if (t.changed) return { ...t, state };
    return { ok: true, state, changed: true, description: describeMatch(match) };
}

/**
 * The transition table. Rows: the phase of the previous state; within a row, the config
 * edit (abort, version, step) decides the move.
 */
function move(prev: ReleaseState | undefined, cfg: ReleaseConfig, ctx: Ctx): Transition {
    if (!prev) return firstDeploy(cfg, ctx);

    if (inProgress(prev)) {
        const target = prev.phase === "Switched" ? prev.stableVersion : prev.candidateVersion;
        if (cfg.abort) return abortFrom(prev, ctx);
        if (prev.phase === "Switched" && cfg.version === prev.previousStableVersion) return switchBack(prev, ctx, "rollback");
        if (cfg.version !== target) return refuseAt(prev, `goship:version ${cfg.version} cannot start while ${target} is in progress`, cfg);
        if (cfg.strategy !== prev.strategy) return refuseAt(prev, `goship:release.strategy cannot change mid-rollout`, cfg);
        if (prev.phase === "Progressing" && JSON.stringify(cfg.steps) !== JSON.stringify(prev.steps)) {
            return refuseAt(prev, `goship:release.steps cannot change mid-rollout (${JSON.stringify(prev.steps)})`, cfg);
        }
        if (prev.phase === "Progressing") return progressing(prev, cfg, ctx);
        if (prev.phase === "Preview") return preview(prev, cfg, ctx);
        return switched(prev, cfg, ctx);
    }

    // Settled: Stable, Promoted, Aborted.
    if (prev.phase === "Aborted") {
        if (cfg.abort) return unchanged(prev);
        // The config of the update that the analysis aborted is this state's fixpoint.
        if (prev.autoAbort && cfg.version === prev.candidateVersion && cfg.step === prev.autoAbort.step) return unchanged(prev);
        if (cfg.version === prev.stableVersion) {
            // Giving up on the aborted version: back to a plain stable state.
            return moved(prev, { ...prev, candidateVersion: undefined, phase: "Stable", autoAbort: undefined }, ctx, "rollback", prev.candidateVersion!, prev.stableVersion,
                `drop aborted ${prev.candidateVersion}; stable ${prev.stableVersion}`);
        }
        return start(prev, cfg, ctx, cfg.version === prev.candidateVersion ? "retry" : "start");
    }
    if (cfg.version === prev.stableVersion) {
        if (cfg.strategy !== prev.strategy) {
            return { ok: true, state: { ...prev, strategy: cfg.strategy }, changed: true, description: `strategy ${prev.strategy} → ${cfg.strategy}` };
        }
        return unchanged(prev);
    }
    if (cfg.abort) return refuse(prev, `goship:release.abort is true but nothing is in progress (${where(prev)}); set abort: false to start ${cfg.version}`);
    if (cfg.version === prev.previousStableVersion) return rollback(prev, cfg, ctx);
    return start(prev, cfg, ctx, "start");
}

/** Throws when a state (or the step from `prev` to it) breaks a release invariant. */
export function assertInvariants(prev: ReleaseState | undefined, s: ReleaseState): void {
    const fail = (m: string) => { throw new Error(`release invariant broken: ${m} in ${JSON.stringify(s)}`); };
    if (!Number.isInteger(s.weight) || s.weight < 0 || s.weight > 100) fail(`weight ${s.weight} outside [0, 100]`);
    if (s.weight !== 0 && !s.steps.includes(s.weight)) fail(`weight ${s.weight} not in steps ${JSON.stringify(s.steps)}`);
    const other = otherTrack(s.stableTrack);
    if (s.trackVersions[s.stableTrack] !== s.stableVersion) fail("the stable track does not run the stable version");
    if ((s.step === -1) !== !inProgress(s)) fail(`step ${s.step} with phase ${s.phase}`);
    if (s.phase === "Progressing" && s.weight !== s.steps[s.step]) fail("weight does not match the step");
    if (s.phase !== "Progressing" && s.weight !== 0) fail(`weight ${s.weight} outside a canary`);
    if (s.phase === "Progressing" || s.phase === "Preview") {
        if (s.trackVersions[other] !== s.candidateVersion) fail("the candidate track does not run the candidate");
        if (s.candidateVersion === undefined || s.candidateVersion === s.stableVersion) fail("a rollout without a distinct candidate");
    }
    if (s.phase === "Switched") {
        if (s.previousStableVersion === undefined || s.trackVersions[other] !== s.previousStableVersion) fail("the warm colour does not run the previous stable version");
        if (s.switchedAt === undefined) fail("a switch without its time");
    }
    if (s.phase === "Aborted" && s.candidateVersion === undefined) fail("an aborted release without the aborted version");
    if ((s.phase === "Stable" || s.phase === "Promoted") && s.candidateVersion !== undefined) fail(`a candidate in phase ${s.phase}`);
    if (s.autoAbort && s.phase !== "Aborted") fail("autoAbort outside Aborted");
    if (s.match && s.phase !== "Progressing") fail(`header/cookie routing in phase ${s.phase}`);
    if (prev) {
        if (s.history.length < prev.history.length) fail("history shrank");
        if (JSON.stringify(s.history.slice(0, prev.history.length)) !== JSON.stringify(prev.history)) fail("history was rewritten");
    }
}
