// The SDK's secret envelope (`{4dabf…: 1b470…, value}`): how a secret travels as a plain
// object through the mock monitor and through a provider server that accepts secrets.
import * as pulumi from "@pulumi/pulumi";

/** Whether a value is a secret envelope. */
export function isSealed(value: any): boolean {
    return value !== null && typeof value === "object" && value[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig;
}

/** A value in a secret envelope (once: a sealed value stays as it is). */
export function seal<T>(value: T): T {
    return (isSealed(value) ? value : { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value }) as T;
}

/** Unwraps every secret envelope in `value`, recording each one's path (`a.b[0]`) in `found`. */
export function unwrapSecrets(value: any, at = "", found: string[] = []): any {
    if (value && typeof value === "object") {
        if (isSealed(value)) {
            found.push(at);
            return unwrapSecrets(value.value, at, found);
        }
        if (Array.isArray(value)) return value.map((v, i) => unwrapSecrets(v, `${at}[${i}]`, found));
        const out: any = {};
        for (const [k, v] of Object.entries(value)) out[k] = unwrapSecrets(v, at ? `${at}.${k}` : k, found);
        return out;
    }
    return value;
}
