import { describe, expect, it } from "vitest";
import { mapOrdered } from "./ordered-pool.js";

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe("mapOrdered", () => {
  it("mapOrdered yields in input order with bounded concurrency", async () => {
    let running = 0;
    let peak = 0;
    const out: number[] = [];
    const read = async (n: number): Promise<number> => {
      running++;
      peak = Math.max(peak, running);
      await delay(n % 3 === 0 ? 5 : 1);
      running--;
      return n * 10;
    };
    for await (const value of mapOrdered([1, 2, 3, 4, 5, 6, 7], read, { concurrency: 3 })) out.push(value);
    expect(out).toEqual([10, 20, 30, 40, 50, 60, 70]);
    expect(peak).toBeLessThanOrEqual(3);
  });

  it("mapOrdered stops starting reads once aborted and rethrows a failed read in turn", async () => {
    const controller = new AbortController();
    const started: number[] = [];
    const out: number[] = [];
    const read = async (n: number): Promise<number> => {
      started.push(n);
      await delay(1);
      return n;
    };
    for await (const value of mapOrdered([1, 2, 3, 4, 5, 6], read, { concurrency: 2, signal: controller.signal })) {
      out.push(value);
      controller.abort();
    }
    expect(out).toEqual([1]);
    expect(started.length).toBeLessThanOrEqual(3);
    const failing = mapOrdered([1, 2], (n) => (n === 2 ? Promise.reject(new Error("boom")) : Promise.resolve(n)), { concurrency: 2 });
    await expect((async () => { for await (const _v of failing) { /* drain */ } })()).rejects.toThrow("boom");
  });
});
