// Release invariants checked on the rendered Kubernetes objects (not on the state's own
// bookkeeping), after every update of a scenario: what the main Service selects, what
// the canary Ingress sends where, which image and version each track runs.
import * as assert from "assert";
import { MockEngine, UpResult } from "../../offline/engine";
import { T } from "../../offline/results";
import type { ReleaseState, Track } from "../../components/release/strategy";

const other = (t: Track): Track => (t === "blue" ? "green" : "blue");
const A = "nginx.ingress.kubernetes.io";

export function assertRouting(r: UpResult, app = "goship"): void {
    const state: ReleaseState = r.release.state;
    const images: Record<Track, string | undefined> = r.release.trackImages;
    const at = `in phase ${state.phase} (${JSON.stringify({ stable: state.stableTrack, weight: state.weight, step: state.step })})`;
    const dep = (t: Track) => r.get(T.Deployment, `${app}-${t}`).inputs;
    const versionOf = (t: Track) => dep(t).spec.template.metadata.labels["app.kubernetes.io/version"];
    const imageOf = (t: Track) => dep(t).spec.template.spec.containers[0].image;
    const cand = other(state.stableTrack);

    // The main Service selects the stable track, which runs the stable version.
    assert.strictEqual(r.get(T.Service, app).inputs.spec.selector["goship.dev/track"], state.stableTrack, `main Service ${at}`);
    assert.strictEqual(versionOf(state.stableTrack), state.stableVersion, `stable track version ${at}`);
    assert.strictEqual(imageOf(state.stableTrack), images[state.stableTrack], `stable track image ${at}`);

    const idle = state.phase === "Stable" || state.phase === "Promoted" || state.phase === "Aborted";
    if (state.phase === "Progressing" || state.phase === "Preview") {
        // The candidate track runs the candidate version, with the image built for it.
        assert.strictEqual(versionOf(cand), state.candidateVersion, `candidate version ${at}`);
        assert.strictEqual(imageOf(cand), images[cand], `candidate image ${at}`);
        if (!/[@/]/.test(imageOf(cand))) assert.strictEqual(imageOf(cand), `goship:${state.candidateVersion}`, `candidate image ${at}`);
        assert.ok((dep(cand).spec.replicas ?? 0) >= 1, `the candidate runs pods ${at}`);
    }
    if (state.phase === "Switched") {
        // The warm colour runs the previous stable version, at a size that can take the traffic back.
        assert.strictEqual(versionOf(cand), state.previousStableVersion, `warm colour version ${at}`);
        assert.ok((dep(cand).spec.replicas ?? 0) >= 1, `the warm colour runs pods ${at}`);
    }
    if (idle) assert.strictEqual(dep(cand).spec.replicas, 0, `an idle track runs no pods ${at}`);

    const canary = r.ofType(T.Ingress).find((i) => i.inputs.metadata.name === `${app}-canary`)?.inputs;
    if (canary) {
        const weight = canary.metadata.annotations[`${A}/canary-weight`];
        assert.strictEqual(weight, String(state.weight), `canary Ingress weight ${at}`);
        assert.strictEqual(canary.spec.rules[0].http.paths[0].backend.service.name, `${app}-${cand}`, `canary backend ${at}`);
        // Nothing routes to an idle track: no weight, no header or cookie route.
        if (idle) {
            assert.strictEqual(weight, "0", `weight to an idle track ${at}`);
            assert.strictEqual(canary.metadata.annotations[`${A}/canary-by-header`], undefined, `header route to an idle track ${at}`);
            assert.strictEqual(canary.metadata.annotations[`${A}/canary-by-cookie`], undefined, `cookie route to an idle track ${at}`);
        }
    }
}

/** A MockEngine that checks the routing invariants after every successful update. */
export class CheckedEngine extends MockEngine {
    async up(edits: Record<string, unknown> = {}): Promise<UpResult> {
        const r = await super.up(edits);
        assertRouting(r);
        return r;
    }
}
