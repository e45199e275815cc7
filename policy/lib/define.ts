// Builders that turn pure check functions into CrossGuard policies: the checks take
// plain objects (easy to test exhaustively and to run offline), the wrappers speak the
// @pulumi/policy API.
import {
    EnforcementLevel, ReportViolation, ResourceValidationPolicy, Severity, StackValidationPolicy, validateResourceOfType,
} from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { Res } from "./k8s";

export type Knobs = Record<string, PolicyConfigJSONSchema & { default: unknown }>;

interface Common {
    /** kebab-case. */
    name: string;
    /** Starts with "Checks …". */
    description: string;
    severity: Severity;
    remediationSteps: string;
    /** Level when the policy config says nothing. */
    enforcementLevel?: EnforcementLevel;
    /** Tunable values with defaults (the config schema). */
    knobs?: Knobs;
}

export type ResourceCheck = (props: any, knobs: any, report: (message: string) => void, res: { name: string; type: string }) => void;
export type StackCheck = (resources: Res[], knobs: any, report: (message: string, urn?: string) => void) => void;

/** What every policy declares, with the config schema built from its knobs. */
function metadata(p: Common) {
    return {
        name: p.name,
        description: p.description,
        severity: p.severity,
        remediationSteps: p.remediationSteps,
        enforcementLevel: p.enforcementLevel ?? "advisory",
        configSchema: p.knobs ? { properties: p.knobs } : undefined,
        knobs: p.knobs,
    };
}

/** Applies the knobs' defaults under the configured values (the engine does the same). */
export function withDefaults(knobs: Knobs | undefined, config: any): any {
    const out: any = {};
    for (const [k, s] of Object.entries(knobs ?? {})) out[k] = s.default;
    return { ...out, ...(config ?? {}) };
}

export interface GoshipResourcePolicy extends ResourceValidationPolicy {
    check: ResourceCheck;
    types: string[];
    knobs?: Knobs;
}

export interface GoshipStackPolicy extends StackValidationPolicy {
    checkStack: StackCheck;
    knobs?: Knobs;
}

type K8sClass = { new (...args: any[]): any; __pulumiType?: string };

export function resourcePolicy(p: Common & { kinds: K8sClass[]; check: ResourceCheck }): GoshipResourcePolicy {
    return {
        ...metadata(p),
        check: p.check,
        types: p.kinds.map((k) => (k as any).__pulumiType as string),
        validateResource: p.kinds.map((cls) => validateResourceOfType(cls as any, (props: any, args, report: ReportViolation) =>
            p.check(props, withDefaults(p.knobs, args.getConfig()), (m) => report(m), { name: args.name, type: args.type }))),
    };
}

export function stackPolicy(p: Common & { check: StackCheck }): GoshipStackPolicy {
    return {
        ...metadata(p),
        checkStack: p.check,
        validateStack: (args, report) => p.check(
            args.resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: r.props })),
            withDefaults(p.knobs, args.getConfig()),
            (m, urn) => report(m, urn)),
    };
}
