// A multi-update engine over the mock runtime: it runs the program, keeps the release
// resource's stored outputs as "the state", and on the next run passes that state to
// the provider's check/diff/update exactly as the Pulumi engine does for a dynamic
// resource. A refused transition fails the run and leaves the stored state untouched.
import { applyRelease, RELEASE_TYPE, runProgram, withoutProvider } from "./mock-runtime";
import { RunResult, T } from "./results";

export interface UpResult extends RunResult {
    /** The release resource's outputs after this update. */
    release: any;
    /** What the provider's diff said (undefined on create). */
    changed?: boolean;
}

export class MockEngine {
    /** Stored outputs of the release resource, as in the Pulumi state file. */
    public stored: any | undefined;
    /** Overrides applied on every run (the stack's config as edited so far). */
    public config: Record<string, unknown> = {};
    public last?: UpResult;
    private clock = Date.parse("2026-11-24T10:00:00Z");

    /**
     * The cluster's Deployments as far as replicas go: what the last successful update
     * applied, or what an HPA / `kubectl scale` set since (see `scale`). Reads
     * (`Deployment.get`) answer from here, and a read of a missing object fails like the
     * real provider's.
     */
    public readonly deployments = new Map<string, number>();

    /**
     * The renderer has no cluster and no record of one: a read it cannot answer returns an
     * empty object (no information, so tracks are sized as without a live count) instead of
     * failing like a real read of a missing object.
     */
    public emptyReads = false;

    /** Passed to runProgram (the renderer skips the provider's closure serialization). */
    public skipProviderSerialization = false;

    constructor(readonly stack: string, initial: Record<string, unknown> = {}) {
        this.config = { ...initial };
    }

    /** Advances the engine's clock (for blue/green scale-down delays). */
    tick(seconds: number): void {
        this.clock += seconds * 1000;
    }

    /** Sets a Deployment's replicas outside Pulumi, as an HPA or `kubectl scale` does. */
    scale(name: string, replicas: number): void {
        if (!this.deployments.has(name)) throw new Error(`no Deployment ${name} in the simulated cluster`);
        this.deployments.set(name, replicas);
    }

    /** Edits config (like `pulumi config set --path`) and runs `pulumi up`. */
    async up(edits: Record<string, unknown> = {}): Promise<UpResult> {
        const config = { ...this.config, ...edits };
        let release: any;
        let changed: boolean | undefined;
        const now = new Date(this.clock).toISOString();
        const result = await runProgram({
            stack: this.stack,
            overrides: config,
            skipProviderSerialization: this.skipProviderSerialization,
            onNewResource: async (args) => {
                if (args.id && args.type === T.Deployment) {
                    const name = String(args.id).split("/").pop()!;
                    const replicas = this.deployments.get(name);
                    if (replicas === undefined && this.emptyReads) return { id: args.id, state: {} };
                    if (replicas === undefined) throw new Error(`deployments.apps "${name}" not found (read of ${args.id})`);
                    return { id: args.id, state: { metadata: { name }, spec: { replicas } } };
                }
                if (args.type !== RELEASE_TYPE) return undefined;
                const news = withoutProvider(args.inputs);
                // The engine's clock for this update (a config-free way to set `now`).
                const applied = await applyRelease(this.stored, { ...news, now: news.now ?? now });
                release = applied.state;
                changed = applied.changed;
                return { id: applied.id, state: release };
            },
        });
        // Only a successful update is committed to the state (and to the cluster). A
        // Deployment without replicas keeps its count, or starts at the HPA's floor.
        const hpaMin = new Map(result.ofType(T.HPA).map((h) => [h.inputs.spec.scaleTargetRef.name, h.inputs.spec.minReplicas as number]));
        for (const d of result.ofType(T.Deployment)) {
            const name = d.inputs.metadata.name;
            const replicas = d.inputs.spec.replicas ?? this.deployments.get(name) ?? hpaMin.get(name) ?? 1;
            this.deployments.set(name, replicas);
        }
        this.config = config;
        this.stored = release;
        this.last = { ...result, release, changed };
        return this.last;
    }
}
