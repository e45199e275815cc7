// Every goship policy, in one explicit list (no registration by import side effect).
// Imported by the pack (index.ts), the offline runner (run.ts) and the tests.
import { networkPolicies } from "./network";
import { productionPolicies, productionStackPolicies } from "./production";
import { releasePolicies } from "./release";
import { stackPolicies as wholeStackPolicies } from "./stack";
import { workloadPolicies } from "./workload";

export const resourcePolicies = [...workloadPolicies, ...productionPolicies, ...networkPolicies, ...releasePolicies];
export const stackPolicies = [...wholeStackPolicies, ...productionStackPolicies];
export const policies = [...resourcePolicies, ...stackPolicies];
