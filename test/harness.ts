// The mock-runtime harness lives in offline/ (shared with the offline renderer), which runs
// the same program the same way; tests import it from here.
export * from "../offline/mock-runtime";
