// Every goship policy, in one explicit list (no registration by import side effect).
// Imported by the pack (index.ts), the offline runner (../offline/policy-runner.ts) and the tests.
import { gatewayApiResourcePolicies, gatewayApiStackPolicies } from "./gateway-api";
import { networkPolicies } from "./network";
import { observabilityPolicies } from "./observability";
import { productionPolicies, productionStackPolicies } from "./production";
import { releasePolicies, releaseStackPolicies } from "./release";
import { crossObjectPolicies } from "./stack";
import { workloadPolicies } from "./workload";

export const resourcePolicies = [...workloadPolicies, ...productionPolicies, ...networkPolicies, ...releasePolicies, ...gatewayApiResourcePolicies];
export const stackPolicies = [...crossObjectPolicies, ...releaseStackPolicies, ...productionStackPolicies, ...gatewayApiStackPolicies, ...observabilityPolicies];
export const policies = [...resourcePolicies, ...stackPolicies];
