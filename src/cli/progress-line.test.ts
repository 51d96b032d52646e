import { describe, expect, it } from "vitest";
import { createProgressLine } from "./progress-line.js";

/** A terminal of `columns` columns that records what is written to it. */
function fakeTerminal(columns: number): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const stream = { isTTY: true, columns, write: (text: string) => written.push(text) > 0 };
  return { stream: stream as unknown as NodeJS.WriteStream, written };
}

/** What is left once the line's own "return, erase line" prefix is taken off. */
function content(write: string | undefined): string {
  const prefix = "\r\x1b[2K";
  return write?.startsWith(prefix) ? write.slice(prefix.length) : (write ?? "");
}

const CONTROL = /\p{Cc}|[\u2028\u2029]|\p{Cs}/u;

describe("createProgressLine()", () => {
  it("createProgressLine() shows the current file name escaped: it cannot move the cursor or start a line", () => {
    const { stream, written } = fakeTerminal(200);
    const line = createProgressLine(stream);
    line?.update({ stats: { filesSeen: 3 }, current: "/tmp/t/evil\x1b[1A\x1b[2K\rDONE\n\x9b2J.bin" });
    expect(content(written[0])).not.toMatch(CONTROL);
    expect(content(written[0])).toContain('"/tmp/t/evil\\u001b[1A\\u001b[2K\\rDONE\\n\\u009b2J.bin"');
  });

  it("createProgressLine() cuts a long name at a whole character and writes no half of a surrogate pair", () => {
    const { stream, written } = fakeTerminal(60);
    const line = createProgressLine(stream);
    line?.update({ stats: {}, current: `/tmp/${"😀".repeat(100)}` });
    line?.update({ stats: {}, current: `/tmp/${"x".repeat(100)}\ud800` });
    for (const write of written) {
      expect(content(write)).not.toMatch(CONTROL);
      expect([...content(write)].length).toBeLessThanOrEqual(59);
    }
  });

  it("createProgressLine() keeps a pause's reason on one line", () => {
    const { stream, written } = fakeTerminal(80);
    createProgressLine(stream)?.state({ state: "waiting", detail: "session of user\x1b]0;x\x07\nresumed" });
    expect(written[0]).toBe("\r\x1b[2Kpaused: session of user\\u001b]0;x\\u0007\\nresumed\n");
  });
});
