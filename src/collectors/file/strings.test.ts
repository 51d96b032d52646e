import { describe, expect, it } from "vitest";
import { MAX_STRING_LENGTH, StringCollector } from "./strings.js";

const bytes = (text: string): Buffer => Buffer.from(text, "latin1");

describe("StringCollector", () => {
  it("StringCollector keeps printable runs of at least 6 characters, once each, in order", () => {
    const c = new StringCollector(100);
    c.add(bytes("\x00short\x00kernel32.dll\x01\x02GetProcAddress\x00kernel32.dll\x00"));
    expect(c.finish()).toEqual(["kernel32.dll", "GetProcAddress"]);
  });

  it("StringCollector joins a run split across chunks and closes the run at the end of the file", () => {
    const c = new StringCollector(100);
    c.add(bytes("\x00http://evil"));
    c.add(bytes(".example/x\x00tail"));
    c.add(bytes("end!"));
    expect(c.finish()).toEqual(["http://evil.example/x", "tailend!"]);
  });

  it("StringCollector is bounded in count and in string length", () => {
    const c = new StringCollector(2);
    c.add(bytes("aaaaaa\x00bbbbbb\x00cccccc\x00"));
    expect(c.finish()).toEqual(["aaaaaa", "bbbbbb"]);
    const long = new StringCollector(10);
    long.add(Buffer.alloc(5000, 0x41));
    long.add(Buffer.alloc(5000, 0x41));
    expect(long.finish()).toEqual(["A".repeat(MAX_STRING_LENGTH)]);
  });
});
