// Small, pure validation helpers for stack config. Every failure names the full key
// (`goship:autoscaling.maxReplicas`), the value received and what is allowed, and all
// failures of one run are reported together so a user fixes their config in one pass.

export class ConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(`invalid stack config:\n  - ${problems.join("\n  - ")}`);
        this.name = "ConfigError";
    }
}

/** Renders a received value for an error message (short, JSON-like). */
export function show(v: unknown): string {
    if (v === undefined) return "nothing";
    const s = typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * Reader walks one object of config, records problems instead of throwing, and rejects
 * keys it was never asked about (typos must not be silently ignored).
 */
export class Reader {
    private readonly seen = new Set<string>();

    constructor(
        readonly key: string,
        private readonly obj: Record<string, unknown>,
        readonly problems: string[],
        /** The config namespace itself: its fields are `goship:field`, nested ones `goship:a.b`. */
        private readonly root = false,
    ) {}

    /** The reader of a config namespace's top-level keys (`goship:replicas`). */
    static root(namespace: string, obj: Record<string, unknown>, problems: string[]): Reader {
        return new Reader(namespace, obj, problems, true);
    }

    static of(key: string, value: unknown, problems: string[]): Reader {
        if (value === undefined) return new Reader(key, {}, problems);
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
            problems.push(`${key} must be an object, got ${show(value)}`);
            return new Reader(key, {}, problems);
        }
        return new Reader(key, value as Record<string, unknown>, problems);
    }

    private path(field: string): string {
        return `${this.key}${this.root ? ":" : "."}${field}`;
    }

    has(field: string): boolean {
        return this.obj[field] !== undefined;
    }

    raw(field: string): unknown {
        this.seen.add(field);
        return this.obj[field];
    }

    fail(field: string, message: string): void {
        this.problems.push(`${this.path(field)} ${message}`);
    }

    child(field: string): Reader {
        return Reader.of(this.path(field), this.raw(field), this.problems);
    }

    string(field: string, def: string, opts: { pattern?: RegExp; allowed?: string; oneOf?: readonly string[] } = {}): string {
        const v = this.raw(field);
        if (v === undefined) return def;
        if (typeof v !== "string") {
            this.fail(field, `must be a string, got ${show(v)}`);
            return def;
        }
        if (opts.oneOf && !opts.oneOf.includes(v)) {
            this.fail(field, `must be one of ${opts.oneOf.map((o) => `"${o}"`).join(", ")}, got ${show(v)}`);
            return def;
        }
        if (opts.pattern && !opts.pattern.test(v)) {
            this.fail(field, `must be ${opts.allowed ?? `a string matching ${opts.pattern}`}, got ${show(v)}`);
            return def;
        }
        return v;
    }

    /**
     * A Kubernetes quantity. `pulumi config set --path quota.requestsCpu 4` stores a number,
     * and Kubernetes accepts numbers there too, so integers and decimals are read as their
     * decimal string; the pattern then decides (a number never matches a memory unit).
     */
    quantity(field: string, def: string, opts: { pattern: RegExp; allowed: string }): string {
        const v = this.raw(field);
        if (typeof v === "number" && Number.isFinite(v) && v >= 0) {
            const s = String(v);
            if (opts.pattern.test(s)) return s;
        }
        if (v !== undefined && typeof v !== "string") {
            this.fail(field, `must be ${opts.allowed} (a string or a number), got ${show(v)}`);
            return def;
        }
        return this.string(field, def, opts);
    }

    optionalString(field: string, opts: { pattern?: RegExp; allowed?: string } = {}): string | undefined {
        if (!this.has(field)) {
            this.seen.add(field);
            return undefined;
        }
        return this.string(field, "", opts);
    }

    bool(field: string, def: boolean): boolean {
        const v = this.raw(field);
        if (v === undefined) return def;
        // Pulumi stores `pulumi config set k true` as the string "true".
        if (v === true || v === "true") return true;
        if (v === false || v === "false") return false;
        this.fail(field, `must be true or false, got ${show(v)}`);
        return def;
    }

    int(field: string, def: number, min: number, max: number): number {
        const v = this.raw(field);
        if (v === undefined) return def;
        const n = typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
        if (typeof n !== "number" || !Number.isInteger(n)) {
            this.fail(field, `must be an integer in [${min}, ${max}], got ${show(v)}`);
            return def;
        }
        if (n < min || n > max) {
            this.fail(field, `must be an integer in [${min}, ${max}], got ${n}`);
            return def;
        }
        return n;
    }

    number(field: string, def: number, min: number, max: number): number {
        const v = this.raw(field);
        if (v === undefined) return def;
        const n = typeof v === "string" && v.trim() !== "" && !isNaN(Number(v)) ? Number(v) : v;
        if (typeof n !== "number" || !Number.isFinite(n) || n < min || n > max) {
            this.fail(field, `must be a number in [${min}, ${max}], got ${show(v)}`);
            return def;
        }
        return n;
    }

    intList(field: string, def: number[], min: number, max: number): number[] {
        const v = this.raw(field);
        if (v === undefined) return def;
        if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === "number" && Number.isInteger(x))) {
            this.fail(field, `must be a non-empty list of integers, got ${show(v)}`);
            return def;
        }
        const bad = (v as number[]).find((x) => x < min || x > max);
        if (bad !== undefined) {
            this.fail(field, `entries must be integers in [${min}, ${max}], got ${bad} in ${show(v)}`);
            return def;
        }
        return v as number[];
    }

    /** Records every key of this object that no reader asked for. Call after reading all fields. */
    rejectUnknown(): void {
        for (const k of Object.keys(this.obj)) {
            if (!this.seen.has(k)) {
                const known = [...this.seen].sort().join(", ");
                this.problems.push(`${this.path(k)} is not a known key (known keys: ${known})`);
            }
        }
    }
}

/** Kubernetes resource quantity: CPU ("100m", "0.5", "2") or memory ("64Mi", "1Gi", "128M"). */
export const CPU_QUANTITY = /^(\d+(\.\d+)?|\d+m)$/;
export const MEMORY_QUANTITY = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|K|M|G|T)?$/;

/** Parses a CPU quantity to millicores, or a memory quantity to bytes. */
export function parseQuantity(q: string): number {
    const m = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti|K|M|G|T)?$/.exec(q);
    if (!m) return NaN;
    const n = Number(m[1]);
    const unit = m[2] ?? "";
    const factor: Record<string, number> = {
        "": 1, m: 0.001, K: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4,
    };
    return n * factor[unit];
}

/** RFC 1123 label, as Kubernetes requires for namespaces and most names. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** An app name: a DNS label of at most 40 characters starting with a letter (it prefixes every object name). */
export const APP_NAME = /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/;
/** A DNS name, optionally with a leading "*." (which the config then refuses). */
export const DNS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A container image tag (Docker's grammar). */
export const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
