/**
 * The one error a report parser throws: input that claims a format and breaks it.
 *
 * @module
 */

/**
 * A report that cannot be read; `jsonPath` names where (`$.target.file.md5`) and `problem` says
 * what is wrong there.
 *
 * @example
 * throw new SandboxReportError("$.behavior.processtree[3].pid", "expected a number, got \"abc\"");
 */
export class SandboxReportError extends Error {
  override readonly name = "SandboxReportError";

  constructor(
    readonly jsonPath: string,
    readonly problem: string,
  ) {
    super(`${jsonPath}: ${problem}`);
  }
}
