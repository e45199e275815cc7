// A router change (nginx → gatewayApi, or back) swaps the objects that carry all of the
// app's traffic in one update: the new ones are created (and awaited) before the engine
// deletes the old ones at the end of the update. That is safe only while one track serves
// everything: mid-rollout, the old objects hold a weight or a colour that the new ones
// would have to reproduce in the same breath. Pure, so the provider can call it in check.
import type { Phase } from "./strategy";

const SETTLED: Phase[] = ["Stable", "Promoted", "Aborted"];

/**
 * Why a router change is refused, or undefined when it is allowed (or nothing changes).
 * `releaseMoves`: this same update would also move the release (a new version, a step).
 */
export function routerChangeRefusal(from: string, to: string, prev: { phase: Phase; status: string } | undefined, releaseMoves: boolean): string | undefined {
    if (from === to || !prev) return undefined;
    if (!SETTLED.includes(prev.phase)) {
        return `release.router cannot change from ${from} to ${to} while the release is in progress (${prev.status}): `
            + `finish it (promote, or switch and scale down) or abort it, then change the router`;
    }
    if (releaseMoves) {
        return `release.router changes from ${from} to ${to} in the same update as a release move: `
            + `change the router alone (keep goship:version and release.* as they are), then release`;
    }
    return undefined;
}
