// The release's dynamic provider. `check` runs the pure state machine on the state stored
// by the previous update and the new config, and returns the new state as the resource's
// inputs: during `pulumi preview` the engine echoes a dynamic resource's inputs as its
// outputs, so only what `check` computes is visible in the preview diff, and a refusal
// here fails the preview with the message a pull request needs.
//
// Reviewed = applied. `pulumi preview --save-plan` records what `check` returned, and
// `pulumi up --plan` fails when its own `check` returns anything else. So `check` is a pure
// function of the stored inputs and the config: it returns the *planned* state (phase,
// step, weight, tracks, images, history events and analysis verdicts) and nothing that
// depends on when it runs. The volatile facts (each transition's time, the switch time,
// the analysis values measured at apply) are added by `create`/`update` to the outputs:
// `update` replays the transition on the previous outputs (which hold every earlier fact)
// with the clock and the analysis of apply time, and refuses when the result is not the
// planned state. The engine gives `check` the stored *inputs* and `diff`/`update` the stored
// *outputs*, which is why this split holds across updates.
//
// This object is serialized into the state by the engine (closure serialization), so it
// captures only pure modules: the state machine and the analysis gate.
import type * as pulumi from "@pulumi/pulumi";
import { runAnalysis } from "./analysis";
import { routerChangeRefusal } from "./router-change";
import { AnalysisOutcome, HistoryEntry, needsAnalysis, next, ReleaseConfig, ReleaseState, statusLine, Track, trackRoles } from "./strategy";
import type { AnalysisConfig } from "./analysis";

/** What the program sends: the desired config, plus the image built for `desired.version`. */
export interface ReleaseInputs {
    desired: ReleaseConfig;
    /** Image reference of `desired.version` (a digest when pushed). */
    imageRef: string;
    analysis?: AnalysisConfig;
    /** Clock override for tests and offline rehearsals (ISO time); the wall clock otherwise. */
    now?: string;
    /** The router kind when not nginx (absent means nginx, so nginx stacks' state is unchanged). */
    router?: string;
    /**
     * Set by the program during the update of an `up` (not in a preview). check only reads it
     * to word a refusal, and drops it: the checked inputs, which a plan fixes, are the same.
     */
    applying?: boolean;
}

/** What the resource stores and outputs: the inputs plus the computed release. */
export interface ReleaseOutputs extends ReleaseInputs {
    state: ReleaseState;
    /** Image each track runs: a track keeps its image until it gets a new version. */
    trackImages: Record<Track, string | undefined>;
    roles: ReturnType<typeof trackRoles>;
    status: string;
    /** Human description of the last transition (what this update did). */
    lastTransition: string;
}

/**
 * The image each track runs. A track running the desired version gets the image just
 * built for it (a rebuilt digest rolls its pods); any other track keeps the image it was
 * given when it got its version, so a canary never touches the stable pods.
 */
export function assignImages(prev: Partial<ReleaseOutputs> | undefined, state: ReleaseState, desiredVersion: string, imageRef: string): Record<Track, string | undefined> {
    const image = (t: Track): string | undefined => {
        const version = state.trackVersions[t];
        if (version === undefined) return undefined;
        if (version === desiredVersion) return imageRef;
        return prev?.trackImages?.[t];
    };
    return { blue: image("blue"), green: image("green") };
}

/** An analysis outcome as a plan fixes it: the verdict, without the values of one measurement. */
export function plannedAnalysis(a: AnalysisOutcome): AnalysisOutcome {
    return { verdict: a.verdict, onFailure: a.onFailure } as AnalysisOutcome;
}

/**
 * The planned part of a release state: what `check` returns and a saved plan fixes. Drops
 * the volatile facts (history times, the switch time, analysis values and summaries), which
 * only `create`/`update` know. Idempotent, and an identity on a state `check` returned.
 */
export function plannedState(s: ReleaseState): ReleaseState {
    const { switchedAt: _switchedAt, autoAbort, history, ...rest } = s;
    const out: ReleaseState = {
        ...rest,
        history: history.map(({ at: _at, analysis, ...e }) => ({ ...e, ...(analysis ? { analysis: plannedAnalysis(analysis) } : {}) }) as HistoryEntry),
    };
    if (autoAbort) out.autoAbort = { step: autoAbort.step, analysis: plannedAnalysis(autoAbort.analysis) };
    return out;
}

/** The stored state of a previous update (undefined before the first deploy). */
function storedState(olds: Partial<ReleaseOutputs> | undefined): ReleaseState | undefined {
    return olds?.state && olds.state.stableVersion ? olds.state : undefined;
}

