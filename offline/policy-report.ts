// Runs the CrossGuard pack's checks (offline/policy-runner.ts: the same policy objects the pack
// registers) over the resources a render registered, with the stack's policy config,
// and formats the violations grouped by enforcement level.
import * as fs from "fs";
import * as path from "path";
import { runPolicies } from "./policy-runner";
import { kubernetesObject } from "./render-lib";
import { Registered } from "./results";
import { ROOT } from "./stack-config";

export interface PolicyReport {
    mandatory: number;
    advisory: number;
    text: string;
}

export function policyConfig(stack: string): any {
    const file = path.join(ROOT, "policy", "config", `${stack}.json`);
    if (!fs.existsSync(file)) throw new Error(`no policy config for stack ${stack} (${path.relative(ROOT, file)})`);
    return JSON.parse(fs.readFileSync(file, "utf8"));
}

/** Plain resources for the policy runner: Kubernetes objects only, secrets redacted. */
export function policyResources(resources: Registered[]) {
    return resources
        .filter((r) => r.type.startsWith("kubernetes:") && r.type !== "kubernetes:helm.sh/v4:Chart")
        .map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: kubernetesObject(r) }));
}

export function policyReport(resources: Registered[], stack: string): PolicyReport {
    const violations = runPolicies(policyResources(resources), policyConfig(stack));
    const by = (level: string) => violations.filter((v) => v.level === level);
    const lines = [`policies (policy/config/${stack}.json): ${by("mandatory").length} mandatory, ${by("advisory").length} advisory violations`];
    for (const level of ["mandatory", "advisory"]) {
        const vs = by(level);
        if (vs.length === 0) continue;
        lines.push(`  ${level}:`);
        for (const v of vs) lines.push(`    [${v.policy}] ${v.message}`);
    }
    return { mandatory: by("mandatory").length, advisory: by("advisory").length, text: lines.join("\n") };
}
