// The lines an edit changed in a stack file, for the person who will commit it: a
// longest-common-subsequence diff (stack files are a few hundred lines at most). Pure.

export interface LineChange {
    before?: string;
    after?: string;
}

export function lineChanges(before: string, after: string): LineChange[] {
    const a = before.split("\n");
    const b = after.split("\n");
    const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
    for (let i = a.length - 1; i >= 0; i--) {
        for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
    const out: LineChange[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
        if (i < a.length && j < b.length && a[i] === b[j]) {
            i++;
            j++;
        } else if (j < b.length && (i === a.length || lcs[i][j + 1] > lcs[i + 1][j])) {
            out.push({ after: b[j++] });
        } else {
            out.push({ before: a[i++] });
        }
    }
    // A removed line followed by an added one reads as one changed line.
    const merged: LineChange[] = [];
    for (const c of out) {
        const last = merged[merged.length - 1];
        if (c.after !== undefined && last && last.before !== undefined && last.after === undefined) last.after = c.after;
        else merged.push({ ...c });
    }
    return merged;
}