/** Runs one transition: the heart of `check`, exported for the offline renderer and tests. */
export async function computeRelease(olds: Partial<ReleaseOutputs> | undefined, news: ReleaseInputs, ctx: { now?: string } = {}):
    Promise<{ ok: true; outputs: ReleaseOutputs } | { ok: false; reason: string }> {
    const stored = storedState(olds);
    // check receives the stored inputs (already planned); the renderer may pass outputs.
    const prevState = stored && plannedState(stored);
    const prev = prevState && { ...(olds as ReleaseOutputs), state: prevState };
    // The clock decides (the blue/green scale-down delay) but is never recorded here.
    const now = news.now ?? ctx.now ?? new Date().toISOString();
    let analysis: AnalysisOutcome | undefined;
    if (news.analysis && needsAnalysis(prevState, news.desired)) {
        const candidate = prevState?.candidateVersion ?? news.desired.version;
        analysis = await runAnalysis(news.analysis, candidate);
    }
    // First with the measured values, so a refusal says what was measured; then with the
    // verdict alone, so the planned state and its description hold no measurement.
    const measured = next(prevState, news.desired, { now, analysis });
    if (!measured.ok) {
        if (!news.applying || !analysis || analysis.verdict === "pass") return { ok: false, reason: measured.reason };
        // Measured by the up itself: its preview (or the saved plan's) may have passed.
        return { ok: false, reason: `${measured.reason}. Measured at apply: no traffic moved. If the reviewed preview passed, the candidate changed since: `
            + `run the same up (the deploy) again once it recovers, or preview again (pulumi preview --save-plan) and review this refusal` };
    }
    const t = analysis ? next(prevState, news.desired, { now, analysis: plannedAnalysis(analysis) }) : measured;
    if (!t.ok) return { ok: false, reason: t.reason };
    const refusal = routerChangeRefusal(prev?.router ?? "nginx", news.router ?? "nginx",
        prevState && { phase: prevState.phase, status: statusLine(prevState) }, t.changed);
    if (refusal) return { ok: false, reason: refusal };
    const state = plannedState(t.state);
    const { applying: _applying, ...inputs } = news;
    return {
        ok: true,
        outputs: {
            ...inputs,
            state,
            trackImages: assignImages(prev, state, news.desired.version, news.imageRef),
            roles: trackRoles(state),
            status: statusLine(state),
            lastTransition: t.changed ? t.description : (prev?.lastTransition ?? t.description),
        },
    };
}

/**
 * A refusal at apply time: the message says what happened and what the user does next.
 * A plain Error with a name (a class would not survive closure serialization intact).
 */
function applyRefusal(message: string): Error {
    const e = new Error(message);
    e.name = "ApplyRefusal";
    return e;
}

/** JSON with sorted keys: stored values come back through protobuf Structs in another key order. */
function canonical(v: unknown): string {
    return JSON.stringify(v, (_k, x) => (x && typeof x === "object" && !Array.isArray(x)
        ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, x[k]])) : x));
}

const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

/**
 * What `create`/`update` store: the planned state of `news`, replayed on the stored
 * outputs with the clock of apply time and, for a gated move, a new measurement. The
 * history is the stored one plus the new entry, so it stays append-only and complete.
 * Refuses (throws an ApplyRefusal) when the replay is not the planned state: the analysis
 * answered differently than it did for the plan, or the scale-down delay has not passed.
 * Nothing else has run yet when this throws: every track and route waits for the release.
 */
export async function applyRelease(olds: Partial<ReleaseOutputs> | undefined, news: ReleaseOutputs, opts: { now?: string; measure?: boolean } = {}):
    Promise<{ state: ReleaseState; description: string }> {
    const prev = storedState(olds);
    const now = news.now ?? opts.now ?? new Date().toISOString();
    const planned = news.state;
    const grew = planned.history.length > (prev?.history.length ?? 0);
    const plannedVerdict = grew ? planned.history[planned.history.length - 1].analysis : undefined;
    let analysis: AnalysisOutcome | undefined;
    if (news.analysis && needsAnalysis(prev, news.desired)) {
        const candidate = prev?.candidateVersion ?? news.desired.version;
        if (opts.measure === false) {
            // diff, at preview: the check just measured; only the clock is checked here.
            analysis = plannedVerdict ?? { verdict: "pass", onFailure: news.analysis.onFailure } as AnalysisOutcome;
        } else {
            analysis = await runAnalysis(news.analysis, candidate);
            if (plannedVerdict && analysis.verdict !== plannedVerdict.verdict) {
                throw applyRefusal(verdictChanged(prev!, planned, plannedVerdict, analysis));
            }
        }
    }
    const t = next(prev, news.desired, { now, analysis });
    if (!t.ok) {
        throw applyRefusal(`${t.reason}. Nothing was changed: this move is not applied, the plan stays valid for later`);
    }
    if (!same(plannedState(t.state), planned)) {
        throw applyRefusal(`goship:release: at apply the release would become "${statusLine(plannedState(t.state))}", `
            + `not the planned "${statusLine(planned)}"; nothing was changed. Run the preview again (pulumi preview --save-plan) and review the new plan`);
    }
    return { state: t.state, description: t.changed ? t.description : (olds?.lastTransition ?? t.description) };
}

