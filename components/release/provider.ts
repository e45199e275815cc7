// The release's dynamic provider. `check` runs the pure state machine on the state stored
// by the previous update and the new config, and returns the new state as the resource's
// inputs: during `pulumi preview` the engine echoes a dynamic resource's inputs as its
// outputs, so only what `check` computes is visible in the preview diff, and a refusal
// here fails the preview with the message a pull request needs.
//
// This object is serialized into the state by the engine (closure serialization), so it
// captures only pure modules: the state machine and the analysis gate.
import type * as pulumi from "@pulumi/pulumi";
import { runAnalysis } from "./analysis";
import { routerChangeRefusal } from "./router-change";
import { needsAnalysis, next, ReleaseConfig, ReleaseState, statusLine, Track, trackRoles } from "./strategy";
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

/** Runs one transition: the heart of `check`, exported for the offline renderer and tests. */
export async function computeRelease(olds: Partial<ReleaseOutputs> | undefined, news: ReleaseInputs, ctx: { now?: string } = {}):
    Promise<{ ok: true; outputs: ReleaseOutputs } | { ok: false; reason: string }> {
    const prev = olds?.state && olds.state.stableVersion ? olds as ReleaseOutputs : undefined;
    const now = news.now ?? ctx.now ?? new Date().toISOString();
    let analysis;
    if (news.analysis && needsAnalysis(prev?.state, news.desired)) {
        const candidate = prev?.state.candidateVersion ?? news.desired.version;
        analysis = await runAnalysis(news.analysis, candidate);
    }
    const t = next(prev?.state, news.desired, { now, analysis });
    if (!t.ok) return { ok: false, reason: t.reason };
    const refusal = routerChangeRefusal(prev?.router ?? "nginx", news.router ?? "nginx",
        prev && { phase: prev.state.phase, status: statusLine(prev.state) }, t.changed);
    if (refusal) return { ok: false, reason: refusal };
    const state = t.state;
    return {
        ok: true,
        outputs: {
            ...news,
            state,
            trackImages: assignImages(prev, state, news.desired.version, news.imageRef),
            roles: trackRoles(state),
            status: statusLine(state),
            lastTransition: t.changed ? t.description : (prev?.lastTransition ?? t.description),
        },
    };
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
    async diff(_id: string, olds: any, news: any) {
        return { changes: changedFields(olds, news).length > 0, replaces: [], deleteBeforeReplace: false };
    },

    async create(inputs: any) {
        return { id: `release-${inputs.state.history[0]?.at ?? "0"}`, outs: wire(inputs) };
    },

    async update(_id: string, _olds: any, news: any) {
        return { outs: wire(news) };
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
        if (r.failures?.length) {
            const refusal = new Error(r.failures.map((f) => f.reason).join("; "));
            refusal.toString = () => "goship refused the release move (the goship-release error says why and what to edit)";
            refusal.stack = "nothing was changed";
            throw refusal;
        }
        return r;
    },
};
