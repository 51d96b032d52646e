/**
 * The `matches` items of one channel. A linear-time engine pays a fixed cost per call (RE2
 * converts the text to UTF-8 each time), so ten patterns on `FullPath` would mean ten calls per
 * file. Instead, the patterns of each case mode are joined into one alternation
 * `(?:p1)|(?:p2)|…`, which matches exactly when some pattern matches (all are unanchored
 * searches); only then are the patterns tested one by one to learn which.
 *
 * @module
 */
import { isRegexError, type CompiledRegex, type RegexEngine } from "./regex-engine.js";

interface Member {
  readonly ref: number;
  readonly pattern: string;
  readonly regex: CompiledRegex;
}

/** Longest joined pattern; beyond it patterns are split into several alternations. */
const MAX_JOINED_LENGTH = 8 * 1024;

class CaseGroup {
  readonly members: Member[] = [];
  /** Joined alternations, each with the members it covers. */
  private joined: { readonly regex: CompiledRegex; readonly members: readonly Member[] }[] = [];

  constructor(private readonly ignoreCase: boolean) {}

  freeze(engine: RegexEngine | undefined): void {
    if (engine === undefined || this.members.length < 2) {
      this.joined = this.members.map((m) => ({ regex: m.regex, members: [m] }));
      return;
    }
    let chunk: Member[] = [];
    let length = 0;
    const flush = (): void => {
      if (chunk.length === 0) return;
      const members = chunk;
      const combined = members.length === 1 ? undefined : engine.compile(members.map((m) => `(?:${m.pattern})`).join("|"), { ignoreCase: this.ignoreCase });
      if (combined === undefined || isRegexError(combined)) {
        // Joining must never lose a pattern: test them one by one instead.
        for (const m of members) this.joined.push({ regex: m.regex, members: [m] });
      } else {
        this.joined.push({ regex: combined, members });
      }
      chunk = [];
      length = 0;
    };
    for (const m of this.members) {
      if (length + m.pattern.length + 5 > MAX_JOINED_LENGTH) flush();
      chunk.push(m);
      length += m.pattern.length + 5;
    }
    flush();
  }

  match(text: string, hit: (ref: number) => void): void {
    for (const { regex, members } of this.joined) {
      if (!regex.test(text)) continue;
      if (members.length === 1) hit((members[0] as Member).ref);
      else for (const m of members) if (m.regex.test(text)) hit(m.ref);
    }
  }
}

/** Every `matches` item of one channel. */
export class RegexSet {
  private readonly insensitive = new CaseGroup(true);
  private readonly sensitive = new CaseGroup(false);

  get size(): number {
    return this.insensitive.members.length + this.sensitive.members.length;
  }

  add(ref: number, pattern: string, ignoreCase: boolean, regex: CompiledRegex): void {
    (ignoreCase ? this.insensitive : this.sensitive).members.push({ ref, pattern, regex });
  }

  /** Builds the joined alternations with `engine` (without one, patterns are tested one by one). */
  freeze(engine: RegexEngine | undefined): void {
    this.insensitive.freeze(engine);
    this.sensitive.freeze(engine);
  }

  /** Calls `hit` for every item whose pattern occurs in `text`. */
  match(text: string, hit: (ref: number) => void): void {
    if (this.size === 0) return;
    this.insensitive.match(text, hit);
    this.sensitive.match(text, hit);
  }
}