function verdictChanged(prev: ReleaseState, planned: ReleaseState, previewed: AnalysisOutcome, now: AnalysisOutcome): string {
    const move = planned.phase === "Aborted" ? "the abort" : planned.history[planned.history.length - 1].event === "switch" ? "the switch" : `the move to ${planned.weight}%`;
    return `goship:release: the analysis answered differently at apply than in the reviewed preview: `
        + `preview verdict ${previewed.verdict} (planned: ${statusLine(planned)}), apply verdict ${now.verdict} (${now.summary}). `
        + `Traffic was not moved: ${statusLine(prev)}. `
        + `Next: run the preview again (pulumi preview --save-plan plan.json) so that the new measurement is reviewed, `
        + `or, if the candidate recovers, run the same deploy again: ${move} is applied only while the analysis says ${previewed.verdict}`;
}

/**
 * Fields that never make a change on their own (the clock, the serialized provider).
 * A plain array: closure serialization cannot carry a captured Set (the round-trip test
 * caught that).
 */
const IGNORED = ["now", "__provider", "lastTransition"];

/** Dotted paths of the leaf values that differ between the stored and the new outputs. */
export function changedFields(olds: any, news: any, at = ""): string[] {
    if (JSON.stringify(olds) === JSON.stringify(news)) return [];
    const isObj = (v: any) => v !== null && typeof v === "object" && !Array.isArray(v);
    if (!isObj(olds) || !isObj(news)) return [at];
    const keys = [...new Set([...Object.keys(olds), ...Object.keys(news)])].filter((k) => !(at === "" && IGNORED.includes(k))).sort();
    return keys.flatMap((k) => changedFields(olds[k], news[k], at ? `${at}.${k}` : k));
}

/**
 * The provider host sends results as protobuf Structs, which cannot carry `undefined`
 * ("Unexpected struct type"): absent optional fields are dropped before they leave.
 */
function wire<T>(value: T): T {
    return JSON.parse(JSON.stringify(value));
}

export const releaseProvider: pulumi.dynamic.ResourceProvider = {
    async check(olds: any, news: any) {
        const r = await computeRelease(olds, news);
        if (!r.ok) return { failures: [{ property: "desired", reason: r.reason }] };
        return { inputs: wire(r.outputs) };
    },

    // The dynamic-provider host forwards only changes/replaces to the engine, which then
    // draws the property diff itself; changedFields is what tests and the renderer show.
    // The stored outputs hold volatile facts the planned inputs never have: compare the
    // planned part. A move that the clock refuses (the scale-down delay, which needs the
    // stored switch time) fails here, so the preview refuses it as early as check would.
    async diff(_id: string, olds: any, news: any) {
        const changes = changedFields({ ...olds, ...(olds?.state ? { state: plannedState(olds.state) } : {}) }, news).length > 0;
        if (changes) await applyRelease(olds, news, { measure: false });
        return { changes, replaces: [], deleteBeforeReplace: false };
    },

    async create(inputs: any) {
        const { state, description } = await applyRelease(undefined, inputs);
        return { id: `release-${state.history[0]?.at ?? "0"}`, outs: wire({ ...inputs, state, lastTransition: description }) };
    },

    async update(_id: string, olds: any, news: any) {
        const { state, description } = await applyRelease(olds, news);
        return { outs: wire({ ...news, state, lastTransition: description }) };
    },

    async read(id: string, props: any) {
        return { id, props };
    },

    async delete() {
        // Pulumi state is the release's only home; deleting it removes nothing else.
    },
};

/**
 * The provider the engine runs. A check failure would print as "pulumi-nodejs:dynamic:Resource
 * resource 'goship-release' has a problem: …"; a thrown error's message is the resource's
 * error line itself, the first a user reads. The provider host also logs `${error}: ${stack}`
 * on the Stack, so both are set to a one-line pointer instead of a repeat and a stack trace.
 */
export const engineReleaseProvider: pulumi.dynamic.ResourceProvider = {
    ...releaseProvider,
    async check(olds: any, news: any) {
        const r = await releaseProvider.check!(olds, news);
        if (r.failures?.length) throw oneLine(r.failures.map((f) => f.reason).join("; "));
        return r;
    },
    async diff(id: string, olds: any, news: any) {
        return rethrow(() => releaseProvider.diff!(id, olds, news));
    },
    async create(inputs: any) {
        return rethrow(() => releaseProvider.create!(inputs));
    },
    async update(id: string, olds: any, news: any) {
        return rethrow(() => releaseProvider.update!(id, olds, news));
    },
};

/** An error the engine prints as its message alone (see engineReleaseProvider). */
function oneLine(message: string): Error {
    const refusal = new Error(message);
    refusal.toString = () => "goship refused the release move (the goship-release error says why and what to edit)";
    refusal.stack = "nothing was changed";
    return refusal;
}

async function rethrow<T>(f: () => Promise<T>): Promise<T> {
    try {
        return await f();
    } catch (e) {
        if ((e as Error)?.name === "ApplyRefusal") throw oneLine((e as Error).message);
        throw e;
    }
}
