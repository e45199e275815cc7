// Runs the pack's policies over plain resources, the way the engine would: enforcement
// levels and knobs from a policy config file (`{"all": "advisory", "<policy>": "mandatory"
// | {"enforcementLevel": …, <knob>: …}}`), each policy's validate functions called with
// engine-like args (isType, getConfig, notApplicable, stackTags). Used by the offline
// renderer and the tests; it does not start the policy gRPC server.
import type { EnforcementLevel, PolicyResource } from "@pulumi/policy";
import { GoshipResourcePolicy, GoshipStackPolicy, withDefaults } from "../policy/lib/define";
import { Res } from "../policy/lib/k8s";
import { resourcePolicies, stackPolicies } from "../policy/policies";

export interface Violation {
    policy: string;
    level: EnforcementLevel;
    message: string;
    urn?: string;
}

export type PolicyConfigFile = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

class NotApplicable extends Error {}

/** The level and knobs a config file gives one policy. */
export function levelOf(config: PolicyConfigFile, name: string, fallback: EnforcementLevel): { level: EnforcementLevel; knobs: Record<string, unknown> } {
    const entry = config[name];
    const all = typeof config.all === "string" ? config.all : (config.all as any)?.enforcementLevel;
    if (typeof entry === "string") return { level: entry, knobs: {} };
    const { enforcementLevel, ...knobs } = (entry ?? {}) as any;
    return { level: enforcementLevel ?? all ?? fallback, knobs };
}

function engineArgs(knobs: Record<string, unknown>) {
    return {
        getConfig: <T extends object>() => knobs as T,
        notApplicable: (reason?: string): never => { throw new NotApplicable(reason); },
        stackTags: new Map<string, string>(),
    };
}

export function runPolicies(resources: Res[], config: PolicyConfigFile, policies?: { resource?: GoshipResourcePolicy[]; stack?: GoshipStackPolicy[] }): Violation[] {
    const out: Violation[] = [];
    for (const p of policies?.resource ?? resourcePolicies) {
        const { level, knobs } = levelOf(config, p.name, p.enforcementLevel ?? "advisory");
        if (level === "disabled") continue;
        const cfg = withDefaults(p.knobs, knobs);
        const fns = Array.isArray(p.validateResource) ? p.validateResource : p.validateResource ? [p.validateResource] : [];
        for (const r of resources) {
            if (!p.types.includes(r.type)) continue; // the engine filters by type the same way
            const args: any = {
                type: r.type, props: r.props, urn: r.urn, name: r.name, opts: {},
                isType: (cls: any) => cls.__pulumiType === r.type,
                asType: (cls: any) => (cls.__pulumiType === r.type ? r.props : undefined),
                ...engineArgs(cfg),
            };
            for (const fn of fns) {
                try {
                    fn(args, (message: string, urn?: string) => out.push({ policy: p.name, level, message, urn: urn ?? r.urn }));
                } catch (e) {
                    if (!(e instanceof NotApplicable)) throw e;
                }
            }
        }
    }
    for (const p of policies?.stack ?? stackPolicies) {
        const { level, knobs } = levelOf(config, p.name, p.enforcementLevel ?? "advisory");
        if (level === "disabled") continue;
        const cfg = withDefaults(p.knobs, knobs);
        const args: any = {
            resources: resources.map((r): Partial<PolicyResource> => ({ type: r.type, name: r.name, urn: r.urn, props: r.props, opts: {} as any, dependencies: [], propertyDependencies: {} })),
            ...engineArgs(cfg),
        };
        try {
            p.validateStack(args, (message: string, urn?: string) => out.push({ policy: p.name, level, message, urn }));
        } catch (e) {
            if (!(e instanceof NotApplicable)) throw e;
        }
    }
    return out;
}
