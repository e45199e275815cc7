// The dev stack the release scenarios share, in the order a team lives it: first deploy,
// canary, rollback, a refused jump and an abort, a candidate that never turns Ready, drift, an
// interrupted up, destroy. Each scenario file asks for it; the first one deploys it.
import { tier } from "./hooks";
import { Run, TestStack } from "./stack";

/** A secret value that must reach the cluster and never appear in state in plain text. */
export const API_TOKEN = "e2e-api-token-5f0c9a7d";

let story: Promise<{ stack: TestStack; firstUp: Run }> | undefined;

export function deployedDev(): Promise<{ stack: TestStack; firstUp: Run }> {
    story ??= (async () => {
        const stack = await TestStack.create(tier(), "dev", "dev");
        await stack.setSecret("apiToken", API_TOKEN);
        const firstUp = await stack.up();
        if (!firstUp.ok) throw new Error(`first deploy failed:\n${firstUp.stderr}\n${firstUp.stdout}`);
        return { stack, firstUp };
    })();
    return story;
}

/** The canary Ingress's weight as the API server has it. */
export async function canaryWeight(stack: TestStack): Promise<string | undefined> {
    const ing = await tier().kube.get("networking.k8s.io/v1", "Ingress", "goship-canary", stack.namespace);
    return ing?.metadata?.annotations?.["nginx.ingress.kubernetes.io/canary-weight"];
}

export async function deployment(stack: TestStack, track: "blue" | "green") {
    return tier().kube.must("apps/v1", "Deployment", `goship-${track}`, stack.namespace);
}

export async function mainSelectorTrack(stack: TestStack): Promise<string | undefined> {
    const svc = await tier().kube.must("v1", "Service", "goship", stack.namespace);
    return svc.spec?.selector?.["goship.dev/track"];
}

/** The release's weight before → after in a run's events (the release resource's step). */
export function weightChange(run: Run): { before?: number; after?: number } | undefined {
    const e = run.events.find((x) => x.resourcePreEvent?.metadata.urn.endsWith("goship-release"))?.resourcePreEvent?.metadata;
    if (!e) return undefined;
    return { before: e.old?.outputs?.state?.weight, after: (e.new?.outputs?.state ?? e.new?.inputs?.state)?.weight };
}
