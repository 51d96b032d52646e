/**
 * A CommandRunner that plays system tools from a script, for tests on machines that lack them.
 *
 * @module
 */
import type { CommandOptions, CommandResult, CommandRunner } from "./command-runner.js";

export interface FakeCall {
  readonly command: string;
  readonly env: Readonly<Record<string, string>> | undefined;
}

/** `script` maps "tool arg arg" (or a prefix of it, longest first) to its result; unknown tools are "not installed". */
export function fakeRunner(script: Record<string, Partial<CommandResult>>): CommandRunner & { calls: FakeCall[] } {
  const calls: FakeCall[] = [];
  const keys = Object.keys(script).sort((a, b) => b.length - a.length);
  const run = (file: string, args: readonly string[], options?: CommandOptions): Promise<CommandResult> => {
    const command = [file, ...args].join(" ");
    calls.push({ command, env: options?.env });
    const key = keys.find((k) => command === k || command.startsWith(`${k} `));
    if (key === undefined) return Promise.resolve({ exitCode: null, stdout: "", stderr: "", failure: "not installed" });
    return Promise.resolve({ exitCode: 0, stdout: "", stderr: "", ...script[key] });
  };
  return Object.assign(run, { calls });
}
