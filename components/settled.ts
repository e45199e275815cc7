// The settled value of an Output as a plain promise, through the public API only.
import * as pulumi from "@pulumi/pulumi";

/**
 * Resolves to the value of `o` once it is settled, or to `ifUnknown` when the value is
 * unknown (a preview): `apply` does not run its callback then. The signal that the callback
 * ran or was skipped is `pulumi.isSecret` of the applied Output, which can only resolve once
 * the callback returned (what it returns decides whether the result is secret). Rejects when
 * `o` fails.
 *
 * Why a promise and not the Output itself: `dependsOn` given an Output also depends on that
 * Output's own resources, while a promise contributes only the resources it resolves to.
 */
export function settledValue<T, U>(o: pulumi.Output<T>, ifUnknown: U): Promise<T | U> {
    let value: T | U = ifUnknown;
    const seen = o.apply((v) => {
        value = v;
    });
    return pulumi.isSecret(seen).then(() => value);
}
