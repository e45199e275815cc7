// Every goship policy, in one explicit list (no registration by import side effect).
// Imported by the pack (index.ts), the offline runner (run.ts) and the tests.
import { networkPolicies } from "./network";
import { observabilityPolicies } from "./observability";
import { releasePolicies } from "./release";
import { stackPolicies as wholeStackPolicies } from "./stack";
import { workloadPolicies } from "./workload";

export const resourcePolicies = [...workloadPolicies, ...networkPolicies, ...releasePolicies];
export const stackPolicies = [...wholeStackPolicies, ...observabilityPolicies];
export const policies = [...resourcePolicies, ...stackPolicies];
