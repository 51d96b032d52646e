import { describe, expect, it } from "vitest";
import { describeFailure, runCommand } from "./command-runner.js";

describe("runCommand", () => {
  it("runCommand returns output and exit code, in the C locale, with the extra variables", async () => {
    const ok = await runCommand("sh", ["-c", 'printf "%s %s" "$LC_ALL" "$IOCSCAN_PROBE"'], { env: { IOCSCAN_PROBE: "yes" } });
    expect(ok).toEqual({ exitCode: 0, stdout: "C yes", stderr: "" });
    const failed = await runCommand("sh", ["-c", "echo oops >&2; exit 3"]);
    expect(failed).toEqual({ exitCode: 3, stdout: "", stderr: "oops\n" });
    expect(describeFailure("sh", failed)).toBe("sh exited with 3: oops");
  });

  it("runCommand says a missing tool is not installed instead of rejecting", async () => {
    const missing = await runCommand("iocscan-no-such-tool", []);
    expect(missing).toMatchObject({ exitCode: null, failure: "not installed" });
    expect(describeFailure("iocscan-no-such-tool", missing)).toBe("iocscan-no-such-tool: not installed");
  });

  it("runCommand rejects and stops the tool when aborted", async () => {
    const controller = new AbortController();
    const started = Date.now();
    const running = runCommand("sleep", ["5"], { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(running).rejects.toMatchObject({ name: "AbortError" });
    expect(Date.now() - started).toBeLessThan(2500);
  });
});
