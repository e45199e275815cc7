// Parsing of `goship:quota`: the namespace's ResourceQuota. Pure.
import { CPU_QUANTITY, MEMORY_QUANTITY, Reader } from "./validate";

export interface QuotaConfig {
    requestsCpu: string;
    requestsMemory: string;
    limitsCpu: string;
    limitsMemory: string;
    requestsEphemeralStorage: string;
    limitsEphemeralStorage: string;
    pods: number;
}

export function parseQuota(q: Reader): QuotaConfig {
    const quota: QuotaConfig = {
        requestsCpu: q.quantity("requestsCpu", "4", { pattern: CPU_QUANTITY, allowed: "a CPU quantity" }),
        requestsMemory: q.quantity("requestsMemory", "4Gi", { pattern: MEMORY_QUANTITY, allowed: "a memory quantity" }),
        limitsCpu: q.quantity("limitsCpu", "16", { pattern: CPU_QUANTITY, allowed: "a CPU quantity" }),
        limitsMemory: q.quantity("limitsMemory", "8Gi", { pattern: MEMORY_QUANTITY, allowed: "a memory quantity" }),
        requestsEphemeralStorage: q.quantity("requestsEphemeralStorage", "4Gi", { pattern: MEMORY_QUANTITY, allowed: "a storage quantity" }),
        limitsEphemeralStorage: q.quantity("limitsEphemeralStorage", "16Gi", { pattern: MEMORY_QUANTITY, allowed: "a storage quantity" }),
        pods: q.int("pods", 60, 1, 10000),
    };
    q.rejectUnknown();
    return quota;
}
